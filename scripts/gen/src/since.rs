//! Since which Linux each generated item exists, per arch: the older kernel lines Debian publishes (`since` rows of
//! `scripts/gen/kernels.tsv`) are run through the same bindgen as the newest, and each line's output is reduced to
//! an [`Inventory`]: every constant with its value, every struct and union with its size, every field, type alias
//! and enum value, by name. An item's first line is the oldest from which every line has it; a constant whose value
//! or a struct whose size differs between those lines says so.
//!
//! The same facts go into each arch crate's `since.tsv`, which is also the history: a line Debian no longer
//! publishes is read back from the committed table ([`inventory_from_table`]) instead of its headers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use quote::ToTokens;
use syn::{Attribute, Fields, Item, parse_quote};

/// The machine-readable table's file name, in each arch crate's directory.
pub const TABLE_FILE: &str = "since.tsv";

/// What one kernel line defines for one arch: item key (`KVM_RUN`, `kvm_regs`, `kvm_regs.rax`) → value (a
/// constant's value, a struct's or union's size in bytes; `None` where there is none or it is not known).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Inventory {
    pub items: BTreeMap<String, Option<String>>,
}

/// The size bindgen's layout test states for each type: `["Size of kvm_regs"][… size_of::<kvm_regs>() - 144usize]`.
fn layout_sizes(raw: &str) -> BTreeMap<String, String> {
    let mut sizes = BTreeMap::new();
    let mut rest = raw;
    while let Some(at) = rest.find("\"Size of ") {
        rest = &rest[at + "\"Size of ".len()..];
        let Some(end) = rest.find('"') else { break };
        let name = rest[..end].to_string();
        let Some(usize_at) = rest.find("usize") else { break };
        let before = rest[..usize_at].trim_end();
        let digits: String = before
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !digits.is_empty() {
            sizes.insert(name, digits);
        }
        rest = &rest[usize_at..];
    }
    sizes
}

/// A constant's value as written by bindgen, without spaces (`- 1`, `2156965505`).
fn value_text(expr: &syn::Expr) -> String {
    expr.to_token_stream().to_string().replace(' ', "")
}

/// The inventory of bindgen's raw output for one line and arch.
pub fn inventory_of(raw: &str) -> Result<Inventory, String> {
    let file = syn::parse_file(raw).map_err(|e| format!("bindgen's output does not parse: {e}"))?;
    let sizes = layout_sizes(raw);
    let mut items = BTreeMap::new();
    for item in &file.items {
        match item {
            Item::Const(c) if c.ident != "_" => {
                items.insert(c.ident.to_string(), Some(value_text(&c.expr)));
            }
            Item::Struct(s) => {
                let name = s.ident.to_string();
                if let Fields::Named(fields) = &s.fields {
                    for field in &fields.named {
                        let field = field.ident.as_ref().expect("named").to_string();
                        items.insert(format!("{name}.{field}"), None);
                    }
                }
                items.insert(name.clone(), sizes.get(&name).cloned());
            }
            Item::Union(u) => {
                let name = u.ident.to_string();
                for field in &u.fields.named {
                    let field = field.ident.as_ref().expect("named").to_string();
                    items.insert(format!("{name}.{field}"), None);
                }
                items.insert(name.clone(), sizes.get(&name).cloned());
            }
            Item::Type(t) => {
                items.insert(t.ident.to_string(), None);
            }
            _ => {}
        }
    }
    Ok(Inventory { items })
}

/// What kind of item a row is about, as the table and the docs name it.
fn kind_of(
    item: &Item,
    aliases: &BTreeSet<String>,
    request_codes: &BTreeSet<String>,
) -> Option<(String, &'static str)> {
    Some(match item {
        Item::Const(c) => {
            let name = c.ident.to_string();
            let ty = c.ty.to_token_stream().to_string();
            let kind = if request_codes.contains(&name) {
                "request code"
            } else if aliases.contains(&ty) {
                "enum value"
            } else {
                "constant"
            };
            (name, kind)
        }
        Item::Struct(s) => (s.ident.to_string(), "struct"),
        Item::Union(u) => (u.ident.to_string(), "union"),
        Item::Type(t) => (t.ident.to_string(), "type alias"),
        _ => return None,
    })
}

