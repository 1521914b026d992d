//! Reads each arch crate's generated `bindings.rs` and writes, for every C struct and union in it, Rust code that
//! prints rustc's size, alignment and field offsets of our type. `main.rs` includes that code; check-layout turns
//! what it prints into `_Static_assert`s for the arch's gcc. The arches are the rows of `arches.tsv`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

use quote::ToTokens;
use syn::{Fields, Item, Type};

/// The names of the arches, in the order of `arches.tsv` (the first column of each row); the crate of `NAME` is
/// `kvm-bindings-NAME`.
fn arch_names(root: &Path) -> Vec<String> {
    let table = root.join("arches.tsv");
    println!("cargo:rerun-if-changed={}", table.display());
    let text = fs::read_to_string(&table).unwrap_or_else(|e| panic!("cannot read {}: {e}", table.display()));
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect()
}

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

fn read_definitions(bindings: &Path) -> (Definitions, Vec<(String, &'static str)>) {
    let text = fs::read_to_string(bindings).unwrap_or_else(|e| panic!("cannot read {}: {e}", bindings.display()));
    let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", bindings.display()));
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
fn printer(arch: &str, crate_dir: &str, crate_name: &str, root: &Path) -> String {
    let bindings = root.join(crate_dir).join("src/bindings.rs");
    println!("cargo:rerun-if-changed={}", bindings.display());
    let (defs, named_types) = read_definitions(&bindings);
    let mut code = format!("#[allow(unused_imports)]\npub fn print_{arch}() {{\n    use {crate_name}::*;\n");
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
    code.push_str("}\n");
    code
}

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../..");
    let mut code = String::new();
    let mut dispatch = String::from("pub fn print(arch: &str) -> bool {\n    match arch {\n");
    let manifest = fs::read_to_string(root.join("scripts/layout/Cargo.toml")).unwrap();
    for arch in arch_names(&root) {
        assert!(
            manifest.contains(&format!("kvm-bindings-{arch} = ")),
            "arches.tsv names {arch}: add kvm-bindings-{arch} to the dependencies in scripts/layout/Cargo.toml"
        );
        let crate_name = format!("kvm_bindings_{}", arch.replace('-', "_"));
        code.push_str(&printer(&arch, &format!("kvm-bindings-{arch}"), &crate_name, &root));
        writeln!(dispatch, "        \"{arch}\" => print_{arch}(),").unwrap();
    }
    dispatch.push_str("        _ => return false,\n    }\n    true\n}\n");
    code.push_str(&dispatch);
    fs::write(PathBuf::from(env::var("OUT_DIR").unwrap()).join("layouts.rs"), code).unwrap();
}
