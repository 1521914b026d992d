#!/usr/bin/env python3
"""Proves that one architecture's public API of kvm-bindings 0.14.2 exists in ours, item by item.

Reads rustdoc JSON (format 57 and its neighbours) of 0.14.2 and of our crate, enumerates every path at which 0.14.2
exposes an item (crate root, `bindings::`, `fam_wrappers::`, `nested::`, `one_reg::`, ...: whatever its modules and
re-exports make reachable), resolves the same path in ours -- following re-exports into the arch crate and
kvm-bindings-common, whose JSON sits in the same directory -- and compares what it finds: the kind of item, struct
and union fields (names, order, types), type alias targets, constant types and values, function signatures, the
`repr` and `#[non_exhaustive]` attributes, the traits implemented (derived and auto traits; blanket impls are the
standard library's business) and the inherent methods.

A difference is allowed only when the crate's CHANGELOG lists it under a `### Changed by Linux ...` heading (any
release section: the list is against 0.14.2, so it only grows), as a bullet that starts with the difference's key
in backticks and names the kernel header that caused it:

    - `kvm_device_type_KVM_DEV_TYPE_MAX`: 9 → 11. `include/uapi/linux/kvm.h`: `KVM_DEV_TYPE_LOONGARCH_EIOINTC,` ...

Keys are an item's name, `item.field` for one field, or `item: impl Trait` for one trait impl. The script fails on
an unlisted difference, on a listed key that no longer differs (a stale excuse hides the next real change), and on
a listed bullet that names no header. Items only ours has are counted, never a failure: ours is a superset.

Usage: compare.py --arch NAME --baseline 0142.json --ours DIR/ours_crate.json --changelog CHANGELOG.md
Exit status: 0 when every difference is listed and every listing is used, 1 otherwise.
"""

import argparse
import json
import os
import re
import sys

# Attributes that are part of the API: layout (repr) and whether a struct can be built by a literal.
API_ATTRS = ("repr", "non_exhaustive")


class Crate:
    """One rustdoc JSON file."""

    def __init__(self, path):
        with open(path) as f:
            self.doc = json.load(f)
        self.dir = os.path.dirname(path)
        self.index = self.doc["index"]
        self.paths = self.doc["paths"]
        self.name = self.index[str(self.doc["root"])]["name"]
        self.by_path = {(tuple(s["path"]), s["kind"]): i for i, s in self.paths.items()
                        if s["crate_id"] == 0 and i in self.index}

    def item(self, item_id):
        return self.index.get(str(item_id))