/// Fields bindgen makes up (padding, bitfield storage, anonymous members, whose numbering follows the newest
/// kernel): they are as old as their struct.
fn is_made_up_field(field: &str) -> bool {
    field.starts_with("__bindgen_") || field.starts_with("_bitfield_") || field == "__bindgen_padding"
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub item: String,
    pub kind: &'static str,
    /// Index into the lines compared.
    pub since: usize,
    /// (line index, value) from which each value holds, when the value or size changed; empty otherwise.
    pub changes: Vec<(usize, String)>,
}

/// The since data of one arch: the lines compared, oldest first (the last is the kernel the bindings come from), and
/// each line's inventory.
pub struct ArchSince {
    lines: Vec<String>,
    inventories: Vec<Inventory>,
    request_codes: BTreeSet<String>,
    rows: Vec<Row>,
}

impl ArchSince {
    pub fn new(lines: Vec<String>, inventories: Vec<Inventory>, request_codes: BTreeSet<String>) -> Self {
        assert_eq!(lines.len(), inventories.len(), "one inventory per line");
        ArchSince {
            lines,
            inventories,
            request_codes,
            rows: Vec::new(),
        }
    }

    /// Whether line `index` has `key`. An anonymous type (`kvm_run__bindgen_ty_1`) is named by its position, which
    /// can hold another type in an older line: it counts only when every field it has there the newest one has too
    /// (the same type, perhaps with fewer fields).
    fn has(&self, index: usize, key: &str) -> bool {
        let inventory = &self.inventories[index];
        if !inventory.items.contains_key(key) {
            return false;
        }
        if key.contains("__bindgen_ty_") && !key.contains('.') {
            let prefix = format!("{key}.");
            let newest = self.inventories.last().expect("at least one line");
            // Fields bindgen makes up (or the generator restores) say nothing about which type this is.
            let real_fields = |inventory: &'_ Inventory| -> Vec<String> {
                inventory
                    .items
                    .range(prefix.clone()..)
                    .take_while(|(k, _)| k.starts_with(&prefix))
                    .map(|(k, _)| k.clone())
                    .filter(|k| !is_made_up_field(&k[prefix.len()..]))
                    .collect()
            };
            // A type with no fields of its own (a flexible array's wrapper) is known by its name alone.
            if real_fields(newest).is_empty() {
                return true;
            }
            let fields = real_fields(inventory);
            return !fields.is_empty() && fields.iter().all(|k| newest.items.contains_key(k));
        }
        true
    }

    /// The oldest line from which every line has `key`; `None` when the newest has not.
    fn first_line(&self, key: &str) -> Option<usize> {
        let newest = self.lines.len() - 1;
        if !self.has(newest, key) {
            return None;
        }
        let mut first = newest;
        while first > 0 && self.has(first - 1, key) {
            first -= 1;
        }
        Some(first)
    }

    /// Where `key`'s value changes between `since` and the newest line: (line, value) runs, when there is more than
    /// one. A value not known for a line (history read back from the table) is taken as the newest's.
    fn changes(&self, key: &str, since: usize) -> Vec<(usize, String)> {
        let newest = self.inventories.last().expect("at least one line");
        let Some(Some(latest)) = newest.items.get(key) else {
            return Vec::new();
        };
        let mut runs: Vec<(usize, String)> = Vec::new();
        for index in since..self.lines.len() {
            let value = self.inventories[index]
                .items
                .get(key)
                .cloned()
                .flatten()
                .unwrap_or_else(|| latest.clone());
            if runs.last().is_none_or(|(_, v)| *v != value) {
                runs.push((index, value));
            }
        }
        if runs.len() > 1 { runs } else { Vec::new() }
    }

    fn line_range(&self, from: usize, to: usize) -> String {
        if from == to {
            self.lines[from].clone()
        } else {
            format!("{} to {}", self.lines[from], self.lines[to])
        }
    }

    /// "In Linux 6.12 and later (not in 6.1)."
    fn since_sentence(&self, since: usize) -> String {
        if since == 0 {
            format!("In Linux {} and later (the oldest line compared).", self.lines[0])
        } else {
            format!(
                "In Linux {} and later (not in {}).",
                self.lines[since],
                self.lines[since - 1]
            )
        }
    }

    /// "Its value changed: 0 in 5.10 to 7.2, 64 in 7.3."
    fn changes_sentence(&self, what: &str, changes: &[(usize, String)], show: impl Fn(&str) -> String) -> String {
        let last = self.lines.len() - 1;
        let runs: Vec<String> = changes
            .iter()
            .enumerate()
            .map(|(i, (from, value))| {
                let to = changes.get(i + 1).map_or(last, |(next, _)| next - 1);
                format!("{} in {}", show(value), self.line_range(*from, to))
            })
            .collect();
        format!("Its {what} changed: {}.", runs.join(", "))
    }

    /// Appends the since line (and any value or size change) to every item of `items`, and to every field of their
    /// structs and unions, recording a row for each. Works over any list of generated items (`bindings.rs`,
    /// `ioctls.rs`, …).
    pub fn document(&mut self, items: &mut [Item]) {
        let aliases: BTreeSet<String> = items
            .iter()
            .filter_map(|item| match item {
                Item::Type(t) => Some(t.ident.to_string()),
                _ => None,
            })
            .collect();
        for item in items.iter_mut() {
            let Some((name, kind)) = kind_of(item, &aliases, &self.request_codes) else {
                continue;
            };
            let Some(since) = self.first_line(&name) else {
                continue;
            };
            let changes = self.changes(&name, since);
            let mut lines = vec![self.since_sentence(since)];
            match kind {
                "struct" | "union" if !changes.is_empty() => {
                    lines.push(self.changes_sentence("size", &changes, |v| format!("{v} bytes")))
                }
                "constant" | "request code" | "enum value" if !changes.is_empty() => {
                    lines.push(self.changes_sentence("value", &changes, show_value))
                }
                _ => {}
            }
            let attrs = match item {
                Item::Const(c) => &mut c.attrs,
                Item::Struct(s) => &mut s.attrs,
                Item::Union(u) => &mut u.attrs,
                Item::Type(t) => &mut t.attrs,
                _ => continue,
            };
            append_docs(attrs, &lines);
            self.rows.push(Row {
                item: name.clone(),
                kind,
                since,
                changes,
            });
            let fields: Vec<&mut syn::Field> = match item {
                Item::Struct(s) => s.fields.iter_mut().collect(),
                Item::Union(u) => u.fields.named.iter_mut().collect(),
                _ => Vec::new(),
            };
            for field in fields {
                let Some(ident) = field.ident.as_ref().map(ToString::to_string) else {
                    continue;
                };
                let key = format!("{name}.{ident}");
                let field_since = if is_made_up_field(&ident) {
                    since
                } else {
                    // A field the newest line has under another name (a rewrite renamed it) is as old as its struct.
                    self.first_line(&key).unwrap_or(since).max(since)
                };
                let mut sentence = self.since_sentence(field_since);
                if field_since > since {
                    sentence.push_str(&format!(
                        " Later than `{name}` itself, which is in Linux {} and later.",
                        self.lines[since]
                    ));
                }
                append_docs(&mut field.attrs, &[sentence]);
                self.rows.push(Row {
                    item: key,
                    kind: "field",
                    since: field_since,
                    changes: Vec::new(),
                });
            }
        }
    }

    /// The machine-readable table of every row documented so far, sorted by item.
    pub fn table(&self, arch: &str) -> String {
        let mut rows = self.rows.clone();
        rows.sort_by(|a, b| a.item.cmp(&b.item));
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# @generated by {}: do not edit by hand. Since which Linux each item of kvm-bindings-{arch} exists.",
            crate::REGENERATE_COMMAND
        );
        let _ = writeln!(out, "# lines: {}", self.lines.join(" "));
        let _ = writeln!(
            out,
            "# Columns (tab-separated): item (`struct.field` for a field), kind, first line (every line from it on has \
             the item), changes (`line:value` from which each value holds; a struct's or union's size in bytes; `-` \
             when it never changed)."
        );
        let _ = writeln!(out, "item\tkind\tsince\tchanges");
        for row in rows {
            let changes = if row.changes.is_empty() {
                "-".to_string()
            } else {
                row.changes
                    .iter()
                    .map(|(line, value)| format!("{}:{value}", self.lines[*line]))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let _ = writeln!(out, "{}\t{}\t{}\t{changes}", row.item, row.kind, self.lines[row.since]);
        }
        out
    }
}

