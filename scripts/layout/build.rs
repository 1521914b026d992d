//! Reads each arch crate's generated `bindings.rs` (and `ioctls.rs`) and writes Rust code that prints, for every C
//! struct and union in it, rustc's size, alignment and field offsets of our type; for every `pub const`, its value
//! as rustc evaluates it; and for every hand-written `pub const fn` that mirrors a C function-like macro, its
//! results at a set of arguments. `main.rs` includes that code; check-layout turns what it prints into gcc checks.
//! The arches are the rows of `arches.tsv`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

use quote::ToTokens;
use syn::{Fields, FnArg, Item, ReturnType, Type, UseTree, Visibility};

// The one Rust reader of `arches.tsv`, the generator's: its table is compiled in (`include_str!`), so a changed
// table rebuilds, and so reruns, this script.
#[path = "../gen/src/arch.rs"]
#[allow(dead_code)] // The generator's lookups; the layout printer needs only the names.
mod arch;

/// A field as C names it, and the path to it in Rust.
struct Member {
    /// `io.port`: anonymous members vanish, as C promotes their fields.
    c_path: Vec<String>,
    /// `__bindgen_anon_1.io.port`.
    rust_path: Vec<String>,
    /// The Rust type of the field, for its size; `None` for flexible arrays, which have none in C.
    sized_type: Option<String>,
    /// `struct:NAME` or `union:NAME` when the field's type is an anonymous bindgen type (C can only reach it
    /// through the member), `-` otherwise.
    anonymous_type: String,
}

struct Definitions {
    /// Struct and union fields by type name: (field name, type tokens).
    fields: std::collections::BTreeMap<String, Vec<(String, Type)>>,
    /// `struct` or `union`, by type name.
    kinds: std::collections::BTreeMap<String, &'static str>,
}

fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Rust keywords bindgen renames by appending `_` (`type` becomes `type_`); C knows them by the original name.
const RENAMED_KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "priv", "pub", "ref",
    "return", "self", "static", "super", "trait", "true", "try", "type", "unsafe", "use", "where", "while", "yield",
];

/// The C name of a Rust field.
fn c_name(field: &str) -> String {
    match field.strip_suffix('_') {
        Some(original) if RENAMED_KEYWORDS.contains(&original) => original.to_string(),
        _ => field.to_string(),
    }
}

/// Fields bindgen invents that have no C counterpart by that name.
fn is_synthetic(field: &str) -> bool {
    field.starts_with("_bitfield_")
        || field.starts_with("__bindgen_padding_")
        || field == "_unused"
        || field == "bindgen_union_field"
        // The zero-sized array bindgen adds to align a struct of bitfields (s390x's kvm_s390_vm_cpu_uv_feat).
        || field == "_bindgen_align"
}

/// Every member reachable by name from a type, through anonymous members (which C flattens) and named members of
/// anonymous type (which C reaches with `a.b`).
fn collect_members(
    defs: &Definitions,
    type_name: &str,
    prefix_c: &[String],
    prefix_rust: &[String],
    out: &mut Vec<Member>,
) {
    let Some(fields) = defs.fields.get(type_name) else {
        return;
    };
    for (name, ty) in fields {
        if is_synthetic(name) {
            continue;
        }
        let mut rust_path = prefix_rust.to_vec();
        rust_path.push(name.clone());
        let mut c_path = prefix_c.to_vec();
        let anonymous_member = name.starts_with("__bindgen_anon_");
        if !anonymous_member {
            c_path.push(c_name(name));
            let flexible = last_segment(ty).as_deref() == Some("__IncompleteArrayField");
            let sized_type = (!flexible).then(|| ty.to_token_stream().to_string());
            let anonymous_type = match last_segment(ty) {
                Some(inner) if inner.contains("__bindgen_ty_") => format!("{}:{inner}", defs.kinds[&inner]),
                _ => "-".to_string(),
            };
            out.push(Member {
                c_path: c_path.clone(),
                rust_path: rust_path.clone(),
                sized_type,
                anonymous_type,
            });
        }
        if let Some(inner) = last_segment(ty).filter(|inner| inner.contains("__bindgen_ty_")) {
            collect_members(defs, &inner, &c_path, &rust_path, out);
        }
    }
}

