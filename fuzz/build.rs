//! Writes `$OUT_DIR/cases.rs`: the fuzz cases of every arch crate, read from the crates' own sources, so that a type
//! added to a serde list, a new FAM wrapper or a new arch crate is fuzzed without a second list to keep in step.
//!
//! - Serde cases: every type of the `serde_impls!` invocations in `kvm-bindings-<arch>/src/serialize.rs`, read by
//!   the same parser the crates' `covers_the_serde_list` tests use (test-support's `serde_list.rs`, included).
//! - FAM cases: every `pub type X = FamStructWrapper<…>` in `kvm-bindings-<arch>/src/fam_wrappers.rs`, and those in
//!   the common crate's macros it invokes (`kvm_irq_routing_wrapper!`, …).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

#[path = "../test-support/src/serde_list.rs"]
#[allow(dead_code)] // Only `serde_list_names` is needed here.
mod serde_list;

fn main() {
    let fuzz_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let root = fuzz_dir.parent().unwrap().to_path_buf();
    // A new arch crate is added to the root workspace's members (CONTRIBUTING, "Add an architecture").
    println!("cargo::rerun-if-changed={}", root.join("Cargo.toml").display());
    println!("cargo::rerun-if-changed={}", fuzz_dir.join("Cargo.toml").display());
    let common_fam = root.join("kvm-bindings-common/src/fam.rs");
    println!("cargo::rerun-if-changed={}", common_fam.display());
    let manifest = fs::read_to_string(fuzz_dir.join("Cargo.toml")).unwrap();

    let mut serde_cases = String::new();
    let mut fam_cases = String::new();
    for (arch, dir) in arch_crates(&root) {
        let package = format!("kvm-bindings-{arch}");
        // Without the dependency the generated paths would not resolve; say which line fixes it.
        if !manifest.lines().any(|line| line.starts_with(&format!("{package} ="))) {
            panic!(
                "{package} has a serde list but is not fuzzed: add\n  {package} = {{ path = \"../{package}\", \
                 features = [\"serde\", \"fam-wrappers\"] }}\nto fuzz/Cargo.toml"
            );
        }
        let krate = package.replace('-', "_");
        let serialize = dir.join("src/serialize.rs");
        println!("cargo::rerun-if-changed={}", serialize.display());
        for name in serde_list::serde_list_names(&read(&serialize)) {
            writeln!(
                serde_cases,
                "    Case {{ name: \"{arch}::{name}\", \
                 check: |f, i| crate::check_value::<{krate}::{name}>({krate}::byte_order::SNAPSHOT_BYTE_ORDER, f, i), \
                 check_shifted: |f, i| crate::check_value_shifted::<{krate}::{name}>({krate}::byte_order::SNAPSHOT_BYTE_ORDER, f, i), \
                 converts: || test_support::byte_order::converts::<{krate}::{name}>({krate}::byte_order::SNAPSHOT_BYTE_ORDER), \
                 seed: crate::seed_value::<{krate}::{name}>, transcode: crate::transcode::<{krate}::{name}> }},"
            )
            .unwrap();
        }
        let fam = dir.join("src/fam_wrappers.rs");
        println!("cargo::rerun-if-changed={}", fam.display());
        if fam.exists() {
            let source = read(&fam);
            let mut wrappers = wrapper_aliases(&source);
            // The wrappers the common crate's macros define (`kvm_irq_routing_wrapper!()` and the like).
            let common = read(&common_fam);
            for name in common_macros_invoked(&source) {
                wrappers.extend(wrapper_aliases(macro_body(&common, &name)));
            }
            for name in wrappers {
                writeln!(
                    fam_cases,
                    "    Case {{ name: \"{arch}::{name}\", \
                     check: |f, i| crate::check_wrapper::<<{krate}::{name} as crate::Wrapped>::Header>({krate}::byte_order::SNAPSHOT_BYTE_ORDER, f, i), \
                     check_shifted: |f, i| crate::check_wrapper_shifted::<<{krate}::{name} as crate::Wrapped>::Header>({krate}::byte_order::SNAPSHOT_BYTE_ORDER, f, i), \
                     converts: || crate::wrapper_converts::<<{krate}::{name} as crate::Wrapped>::Header>({krate}::byte_order::SNAPSHOT_BYTE_ORDER), \
                     seed: crate::seed_wrapper::<{krate}::{name}>, transcode: crate::transcode::<{krate}::{name}> }},"
                )
                .unwrap();
            }
        }
    }
    let code = format!(
        "/// Every type of every arch crate's serde list.\npub static SERDE_CASES: &[Case] = &[\n{serde_cases}];\n\n\
         /// Every FAM wrapper of every arch crate.\npub static FAM_CASES: &[Case] = &[\n{fam_cases}];\n"
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("cases.rs");
    fs::write(out, code).unwrap();
}

/// `(arch, directory)` of every `kvm-bindings-<arch>` crate with a serde list, sorted.
fn arch_crates(root: &Path) -> Vec<(String, PathBuf)> {
    let mut crates: Vec<_> = fs::read_dir(root)
        .unwrap()
        .filter_map(|entry| {
            let path = entry.unwrap().path();
            let arch = path.file_name()?.to_str()?.strip_prefix("kvm-bindings-")?.to_string();
            // The common crate has a `serialize.rs` too, but no bindings and no list.
            (path.join("src/bindings.rs").exists() && path.join("src/serialize.rs").exists()).then_some((arch, path))
        })
        .collect();
    crates.sort();
    crates
}

/// The names `X` of every `pub type X = …FamStructWrapper<…>;` in `source`.
fn wrapper_aliases(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("pub type ")?;
            let (name, definition) = rest.split_once('=')?;
            definition
                .contains("FamStructWrapper<")
                .then(|| name.trim().to_string())
        })
        .collect()
}

/// The names of the `kvm_bindings_common::NAME!` macros `source` invokes.
fn common_macros_invoked(source: &str) -> Vec<String> {
    source
        .split("kvm_bindings_common::")
        .skip(1)
        .filter_map(|rest| {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            rest[name.len()..].starts_with('!').then_some(name)
        })
        .collect()
}

/// The body of `macro_rules! name { … }` in `source`: up to its closing brace.
fn macro_body<'a>(source: &'a str, name: &str) -> &'a str {
    let start = source
        .find(&format!("macro_rules! {name} {{"))
        .unwrap_or_else(|| panic!("kvm-bindings-common has no macro {name}"));
    let mut depth = 0;
    for (index, character) in source[start..].char_indices() {
        match character {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &source[start..start + index];
                }
            }
            _ => {}
        }
    }
    panic!("unclosed macro {name}")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}
