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
