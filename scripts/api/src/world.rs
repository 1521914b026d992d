//! The crates of one side of the comparison and the paths their modules make public.
//!
//! One side is a directory of rustdoc JSON files written by one rustdoc: 0.14.2's alone, or our facade with the
//! arch crate and kvm-bindings-common beside it. A re-export of another crate of the directory (the facade's
//! `pub use kvm_bindings_x86_64::*`) resolves to the item itself, so that both sides are compared by what a user
//! can name, wherever it is defined.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rustdoc_types::{Crate, Id, Item, ItemEnum, ItemKind, Visibility};

/// The rustdoc JSON format this tool reads: the one of the pinned rustdoc-types.
pub const FORMAT_VERSION: u32 = rustdoc_types::FORMAT_VERSION;

/// Where a public name leads: an item of a crate we have JSON for, or a path into one we have not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Local(usize, Id),
    Extern(String),
}

/// One rustdoc JSON file, with its items indexed by their defining path.
pub struct Doc {
    pub krate: Crate,
    pub name: String,
    by_path: HashMap<(Vec<String>, ItemKind), Id>,
}

impl Doc {
    pub fn item(&self, id: Id) -> Option<&Item> {
        self.krate.index.get(&id)
    }
}

/// Every crate of one side, the main one first.
pub struct World {
    pub docs: Vec<Doc>,
    exports: RefCell<HashMap<(usize, Id), BTreeMap<String, Target>>>,
}

/// Reads one rustdoc JSON file, refusing another format than the one this tool was built for.
fn read_doc(path: &Path) -> Result<Doc, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let format: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    let version = format.get("format_version").and_then(|v| v.as_u64());
    if version != Some(u64::from(FORMAT_VERSION)) {
        return Err(format!(
            "{}: rustdoc JSON format {}, this tool reads format {FORMAT_VERSION} (rustdoc-types in \
             scripts/api/Cargo.toml): document with a rustdoc of that format or move the pin",
            path.display(),
            version.map_or("(none)".to_string(), |v| v.to_string())
        ));
    }
    let krate: Crate =
        serde_json::from_value(format).map_err(|e| format!("{}: not rustdoc JSON: {e}", path.display()))?;
    let name = krate
        .index
        .get(&krate.root)
        .and_then(|root| root.name.clone())
        .ok_or_else(|| format!("{}: the root module has no name", path.display()))?;
    let by_path = krate
        .paths
        .iter()
        .filter(|(id, s)| s.crate_id == 0 && krate.index.contains_key(id))
        .map(|(id, s)| ((s.path.clone(), s.kind), *id))
        .collect();
    Ok(Doc { krate, name, by_path })
}

impl World {
    /// Loads `main` and every other JSON file of its directory (the crates its re-exports can lead to).
    pub fn load(main: &Path) -> Result<World, String> {
        let mut docs = vec![read_doc(main)?];
        let dir = main.parent().unwrap_or(Path::new("."));
        let mut others: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json") && p.as_path() != main)
            .collect();
        others.sort();
        for path in others {
            docs.push(read_doc(&path)?);
        }
        Ok(World {
            docs,
            exports: RefCell::new(HashMap::new()),
        })
    }

    pub fn item(&self, target: &Target) -> Option<&Item> {
        match target {
            Target::Local(k, id) => self.docs[*k].item(*id),
            Target::Extern(_) => None,
        }
    }

