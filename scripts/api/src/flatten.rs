//! One self-contained rustdoc JSON for a crate whose API is re-exported from other crates: the facade
//! `kvm-bindings` (`pub use kvm_bindings_x86_64::*`, which re-exports bindgen's helper types from
//! kvm-bindings-common).
//!
//! cargo-semver-checks reads a single crate's rustdoc JSON and cannot follow a re-export into another crate: on the
//! facade it finds no items at all and reports every item of kvm-bindings 0.14.2 as removed. Merging the JSON of
//! the facade with the JSON of the crates beside it (same directory, same rustdoc), so that those items become the
//! facade's own, lets it compare what a user of the facade can actually name. Done on untyped JSON: every id, in
//! whatever part of the format it sits, must be renumbered, and the output must keep every field rustdoc wrote.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value, json};

/// Keys under which rustdoc JSON lists item ids (module, impl and trait members; struct, union and enum parts).
const ID_LISTS: [&str; 6] = ["items", "impls", "fields", "variants", "implementations", "tuple"];
/// Crate k's item n becomes k * STRIDE + n.
const STRIDE: u64 = 10_000_000;

struct Doc {
    json: Value,
    name: String,
    /// Own items by defining path.
    by_path: HashMap<Vec<String>, u64>,
}

fn read(path: &Path) -> Result<Doc, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: Value = serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    let root = json["root"]
        .as_u64()
        .ok_or_else(|| format!("{}: no root", path.display()))?;
    let name = json["index"][root.to_string()]["name"]
        .as_str()
        .ok_or_else(|| format!("{}: the root has no name", path.display()))?
        .to_string();
    let mut by_path = HashMap::new();
    for (id, summary) in json["paths"].as_object().into_iter().flatten() {
        if summary["crate_id"] == 0 && json["index"].get(id).is_some() {
            by_path.insert(
                summary_path(summary),
                id.parse().map_err(|_| format!("{}: id `{id}`", path_of(&json)))?,
            );
        }
    }
    Ok(Doc { json, name, by_path })
}

fn path_of(json: &Value) -> String {
    json["index"][json["root"].to_string()]["name"]
        .as_str()
        .unwrap_or("?")
        .to_string()
}

/// Writes the facade's JSON merged with every crate whose JSON sits beside it to `out`.
pub fn flatten(facade: &Path, out: &Path) -> Result<(), String> {
    let mut docs = vec![read(facade)?];
    let dir = facade.parent().unwrap_or(Path::new("."));
    let mut others: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p != facade)
        .collect();
    others.sort();
    for path in others {
        let doc = read(&path)?;
        if docs.iter().all(|d| d.name != doc.name) {
            docs.push(doc);
        }
    }
    if docs
        .iter()
        .any(|d| d.json["format_version"] != docs[0].json["format_version"])
    {
        return Err(format!(
            "the JSON files beside {} come from different rustdoc versions",
            facade.display()
        ));
    }
    let names: Vec<String> = docs.iter().map(|d| d.name.clone()).collect();

    // The merged id of crate k's id: the item itself, the item in a merged crate, or an external path.
    let global_id = |k: usize, id: u64| -> u64 {
        let doc = &docs[k].json;
        if doc["index"].get(id.to_string()).is_some() {
            return k as u64 * STRIDE + id;
        }
        let summary = &doc["paths"][id.to_string()];
        if let Some(crate_id) = summary["crate_id"].as_u64().filter(|c| *c != 0) {
            let crate_name = doc["external_crates"][crate_id.to_string()]["name"]
                .as_str()
                .unwrap_or("");
            if let Some(j) = names.iter().position(|n| n == crate_name) {
                if let Some(found) = docs[j].by_path.get(&summary_path(summary)) {
                    return j as u64 * STRIDE + found;
                }
            }
        }
        k as u64 * STRIDE + id
    };

    let (mut index, mut paths, mut external) = (Map::new(), Map::new(), Map::new());
    let mut external_ids: HashMap<String, u64> = HashMap::new();
    for (k, doc) in docs.iter().enumerate() {
        for (id, item) in doc.json["index"].as_object().into_iter().flatten() {
            let mut new = remap(item, None, &|id| global_id(k, id));
            let id: u64 = id.parse().map_err(|_| format!("{}: item id `{id}`", doc.name))?;
            new["id"] = json!(k as u64 * STRIDE + id);
            new["crate_id"] = json!(0);
            index.insert((k as u64 * STRIDE + id).to_string(), new);
        }
        for (id, summary) in doc.json["paths"].as_object().into_iter().flatten() {
            let id: u64 = id.parse().map_err(|_| format!("{}: path id `{id}`", doc.name))?;
            let new_id = global_id(k, id).to_string();
            if paths.contains_key(&new_id) {
                continue;
            }
            let mut summary = summary.clone();
            if let Some(crate_id) = summary["crate_id"].as_u64().filter(|c| *c != 0) {
                let ext = &doc.json["external_crates"][crate_id.to_string()];
                let name = ext["name"].as_str().unwrap_or("").to_string();
                if names.contains(&name) {
                    continue; // a merged crate's item: its own entry says where it is
                }
                let next = external_ids.len() as u64 + 1;
                let ext_id = *external_ids.entry(name).or_insert_with(|| {
                    external.insert(next.to_string(), ext.clone());
                    next
                });
                summary["crate_id"] = json!(ext_id);
            }
            paths.insert(new_id, summary);
        }
    }
    // A merged crate's items keep the paths of their own crate; the facade's name is the one users write.
    let mut merged = docs[0].json.clone();
    merged["index"] = Value::Object(index);
    merged["paths"] = Value::Object(paths);
    merged["external_crates"] = Value::Object(external);
    let text = serde_json::to_string(&merged).map_err(|e| e.to_string())?;
    std::fs::write(out, text).map_err(|e| format!("{}: {e}", out.display()))
}

/// A copy of `value` with every id renumbered by `id_of`; intra-doc links dropped (they name ids of other crates).
fn remap(value: &Value, key: Option<&str>, id_of: &dyn Fn(u64) -> u64) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(name, v)| {
                    let new = match (name.as_str(), v) {
                        ("id", Value::Number(n)) => n.as_u64().map_or(v.clone(), |id| json!(id_of(id))),
                        ("links", _) => json!({}),
                        _ => remap(v, Some(name), id_of),
                    };
                    (name.clone(), new)
                })
                .collect(),
        ),
        Value::Array(items)
            if key.is_some_and(|k| ID_LISTS.contains(&k)) && items.iter().all(|v| v.is_u64() || v.is_null()) =>
        {
            Value::Array(
                items
                    .iter()
                    .map(|v| v.as_u64().map_or(Value::Null, |id| json!(id_of(id))))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| remap(v, key, id_of)).collect()),
        other => other.clone(),
    }
}

/// The path of an item summary of rustdoc's `paths` table, as its segments.
fn summary_path(summary: &Value) -> Vec<String> {
    summary["path"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}