fn read_definitions(file: &syn::File) -> (Definitions, Vec<(String, &'static str)>) {
    let mut fields = std::collections::BTreeMap::new();
    let mut kinds = std::collections::BTreeMap::new();
    let mut named_types = Vec::new();
    for item in &file.items {
        let (name, kind, list): (String, &'static str, Vec<(String, Type)>) = match item {
            Item::Struct(s) => {
                let list = match &s.fields {
                    Fields::Named(named) => named
                        .named
                        .iter()
                        .map(|f| (f.ident.as_ref().unwrap().to_string(), f.ty.clone()))
                        .collect(),
                    _ => Vec::new(),
                };
                (s.ident.to_string(), "struct", list)
            }
            Item::Union(u) => (
                u.ident.to_string(),
                "union",
                u.fields
                    .named
                    .iter()
                    .map(|f| (f.ident.as_ref().unwrap().to_string(), f.ty.clone()))
                    .collect(),
            ),
            _ => continue,
        };
        let opaque = list.iter().any(|(field, _)| field == "_unused");
        if !name.contains("__bindgen_ty_") && !opaque {
            named_types.push((name.clone(), kind));
        }
        kinds.insert(name.clone(), kind);
        fields.insert(name, list);
    }
    (Definitions { fields, kinds }, named_types)
}

/// Rust code printing one arch's layout table, one line per fact:
/// `type KIND NAME SIZE ALIGN`, `offset NAME C.PATH OFFSET`, `member NAME C.PATH SIZE ALIGN ANONYMOUS-TYPE`, and one
/// `total STRUCTS UNIONS` for every struct and union in the file.
fn layout_printer(crate_name: &str, file: &syn::File) -> String {
    let (defs, named_types) = read_definitions(file);
    let mut code = String::new();
    for (name, kind) in &named_types {
        writeln!(
            code,
            "    println!(\"type {kind} {name} {{}} {{}}\", size_of::<{name}>(), align_of::<{name}>());"
        )
        .unwrap();
        let mut members = Vec::new();
        collect_members(&defs, name, &[], &[], &mut members);
        for member in members {
            let c_path = member.c_path.join(".");
            let rust_path = member.rust_path.join(".");
            writeln!(
                code,
                "    println!(\"offset {name} {c_path} {{}}\", core::mem::offset_of!({name}, {rust_path}));"
            )
            .unwrap();
            if let Some(ty) = member.sized_type {
                let ty = ty.replace("crate :: ctypes", &format!("{crate_name} :: ctypes"));
                let anonymous = member.anonymous_type;
                writeln!(
                    code,
                    "    println!(\"member {name} {c_path} {{}} {{}} {anonymous}\", size_of::<{ty}>(), align_of::<{ty}>());"
                )
                .unwrap();
            }
        }
    }
    let unions = defs.kinds.values().filter(|kind| **kind == "union").count();
    writeln!(code, "    println!(\"total {} {unions}\");", defs.kinds.len() - unions).unwrap();
    code
}

/// The `pub const` items of a generated file, each with the name C gives it: bindgen names the constants of a named
/// C enum `ENUM_ENUMERATOR` and types them with the enum's alias, so those lose the `ENUM_` prefix; every other
/// constant (a macro, an enumerator of an anonymous enum) has its C name.
fn constants(file: &syn::File) -> Vec<(String, String)> {
    let aliases: BTreeSet<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Type(alias) => Some(alias.ident.to_string()),
            _ => None,
        })
        .collect();
    file.items
        .iter()
        .filter_map(|item| match item {
            Item::Const(constant) if matches!(constant.vis, Visibility::Public(_)) => {
                let name = constant.ident.to_string();
                let c_name = last_segment(&constant.ty)
                    .filter(|ty| aliases.contains(ty))
                    .and_then(|ty| name.strip_prefix(&format!("{ty}_")).map(str::to_string))
                    .unwrap_or_else(|| name.clone());
                Some((name, c_name))
            }
            _ => None,
        })
        .collect()
}

/// Rust code printing `const MODULE NAME C-NAME VALUE SIZE SIGNEDNESS` for every constant of a generated file
/// (`MODULE` is `-` for the crate root).
fn constant_printer(crate_name: &str, module: Option<&str>, file: &syn::File) -> String {
    let mut code = String::new();
    let (label, path) = match module {
        Some(module) => (module, format!("{crate_name}::{module}")),
        None => ("-", crate_name.to_string()),
    };
    for (name, c_name) in constants(file) {
        writeln!(
            code,
            "    super::constant(\"{label}\", \"{name}\", \"{c_name}\", {path}::{name});"
        )
        .unwrap();
    }
    code
}

/// The Rust primitive integer types, the only parameter and result types of the functions the constants check calls.
const INTEGERS: &[&str] = &["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"];

/// The arguments every checked function is called with, besides the constants its module exports: the edges of a
/// 32-bit index and typical MSR numbers (`IA32_SYSENTER_CS`, `EFER`, `FS_BASE`).
const SAMPLE_ARGUMENTS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "0x10",
    "0xff",
    "0x174",
    "0x7fffffff",
    "0x80000000",
    "0xc0000080",
    "0xc0000100",
    "0xfffffffe",
    "0xffffffff",
];

fn integer_type(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) if path.qself.is_none() && path.path.segments.len() == 1 => {
            Some(path.path.segments[0].ident.to_string()).filter(|name| INTEGERS.contains(&name.as_str()))
        }
        _ => None,
    }
}

/// The all-capitals names a `use` item brings in: the constants a module re-exports.
fn used_constants(tree: &UseTree, out: &mut Vec<String>) {
    match tree {
        UseTree::Path(path) => used_constants(&path.tree, out),
        UseTree::Name(name) => out.push(name.ident.to_string()),
        UseTree::Rename(rename) => out.push(rename.rename.to_string()),
        UseTree::Group(group) => group.items.iter().for_each(|tree| used_constants(tree, out)),
        UseTree::Glob(_) => {}
    }
    out.retain(|name| {
        name.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    });
}

