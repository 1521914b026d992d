#!/usr/bin/env python3
"""Writes one self-contained rustdoc JSON for a crate whose API is re-exported from other crates: the facade
`kvm-bindings` (`pub use kvm_bindings_x86_64::*`, which re-exports bindgen's helper types from
kvm-bindings-common).

cargo-semver-checks reads a single crate's rustdoc JSON and cannot follow a re-export into another crate: on the
facade it finds no items at all and reports every item of kvm-bindings 0.14.2 as removed. Merging the JSON of the
facade with the JSON of the crates beside it (same directory, same rustdoc), so that those items become the
facade's own, lets it compare what a user of the facade can actually name.

Usage: flatten.py FACADE.json OUT.json
Every crate of which a JSON file sits beside FACADE.json is merged; all others stay external.
"""

import json
import os
import sys

# Keys under which rustdoc JSON lists item ids (module, impl and trait members; struct, union and enum parts).
ID_LISTS = {"items", "impls", "fields", "variants", "implementations", "tuple"}
STRIDE = 10_000_000  # crate k's item n becomes k * STRIDE + n


def main(facade_path, out_path):
    directory = os.path.dirname(facade_path)
    docs = [json.load(open(facade_path))]
    names = [docs[0]["index"][str(docs[0]["root"])]["name"]]
    for file in sorted(os.listdir(directory)):
        name = file[:-5]
        if file.endswith(".json") and name not in names:
            docs.append(json.load(open(os.path.join(directory, file))))
            names.append(name)
    if any(d["format_version"] != docs[0]["format_version"] for d in docs):
        sys.exit("flatten: the JSON files beside %s come from different rustdoc versions" % facade_path)

    # Where each crate's own items live by path, to find the target of another crate's reference to them.
    by_path = [{tuple(s["path"]): int(i) for i, s in d["paths"].items() if s["crate_id"] == 0 and i in d["index"]}
               for d in docs]
    external, external_ids = {}, {}  # merged external_crates by name, and by name the new id

    def global_id(k, item_id):
        """The merged id of crate k's id: the item itself, the item in a merged crate, or an external path."""
        doc = docs[k]
        if str(item_id) in doc["index"]:
            return k * STRIDE + item_id
        summary = doc["paths"].get(str(item_id))
        if summary is not None and summary["crate_id"] != 0:
            crate = doc["external_crates"][str(summary["crate_id"])]["name"]
            if crate in names:
                j = names.index(crate)
                found = by_path[j].get(tuple(summary["path"]))
                if found is not None:
                    return j * STRIDE + found
        return k * STRIDE + item_id

    def remap(k, value, key=None):
        if isinstance(value, dict):
            out = {}
            for name, v in value.items():
                if name == "id" and isinstance(v, int):
                    out[name] = global_id(k, v)
                elif name == "links":
                    out[name] = {}
                else:
                    out[name] = remap(k, v, name)
            return out
        if isinstance(value, list):
            if key in ID_LISTS and all(isinstance(v, int) or v is None for v in value):
                return [global_id(k, v) if v is not None else None for v in value]
            return [remap(k, v, key) for v in value]
        return value

    index, paths = {}, {}
    for k, doc in enumerate(docs):
        for item_id, item in doc["index"].items():
            new = remap(k, item)
            new["id"], new["crate_id"] = k * STRIDE + int(item_id), 0
            index[str(new["id"])] = new
        for item_id, summary in doc["paths"].items():
            new_id = global_id(k, int(item_id))
            if str(new_id) in paths:
                continue
            summary = dict(summary)
            if summary["crate_id"] != 0:
                crate = doc["external_crates"][str(summary["crate_id"])]
                if crate["name"] in names:
                    continue  # a merged crate's item: its own entry, below or above, says where it is
                if crate["name"] not in external_ids:
                    external_ids[crate["name"]] = len(external_ids) + 1
                    external[str(external_ids[crate["name"]])] = crate
                summary["crate_id"] = external_ids[crate["name"]]
            paths[str(new_id)] = summary
    # A merged crate's items keep the paths of their own crate; the facade's name is the one users write.
    out = dict(docs[0], index=index, paths=paths, external_crates=external, root=docs[0]["root"])
    with open(out_path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
