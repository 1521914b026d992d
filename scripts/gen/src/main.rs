//! Regenerates the arch crates' `bindings.rs` (and the shared bindgen helpers) from a Linux kernel tree.
//!
//! `kvm-bindings-gen generate [--kernel PATH] [--arch NAME]...` writes the files;
//! `kvm-bindings-gen check [--kernel PATH] [--arch NAME]...` regenerates in memory and fails when a committed file
//! differs. Run it through `scripts/generate`, which installs what it needs first.

mod api_doc;
mod arch;
mod baseline;
mod byte_order;
mod comments;
mod debian_source;
mod document;
mod glob_imports;
mod history;
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
mod since;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use arch::{Arch, find_arch};
use debian_source::{Pin, PrivateApt, Role};
use history::LineSource;
use kernel::{KernelTree, Resolved};

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
    /// `--move-pin PACKAGE=VERSION`: rewrite that pin first, then regenerate.
    move_pin: Option<(String, String)>,
}

const USAGE: &str = "usage: kvm-bindings-gen (generate|check|check-layout|check-root) [--kernel PATH] [--arch NAME]...
  --kernel PATH   kernel source tree (default: $KVM_BINDINGS_KERNEL, else Debian's pinned kernel source package)
  --arch NAME     only this architecture (repeatable; default: all)
  --src DIR       check-root, with one --arch: read the crate root from DIR/lib.rs instead of the arch crate's
  --move-pin PACKAGE=VERSION   pin another Debian version of a kernel line (scripts/gen/kernels.tsv), then generate";

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
    let mut move_pin = None;
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
            "--move-pin" => {
                let value = value()?;
                let (package, version) = value
                    .split_once('=')
                    .ok_or_else(|| format!("--move-pin takes PACKAGE=VERSION, not {value:?}"))?;
                move_pin = Some((package.to_string(), version.to_string()));
            }
            _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
        }
    }
    if src.is_some() && arches.len() != 1 {
        return Err(format!("--src needs exactly one --arch\n{USAGE}"));
    }
    if arches.is_empty() {
        arches = arch::arches().iter().collect();
    }
    if move_pin.is_some() && mode != Mode::Generate {
        return Err(format!("--move-pin regenerates: use it with `generate`\n{USAGE}"));
    }
    Ok(Options {
        mode,
        kernel,
        arches,
        src,
        move_pin,
    })
}

/// The repository root: this crate lives in `scripts/gen`.
fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root exists")
}

/// The line a kernel version belongs to: `7.3` for `7.3.4`.
fn line_of(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// A kernel line as numbers, for ordering: `6.12` → [6, 12].
fn line_key(line: &str) -> Vec<u32> {
    line.split('.').map(|part| part.parse().unwrap_or(0)).collect()
}

/// Says why a pinned version cannot be generated from: it is gone, and the newest of the line would be compared.
fn pin_is_gone(pin: &Pin, version: &str) -> String {
    format!(
        "the pinned {} {} is no longer published; the newest of the line is {version}: move the pin with `{}`",
        pin.package,
        pin.version,
        debian_source::move_pin_command(&pin.package, version)
    )
}

/// The tree the bindings come from, and the stand-in when the pin is gone (check mode only).
fn resolve_bindings_tree(
    options: &Options,
    pin: &Pin,
    cache: &Path,
    apt: &mut PrivateApt,
) -> Result<(KernelTree, Option<output::Substitute>), String> {
    if let Some(path) = &options.kernel {
        return Ok((kernel::tree_at(path.clone())?, None));
    }
    match kernel::resolve_pinned_tree(pin, cache, apt)? {
        Resolved::Pinned(tree) => Ok((tree, None)),
        Resolved::Substitute { version, .. } if options.mode == Mode::Generate => Err(pin_is_gone(pin, &version)),
        Resolved::Substitute { tree, version } => {
            eprintln!(
                "note: the pinned {} {} is no longer published; comparing with the newest of the line, {version}",
                pin.package, pin.version
            );
            let substitute = output::Substitute {
                pinned_kernel: Pin::upstream_version(&pin.version).to_string(),
                move_command: debian_source::move_pin_command(&pin.package, &version),
            };
            Ok((tree, Some(substitute)))
        }
        Resolved::Gone(message) => Err(format!(
            "{message}: pin another kernel line (CONTRIBUTING, \"Move to a newer kernel\")"
        )),
    }
}

/// Where each older line's since data comes from: its published tree, or (no version published) its committed data.
/// Only lines older than `newest` (the bindings' line) are compared: `--kernel` may name an older tree.
fn resolve_older_lines(
    options: &Options,
    pins: &[Pin],
    newest: &str,
    cache: &Path,
    apt: &mut PrivateApt,
) -> Result<Vec<LineSource>, String> {
    let mut sources = Vec::new();
    for pin in pins
        .iter()
        .filter(|p| p.role == Role::Since && line_key(p.line()) < line_key(newest))
    {
        let line = pin.line().to_string();
        sources.push(match kernel::resolve_pinned_tree(pin, cache, apt)? {
            Resolved::Pinned(tree) => LineSource::Tree { line, tree },
            Resolved::Substitute { version, .. } if options.mode == Mode::Generate => {
                return Err(pin_is_gone(pin, &version));
            }
            Resolved::Substitute { tree, version } => {
                eprintln!(
                    "note: the pinned {} {} is no longer published; its since data is compared with {version} (move \
                     the pin with `{}` if they differ)",
                    pin.package,
                    pin.version,
                    debian_source::move_pin_command(&pin.package, &version)
                );
                LineSource::Tree { line, tree }
            }
            Resolved::Gone(message) => {
                eprintln!("note: {message}; Linux {line} keeps its committed since data (history does not change)");
                LineSource::Committed { line }
            }
        });
    }
    Ok(sources)
}

fn run(options: &Options) -> Result<bool, String> {
    let started = Instant::now();
    let root = repository_root();
    let cache = root.join("target/kernel-source");
    if let Some((package, version)) = &options.move_pin {
        debian_source::move_pin(&root, package, version)?;
    }
    let pins = debian_source::read_pins(&root)?;
    let mut apt = PrivateApt::new(&cache, &pins);
    let bindings_pin = pins
        .iter()
        .find(|p| p.role == Role::Bindings)
        .expect("parse_pins checks");
    let fetch_started = Instant::now();
    let (tree, substitute) = resolve_bindings_tree(options, bindings_pin, &cache, &mut apt)?;
    let clean = match options.mode {
        Mode::Generate | Mode::Check => {
            let older = resolve_older_lines(options, &pins, &line_of(&tree.version), &cache, &mut apt)?;
            eprintln!(
                "time: kernel sources (download and extraction when not cached): {:.1} s",
                fetch_started.elapsed().as_secs_f64()
            );
            let files = output::generate_all(&root, &tree, &line_of(&tree.version), &older, &options.arches)?;
            if options.mode == Mode::Generate {
                output::write_all(&root, &files)?;
                true
            } else {
                output::check_all(&root, &tree, &files, substitute.as_ref())?
            }
        }
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
            let bindgen_own = root_constants::bindgen_own_constants(arch, headers)?;
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
    // Before any thread starts (see `load_libclangs`).
    if let Err(message) = raw_bindings::load_libclangs() {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }
    match run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
