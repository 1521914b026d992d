#!/usr/bin/env python3
"""The measure of scripts/doc-coverage (see there): each argument is CRATE=RUSTDOC_JSON; FLOOR names the floor file,
UPDATE=true records the shares as the new floor. Python, because it reads rustdoc's JSON and nothing else."""
import json
import os
import re
import sys

METRICS = [
    "items with a since line",
    "structs and unions explained",
    "request codes with their section",
    "ioctl types cross-referenced",
    "constants with a kernel comment",
    "fields with a kernel comment",
]
GENERATED = ("/src/bindings.rs", "/src/ioctls.rs", "/src/evaluated.rs")
SINCE_LINE = re.compile(r"^In Linux \d+\.\d+ and later \(", re.M)
GENERATED_LINES = re.compile(r"^(In Linux \d+\.\d+ and later \(|Its (value|size) changed: ).*$", re.M)
API = "docs.kernel.org/virt/kvm/api.html"


def measure(path):
    doc = json.load(open(path))
    index, paths = doc["index"], doc["paths"]
    counts = {m: [0, 0] for m in METRICS}

    def count(metric, yes):
        counts[metric][0] += bool(yes)
        counts[metric][1] += 1

    def generated(item):
        span = item.get("span") or {}
        return str(span.get("filename", "")).endswith(GENERATED)

    def own_docs(item):
        # The docs beyond the generated since lines: a kernel comment, an API section, an ioctl list.
        return GENERATED_LINES.sub("", item.get("docs") or "").strip()

    local = [i for i in index.values() if i["crate_id"] == 0 and generated(i)]
    takes = {}
    for item in local:
        kind = next(iter(item["inner"]))
        if kind not in ("struct", "union", "constant", "struct_field", "type_alias"):
            continue
        docs = item.get("docs") or ""
        count("items with a since line", SINCE_LINE.search(docs))
        if kind == "constant":
            module = paths.get(str(item["id"]), {}).get("path", [])[1:-1]
            if module == ["ioctls"]:
                count("request codes with their section", API in docs or "has no section for it" in docs)
                m = re.search(r"_IO[RW]*\([^)]*?\b(?:struct|union) (\w+)\s*\)", docs)
                if m:
                    takes.setdefault(m.group(1), set()).add(item["name"])
            else:
                count("constants with a kernel comment", own_docs(item))
        elif kind in ("struct", "union"):
            count("structs and unions explained", own_docs(item))
        elif kind == "struct_field":
            count("fields with a kernel comment", own_docs(item))
    for item in local:
        kind = next(iter(item["inner"]))
        if kind in ("struct", "union") and item["name"] in takes:
            docs = item.get("docs") or ""
            count("ioctl types cross-referenced", all(f"crate::ioctls::{n})" in docs for n in takes[item["name"]]))
    return counts


def read_floors(floor_path):
    floors = {}
    if os.path.exists(floor_path):
        for line in open(floor_path):
            line = line.split("#", 1)[0].strip()
            if line:
                crate, rest = line.split(None, 1)
                metric, share = rest.rsplit(None, 1)
                floors[(crate, metric)] = float(share)
    return floors


def main(arguments):
    floor_path = os.environ["FLOOR"]
    floors = read_floors(floor_path)
    failed, measured = [], {}
    for argument in arguments:
        crate, path = argument.split("=", 1)
        counts = measure(path)
        print(crate)
        for metric in METRICS:
            documented, total = counts[metric]
            share = 100.0 * documented / total if total else 0.0
            measured[(crate, metric)] = share
            low = floors.get((crate, metric))
            mark = ""
            if total == 0:
                mark = "  NO ITEMS: the measure found nothing"
                failed.append(f"{crate} {metric} (0 items)")
            elif low is None and os.environ.get("UPDATE") != "true":
                # A new crate's floor is recorded on purpose (--update), never taken as "no floor, any share".
                mark = "  NO FLOOR RECORDED (scripts/doc-coverage --update)"
                failed.append(f"{crate} {metric} (no floor)")
            elif low is not None and share + 1e-9 < low:
                mark = f"  BELOW THE FLOOR {low:.1f}%"
                failed.append(f"{crate} {metric}")
            print(f"  {metric:<34} {documented:>5} of {total:<5} {share:5.1f}%{mark}")
    if not arguments:
        failed.append("no crate measured")
    # A floor of a crate or metric not measured (an arch gone from arches.tsv, a renamed metric) is stale.
    for crate, metric in sorted(set(floors) - set(measured)):
        if os.environ.get("UPDATE") != "true":
            failed.append(f"{crate} {metric} (a floor, but not measured)")
    if failed:
        print("documentation coverage failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    if os.environ.get("UPDATE") == "true":
        with open(floor_path, "w") as out:
            out.write("# The least share (percent) of documented generated items per arch crate; "
                      "scripts/doc-coverage fails below it.\n")
            out.write("# Written by `scripts/doc-coverage --update`. Raise it with the docs, never lower it silently.\n")
            for (crate, metric), share in sorted(measured.items()):
                # Rounded down, so the same build always passes its own floor.
                out.write(f"{crate} {metric} {int(share * 10) / 10:.1f}\n")
        print(f"recorded the floor in {floor_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
