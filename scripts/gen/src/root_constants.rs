//! The check that the crate root grows only as kvm-bindings 0.14's process would grow it (`scripts/generate
//! --check-root`): every constant at an arch crate's root that 0.14.2 lacks must be one bindgen's own macro
//! evaluator gives — a kernel addition 0.14's process would have added too. A constant only clang's evaluation gives
//! belongs in `evaluated`: VMMs glob-import the root beside their own definitions of those names.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use syn::{Item, UseTree, Visibility};

use crate::arch::Arch;
use crate::{keep_api, raw_bindings};

/// The constants bindgen's own macro evaluator gives for `arch` (a run without the clang fallback): with 0.14.2's
/// root constants, the ones that belong at the crate root.
pub fn bindgen_own_constants(arch: &Arch, headers: &Path) -> Result<BTreeSet<String>, String> {
    let without_fallback = raw_bindings::generate_raw_bindings(arch, headers, true)?;
    let without_fallback =
        syn::parse_file(&without_fallback).map_err(|e| format!("bindgen's output does not parse: {e}"))?;
    Ok(keep_api::constants_evaluated_by_bindgen(&without_fallback.items))
}

/// The names of the public constants a module file defines, with those of every module it glob-re-exports
/// (`pub use bindings::*;`, `pub use self::x86_64::*;`), followed through their files.
pub fn root_constants(module_file: &Path) -> Result<BTreeSet<String>, String> {
    let mut names = BTreeSet::new();
    collect_constants(module_file, &mut names, 0)?;
    Ok(names)
}

fn collect_constants(file: &Path, names: &mut BTreeSet<String>, depth: usize) -> Result<(), String> {
    // The crates nest their globs two levels deep; a cycle of globs would otherwise never end.
    if depth > 8 {
        return Err(format!("glob re-exports nest too deeply at {}", file.display()));
    }
    let text = fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let parsed = syn::parse_file(&text).map_err(|e| format!("{} does not parse: {e}", file.display()))?;
    for item in &parsed.items {
        match item {
            Item::Const(c) if matches!(c.vis, Visibility::Public(_)) => {
                names.insert(c.ident.to_string());
            }
            Item::Use(u) if matches!(u.vis, Visibility::Public(_)) => {
                if let Some(module) = glob_module(&u.tree) {
                    collect_constants(&module_file(file, &module)?, names, depth + 1)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The module a `use` tree glob-imports from the current crate (`self::m::*`, `crate::m::*`, `m::*`), if it is one
/// such glob; other crates' globs and named imports are not this crate's constants.
fn glob_module(tree: &UseTree) -> Option<String> {
    let UseTree::Path(path) = tree else { return None };
    let first = path.ident.to_string();
    match (&*path.tree, first.as_str()) {
        (UseTree::Glob(_), "self" | "crate" | "super") => None,
        (UseTree::Glob(_), _) => Some(first),
        (UseTree::Path(_), "self" | "crate") => glob_module(&path.tree),
        _ => None,
    }
}

/// The file of `module`, declared in `parent` (a `lib.rs` or `mod.rs`: its modules sit beside it).
fn module_file(parent: &Path, module: &str) -> Result<PathBuf, String> {
    let dir = parent.parent().unwrap_or(Path::new("."));
    [dir.join(format!("{module}.rs")), dir.join(module).join("mod.rs")]
        .into_iter()
        .find(|path| path.exists())
        .ok_or_else(|| format!("no file for module {module} beside {}", parent.display()))
}

/// The root constants of ours that 0.14.2 lacks and bindgen's own evaluator does not give: each one a name a VMM's
/// glob import may already define.
pub fn misplaced<'a>(
    ours: &'a BTreeSet<String>,
    baseline: &BTreeSet<String>,
    bindgen_own: &BTreeSet<String>,
) -> (Vec<&'a str>, Vec<&'a str>) {
    ours.iter()
        .filter(|name| !baseline.contains(*name))
        .map(String::as_str)
        .partition(|name| bindgen_own.contains(*name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_kernel_addition_bindgen_gives_is_allowed_and_an_evaluated_constant_is_not() {
        let ours = set(&["KVM_OLD", "KVM_NEW", "KVM_REG_ARM_PTIMER_CNT"]);
        let (additions, wrong) = misplaced(&ours, &set(&["KVM_OLD"]), &set(&["KVM_OLD", "KVM_NEW"]));
        assert_eq!(additions, ["KVM_NEW"]);
        assert_eq!(wrong, ["KVM_REG_ARM_PTIMER_CNT"]);
    }

    #[test]
    fn follows_glob_re_exports_and_skips_other_modules() {
        let dir = std::env::temp_dir().join(format!("kvm-root-constants-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("lib.rs"),
            "pub mod bindings; pub mod evaluated; pub use self::bindings::*; pub const A: u32 = 1; const B: u32 = 2;",
        )
        .unwrap();
        fs::write(dir.join("bindings.rs"), "pub const C: u32 = 3; pub struct S;").unwrap();
        fs::write(dir.join("evaluated.rs"), "pub const D: u32 = 4;").unwrap();
        let found = root_constants(&dir.join("lib.rs"));
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found.unwrap(), set(&["A", "C"]));
    }
}