/// Rust code printing `call MODULE FUNCTION LABEL=ARGUMENT ARG-SIZE ARG-SIGNEDNESS RESULT SIZE SIGNEDNESS` for each
/// hand-written `pub const fn` of one integer argument returning an integer, in every public module of the crate
/// (a file `src/MODULE.rs` declared `pub mod MODULE;` in `lib.rs` without a `cfg`), at [`SAMPLE_ARGUMENTS`] and at
/// each constant the module re-exports. Such a function mirrors the C function-like macro of its name in capitals
/// (`kvm_x86_reg_msr` is `KVM_X86_REG_MSR`), which the constants check compares it with.
fn call_printer(crate_name: &str, src: &Path) -> String {
    let lib = parse(&src.join("lib.rs"));
    let mut code = String::new();
    for item in &lib.items {
        let Item::Mod(module) = item else { continue };
        let module_name = module.ident.to_string();
        let gated = module.attrs.iter().any(|attr| attr.path().is_ident("cfg"));
        let public = matches!(module.vis, Visibility::Public(_));
        if !public
            || gated
            || module.content.is_some()
            || ["bindings", "ioctls", "evaluated"].contains(&module_name.as_str())
        {
            continue;
        }
        let file = parse(&src.join(format!("{module_name}.rs")));
        let mut named = Vec::new();
        for item in &file.items {
            match item {
                Item::Use(used) if matches!(used.vis, Visibility::Public(_)) => used_constants(&used.tree, &mut named),
                _ => {}
            }
        }
        for item in &file.items {
            let Item::Fn(function) = item else { continue };
            let signature = &function.sig;
            if !matches!(function.vis, Visibility::Public(_)) || signature.constness.is_none() {
                continue;
            }
            let parameter = match signature.inputs.iter().collect::<Vec<_>>().as_slice() {
                [FnArg::Typed(parameter)] => integer_type(&parameter.ty),
                _ => None,
            };
            let result = match &signature.output {
                ReturnType::Type(_, ty) => integer_type(ty),
                ReturnType::Default => None,
            };
            let (Some(parameter), Some(_)) = (parameter, result) else {
                continue;
            };
            let function_name = signature.ident.to_string();
            let path = format!("{crate_name}::{module_name}");
            let arguments = SAMPLE_ARGUMENTS
                .iter()
                .map(|literal| (literal.to_string(), literal.to_string()))
                .chain(named.iter().map(|name| (name.clone(), format!("{path}::{name}"))));
            for (label, argument) in arguments {
                writeln!(
                    code,
                    "    {{\n        let argument: {parameter} = {argument};\n        super::call(\"{module_name}\", \
                     \"{function_name}\", \"{label}\", argument, {path}::{function_name}(argument));\n    }}"
                )
                .unwrap();
            }
        }
    }
    code
}

fn parse(path: &Path) -> syn::File {
    println!("cargo:rerun-if-changed={}", path.display());
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

/// Rust code printing everything the checks need of one arch: its layout table, its constants and its calls.
fn printer(arch: &str, root: &Path) -> String {
    let crate_dir = root.join(format!("kvm-bindings-{arch}"));
    let crate_name = format!("kvm_bindings_{}", arch.replace('-', "_"));
    let src = crate_dir.join("src");
    let bindings = parse(&src.join("bindings.rs"));
    let mut code = format!("#[allow(unused_imports)]\npub fn print_{arch}() {{\n    use {crate_name}::*;\n");
    code.push_str(&layout_printer(&crate_name, &bindings));
    code.push_str(&constant_printer(&crate_name, None, &bindings));
    // The request codes and the constants only clang evaluates, each in its own generated module when the
    // generator writes one.
    for module in ["ioctls", "evaluated"] {
        let file = src.join(format!("{module}.rs"));
        println!("cargo:rerun-if-changed={}", file.display());
        if file.exists() {
            code.push_str(&constant_printer(&crate_name, Some(module), &parse(&file)));
        }
    }
    code.push_str(&call_printer(&crate_name, &src));
    code.push_str("}\n");
    code
}

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../..");
    let manifest = fs::read_to_string(root.join("scripts/layout/Cargo.toml")).unwrap();
    let mut code = String::new();
    let mut dispatch = String::from("pub fn print(arch: &str) -> bool {\n    match arch {\n");
    for arch in arch::arches().iter().map(|arch| arch.name) {
        assert!(
            manifest.contains(&format!("kvm-bindings-{arch} = ")),
            "arches.tsv names {arch}: add kvm-bindings-{arch} to the dependencies in scripts/layout/Cargo.toml"
        );
        code.push_str(&printer(arch, &root));
        writeln!(dispatch, "        \"{arch}\" => print_{arch}(),").unwrap();
    }
    dispatch.push_str("        _ => return false,\n    }\n    true\n}\n");
    code.push_str(&dispatch);
    fs::write(PathBuf::from(env::var("OUT_DIR").unwrap()).join("layouts.rs"), code).unwrap();
}