class World:
    """The crates of one side, loaded on demand from the directory of its main JSON, so that a re-export of
    another crate (the facade's `pub use kvm_bindings_x86_64::*`) resolves to the item itself."""

    def __init__(self, main_json):
        self.main = Crate(main_json)
        self.crates = {self.main.name: self.main}
        self._exports = {}

    def crate(self, name):
        if name not in self.crates:
            path = os.path.join(self.main.dir, name + ".json")
            self.crates[name] = Crate(path) if os.path.exists(path) else None
        return self.crates[name]

    def resolve(self, crate, item_id):
        """The (crate, id) an id of `crate` names; ("extern", path) for an item of a crate we have no JSON for."""
        if crate.item(item_id) is not None:
            return (crate, str(item_id))
        summary = crate.paths.get(str(item_id))
        if summary is None:
            return None
        if summary["crate_id"] == 0:
            return None  # a local item rustdoc stripped (private): not reachable
        ext_name = crate.doc["external_crates"][str(summary["crate_id"])]["name"]
        other = self.crate(ext_name)
        if other is None:
            return ("extern", "::".join(summary["path"]))
        # The summary's path is where the item is defined, possibly in a private module (common's
        # `bindgen_helpers`), so find it by that path in its own crate's table rather than by `use` rules.
        own = other.by_path.get((tuple(summary["path"]), summary["kind"]))
        return (other, own) if own is not None else self.lookup(other, summary["path"][1:])

    def lookup(self, crate, segments):
        """Resolves a path below the root module of `crate`, the way `use` does."""
        target = (crate, str(crate.doc["root"]))
        for segment in segments:
            if target is None or target[0] == "extern" or kind(target) != "module":
                return None
            target = self.exports(*target).get(segment)
        return target

    def exports(self, crate, module_id):
        """{name: (crate, id)} of what a module makes public: its own public items, its named `pub use`s, and
        what its glob `pub use`s bring that nothing explicit shadows (a name two globs bring differently is
        ambiguous in Rust, hence unusable, hence left out)."""
        key = (crate.name, module_id)
        if key in self._exports:
            return self._exports[key]
        self._exports[key] = {}  # a cycle of globs resolves to nothing more
        explicit, globbed, ambiguous = {}, {}, set()
        for child in crate.item(module_id)["inner"]["module"]["items"]:
            item = crate.item(child)
            if item is None or item["visibility"] != "public":
                continue
            inner_kind = next(iter(item["inner"]))
            if inner_kind == "impl":
                continue
            if inner_kind == "use":
                use = item["inner"]["use"]
                target = self.resolve(crate, use["id"]) if use["id"] is not None else None
                if target is None:
                    continue
                if use["is_glob"]:
                    if target[0] == "extern" or kind(target) != "module":
                        continue
                    for name, t in self.exports(*target).items():
                        if name in globbed and same(globbed[name], t) is False:
                            ambiguous.add(name)
                        globbed.setdefault(name, t)
                else:
                    explicit[use["name"]] = target
            else:
                explicit[item["name"]] = (crate, str(child))
        result = {n: t for n, t in globbed.items() if n not in ambiguous}
        result.update(explicit)
        self._exports[key] = result
        return result

    def all_paths(self):
        """{path: (crate, id)} for every public path of the main crate, modules included."""
        found = {}

        def walk(target, prefix, depth):
            for name, t in sorted(self.exports(*target).items()):
                path = prefix + name
                found[path] = t
                if t[0] != "extern" and kind(t) == "module" and depth < 4:
                    walk(t, path + "::", depth + 1)

        walk((self.main, str(self.main.doc["root"])), "", 0)
        return found


def compatible(base_text, our_text):
    """Whether ours keeps every promise 0.14.2's item made: equal, or a function that became `const fn`."""
    return our_text == base_text or (not base_text.startswith("const ") and our_text == "const " + base_text)


def same(a, b):
    return (a[0] if a[0] == "extern" else a[0].name, a[1]) == (b[0] if b[0] == "extern" else b[0].name, b[1])


def kind(target):
    if target[0] == "extern":
        return "extern"
    return next(iter(target[0].item(target[1])["inner"]))


# --- Rendering types and signatures into comparable text -----------------------------------------------------------
# Paths render as their last segment: `::std::os::raw::c_ulong` and our `ctypes::c_ulong` both name the C type of
# the architecture, `bindings::kvm_regs` and `kvm_regs` the same struct (the struct itself is compared by path).


C_TYPE = re.compile(r"c_(char|schar|uchar|short|ushort|int|uint|long|ulong|longlong|ulonglong|float|double|void)")


class Expand:
    """Renders a type alias as the type it names, when it is an alias of the crate at hand or of one we have JSON
    for: `[__u8; 4096]` and `[u8; 4096]` are the same type to every user."""

    def __init__(self, world, crate, c_types=None):
        self.world, self.crate = world, crate
        self.c_types = c_types if c_types is not None else {}

    def alias_target(self, item_id):
        target = self.world.resolve(self.crate, item_id) if item_id is not None else None
        if target is None or target[0] == "extern" or kind(target) != "type_alias":
            return None
        item = target[0].item(target[1])
        # C types become primitives through `c_types` alone, the same table for both sides (0.14.2's are std's
        # `::std::os::raw::c_uint`, with no JSON to follow).
        if C_TYPE.fullmatch(item["name"]):
            return None
        alias = item["inner"]["type_alias"]
        return None if alias["generics"]["params"] else (target[0], alias["type"])