    /// The item's kind, in rustdoc's words ("struct", "constant", ...), or "extern".
    pub fn kind(&self, target: &Target) -> &'static str {
        self.item(target).map_or("extern", |item| kind_name(&item.inner))
    }

    /// Forgets every module's exports: after an item was changed in memory (the self-test).
    pub fn forget_exports(&self) {
        self.exports.borrow_mut().clear();
    }

    /// What an id of crate `k` names: its own item, the item of another crate we have, or an external path.
    /// None for a local item rustdoc stripped (private, so unreachable).
    pub fn resolve(&self, k: usize, id: Id) -> Option<Target> {
        let doc = &self.docs[k];
        if doc.item(id).is_some() {
            return Some(Target::Local(k, id));
        }
        let summary = doc.krate.paths.get(&id)?;
        if summary.crate_id == 0 {
            return None;
        }
        let crate_name = &doc.krate.external_crates.get(&summary.crate_id)?.name;
        let Some(j) = self.docs.iter().position(|d| &d.name == crate_name) else {
            return Some(Target::Extern(summary.path.join("::")));
        };
        // The summary's path is where the item is defined, possibly in a private module (common's
        // `bindgen_helpers`), so it is found by that path in its own crate's table rather than by `use` rules.
        match self.docs[j].by_path.get(&(summary.path.clone(), summary.kind)) {
            Some(own) => Some(Target::Local(j, *own)),
            None => self.lookup(j, &summary.path[1..]),
        }
    }

    /// Resolves a path below crate `k`'s root module, the way `use` does.
    pub fn lookup(&self, k: usize, segments: &[String]) -> Option<Target> {
        let mut target = Target::Local(k, self.docs[k].krate.root);
        for segment in segments {
            if self.kind(&target) != "module" {
                return None;
            }
            target = self.exports(&target).get(segment)?.clone();
        }
        Some(target)
    }

    /// {name: target} of what a module makes public: its own public items, its named `pub use`s, and what its
    /// glob `pub use`s bring that nothing explicit shadows (a name two globs bring differently is ambiguous in
    /// Rust, hence unusable, hence left out).
    pub fn exports(&self, module: &Target) -> BTreeMap<String, Target> {
        let Target::Local(k, module_id) = module else {
            return BTreeMap::new();
        };
        if let Some(known) = self.exports.borrow().get(&(*k, *module_id)) {
            return known.clone();
        }
        // A cycle of globs resolves to nothing more.
        self.exports.borrow_mut().insert((*k, *module_id), BTreeMap::new());
        let doc = &self.docs[*k];
        let children = match doc.item(*module_id).map(|m| &m.inner) {
            Some(ItemEnum::Module(m)) => m.items.clone(),
            _ => Vec::new(),
        };
        let (mut explicit, mut globbed) = (BTreeMap::new(), BTreeMap::<String, Target>::new());
        let mut ambiguous = Vec::new();
        for child in children {
            let Some(item) = doc.item(child) else { continue };
            if item.visibility != Visibility::Public {
                continue;
            }
            match &item.inner {
                ItemEnum::Impl(_) => {}
                ItemEnum::Use(u) => {
                    let Some(target) = u.id.and_then(|id| self.resolve(*k, id)) else {
                        continue;
                    };
                    if !u.is_glob {
                        explicit.insert(u.name.clone(), target);
                    } else if self.kind(&target) == "module" {
                        for (name, t) in self.exports(&target) {
                            match globbed.get(&name) {
                                Some(seen) if *seen != t => ambiguous.push(name),
                                Some(_) => {}
                                None => {
                                    globbed.insert(name, t);
                                }
                            }
                        }
                    }
                }
                _ => {
                    if let Some(name) = &item.name {
                        explicit.insert(name.clone(), Target::Local(*k, child));
                    }
                }
            }
        }
        for name in ambiguous {
            globbed.remove(&name);
        }
        globbed.extend(explicit);
        self.exports.borrow_mut().insert((*k, *module_id), globbed.clone());
        globbed
    }

    /// {path: target} for every public path of the main crate, modules included (four levels deep at most).
    pub fn all_paths(&self) -> BTreeMap<String, Target> {
        let mut found = BTreeMap::new();
        self.walk(&Target::Local(0, self.docs[0].krate.root), "", 0, &mut found);
        found
    }

    fn walk(&self, module: &Target, prefix: &str, depth: usize, found: &mut BTreeMap<String, Target>) {
        for (name, target) in self.exports(module) {
            let path = format!("{prefix}{name}");
            if self.kind(&target) == "module" && depth < 4 {
                self.walk(&target, &format!("{path}::"), depth + 1, found);
            }
            found.insert(path, target);
        }
    }
}

/// rustdoc's name for an item's kind, as in its JSON.
pub fn kind_name(inner: &ItemEnum) -> &'static str {
    match inner {
        ItemEnum::Module(_) => "module",
        ItemEnum::ExternCrate { .. } => "extern_crate",
        ItemEnum::Use(_) => "use",
        ItemEnum::Union(_) => "union",
        ItemEnum::Struct(_) => "struct",
        ItemEnum::StructField(_) => "struct_field",
        ItemEnum::Enum(_) => "enum",
        ItemEnum::Variant(_) => "variant",
        ItemEnum::Function(_) => "function",
        ItemEnum::Trait(_) => "trait",
        ItemEnum::TraitAlias(_) => "trait_alias",
        ItemEnum::Impl(_) => "impl",
        ItemEnum::TypeAlias(_) => "type_alias",
        ItemEnum::Constant { .. } => "constant",
        ItemEnum::Static(_) => "static",
        ItemEnum::ExternType => "extern_type",
        ItemEnum::Macro(_) => "macro",
        ItemEnum::ProcMacro(_) => "proc_macro",
        ItemEnum::Primitive(_) => "primitive",
        ItemEnum::AssocConst { .. } => "assoc_const",
        ItemEnum::AssocType { .. } => "assoc_type",
    }
}
