//! Regenerates the arch crates' `bindings.rs` (and the shared bindgen helpers) from a Linux kernel tree.
//!
//! `kvm-bindings-gen generate [--kernel PATH] [--arch NAME]...` writes the files;
//! `kvm-bindings-gen check [--kernel PATH] [--arch NAME]...` regenerates in memory and fails when a committed file
//! differs. Run it through `scripts/generate`, which installs what it needs first.

mod api_doc;
mod arch;
mod comments;
mod debian_source;
mod document;
mod glob_imports;
mod keep_api;
mod kernel;
mod layout;
mod macros;
mod output;
mod process;
mod raw_bindings;
mod rewrite;
#[cfg(test)]
mod rewrite_tests;
mod serde_list;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use arch::{Arch, find_arch};
use debian_source::FetchError;

/// The command that regenerates everything; printed in file headers and in check-mode failures.
pub const REGENERATE_COMMAND: &str = "scripts/generate";

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Mode {
    Generate,
    Check,
    CheckLayout,
}

#[derive(Debug)]
struct Options {
    mode: Mode,
    kernel: Option<PathBuf>,
    arches: Vec<&'static Arch>,
}

const USAGE: &str = "usage: kvm-bindings-gen (generate|check|check-layout) [--kernel PATH] [--arch NAME]...
  --kernel PATH   kernel source tree (default: $KVM_BINDINGS_KERNEL, else Debian's pinned kernel source package)
  --arch NAME     only this architecture (repeatable; default: all)";

fn parse_options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mode = match args.next().as_deref() {
        Some("generate") => Mode::Generate,
        Some("check") => Mode::Check,
        Some("check-layout") => Mode::CheckLayout,
        other => return Err(format!("unknown command {other:?}\n{USAGE}")),
    };
    let mut kernel = std::env::var_os("KVM_BINDINGS_KERNEL")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let mut arches = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--kernel" => kernel = Some(PathBuf::from(value()?)),
            "--arch" => {
                let name = value()?;
                let known: Vec<_> = arch::arches().iter().map(|a| a.name).collect();
                arches.push(find_arch(&name).ok_or_else(|| format!("unknown arch {name:?}; known: {known:?}"))?);
            }
            _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
        }
    }
    if arches.is_empty() {
        arches = arch::arches().iter().collect();
    }
    Ok(Options { mode, kernel, arches })
}

/// The repository root: this crate lives in `scripts/gen`.
fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root exists")
}

fn run(options: &Options) -> Result<bool, String> {
    let started = Instant::now();
    let root = repository_root();
    let cache = root.join("target/kernel-source");
    let tree = match kernel::resolve_kernel_tree(options.kernel.clone(), &cache) {
        Ok(tree) => tree,
        // Debian drops old versions: that alone must not fail CI's checks, but a generation cannot go on.
        Err(FetchError::Unavailable(why)) if options.mode != Mode::Generate => {
            eprintln!("note: {why}; nothing compared (move the pin: see CONTRIBUTING, \"Move to a newer kernel\")");
            return Ok(true);
        }
        Err(FetchError::Unavailable(why) | FetchError::Failed(why)) => return Err(why),
    };
    let clean = match options.mode {
        Mode::Generate => {
            output::write_all(&root, &output::generate_all(&root, &tree, &options.arches)?)?;
            true
        }
        Mode::Check => output::check_all(&root, &tree, &output::generate_all(&root, &tree, &options.arches)?)?,
        Mode::CheckLayout => layout::check_layouts(&root, &tree, &options.arches)?,
    };
    let done = match options.mode {
        Mode::Generate => "regenerated",
        Mode::Check => "checked the bindings of",
        Mode::CheckLayout => "checked the layouts of",
    };
    eprintln!(
        "{done} {} arch(es) from Linux {} in {:.1} s",
        options.arches.len(),
        tree.version,
        started.elapsed().as_secs_f64()
    );
    Ok(clean)
}

fn main() -> ExitCode {
    let options = match parse_options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
