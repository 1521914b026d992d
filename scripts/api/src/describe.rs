//! What the comparison looks at in one item: its kind and shape, a constant's type and value, an alias's target,
//! a function's signature, `repr` and `#[non_exhaustive]`, fields in order with their types, the traits
//! implemented (derived and auto traits; blanket impls are the standard library's business), inherent methods and
//! enum variants. Every text comes twice: raw, for messages and bullets, and expanded (see `render`), for equality.

use std::collections::{BTreeMap, HashMap};

use rustdoc_types::{Attribute, ItemEnum, StructKind};

use crate::render::{Expand, function_text, generics, json_without_ids, trait_name, ty};
use crate::world::{Target, World, kind_name};

/// A text as written and as the type system sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub raw: String,
    pub expanded: String,
}

impl Text {
    pub fn same(&self, other: &Text) -> bool {
        self.raw == other.raw || self.expanded == other.expanded
    }
}

/// One item, described for comparison.
#[derive(Debug, Default)]
pub struct Description {
    /// rustdoc's kind: "struct", "constant", ...; "extern" for an item of a crate we have no JSON for.
    pub kind: String,
    /// Generic parameters, struct shape (plain, tuple, unit) and whether fields are private.
    pub shape: String,
    /// A constant's, static's or alias's type; a function's signature; an external item's path.
    pub ty: Option<Text>,
    /// A constant's value, as rustdoc evaluated it (`15u32`).
    pub value: Option<String>,
    /// `repr` and `#[non_exhaustive]`: layout, and whether a struct can be built by a literal.
    pub attributes: String,
    /// Fields in declaration order, with their types.
    pub fields: Vec<(String, Text)>,
    /// Implemented traits (a leading `!` for a negative impl).
    pub impls: Vec<String>,
    /// Inherent public methods and associated items, and enum variants, by name.
    pub members: BTreeMap<String, Text>,
}

impl Description {
    /// A short text of what the item is, for a removed path: `constant: u32 = 15u32`, `type_alias = u128`, ...
    pub fn summary(&self) -> String {
        match (&self.ty, &self.value) {
            (Some(t), Some(v)) => format!("{}: {} = {v}", self.kind, t.raw),
            (Some(t), None) if self.kind == "type_alias" => format!("type_alias = {}", t.raw),
            (Some(t), None) => format!("{} {}", self.kind, t.raw),
            _ => self.kind.clone(),
        }
    }
}

/// Describes the item `target` leads to in `world`, with this arch's C types for the expanded texts.
pub fn describe(world: &World, target: &Target, c_types: &HashMap<String, String>) -> Description {
    let Target::Local(k, id) = target else {
        let Target::Extern(path) = target else { unreachable!() };
        let text = Text {
            raw: path.clone(),
            expanded: path.clone(),
        };
        return Description {
            kind: "extern".into(),
            ty: Some(text),
            ..Default::default()
        };
    };
    let doc = &world.docs[*k];
    let Some(item) = doc.item(*id) else {
        return Description {
            kind: "missing".into(),
            ..Default::default()
        };
    };
    let cx = Expand {
        world,
        krate: *k,
        c_types,
    };
    let text = |t: &rustdoc_types::Type| Text {
        raw: ty(t, None),
        expanded: ty(t, Some(cx)),
    };
    let mut d = Description {
        kind: kind_name(&item.inner).into(),
        ..Default::default()
    };
    let mut attrs: Vec<String> = item
        .attrs
        .iter()
        .filter(|a| matches!(a, Attribute::NonExhaustive | Attribute::Repr(_)))
        .map(json_without_ids)
        .collect();
    attrs.sort();
    d.attributes = attrs.join(" ");
    let (field_ids, impl_ids) = match &item.inner {
        ItemEnum::Constant { type_, const_ } => {
            d.ty = Some(text(type_));
            d.value = Some(const_.value.clone().unwrap_or_else(|| const_.expr.clone()));
            (vec![], vec![])
        }
        ItemEnum::Static(s) => {
            let mut t = text(&s.type_);
            if s.is_mutable {
                t.raw.insert_str(0, "mut ");
                t.expanded.insert_str(0, "mut ");
            }
            d.ty = Some(t);
            (vec![], vec![])
        }
        ItemEnum::TypeAlias(alias) => {
            d.shape = generics(&alias.generics);
            d.ty = Some(text(&alias.type_));
            (vec![], vec![])
        }
        ItemEnum::Function(f) => {
            d.ty = Some(Text {
                raw: function_text(f, None),
                expanded: function_text(f, Some(cx)),
            });
            (vec![], vec![])
        }
        ItemEnum::Struct(s) => {
            let (shape, fields, stripped) = match &s.kind {
                StructKind::Unit => ("unit", vec![], false),
                StructKind::Tuple(f) => ("tuple", f.iter().flatten().copied().collect(), f.contains(&None)),
                StructKind::Plain {
                    fields,
                    has_stripped_fields,
                } => ("plain", fields.clone(), *has_stripped_fields),
            };
            d.shape = format!(
                "{shape}{}{}",
                if stripped { ", private fields" } else { "" },
                generics(&s.generics)
            );
            (fields, s.impls.clone())
        }
        ItemEnum::Union(u) => {
            d.shape = format!(
                "{}{}",
                if u.has_stripped_fields { "private fields" } else { "" },
                generics(&u.generics)
            );
            (u.fields.clone(), u.impls.clone())
        }
        ItemEnum::Enum(e) => {
            d.shape = generics(&e.generics);
            for variant in e.variants.iter().filter_map(|v| doc.item(*v)) {
                if let (Some(name), ItemEnum::Variant(v)) = (&variant.name, &variant.inner) {
                    let json = json_without_ids(v);
                    d.members.insert(
                        name.clone(),
                        Text {
                            raw: json.clone(),
                            expanded: json,
                        },
                    );
                }
            }
            (vec![], e.impls.clone())
        }
        _ => (vec![], vec![]),
    };
    for field in field_ids.iter().filter_map(|f| doc.item(*f)) {
        if let (Some(name), ItemEnum::StructField(t)) = (&field.name, &field.inner) {
            d.fields.push((name.clone(), text(t)));
        }
    }
    for imp in impl_ids.iter().filter_map(|i| doc.item(*i)) {
        let ItemEnum::Impl(imp) = &imp.inner else { continue };
        if imp.blanket_impl.is_some() {
            continue;
        }
        if let Some(tr) = &imp.trait_ {
            d.impls.push(format!(
                "{}{}",
                if imp.is_negative { "!" } else { "" },
                trait_name(tr, Some(cx))
            ));
            continue;
        }
        for member in imp.items.iter().filter_map(|m| doc.item(*m)) {
            if member.visibility != rustdoc_types::Visibility::Public {
                continue;
            }
            let Some(name) = &member.name else { continue };
            let t = match &member.inner {
                ItemEnum::Function(f) => Text {
                    raw: function_text(f, None),
                    expanded: function_text(f, Some(cx)),
                },
                other => {
                    let json = format!("{} {}", kind_name(other), json_without_ids(other));
                    Text {
                        raw: json.clone(),
                        expanded: json,
                    }
                }
            };
            d.members.insert(name.clone(), t);
        }
    }
    d.impls.sort();
    d.impls.dedup();
    d
}
