//! Every path of 0.14.2 looked up in ours, and each difference measured as (path, kind, old value, new value).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::describe::{Description, Text, describe};
use crate::world::{Target, World};

/// The kinds of difference, in the words the CHANGELOG bullets use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// The path leads nowhere in ours. Old: what it was.
    Removed,
    /// The item is another kind of item (a struct became an alias). Old and new: the kinds.
    Kind,
    /// A constant's, static's, alias's or field's type; a function's signature.
    Type,
    /// A constant's value.
    Value,
    /// A struct or union has a field 0.14.2 lacks. New: its type.
    FieldAdded,
    /// The fields both have are in another order.
    FieldOrder,
    /// Shape, generics, or whether fields are private.
    Shape,
    /// `repr` or `#[non_exhaustive]`.
    Attributes,
    /// A trait 0.14.2 implements for the type, ours not. Old: the trait.
    ImplRemoved,
}

impl Change {
    pub const ALL: [Change; 9] = [
        Change::Removed,
        Change::Kind,
        Change::Type,
        Change::Value,
        Change::FieldAdded,
        Change::FieldOrder,
        Change::Shape,
        Change::Attributes,
        Change::ImplRemoved,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Change::Removed => "removed",
            Change::Kind => "kind",
            Change::Type => "type",
            Change::Value => "value",
            Change::FieldAdded => "field added",
            Change::FieldOrder => "field order",
            Change::Shape => "shape",
            Change::Attributes => "attributes",
            Change::ImplRemoved => "impl removed",
        }
    }

    /// Whether a value of 0.14.2 and one of ours are both part of the key (else only the one that exists).
    pub fn has_old(self) -> bool {
        self != Change::FieldAdded
    }
    pub fn has_new(self) -> bool {
        !matches!(self, Change::Removed | Change::ImplRemoved)
    }
}

/// One measured difference. `path` is one of the paths 0.14.2 has (with `.field` or `::member` appended);
/// `also` the other paths of 0.14.2 at which the same item differs in the same way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub path: String,
    pub also: Vec<String>,
    pub kind: Change,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl fmt::Display for Difference {
    /// The difference in the form of a CHANGELOG bullet's first words: `` `path` kind: `old` → `new` ``.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "`{}` {}: ", self.path, self.kind.word())?;
        match (&self.old, &self.new) {
            (Some(old), Some(new)) => write!(f, "`{old}` → `{new}`"),
            (Some(one), None) | (None, Some(one)) => write!(f, "`{one}`"),
            (None, None) => Ok(()),
        }
    }
}

/// What one comparison found.
pub struct Comparison {
    pub base_paths: BTreeMap<String, Target>,
    pub our_paths: BTreeMap<String, Target>,
    pub differences: Vec<Difference>,
    /// Paths of 0.14.2 that lead nowhere in ours.
    pub missing: usize,
    /// Distinct items of 0.14.2, and per item aspect how many were compared.
    pub items: usize,
    pub fields: usize,
    pub impls: usize,
    pub members: usize,
}

/// What each C type is on this arch, from our crates' `ctypes` (checked against gcc by scripts/check-layout), so
/// that `c_uchar` and `u8` compare equal; a wrong ctypes entry still shows where 0.14.2 wrote a primitive.
pub fn c_types_of(world: &World) -> HashMap<String, String> {
    let mut c_types = HashMap::new();
    for doc in &world.docs {
        for item in doc.krate.index.values() {
            if let (Some(name), rustdoc_types::ItemEnum::TypeAlias(alias)) = (&item.name, &item.inner) {
                if let rustdoc_types::Type::Primitive(p) = &alias.type_ {
                    if crate::render::is_c_type(name) {
                        c_types.insert(name.clone(), p.clone());
                    }
                }
            }
        }
    }
    c_types
}

/// Whether ours keeps every promise of 0.14.2's text: equal, or a function that became `const fn`.
fn compatible(base: &Text, ours: &Text) -> bool {
    base.same(ours) || (!base.expanded.starts_with("const ") && ours.expanded == format!("const {}", base.expanded))
}

