//! Running bindgen on an architecture's installed uapi headers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use bindgen::{Builder, Formatter, RustEdition, RustTarget};
use quote::ToTokens;

use crate::arch::{Arch, arches};
use crate::comments::SanitizeComments;

/// The module path, from the arch crate's root, of its per-arch C types (`c_char`, `c_int`, …). Generated code names
/// C types only through it, so an arm64 crate built on x86_64 still has arm64's unsigned `char`.
const CTYPES_PREFIX: &str = "crate::ctypes";

/// The oldest Rust the generated code may rely on: the crates' `rust-version`.
const RUST_TARGET_MINOR: u64 = 85;

/// The libclang of each LLVM version `arches.tsv` names, by version.
static LIBCLANGS: OnceLock<BTreeMap<&'static str, Arc<clang_sys::SharedLibrary>>> = OnceLock::new();

/// Where Debian installs the libclang of an LLVM version (package `libclang1-N`).
fn libclang_dir(version: &str) -> String {
    format!("/usr/lib/llvm-{version}/lib")
}

/// Loads the libclang of every LLVM version of `arches.tsv` (its `libclang` column) and checks that each is the
/// version asked for. Must run before the process starts a thread: clang-sys finds a library only through the
/// `LIBCLANG_PATH` environment variable, which this sets while it loads.
pub fn load_libclangs() -> Result<(), String> {
    let versions: BTreeSet<&'static str> = arches().iter().map(|arch| arch.libclang).collect();
    let before = std::env::var_os("LIBCLANG_PATH");
    let mut loaded = BTreeMap::new();
    for version in versions {
        let dir = libclang_dir(version);
        // SAFETY: `main` calls this first, before any thread exists, so nothing reads the environment meanwhile.
        unsafe { std::env::set_var("LIBCLANG_PATH", &dir) };
        let library = clang_sys::load_manually().map_err(|e| format!("libclang {version} ({dir}): {e}"))?;
        let library = Arc::new(library);
        clang_sys::set_library(Some(library.clone()));
        let found = bindgen::clang_version();
        if found.parsed.map(|(major, _)| major.to_string()).as_deref() != Some(version) {
            return Err(format!(
                "{}: arches.tsv asks for libclang {version}, but it is `{}`",
                library.path().display(),
                found.full
            ));
        }
        loaded.insert(version, library);
    }
    clang_sys::set_library(None);
    // SAFETY: as above: still before any thread exists.
    unsafe {
        match before {
            Some(value) => std::env::set_var("LIBCLANG_PATH", value),
            None => std::env::remove_var("LIBCLANG_PATH"),
        }
    }
    LIBCLANGS
        .set(loaded)
        .map_err(|_| "libclang was loaded twice".to_string())
}

/// Makes `arch`'s libclang the one bindgen uses on this thread (clang-sys keeps one per thread, and bindgen loads
/// its own only where none is set).
fn use_libclang(arch: &Arch) -> Result<(), String> {
    let library = LIBCLANGS
        .get()
        .and_then(|loaded| loaded.get(arch.libclang))
        .ok_or_else(|| {
            format!(
                "libclang {} for {} was not loaded (raw_bindings::load_libclangs)",
                arch.libclang, arch.name
            )
        })?;
    clang_sys::set_library(Some(library.clone()));
    Ok(())
}

