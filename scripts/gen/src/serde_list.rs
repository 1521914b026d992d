//! Reading an arch crate's serde type list: the `serde_impls!` invocations in its hand-written sources. The list is
//! the single source of truth for which types serialize, so adding one is one line plus a regeneration.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Item, Token, Type};

/// The macro whose arguments are the serde type list.
const LIST_MACRO: &str = "serde_impls";
/// The generated files, never read for the list (they are the output).
const GENERATED_FILES: &[&str] = &["bindings.rs", "ioctls.rs"];

/// Hand-written sources of a crate, sorted so that errors and results do not depend on directory order.
fn hand_written_sources(src: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !GENERATED_FILES.iter().any(|f| path.ends_with(f))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

#[derive(Default)]
struct ListCollector {
    listed: Vec<String>,
    errors: Vec<String>,
}

impl<'ast> Visit<'ast> for ListCollector {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac.path.segments.last().is_some_and(|s| s.ident == LIST_MACRO) {
            match mac.parse_body_with(Punctuated::<Type, Token![,]>::parse_terminated) {
                Ok(types) => self.listed.extend(types.iter().filter_map(last_identifier)),
                Err(e) => self.errors.push(format!("cannot read the {LIST_MACRO}! list: {e}")),
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}

fn last_identifier(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The type names the generated bindings must derive zerocopy traits for: every name in the crate's serde lists and,
/// for listed types defined by hand (`KvmNestedStateBuffer`), the types of their fields, since those come from the
/// bindings too.
pub fn read_serde_seeds(crate_dir: &Path) -> Result<BTreeSet<String>, String> {
    let mut collector = ListCollector::default();
    let mut hand_written = Vec::new();
    for path in hand_written_sources(&crate_dir.join("src"))? {
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file = syn::parse_file(&text).map_err(|e| format!("cannot parse {}: {e}", path.display()))?;
        collector.visit_file(&file);
        hand_written.extend(
            file.items
                .into_iter()
                .filter(|item| matches!(item, Item::Struct(_) | Item::Union(_))),
        );
    }
    if let Some(error) = collector.errors.first() {
        return Err(format!("{}: {error}", crate_dir.display()));
    }
    let mut seeds: BTreeSet<String> = collector.listed.into_iter().collect();
    // Expand hand-written types (and hand-written types they contain) into their field types.
    let mut pending: Vec<String> = seeds.iter().cloned().collect();
    while let Some(name) = pending.pop() {
        let fields: Vec<&Type> = match hand_written
            .iter()
            .find(|item| crate::rewrite::item_subject(item).as_deref() == Some(&name))
        {
            Some(Item::Struct(s)) => s.fields.iter().map(|f| &f.ty).collect(),
            Some(Item::Union(u)) => u.fields.named.iter().map(|f| &f.ty).collect(),
            _ => continue,
        };
        for ty in fields {
            for token in ty.to_token_stream() {
                if let proc_macro2::TokenTree::Ident(ident) = token {
                    if seeds.insert(ident.to_string()) {
                        pending.push(ident.to_string());
                    }
                }
            }
        }
    }
    Ok(seeds)
}

/// The module path of a hand-written source file (`src/nested.rs` is `crate::nested`, `src/lib.rs` is `crate`).
fn module_path(src: &Path, file: &Path) -> syn::Path {
    let relative = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut path: syn::Path = syn::parse_quote!(crate);
    for part in relative.iter().filter_map(|part| part.to_str()) {
        if part != "lib" && part != "mod" {
            path.segments
                .push(syn::PathSegment::from(quote::format_ident!("{part}")));
        }
    }
    path
}

/// The serde types an arch crate defines by hand (`KvmNestedStateBuffer`), each with its path and the `#[cfg]`s of
/// the `serde_impls!` invocation that lists it: the generator writes their byte-order conversion too.
pub fn read_hand_written_serde_types(crate_dir: &Path) -> Result<Vec<crate::byte_order::HandWritten>, String> {
    let src = crate_dir.join("src");
    let mut listed: Vec<(String, Vec<syn::Attribute>)> = Vec::new();
    let mut defined: Vec<(syn::Path, syn::ItemStruct)> = Vec::new();
    for path in hand_written_sources(&src)? {
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file = syn::parse_file(&text).map_err(|e| format!("cannot parse {}: {e}", path.display()))?;
        let module = module_path(&src, &path);
        for item in file.items {
            match item {
                Item::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == LIST_MACRO) => {
                    let types = m
                        .mac
                        .parse_body_with(Punctuated::<Type, Token![,]>::parse_terminated)
                        .map_err(|e| format!("{}: cannot read the {LIST_MACRO}! list: {e}", path.display()))?;
                    let cfgs: Vec<syn::Attribute> =
                        m.attrs.iter().filter(|a| a.path().is_ident("cfg")).cloned().collect();
                    listed.extend(
                        types
                            .iter()
                            .filter_map(last_identifier)
                            .map(|name| (name, cfgs.clone())),
                    );
                }
                Item::Struct(s) => {
                    let mut path = module.clone();
                    path.segments.push(syn::PathSegment::from(s.ident.clone()));
                    defined.push((path, s));
                }
                _ => {}
            }
        }
    }
    Ok(listed
        .into_iter()
        .filter_map(|(name, cfgs)| {
            let (path, item) = defined.iter().find(|(_, s)| s.ident == name)?;
            Some(crate::byte_order::HandWritten {
                path: path.clone(),
                item: item.clone(),
                cfgs,
            })
        })
        .collect())
}