def ty(t, cx=None):
    if t is None:
        return "()"
    (k, v), = t.items()
    if k == "primitive":
        return v
    if k == "generic":
        return v
    if k == "resolved_path":
        name = v["path"].split("::")[-1]
        if cx and C_TYPE.fullmatch(name) and name in cx.c_types:
            return cx.c_types[name]
        found = cx.alias_target(v.get("id")) if cx else None
        if found is not None:
            return ty(found[1], Expand(cx.world, found[0], cx.c_types))
        return v["path"].split("::")[-1] + generic_args(v.get("args"), cx)
    if k == "array":
        return "[%s; %s]" % (ty(v["type"], cx), array_len(v["len"]))
    if k == "slice":
        return "[%s]" % ty(v, cx)
    if k == "tuple":
        return "(%s)" % ", ".join(ty(x, cx) for x in v)
    if k == "borrowed_ref":
        return "&%s%s%s" % (v["lifetime"] + " " if v["lifetime"] else "", "mut " if v["is_mutable"] else "",
                            ty(v["type"], cx))
    if k == "raw_pointer":
        return "*%s %s" % ("mut" if v["is_mutable"] else "const", ty(v["type"], cx))
    if k == "qualified_path":
        trait = v["trait"]["path"].split("::")[-1] if v.get("trait") else ""
        return "<%s as %s>::%s" % (ty(v["self_type"], cx), trait, v["name"])
    if k == "function_pointer":
        return "fn%s" % sig(v["sig"], cx)
    if k == "dyn_trait":
        return "dyn " + " + ".join(x["trait"]["path"].split("::")[-1] for x in v["traits"])
    if k == "impl_trait":
        return "impl " + json.dumps(strip_ids(v), sort_keys=True)
    return json.dumps(strip_ids(t), sort_keys=True)


def array_len(text):
    text = re.sub(r"\s+", "", text)
    m = re.fullmatch(r"(\d+)(?:usize)?", text)
    return m.group(1) if m else text


def generic_args(args, cx=None):
    if not args or "angle_bracketed" not in args:
        return ""
    parts = []
    for a in args["angle_bracketed"]["args"]:
        (k, v), = a.items()
        parts.append(ty(v, cx) if k == "type" else (v if isinstance(v, str) else json.dumps(strip_ids(v))))
    for c in args["angle_bracketed"].get("constraints", []):
        parts.append(json.dumps(strip_ids(c), sort_keys=True))
    return "<%s>" % ", ".join(parts) if parts else ""


def sig(s, cx=None):
    inputs = ", ".join("%s: %s" % (name, ty(t, cx)) for name, t in s["inputs"])
    out = ty(s["output"], cx) if s["output"] is not None else "()"
    return "(%s) -> %s" % (inputs, out)


def strip_ids(v):
    if isinstance(v, dict):
        return {k: strip_ids(x) for k, x in v.items() if k != "id"}
    if isinstance(v, list):
        return [strip_ids(x) for x in v]
    return v


def generics(g):
    return json.dumps(strip_ids(g), sort_keys=True) if g and (g["params"] or g["where_predicates"]) else ""


def function_text(f, cx=None):
    h = f["header"]
    quals = ("const " if h["is_const"] else "") + ("unsafe " if h["is_unsafe"] else "")
    abi = h["abi"] if isinstance(h["abi"], str) else next(iter(h["abi"]))
    return "%s%sfn%s%s" % (quals, "" if abi == "Rust" else 'extern "%s" ' % abi, generics(f["generics"]), sig(f["sig"], cx))


# --- Describing an item --------------------------------------------------------------------------------------------


