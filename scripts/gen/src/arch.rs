//! The architecture table: the one place that knows how a kernel architecture maps to a clang target, a C compiler
//! and a crate. Adding an architecture adds a row here and a crate directory.

/// One architecture the project publishes a crate for.
#[derive(Debug, Clone, Copy)]
pub struct Arch {
    /// The name used on the command line and in messages.
    pub name: &'static str,
    /// The kernel's `ARCH=` for `make headers_install`.
    pub kernel_arch: &'static str,
    /// The clang target bindgen parses the headers for, so the host never decides a C type.
    pub clang_target: &'static str,
    /// The GNU C compiler that checks the layouts (`scripts/check-layout`).
    pub gcc: &'static str,
    /// The crate directory, relative to the repository root.
    pub crate_dir: &'static str,
}

/// Every architecture, in the order they are generated and reported.
pub const ARCHES: &[Arch] = &[
    Arch {
        name: "x86_64",
        kernel_arch: "x86",
        clang_target: "x86_64-linux-gnu",
        gcc: "gcc",
        crate_dir: "kvm-bindings-x86_64",
    },
    Arch {
        name: "arm64",
        kernel_arch: "arm64",
        clang_target: "aarch64-linux-gnu",
        gcc: "aarch64-linux-gnu-gcc",
        crate_dir: "kvm-bindings-arm64",
    },
];

/// The crate that holds bindgen's helper types, shared by every architecture.
pub const COMMON_CRATE_DIR: &str = "kvm-bindings-common";

/// Looks an architecture up by name.
pub fn find_arch(name: &str) -> Option<&'static Arch> {
    ARCHES.iter().find(|arch| arch.name == name)
}