/// A value as shown in the docs: request codes and other large numbers in hex, as strace and the kernel show them.
fn show_value(value: &str) -> String {
    match value.parse::<u64>() {
        Ok(n) if n >= 0x10000 => format!("`{}`", crate::document::hex_with_underscores(n)),
        _ => format!("`{value}`"),
    }
}

fn append_docs(attrs: &mut Vec<Attribute>, lines: &[String]) {
    let at = attrs
        .iter()
        .rposition(|a| a.path().is_ident("doc"))
        .map_or(0, |i| i + 1);
    let mut new: Vec<Attribute> = Vec::new();
    if at > 0 {
        new.push(parse_quote!(#[doc = ""]));
    }
    for line in lines {
        let line = format!(" {line}");
        new.push(parse_quote!(#[doc = #line]));
    }
    attrs.splice(at..at, new);
}

/// The inventory of line `line` read back from a committed table: every row whose first line is not newer, with the
/// value it had then where the table records a change. `None` when the table does not list `line`.
pub fn inventory_from_table(table: &str, line: &str) -> Option<Inventory> {
    let lines: Vec<&str> = table
        .lines()
        .find_map(|l| l.strip_prefix("# lines: "))?
        .split_whitespace()
        .collect();
    let wanted = lines.iter().position(|l| *l == line)?;
    let mut items = BTreeMap::new();
    for row in table.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let columns: Vec<&str> = row.split('\t').collect();
        let [item, _kind, since, changes] = columns.as_slice() else {
            continue;
        };
        let Some(since) = lines.iter().position(|l| l == since) else {
            continue;
        };
        if since > wanted {
            continue;
        }
        let value = changes
            .split_whitespace()
            .filter_map(|change| change.split_once(':'))
            .rfind(|(from, _)| lines.iter().position(|l| l == from).is_some_and(|i| i <= wanted))
            .map(|(_, value)| value.to_string());
        items.insert(item.to_string(), value);
    }
    Some(Inventory { items })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inventory(items: &[(&str, Option<&str>)]) -> Inventory {
        Inventory {
            items: items
                .iter()
                .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
                .collect(),
        }
    }

    fn docs(attrs: &[Attribute]) -> Vec<String> {
        attrs
            .iter()
            .filter_map(|a| match &a.meta {
                syn::Meta::NameValue(nv) => Some(nv.value.to_token_stream().to_string()),
                _ => None,
            })
            .collect()
    }

    fn since() -> ArchSince {
        let lines = ["5.10", "6.1", "7.3"].map(String::from).to_vec();
        let inventories = vec![
            inventory(&[
                ("KVM_OFFSET", Some("0")),
                ("kvm_cfg", Some("8")),
                ("kvm_cfg.a", None),
                ("kvm_cfg__bindgen_ty_1", Some("4")),
                ("kvm_cfg__bindgen_ty_1.x", None),
            ]),
            inventory(&[
                ("KVM_OFFSET", Some("0")),
                ("kvm_cfg__bindgen_ty_1", Some("4")),
                ("kvm_cfg__bindgen_ty_1.x", None),
                ("kvm_cfg", Some("16")),
                ("kvm_cfg.a", None),
                ("kvm_cfg.b", None),
            ]),
            inventory(&[
                ("KVM_OFFSET", Some("64")),
                ("KVM_NEW", Some("1")),
                ("kvm_cfg__bindgen_ty_1", Some("4")),
                ("kvm_cfg__bindgen_ty_1.x", None),
                ("kvm_cfg", Some("16")),
                ("kvm_cfg.a", None),
                ("kvm_cfg.b", None),
            ]),
        ];
        ArchSince::new(lines, inventories, BTreeSet::new())
    }

    #[test]
    fn items_fields_values_and_sizes_say_when() {
        let mut since = since();
        let mut items: Vec<Item> = vec![
            parse_quote!(
                pub const KVM_OFFSET: u32 = 64;
            ),
            parse_quote!(
                pub const KVM_NEW: u32 = 1;
            ),
            parse_quote!(
                pub struct kvm_cfg {
                    pub a: u64,
                    pub b: u64,
                }
            ),
        ];
        since.document(&mut items);
        let Item::Const(offset) = &items[0] else { panic!() };
        assert_eq!(
            docs(&offset.attrs),
            [
                "\" In Linux 5.10 and later (the oldest line compared).\"",
                "\" Its value changed: `0` in 5.10 to 6.1, `64` in 7.3.\""
            ]
        );
        let Item::Const(new) = &items[1] else { panic!() };
        assert_eq!(docs(&new.attrs), ["\" In Linux 7.3 and later (not in 6.1).\""]);
        let Item::Struct(cfg) = &items[2] else { panic!() };
        assert_eq!(
            docs(&cfg.attrs)[1],
            "\" Its size changed: 8 bytes in 5.10, 16 bytes in 6.1 to 7.3.\""
        );
        let b = cfg.fields.iter().nth(1).unwrap();
        assert_eq!(
            docs(&b.attrs),
            [
                "\" In Linux 6.1 and later (not in 5.10). Later than `kvm_cfg` itself, which is in Linux 5.10 and later.\""
            ]
        );
        let table = since.table("x");
        assert!(table.contains("KVM_OFFSET\tconstant\t5.10\t5.10:0 7.3:64\n"), "{table}");
        assert!(table.contains("kvm_cfg.b\tfield\t6.1\t-\n"), "{table}");
    }

    #[test]
    fn history_read_back_from_the_table_gives_the_same_answer() {
        let mut since = since();
        let mut items: Vec<Item> = vec![
            parse_quote!(
                pub const KVM_OFFSET: u32 = 64;
            ),
            parse_quote!(
                pub struct kvm_cfg {
                    pub a: u64,
                    pub b: u64,
                }
            ),
            // An anonymous type with a field the generator restores (bindgen's raw output has none).
            parse_quote!(
                pub struct kvm_cfg__bindgen_ty_1 {
                    pub x: u32,
                    pub _bitfield_align_1: [u8; 0],
                }
            ),
        ];
        since.document(&mut items.clone());
        let table = since.table("x");
        let old = inventory_from_table(&table, "5.10").unwrap();
        assert_eq!(old.items.get("KVM_OFFSET"), Some(&Some("0".to_string())));
        assert!(!old.items.contains_key("kvm_cfg.b"));
        assert!(table.contains("kvm_cfg__bindgen_ty_1\tstruct\t5.10\t-\n"), "{table}");
        let mut replayed = ArchSince::new(
            since.lines.clone(),
            vec![old, since.inventories[1].clone(), since.inventories[2].clone()],
            BTreeSet::new(),
        );
        replayed.document(&mut items);
        assert_eq!(replayed.table("x"), table);
    }

    #[test]
    fn sizes_come_from_the_layout_tests() {
        let raw = "const _ : () = { [\"Size of kvm_regs\"] [:: core :: mem :: size_of :: < kvm_regs > () - 144usize] ; \
                   [\"Alignment of kvm_regs\"] [:: core :: mem :: align_of :: < kvm_regs > () - 8usize] ; } ;";
        assert_eq!(layout_sizes(raw).get("kvm_regs").map(String::as_str), Some("144"));
    }
}