def describe(target, world=None, c_types=None):
    """{aspect: text} for everything about one item that the API comparison looks at. Aspects are the keys that
    differences are reported under, relative to the item: "" (the item itself), ".field", ": impl Trait", "::method"."""
    if target[0] == "extern":
        return {"": "re-export of " + target[1]}
    crate, item_id = target
    cx = Expand(world, crate, c_types) if world else None
    item = crate.item(item_id)
    (k, v), = item["inner"].items()
    d = {"": k}
    attrs = []
    for a in item["attrs"]:
        if a == "non_exhaustive" or (isinstance(a, dict) and "repr" in a):
            attrs.append(json.dumps(a, sort_keys=True))
    if attrs:
        d[" #[attrs]"] = " ".join(sorted(attrs))
    if k == "constant":
        d[""] = "const: %s = %s" % (ty(v["type"], cx), v["const"]["value"] or v["const"]["expr"])
    elif k == "static":
        d[""] = "static %s%s" % ("mut " if v["is_mutable"] else "", ty(v["type"], cx))
    elif k == "type_alias":
        d[""] = "type%s = %s" % (generics(v["generics"]), ty(v["type"], cx))
    elif k == "function":
        d[""] = function_text(v, cx)
    elif k in ("struct", "union", "enum"):
        d[""] = k + generics(v["generics"])
        if k == "struct":
            sk, sv = next(iter(v["kind"].items())) if isinstance(v["kind"], dict) else (v["kind"], None)
            field_ids = sv["fields"] if sk == "plain" else [f for f in (sv or []) if f is not None]
            stripped = sv["has_stripped_fields"] if sk == "plain" else (sv is not None and None in sv)
            d[""] += " (%s%s)" % (sk, ", private fields" if stripped else "")
        elif k == "union":
            field_ids, stripped = v["fields"], v["has_stripped_fields"]
            d[""] += " (private fields)" if stripped else ""
        else:
            field_ids = []
            for var_id in v["variants"]:
                var = crate.item(var_id)
                d["::" + var["name"]] = "variant " + json.dumps(strip_ids(var["inner"]["variant"]), sort_keys=True)
        names = []
        for f in field_ids:
            field = crate.item(f)
            names.append(field["name"])
            d["." + field["name"]] = ty(field["inner"]["struct_field"], cx)
        if names:
            d[" fields in order"] = ", ".join(names)
        for impl_id in v["impls"]:
            impl = crate.item(impl_id)["inner"]["impl"]
            if impl["blanket_impl"] is not None:
                continue
            if impl["trait"] is not None:
                name = impl["trait"]["path"].split("::")[-1] + generic_args(impl["trait"].get("args"), cx)
                d[": impl %s%s" % ("!" if impl["is_negative"] else "", name)] = "implemented"
                continue
            for m in impl["items"]:
                member = crate.item(m)
                if member is None or member["visibility"] != "public":
                    continue
                (mk, mv), = member["inner"].items()
                text = function_text(mv, cx) if mk == "function" else "%s %s" % (mk, json.dumps(strip_ids(mv)))
                d["::" + member["name"]] = text
    return d


# --- The CHANGELOG's list ------------------------------------------------------------------------------------------

HEADING = re.compile(r"^###\s+Changed by Linux\b")
BULLET = re.compile(r"^[-*]\s+`([^`]+)`")
HEADER_FILE = re.compile(r"`[\w./-]+\.h[`:]")


def read_listed(changelog):
    """{key: bullet text} of every bullet under a `### Changed by Linux ...` heading, and the problems found."""
    listed, problems = {}, []
    inside, current = False, None
    with open(changelog) as f:
        lines = f.read().splitlines()
    for line in lines + ["## end"]:
        if line.startswith("#"):
            inside = bool(HEADING.match(line))
            current = None
            continue
        if not inside:
            continue
        m = BULLET.match(line)
        if m:
            current = m.group(1).strip()
            listed[current] = line
        elif current and line.startswith((" ", "\t")) and line.strip():
            listed[current] += " " + line.strip()
        elif line.strip():
            current = None
    for key, text in listed.items():
        if not HEADER_FILE.search(text):
            problems.append("%s: listed `%s` names no kernel header (`include/uapi/...h`) as its cause"
                            % (changelog, key))
    return listed, problems


