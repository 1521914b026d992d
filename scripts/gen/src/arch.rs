//! The architecture table, read from `arches.tsv` at the repository root: the one place that knows how a kernel
//! architecture maps to a clang target, a C compiler and a crate. This module is the one Rust reader of that file:
//! the layout printer's build script includes it (`#[path]`), and the bash scripts read the same file through
//! `scripts/lib/arches.sh`, so adding an architecture adds a row there and a crate directory.

use std::sync::OnceLock;

/// One architecture the project publishes a crate for.
#[derive(Debug, Clone)]
pub struct Arch {
    /// The name used on the command line and in messages; the crate is `kvm-bindings-<name>`.
    pub name: &'static str,
    /// The kernel's `ARCH=` for `make headers_install`.
    pub kernel_arch: &'static str,
    /// The clang target bindgen parses the headers for, so the host never decides a C type.
    pub clang_target: &'static str,
    /// The LLVM version whose libclang bindgen loads for this arch (`raw_bindings::use_libclang`).
    pub libclang: &'static str,
    /// The C compiler that checks the layouts and constants (`scripts/check-layout`): the arch's own gcc, or a
    /// command with arguments where the arch has no gcc here (`clang-19 --target=loongarch64-linux-gnu`; the table
    /// separates them with commas, as its columns are separated by whitespace).
    pub gcc: &'static str,
    /// The compiler's arguments before any of the check's own (empty for a plain gcc).
    pub gcc_args: Vec<&'static str>,
    /// The crate directory, relative to the repository root.
    pub crate_dir: String,
    /// The byte order of the arch's snapshots, `big` or `little` (for a two-order arch, its row's order).
    pub endian: &'static str,
    /// Rust's `cfg(target_arch)` of the arch: the Rust triple's first part (`riscv64gc` is `riscv64`).
    pub target_arch: String,
}

/// The table, compiled in: the generator is built from the same checkout it regenerates.
const TABLE: &str = include_str!("../../../arches.tsv");

/// Parses the table's rows (`#` starts a comment line; columns are separated by whitespace).
fn parse_table(table: &'static str) -> Result<Vec<Arch>, String> {
    table
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let columns: Vec<&'static str> = line.split_whitespace().collect();
            match columns.as_slice() {
                [
                    name,
                    kernel_arch,
                    clang_target,
                    libclang,
                    rust_triple,
                    gcc,
                    _packages,
                    _runner,
                    _std,
                    endian,
                ] => {
                    let mut command = gcc.split(',');
                    let gcc = command.next().unwrap_or_default();
                    if libclang.is_empty() || !libclang.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(format!(
                            "arches.tsv: libclang must be an LLVM major version, found `{libclang}`: {line}"
                        ));
                    }
                    if !matches!(*endian, "big" | "little") {
                        return Err(format!(
                            "arches.tsv: endian must be `big` or `little`, found `{endian}`: {line}"
                        ));
                    }
                    Ok(Arch {
                        name,
                        kernel_arch,
                        clang_target,
                        libclang,
                        gcc,
                        gcc_args: command.collect(),
                        crate_dir: format!("kvm-bindings-{name}"),
                        endian,
                        target_arch: target_arch_of(rust_triple),
                    })
                }
                _ => Err(format!(
                    "arches.tsv: expected 10 columns, found {}: {line}",
                    columns.len()
                )),
            }
        })
        .collect()
}

/// Rust's `target_arch` of a Rust target triple: its first part, where riscv spells its ISA extensions in.
fn target_arch_of(triple: &str) -> String {
    let first = triple.split('-').next().unwrap_or(triple);
    if first.starts_with("riscv64") {
        "riscv64".to_string()
    } else {
        first.to_string()
    }
}

/// Every architecture, in the order they are generated and reported.
pub fn arches() -> &'static [Arch] {
    static ARCHES: OnceLock<Vec<Arch>> = OnceLock::new();
    ARCHES.get_or_init(|| parse_table(TABLE).unwrap_or_else(|e| panic!("{e}")))
}

/// The crate that holds bindgen's helper types, shared by every architecture.
pub const COMMON_CRATE_DIR: &str = "kvm-bindings-common";

/// Looks an architecture up by name.
pub fn find_arch(name: &str) -> Option<&'static Arch> {
    arches().iter().find(|arch| arch.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_each_arch_once_with_its_crate() {
        let names: Vec<&str> = arches().iter().map(|a| a.name).collect();
        assert!(names.starts_with(&["x86_64", "arm64"]), "{names:?}");
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(
            find_arch("arm64").map(|a| a.crate_dir.as_str()),
            Some("kvm-bindings-arm64")
        );
        assert_eq!(find_arch("arm64").map(|a| a.kernel_arch), Some("arm64"));
    }

    #[test]
    fn a_short_row_is_an_error() {
        assert!(parse_table("x86_64 x86 x86_64-linux-gnu\n").is_err());
    }

    #[test]
    fn an_unknown_byte_order_is_an_error() {
        let row = "s390x s390 s390x-linux-gnu 14 s390x-unknown-linux-gnu gcc p qemu-s390x build-std middle\n";
        let error = parse_table(row).unwrap_err();
        assert!(error.contains("`middle`"), "{error}");
    }

    #[test]
    fn a_libclang_that_is_no_version_is_an_error() {
        let row = "s390x s390 s390x-linux-gnu llvm-14 s390x-unknown-linux-gnu gcc p qemu-s390x build-std big\n";
        let error = parse_table(row).unwrap_err();
        assert!(error.contains("`llvm-14`"), "{error}");
    }

    #[test]
    fn a_compiler_command_keeps_its_arguments() {
        let row = "loongarch64 loongarch loongarch64-linux-gnu 19 loongarch64-unknown-linux-gnu \
                   clang-19,--target=loongarch64-linux-gnu clang-19,lld-19 qemu-loongarch64 build-std little\n";
        let arches = parse_table(row).unwrap();
        assert_eq!(arches[0].gcc, "clang-19");
        assert_eq!(arches[0].gcc_args, ["--target=loongarch64-linux-gnu"]);
    }
}
