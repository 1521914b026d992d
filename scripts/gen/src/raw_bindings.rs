//! Running bindgen on an architecture's installed uapi headers.

use std::path::Path;

use bindgen::{Builder, Formatter, RustEdition, RustTarget};

use crate::arch::Arch;

/// The module path, from the arch crate's root, of its per-arch C types (`c_char`, `c_int`, …). Generated code names
/// C types only through it, so an arm64 crate built on x86_64 still has arm64's unsigned `char`.
const CTYPES_PREFIX: &str = "crate::ctypes";

/// The oldest Rust the generated code may rely on: the crates' `rust-version`.
const RUST_TARGET_MINOR: u64 = 85;

/// Runs bindgen on `include/linux/kvm.h` from `headers` for `arch`'s clang target, returning unformatted Rust.
/// With `explicit_padding`, padding becomes named `__bindgen_padding_N` fields (see `rewrite::pad_serializable`).
///
/// `-nostdinc` with only the installed headers on the include path means nothing from the host leaks in: every type
/// comes from the kernel's own uapi headers for the target architecture.
pub fn generate_raw_bindings(arch: &Arch, headers: &Path, explicit_padding: bool) -> Result<String, String> {
    let rust_target = RustTarget::stable(RUST_TARGET_MINOR, 0).map_err(|e| format!("bad Rust target: {e}"))?;
    let bindings = Builder::default()
        .header(headers.join("linux/kvm.h").display().to_string())
        .clang_arg(format!("--target={}", arch.clang_target))
        .clang_arg("-nostdinc")
        .clang_arg(format!("-I{}", headers.display()))
        .rust_target(rust_target)
        .rust_edition(RustEdition::Edition2024)
        .use_core()
        .ctypes_prefix(CTYPES_PREFIX)
        // The options of the process kvm-bindings has always used, so the public API stays the one users know.
        .impl_debug(true)
        .derive_default(true)
        .derive_partialeq(true)
        .impl_partialeq(true)
        .layout_tests(true)
        .generate_comments(false)
        // Edition 2024 asks for `unsafe {}` around unsafe operations even inside `unsafe fn`.
        .wrap_unsafe_ops(true)
        .explicit_padding(explicit_padding)
        .formatter(Formatter::None)
        .generate()
        .map_err(|e| format!("bindgen failed for {}: {e}", arch.name))?;
    Ok(bindings.to_string())
}

/// The version of the libclang bindgen loaded, for the generated file's header.
pub fn clang_version() -> String {
    bindgen::clang_version().full
}
