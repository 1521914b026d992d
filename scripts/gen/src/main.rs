//! Regenerates the arch crates' `bindings.rs` (and the shared bindgen helpers) from a Linux kernel tree.
//!
//! `kvm-bindings-gen generate [--kernel PATH] [--arch NAME]...` writes the files;
//! `kvm-bindings-gen check [--kernel PATH] [--arch NAME]...` regenerates in memory and fails when a committed file
//! differs. Run it through `scripts/generate`, which installs what it needs first.

mod api_doc;
mod arch;
mod baseline;
mod comments;
mod debian_source;
mod document;
mod glob_imports;
mod keep_api;
mod kernel;
mod layout;
mod macros;
mod output;
mod packed_debug;
mod process;
mod raw_bindings;
mod rewrite;
#[cfg(test)]
mod rewrite_tests;
mod root_constants;
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
    CheckRoot,
}

#[derive(Debug)]
struct Options {
    mode: Mode,
    kernel: Option<PathBuf>,
    arches: Vec<&'static Arch>,
    /// check-root: another `src` directory for the (single) arch, for the check's negative test.
    src: Option<PathBuf>,
}

const USAGE: &str = "usage: kvm-bindings-gen (generate|check|check-layout|check-root) [--kernel PATH] [--arch NAME]...
  --kernel PATH   kernel source tree (default: $KVM_BINDINGS_KERNEL, else Debian's pinned kernel source package)
  --arch NAME     only this architecture (repeatable; default: all)
  --src DIR       check-root, with one --arch: read the crate root from DIR/lib.rs instead of the arch crate's";

fn parse_options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mode = match args.next().as_deref() {
        Some("generate") => Mode::Generate,
        Some("check") => Mode::Check,
        Some("check-layout") => Mode::CheckLayout,
        Some("check-root") => Mode::CheckRoot,
        other => return Err(format!("unknown command {other:?}\n{USAGE}")),
    };
    let mut kernel = std::env::var_os("KVM_BINDINGS_KERNEL")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let mut arches = Vec::new();
    let mut src = None;
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--kernel" => kernel = Some(PathBuf::from(value()?)),
            "--arch" => {
                let name = value()?;
                let known: Vec<_> = arch::arches().iter().map(|a| a.name).collect();
                arches.push(find_arch(&name).ok_or_else(|| format!("unknown arch {name:?}; known: {known:?}"))?);
            }
            "--src" => src = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
        }
    }
    if src.is_some() && arches.len() != 1 {
        return Err(format!("--src needs exactly one --arch\n{USAGE}"));
    }
    if arches.is_empty() {
        arches = arch::arches().iter().collect();
    }
    Ok(Options {
        mode,
        kernel,
        arches,
        src,
    })
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
        Mode::CheckRoot => check_root(&root, &tree, options)?,
    };
    let done = match options.mode {
        Mode::Generate => "regenerated",
        Mode::Check => "checked the bindings of",
        Mode::CheckLayout => "checked the layouts of",
        Mode::CheckRoot => "checked the root constants of",
    };
    eprintln!(
        "{done} {} arch(es) from Linux {} in {:.1} s",
        options.arches.len(),
        tree.version,
        started.elapsed().as_secs_f64()
    );
    Ok(clean)
}

/// Lists, per arch, the root constants kvm-bindings 0.14.2 lacks; fails unless bindgen's own evaluator gives each
/// (see `root_constants`).
fn check_root(root: &Path, tree: &kernel::KernelTree, options: &Options) -> Result<bool, String> {
    let baseline_dir = baseline::fetch_baseline(root)?;
    let scratch = kernel::scratch_dir("root");
    let result = (|| {
        let headers = kernel::install_all_headers(tree, &options.arches, &scratch)?;
        let mut clean = true;
        for (arch, headers) in options.arches.iter().zip(&headers) {
            let src = options
                .src
                .clone()
                .unwrap_or_else(|| root.join(&arch.crate_dir).join("src"));
            let ours = root_constants::root_constants(&src.join("lib.rs"))?;
            // For an arch 0.14.2 has no module for, the whole root is new, and the same rule applies.
            let baseline = baseline::baseline_root_constants(&baseline_dir, arch)?;
            let compared_with = if baseline.is_empty() {
                "kvm-bindings 0.14.2 (which has no module for it)"
            } else {
                "kvm-bindings 0.14.2"
            };
            if ours.is_empty() {
                return Err(format!("{}: found no root constants in {}", arch.name, src.display()));
            }
            let without_fallback = raw_bindings::generate_raw_bindings(arch, headers, true)?;
            let without_fallback =
                syn::parse_file(&without_fallback).map_err(|e| format!("bindgen's output does not parse: {e}"))?;
            let bindgen_own = keep_api::constants_evaluated_by_bindgen(&without_fallback.items);
            let (additions, wrong) = root_constants::misplaced(&ours, &baseline, &bindgen_own);
            println!(
                "{}: {} root constants, {} of them not in {compared_with}; {} of those bindgen gives without \
                 evaluating macros (kernel additions): {}",
                arch.name,
                ours.len(),
                additions.len() + wrong.len(),
                additions.len(),
                additions.join(" ")
            );
            if !wrong.is_empty() {
                println!(
                    "{}: FAILED: {} root constants only clang's macro evaluation gives; they belong in `evaluated` \
                     (a VMM's glob import may define them): {}",
                    arch.name,
                    wrong.len(),
                    wrong.join(" ")
                );
                clean = false;
            }
        }
        Ok(clean)
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
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
