#!/usr/bin/env python3
"""Writes a Rust program that compares kvm-ioctls' request codes with ours, for the arches given.

kvm-ioctls derives each request code with vmm-sys-util's `ioctl_*_nr!(NAME, KVMIO, NR[, TYPE])`, under
`#[cfg(target_arch = …)]`. This reads those invocations from its source (not its numbers: the numbers come from the
macros, evaluated by rustc), keeps for each arch the ones its cfg selects there, and writes a `main.rs` that expands
each invocation against that arch crate's types (an arm64 `kvm_vcpu_init` on this x86_64 host: the arch crates build
anywhere) and compares the result with `kvm_bindings_<arch>::ioctls::NAME`.

Which arches: those of the caller's list whose target_arch kvm-ioctls' source names in a `#[cfg(...)]` (its own
statement of the arches it defines codes for: x86_64, aarch64, riscv64, s390x, powerpc64 in 0.25). Each other arch
is printed as not compared, with that reason; none in common is a failure (nothing would be compared).

Codes are matched by name. A name kvm-ioctls spells otherwise than the kernel is compared with the kernel's name
that RENAMED gives; a name found in neither is a failure here, before anything is built, and so is an arch
kvm-ioctls names that selects no code and a RENAMED entry no arch uses (the table must stay exact).

Each code is compared by its fields (read, write, type, number, size): kvm-ioctls' decoded with vmm-sys-util's _IOC
layout, which its macros encode with, ours with the arch's own. Where the layouts agree (all but powerpc64 and
mips64) equal fields are equal values; where they differ (_IOC_WRITE is 4, _IOC_SIZEBITS 13) vmm-sys-util's
generic encoding makes kvm-ioctls' code itself wrong for that kernel, which the program says once, while the name,
direction, type, number and size still compare with ours.

    kvm-ioctls-codes.py KVM_IOCTLS_SRC ROOT OUT_DIR ARCH=TARGET_ARCH...

The arches come from the caller (scripts/check-kvm-ioctls reads arches.tsv through scripts/lib/arches.sh), e.g.
`x86_64=x86_64 arm64=aarch64`.
"""
import pathlib
import re
import sys

# kvm-ioctls' name -> the kernel's (ours), for the codes kvm-ioctls names otherwise.
RENAMED = {
    "KVM_SET_MSR_FILTER": "KVM_X86_SET_MSR_FILTER",
}


def eval_cfg(expr, target_arch):
    """Evaluates a cfg predicate over target_arch only (kvm-ioctls' request codes use nothing else)."""
    expr = expr.strip()
    match = re.fullmatch(r'target_arch\s*=\s*"([^"]+)"', expr)
    if match:
        return match.group(1) == target_arch
    match = re.fullmatch(r"(any|all|not)\s*\((.*)\)", expr, re.S)
    if not match:
        raise ValueError(f"unsupported cfg predicate: {expr}")
    operator, inner = match.groups()
    parts, depth, current = [], 0, ""
    for char in inner:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    if current.strip():
        parts.append(current)
    values = [eval_cfg(part, target_arch) for part in parts]
    return {"any": any, "all": all, "not": lambda v: not v[0]}[operator](values)


def invocations(source):
    """(cfg predicate or None, macro, arguments) for every `ioctl_*_nr!` outside the tests module."""
    source = source.split("#[cfg(test)]")[0]
    # Comments would hide nothing we need but may contain parentheses.
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    source = re.sub(r"//[^\n]*", "", source)
    pattern = re.compile(r"(#\[cfg\((?P<cfg>(?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)\]\s*)?"
                         r"(?P<macro>ioctl_(?:io|ior|iow|iowr)_nr)!\s*\((?P<args>[^;]*?)\)\s*;", re.S)
    for match in pattern.finditer(source):
        arguments = [a.strip() for a in match.group("args").split(",") if a.strip()]
        yield match.group("cfg"), match.group("macro"), arguments