/// Runs bindgen on `include/linux/kvm.h` from `headers` for `arch`'s clang target, returning unformatted Rust.
/// With `explicit_padding`, padding becomes named `__bindgen_padding_N` fields (see `rewrite::pad_serializable`).
///
/// `-nostdinc` with only the installed headers on the include path means nothing from the host leaks in: every type
/// comes from the kernel's own uapi headers for the target architecture.
pub fn generate_raw_bindings(arch: &Arch, headers: &Path, explicit_padding: bool) -> Result<String, String> {
    use_libclang(arch)?;
    // bindgen's own macro evaluator skips function-like macros (`_IOR(…)`, `_BITULL(n)`); its fallback has clang
    // evaluate them, compiling a precompiled header in this directory — and silently emits nothing more when the
    // directory does not exist or is not writable, so it is created here.
    // The padded run goes without it: its constants are the ones bindgen evaluates itself (see
    // `keep_api::constants_evaluated_by_bindgen`).
    let fallback_dir = headers.with_file_name("macro-fallback");
    if !explicit_padding {
        std::fs::create_dir_all(&fallback_dir).map_err(|e| format!("cannot create {}: {e}", fallback_dir.display()))?;
    }
    let rust_target = RustTarget::stable(RUST_TARGET_MINOR, 0).map_err(|e| format!("bad Rust target: {e}"))?;
    let builder = Builder::default()
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
        // The headers' comments become rustdoc: clang attaches ordinary comments too (the uapi headers have no
        // doc comments), and the callback makes them safe for rustdoc (see `comments`).
        .generate_comments(true)
        .clang_arg("-fparse-all-comments")
        .parse_callbacks(Box::new(SanitizeComments))
        // Edition 2024 asks for `unsafe {}` around unsafe operations even inside `unsafe fn`.
        .wrap_unsafe_ops(true)
        .explicit_padding(explicit_padding)
        .formatter(Formatter::None);
    let builder = if explicit_padding {
        builder
    } else {
        builder
            .clang_macro_fallback()
            .clang_macro_fallback_build_dir(&fallback_dir)
    };
    let bindings = builder
        .generate()
        .map_err(|e| format!("bindgen failed for {}: {e}", arch.name))?;
    Ok(bindings.to_string())
}

/// The version of `arch`'s libclang, for the generated file's header.
pub fn clang_version(arch: &Arch) -> Result<String, String> {
    use_libclang(arch)?;
    Ok(bindgen::clang_version().full)
}

/// The prefix of the probe declarations [`unsigned_widths`] has bindgen translate.
const PROBE_PREFIX: &str = "__kvm_bindings_probe_";

/// For each macro in `names`, whether clang types it unsigned and how wide: name → bytes (4 or 8), for the unsigned
/// ones only.
///
/// bindgen keeps an evaluated macro as an `i64` and types the constant by its value alone, so `(__u64)-1` and
/// `__GENMASK_ULL(63, 56)` come out as negative `i32`/`i64`. The C type is known to clang: each probe is an array
/// whose length says it (1 for signed, else the size), and bindgen translates the arrays back for us.
pub fn unsigned_widths(
    arch: &Arch,
    headers: &Path,
    names: &BTreeSet<String>,
) -> Result<BTreeMap<String, usize>, String> {
    if names.is_empty() {
        return Ok(BTreeMap::new());
    }
    use_libclang(arch)?;
    let mut probe = String::from("#include <linux/kvm.h>\n");
    for name in names {
        probe.push_str(&format!(
            "extern char {PROBE_PREFIX}{name}[((({name}) < 0) ? 1 : sizeof(({name})))];\n"
        ));
    }
    let probe_header = headers.with_file_name("macro-signedness.h");
    std::fs::write(&probe_header, probe).map_err(|e| format!("cannot write {}: {e}", probe_header.display()))?;
    let bindings = Builder::default()
        .header(probe_header.display().to_string())
        .clang_arg(format!("--target={}", arch.clang_target))
        .clang_arg("-nostdinc")
        .clang_arg(format!("-I{}", headers.display()))
        .use_core()
        .ctypes_prefix(CTYPES_PREFIX)
        .allowlist_var(format!("{PROBE_PREFIX}.*"))
        .layout_tests(false)
        .formatter(Formatter::None)
        .generate()
        .map_err(|e| format!("bindgen failed on the signedness probe for {}: {e}", arch.name))?;
    let file = syn::parse_file(&bindings.to_string()).map_err(|e| format!("the probe's output does not parse: {e}"))?;
    let mut widths = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for item in &file.items {
        let syn::Item::ForeignMod(block) = item else { continue };
        for item in &block.items {
            let syn::ForeignItem::Static(probe) = item else {
                continue;
            };
            let Some(name) = probe.ident.to_string().strip_prefix(PROBE_PREFIX).map(str::to_string) else {
                continue;
            };
            let syn::Type::Array(array) = &*probe.ty else {
                return Err(format!("the probe for {name} is not an array"));
            };
            let length = array.len.to_token_stream().to_string();
            let length: usize = length
                .trim_end_matches("usize")
                .trim()
                .parse()
                .map_err(|e| format!("the probe for {name} has length {length}: {e}"))?;
            seen.insert(name.clone());
            if length > 1 {
                widths.insert(name, length);
            }
        }
    }
    if let Some(missing) = names.difference(&seen).next() {
        return Err(format!("clang did not type the macro {missing} for {}", arch.name));
    }
    Ok(widths)
}