def compare(base, ours):
    """Every path of 0.14.2 looked up in ours: (paths of 0.14.2, paths of ours, missing paths, differences as
    {key: [(path, text)]} deduplicated over the paths of one item, {aspect kind: how many were compared})."""
    base_paths, our_paths = base.all_paths(), ours.all_paths()
    # What each C type is on this arch, from our crate's `ctypes` (checked against gcc by scripts/check-layout),
    # so that `c_uchar` and `u8` compare equal; a wrong ctypes entry still shows where 0.14.2 wrote a primitive.
    c_types = {}
    for crate in list(ours.crates.values()):
        for item in (crate.index.values() if crate else ()):
            inner = item["inner"].get("type_alias")
            if inner and C_TYPE.fullmatch(item["name"] or "") and "primitive" in inner["type"]:
                c_types[item["name"]] = inner["type"]["primitive"]
    missing, differences, compared = [], {}, {"fields": 0, "trait impls": 0, "methods": 0}
    for path, b in sorted(base_paths.items()):
        o = our_paths.get(path)
        name = path.split("::")[-1]
        if o is None:
            missing.append(path)
            continue
        bd, od = describe(b), describe(o)
        bx, ox = describe(b, base, c_types), describe(o, ours, c_types)
        for aspect, btext in bd.items():
            if path == name:  # count each item once, at its root path
                for prefix, what in ((".", "fields"), (": impl", "trait impls"), ("::", "methods")):
                    compared[what] += aspect.startswith(prefix)
            otext = od.get(aspect)
            if otext == btext or (otext is not None and compatible(bx[aspect], ox[aspect])):
                continue
            if aspect.startswith((": impl", "::")) and otext is None:
                text = "%s: 0.14.2 has it, ours not" % (btext if aspect.startswith("::") else "impl")
            else:
                text = "0.14.2 `%s`, ours `%s`" % (btext, otext if otext is not None else "(none)")
            key = name + aspect if aspect != " #[attrs]" and aspect != " fields in order" else name
            if aspect == " fields in order":
                text = field_change(btext, otext)
            elif aspect == " #[attrs]":
                text = "attributes: " + text
            entries = differences.setdefault(key, [])
            if text not in (t for _, t in entries):
                entries.append((path, text))
    return base_paths, our_paths, missing, differences, compared


def field_change(base_fields, our_fields):
    """The change between two comma-separated field lists, in words."""
    b, o = base_fields.split(", "), our_fields.split(", ")
    added, removed = [f for f in o if f not in b], [f for f in b if f not in o]
    parts = []
    if added:
        at_end = o[len(o) - len(added):] == added
        parts.append("ours adds field%s %s%s" % ("s" * (len(added) > 1), ", ".join(added), " at the end" * at_end))
    if removed:
        parts.append("ours lacks field%s %s" % ("s" * (len(removed) > 1), ", ".join(removed)))
    if [f for f in b if f in o] != [f for f in o if f in b]:
        parts.append("field order: 0.14.2 `%s`, ours `%s`" % (base_fields, our_fields))
    return "; ".join(parts)