def named_target_arches(source):
    """Every target_arch value in a cfg attribute of kvm-ioctls' source, outside the tests module."""
    source = source.split("#[cfg(test)]")[0]
    attributes = re.findall(r"#\[cfg\([^\[\]]*\)\]", source)
    return {value for attribute in attributes for value in re.findall(r'target_arch\s*=\s*"([^"]+)"', attribute)}


def parse_arches(arguments):
    """[(name, target_arch)] from `NAME=TARGET_ARCH` arguments."""
    arches = []
    for argument in arguments:
        name, _, target_arch = argument.partition("=")
        if not name or not target_arch:
            sys.exit(f"kvm-ioctls-codes: expected ARCH=TARGET_ARCH, got {argument!r}")
        arches.append((name, target_arch))
    if not arches:
        sys.exit("kvm-ioctls-codes: no arch given: nothing would be compared")
    return arches


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__.split("\n\n")[-2])
    kvm_ioctls_src, root, out_dir = (pathlib.Path(p) for p in sys.argv[1:4])
    arches = parse_arches(sys.argv[4:])
    source = (kvm_ioctls_src / "kvm_ioctls.rs").read_text()
    found = list(invocations(source))
    if len(found) < 50:
        sys.exit(f"only {len(found)} ioctl_*_nr! invocations found in kvm-ioctls: has its source changed shape?")
    # The scope: the arches kvm-ioctls' own cfgs name. (Its uncfg'd codes would select themselves on any arch.)
    named = named_target_arches(source)
    for name, target_arch in arches:
        if target_arch not in named:
            print(f"{name}: not compared: kvm-ioctls' source names target_arch {target_arch} in no cfg "
                  f"(it names: {', '.join(sorted(named))})")
    arches = [(name, target_arch) for name, target_arch in arches if target_arch in named]
    if not arches:
        sys.exit("FAILED: kvm-ioctls' source names none of the given arches in a cfg: nothing would be compared")
    body = []
    errors = []
    renamed_used = set()
    for name, target_arch in arches:
        crate = f"kvm_bindings_{name}"
        ioctls = root / f"kvm-bindings-{name}/src/ioctls.rs"
        if not ioctls.is_file():
            errors.append(f"{name}: no {ioctls}: the arch has no request codes to compare")
            continue
        ours = set(re.findall(r"pub const (\w+):", ioctls.read_text()))
        selected = [(m, a) for cfg, m, a in found if cfg is None or eval_cfg(cfg, target_arch)]
        if not selected:
            errors.append(f"{name}: kvm-ioctls defines no request code for target_arch {target_arch}")
        body.append(f"    // {name}: {len(selected)} request codes kvm-ioctls defines for target_arch {target_arch}.")
        # vmm-sys-util encodes request codes with the generic _IOC layout on every target; powerpc64 and mips64 use
        # another (_IOC_WRITE is 4 there, _IOC_SIZEBITS 13): said once, and every code compared by its fields.
        layout = " || ".join(f"{crate}::{c} as u64 != vmm_sys_util::ioctl::{c} as u64"
                             for c in ("_IOC_NONE", "_IOC_READ", "_IOC_WRITE", "_IOC_SIZEBITS", "_IOC_DIRSHIFT"))
        body.append(f"    if {layout} {{")
        body.append(f'        println!("{name}: vmm-sys-util\'s generic _IOC layout is not {name}\'s, so kvm-ioctls\' '
                    f'codes are wrong on its kernel; compared by read, write, type, number and size");')
        body.append("    }")
        body.append("    {")
        body.append(f"        use {crate}::*;")
        for macro, arguments in selected:
            code = arguments[0]
            body.append(f"        vmm_sys_util::{macro}!({', '.join(arguments)});")
            if code in ours:
                kernel_name = code
            elif RENAMED.get(code) in ours:
                kernel_name = RENAMED[code]
                renamed_used.add(code)
            else:
                errors.append(f"{name}: kvm-ioctls' {code} is not in {crate}::ioctls"
                              + (f" (nor is {RENAMED[code]}, its kernel name)" if code in RENAMED else
                                 " and scripts/kvm-ioctls-codes.py's RENAMED table names no kernel name for it"))
                continue
            body.append(f'        compare(&mut tally, "{name}", "{code}", "{kernel_name}", theirs({code}() as u64), '
                        f"ours!({crate}, {crate}::ioctls::{kernel_name}));")
        body.append("    }")
    for code in sorted(set(RENAMED) - renamed_used):
        errors.append(f"RENAMED names {code}, which no arch of kvm-ioctls needs: remove it")
    for error in errors:
        print(f"FAILED: {error}")
    if errors:
        sys.exit(1)
    dependencies = "\n".join(
        f'kvm-bindings-{name} = {{ path = "{root}/kvm-bindings-{name}" }}' for name, _ in arches)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "src").mkdir(exist_ok=True)
    (out_dir / "Cargo.toml").write_text(f"""[package]
name = "compare-kvm-ioctls-codes"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
vmm-sys-util = "0.15"
{dependencies}

[workspace]
""")
    (out_dir / "src/main.rs").write_text(f"""// @generated by scripts/kvm-ioctls-codes.py from kvm-ioctls' source.
#![allow(non_snake_case, unused_imports)]
use std::collections::BTreeMap;

/// A request code's fields, (read, write, type, number, size), as its layout defines them.
type Fields = (bool, bool, u64, u64, u64);

fn decode(code: u64, read: u64, write: u64, dirshift: u64, sizeshift: u64, sizemask: u64) -> Fields {{
    let dir = code >> dirshift;
    (dir & read != 0, dir & write != 0, (code >> 8) & 0xff, code & 0xff, (code >> sizeshift) & sizemask)
}}

/// kvm-ioctls' code, by vmm-sys-util's layout (the one its macros encode with).
fn theirs(code: u64) -> Fields {{
    use vmm_sys_util::ioctl::*;
    decode(code, _IOC_READ as u64, _IOC_WRITE as u64, _IOC_DIRSHIFT as u64, _IOC_SIZESHIFT as u64, _IOC_SIZEMASK as u64)
}}

/// Ours, by the arch's own layout (its crate's _IOC_* constants).
macro_rules! ours {{
    ($krate:ident, $code:expr) => {{
        decode($code as u64, $krate::_IOC_READ as u64, $krate::_IOC_WRITE as u64, $krate::_IOC_DIRSHIFT as u64,
            $krate::_IOC_SIZESHIFT as u64, $krate::_IOC_SIZEMASK as u64)
    }};
}}

fn compare(
    tally: &mut BTreeMap<&'static str, (usize, usize)>,
    arch: &'static str,
    code: &str,
    kernel_name: &str,
    theirs: Fields,
    ours: Fields,
) {{
    let entry = tally.entry(arch).or_default();
    if code != kernel_name {{
        let verdict = if theirs == ours {{ "same value" }} else {{ "DIFFERENT value" }};
        println!("{{arch}}: kvm-ioctls' {{code}} is the kernel's {{kernel_name}}: {{verdict}}");
    }}
    if theirs == ours {{
        entry.0 += 1;
    }} else {{
        entry.1 += 1;
        println!("DIFFERS {{arch}} {{code}}: kvm-ioctls (read, write, type, nr, size) {{theirs:?}}, ours ({{kernel_name}}) {{ours:?}}");
    }}
}}

fn main() -> std::process::ExitCode {{
    let mut tally = BTreeMap::new();
{chr(10).join(body)}
    let mut failed = 0;
    for arch in [{", ".join(f'"{name}"' for name, _ in arches)}] {{
        let (equal, differ) = tally.get(arch).copied().unwrap_or_default();
        println!("{{arch}}: {{}} request codes of kvm-ioctls compared: {{equal}} equal to ours, {{differ}} differ", equal + differ);
        // An arch with nothing compared is a failure: a check over nothing passes whatever the bindings.
        if equal + differ == 0 {{
            println!("FAILED: {{arch}}: no request code compared");
            failed += 1;
        }}
        failed += differ;
    }}
    if failed == 0 {{ std::process::ExitCode::SUCCESS }} else {{ std::process::ExitCode::FAILURE }}
}}
""")


if __name__ == "__main__":
    main()
