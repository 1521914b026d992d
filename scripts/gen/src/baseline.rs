//! The published kvm-bindings 0.14.2, the API this project is a drop-in replacement for: the root constants it has
//! stay at our root whatever bindgen makes of today's headers (the kernel rewrote some as `_BITULL(n)`, which only
//! clang evaluates), because VMMs compiled against it name them there.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::arch::Arch;
use crate::process::output_of;
use crate::root_constants;

/// The source directory of kvm-bindings 0.14.2, fetched from the registry by `scripts/api/fetch-baseline` (the one
/// place that knows how) into cargo's own cache.
pub fn fetch_baseline(root: &Path) -> Result<PathBuf, String> {
    let output = output_of(Command::new(root.join("scripts/api/fetch-baseline")).current_dir(root))?;
    let dir = output
        .lines()
        .next()
        .map(PathBuf::from)
        .ok_or("scripts/api/fetch-baseline printed nothing")?;
    if !dir.join("src/lib.rs").exists() {
        return Err(format!("{} is not kvm-bindings' source (no src/lib.rs)", dir.display()));
    }
    Ok(dir)
}

/// The constants at 0.14.2's root for `arch`; empty for an arch 0.14.2 has no module for.
pub fn baseline_root_constants(baseline: &Path, arch: &Arch) -> Result<BTreeSet<String>, String> {
    let module = baseline.join("src").join(arch.name).join("mod.rs");
    if module.exists() {
        root_constants::root_constants(&module)
    } else {
        Ok(BTreeSet::new())
    }
}