def self_test(base, ours):
    """Breaks ours in memory in the ways this script exists to catch -- a constant's value, a field's type, a
    derived trait, an item's kind -- and fails unless each is reported. Guards against a comparison that silently
    compares nothing (a rustdoc JSON format change that renders every type as the same text, say)."""
    base_paths, our_paths, _, before, _ = compare(base, ours)
    picks = {}
    for path, o in sorted(our_paths.items()):
        if path not in base_paths or "::" in path or o[0] == "extern":
            continue
        item = o[0].item(o[1])
        (k, v), = item["inner"].items()
        if k == "constant" and "const" not in picks and path not in before:
            v["const"]["value"] = v["const"]["expr"] = "123456789"
            picks["const"] = path
        elif k == "struct" and "field" not in picks and "plain" in v["kind"] and v["kind"]["plain"]["fields"]:
            field = o[0].item(v["kind"]["plain"]["fields"][0])
            field["inner"]["struct_field"] = {"primitive": "f32"}
            picks["field"] = "%s.%s" % (path, field["name"])
        elif k == "struct" and "impl" not in picks and "field" in picks:
            for i in v["impls"]:
                trait = o[0].item(i)["inner"]["impl"]["trait"]
                if trait and trait["path"].split("::")[-1] == "Debug":
                    v["impls"] = [x for x in v["impls"] if x != i]
                    picks["impl"] = "%s: impl Debug" % path
                    break
        elif k == "type_alias" and "kind" not in picks:
            item["inner"] = {"constant": {"type": v["type"], "const": {"expr": "0", "value": "0", "is_literal": True}}}
            picks["kind"] = path
    _, _, _, after, _ = compare(base, ours)
    caught = [key for key in picks.values() if key in after and key not in before]
    if len(picks) != 4 or len(caught) != 4:
        print("SELF-TEST FAILED: broke %s in ours; reported: %s" % (picks, caught))
        return False
    print("self-test: a changed constant, field type, derived trait and item kind in ours are each reported")
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", required=True)
    ap.add_argument("--baseline", required=True, help="rustdoc JSON of kvm-bindings 0.14.2 for this arch")
    ap.add_argument("--ours", required=True, help="rustdoc JSON of our crate (its dependencies' JSON beside it)")
    ap.add_argument("--changelog", required=True, help="the CHANGELOG.md listing the kernel's changes")
    ap.add_argument("--label", help="what to call ours in the output (default: its crate name)")
    ap.add_argument("--self-test", action="store_true", help="check that breaking ours is noticed, then exit")
    args = ap.parse_args()

    base, ours = World(args.baseline), World(args.ours)
    if args.self_test:
        return 0 if self_test(base, ours) else 1
    label = args.label or ours.main.name.replace("_", "-")
    listed, problems = read_listed(args.changelog)
    base_paths, our_paths, missing, differences, compared = compare(base, ours)
    present = len(base_paths) - len(missing)

    # A missing item is a difference too: listed under its name (a type clang no longer emits, say).
    missing_by_name = {}
    for path in missing:
        missing_by_name.setdefault(path.split("::")[-1], []).append(path)

    unlisted_missing = {n: p for n, p in missing_by_name.items() if n not in listed}
    listed_missing = {n: p for n, p in missing_by_name.items() if n in listed}
    unlisted = {k: v for k, v in differences.items() if k not in listed}
    listed_used = {k: v for k, v in differences.items() if k in listed}
    stale = [k for k in listed if k not in differences and k not in missing_by_name]

    base_items = {(t[0] if t[0] == "extern" else t[0].name, t[1]) for t in base_paths.values()}
    ours_only = [p for p in our_paths if p not in base_paths]

    def show(title, rows):
        if rows:
            print("%s:" % title)
            for row in rows:
                print("  " + row)

    show("MISSING from %s (0.14.2 has these paths; not listed in %s)" % (label, args.changelog),
         ["%s (%s)" % (n, ", ".join(p)) for n, p in sorted(unlisted_missing.items())])
    show("DIFFERENT, not listed in %s" % args.changelog,
         ["%s: %s" % (k, t) for k, v in sorted(unlisted.items()) for _, t in v])
    show("changed by the kernel (listed in %s)" % args.changelog,
         ["%s: %s" % (k, t) for k, v in sorted(listed_used.items()) for _, t in v]
         + ["%s: gone (%s)" % (n, ", ".join(p)) for n, p in sorted(listed_missing.items())])
    show("STALE listings in %s (these no longer differ from 0.14.2: remove them)" % args.changelog, sorted(stale))
    show("PROBLEMS", problems)

    n_missing = sum(len(p) for p in unlisted_missing.values())
    n_listed_missing = sum(len(p) for p in listed_missing.values())
    print("%s: %d paths (%d items; %s) of kvm-bindings 0.14.2 compared with %s: %d present, %d missing%s; "
          "%d changed by the kernel (listed), %d other differences; %d paths only in ours"
          % (args.arch, len(base_paths), len(base_items), ", ".join("%d %s" % (n, w) for w, n in compared.items()),
             label, present, n_missing, " (+%d gone, listed)" % n_listed_missing if n_listed_missing else "",
             len(listed_used) + len(listed_missing), len(unlisted), len(ours_only)))
    ok = not unlisted_missing and not unlisted and not stale and not problems
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