/// The differences between one item of 0.14.2 (at `path`) and ours, as (path suffix, kind, old, new).
fn differences_of(base: &Description, ours: &Description) -> Vec<(String, Change, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    let mut push = |suffix: String, kind, old: Option<&str>, new: Option<&str>| {
        out.push((suffix, kind, old.map(str::to_string), new.map(str::to_string)));
    };
    if base.kind != ours.kind {
        push(String::new(), Change::Kind, Some(&base.kind), Some(&ours.kind));
        return out;
    }
    if base.shape != ours.shape {
        push(String::new(), Change::Shape, Some(&base.shape), Some(&ours.shape));
    }
    if let (Some(b), Some(o)) = (&base.ty, &ours.ty) {
        if !compatible(b, o) {
            push(String::new(), Change::Type, Some(&b.raw), Some(&o.raw));
        }
    }
    if base.value != ours.value {
        push(
            String::new(),
            Change::Value,
            base.value.as_deref(),
            ours.value.as_deref(),
        );
    }
    if base.attributes != ours.attributes {
        push(
            String::new(),
            Change::Attributes,
            Some(&base.attributes),
            Some(&ours.attributes),
        );
    }
    let our_fields: HashMap<&str, &Text> = ours.fields.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let base_fields: HashMap<&str, &Text> = base.fields.iter().map(|(n, t)| (n.as_str(), t)).collect();
    for (name, b) in &base.fields {
        match our_fields.get(name.as_str()) {
            None => push(format!(".{name}"), Change::Removed, Some(&b.raw), None),
            Some(o) if !b.same(o) => push(format!(".{name}"), Change::Type, Some(&b.raw), Some(&o.raw)),
            Some(_) => {}
        }
    }
    for (name, o) in &ours.fields {
        if !base_fields.contains_key(name.as_str()) {
            push(format!(".{name}"), Change::FieldAdded, None, Some(&o.raw));
        }
    }
    let common = |fields: &[(String, Text)], other: &HashMap<&str, &Text>| -> Vec<String> {
        fields
            .iter()
            .filter(|(n, _)| other.contains_key(n.as_str()))
            .map(|(n, _)| n.clone())
            .collect()
    };
    let (base_order, our_order) = (common(&base.fields, &our_fields), common(&ours.fields, &base_fields));
    if base_order != our_order {
        push(
            String::new(),
            Change::FieldOrder,
            Some(&base_order.join(", ")),
            Some(&our_order.join(", ")),
        );
    }
    for name in &base.impls {
        if !ours.impls.contains(name) {
            push(String::new(), Change::ImplRemoved, Some(name), None);
        }
    }
    for (name, b) in &base.members {
        match ours.members.get(name) {
            None => push(format!("::{name}"), Change::Removed, Some(&b.raw), None),
            Some(o) if !compatible(b, o) => push(format!("::{name}"), Change::Type, Some(&b.raw), Some(&o.raw)),
            Some(_) => {}
        }
    }
    out
}

/// (item of 0.14.2, path suffix, kind, old, new): one difference, wherever the item is reached.
type DifferenceKey = (String, String, Change, Option<String>, Option<String>);

/// Compares every public path of 0.14.2 (`base`) with the same path in ours.
pub fn compare(base: &World, ours: &World) -> Comparison {
    let (base_paths, our_paths) = (base.all_paths(), ours.all_paths());
    let c_types = c_types_of(ours);
    // Differences by (item of 0.14.2, suffix, kind, old, new), each with every path it was seen at, so that the
    // crate root and `bindings::` paths of one item make one difference.
    let mut found: BTreeMap<DifferenceKey, Vec<String>> = BTreeMap::new();
    let mut item_ids = std::collections::HashSet::new();
    let (mut missing, mut fields, mut impls, mut members) = (0, 0, 0, 0);
    for (path, b) in &base_paths {
        let bd = describe(base, b, &c_types);
        let item_key = format!("{b:?}");
        let first_sight = item_ids.insert(item_key.clone());
        if first_sight {
            fields += bd.fields.len();
            impls += bd.impls.len();
            members += bd.members.len();
        }
        let diffs = match our_paths.get(path) {
            None => {
                missing += 1;
                vec![(String::new(), Change::Removed, Some(bd.summary()), None)]
            }
            Some(o) => differences_of(&bd, &describe(ours, o, &c_types)),
        };
        for (suffix, kind, old, new) in diffs {
            found
                .entry((item_key.clone(), suffix.clone(), kind, old, new))
                .or_default()
                .push(format!("{path}{suffix}"));
        }
    }
    let mut differences: Vec<Difference> = found
        .into_iter()
        .map(|((_, _, kind, old, new), mut paths)| {
            // The shortest path first: the crate root's, which the bullets name.
            paths.sort_by_key(|p| (p.matches("::").count(), p.clone()));
            let path = paths.remove(0);
            Difference {
                path,
                also: paths,
                kind,
                old,
                new,
            }
        })
        .collect();
    differences.sort_by(|a, b| (&a.path, a.kind).cmp(&(&b.path, b.kind)));
    Comparison {
        items: item_ids.len(),
        base_paths,
        our_paths,
        differences,
        missing,
        fields,
        impls,
        members,
    }
}
