#!/usr/bin/env python3
"""Writes a Rust program that compares kvm-ioctls' request codes with ours, for every arch of arches.tsv.

kvm-ioctls derives each request code with vmm-sys-util's `ioctl_*_nr!(NAME, KVMIO, NR[, TYPE])`, under
`#[cfg(target_arch = …)]`. This reads those invocations from its source (not its numbers: the numbers come from the
macros, evaluated by rustc), keeps for each arch the ones its cfg selects there, and writes a `main.rs` that expands
each invocation against that arch crate's types (an arm64 `kvm_vcpu_init` on this x86_64 host: the arch crates build
anywhere) and compares the result with `kvm_bindings_<arch>::ioctls::NAME`.

    kvm-ioctls-codes.py KVM_IOCTLS_SRC ROOT OUT_DIR
"""
import pathlib
import re
import sys

# Rust's target_arch for each arch name of arches.tsv (its rust triple's first part, `riscv64gc` being riscv64).
def rust_target_arch(triple):
    first = triple.split("-")[0]
    return "riscv64" if first.startswith("riscv64") else first


def read_arches(root):
    arches = []
    for line in (root / "arches.tsv").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            columns = line.split()
            arches.append((columns[0], rust_target_arch(columns[3])))
    return arches


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


def main():
    kvm_ioctls_src, root, out_dir = (pathlib.Path(p) for p in sys.argv[1:4])
    found = list(invocations((kvm_ioctls_src / "kvm_ioctls.rs").read_text()))
    if len(found) < 50:
        sys.exit(f"only {len(found)} ioctl_*_nr! invocations found in kvm-ioctls: has its source changed shape?")
    arches = read_arches(root)
    body = []
    for name, target_arch in arches:
        crate = f"kvm_bindings_{name}"
        ours = set(re.findall(r"pub const (\w+):", (root / f"kvm-bindings-{name}/src/ioctls.rs").read_text()))
        selected = [(m, a) for cfg, m, a in found if cfg is None or eval_cfg(cfg, target_arch)]
        body.append(f"    // {name}: {len(selected)} request codes kvm-ioctls defines for target_arch {target_arch}.")
        # vmm-sys-util encodes request codes with the generic _IOC layout on every target; powerpc64 and mips64 use
        # another (_IOC_WRITE is 4 there, _IOC_SIZEBITS 13), so kvm-ioctls' codes cannot be that arch's kernel's.
        # Compared only where the layouts agree; elsewhere the reason is printed.
        layout = " || ".join(f"{crate}::{c} as u64 != vmm_sys_util::ioctl::{c} as u64"
                             for c in ("_IOC_NONE", "_IOC_READ", "_IOC_WRITE", "_IOC_SIZEBITS", "_IOC_DIRSHIFT"))
        body.append(f"    if {layout} {{")
        body.append(f'        println!("{name}: not compared: vmm-sys-util\'s generic _IOC encoding is not {name}\'s '
                    f'(kvm-ioctls\' request codes would be wrong there)");')
        body.append("    } else {")
        body.append(f"        use {crate}::*;")
        for macro, arguments in selected:
            code = arguments[0]
            body.append(f"        vmm_sys_util::{macro}!({', '.join(arguments)});")
            if code in ours:
                body.append(f'        compare(&mut tally, "{name}", "{code}", {code}() as u64, '
                            f"{crate}::ioctls::{code} as u64);")
            else:
                # kvm-ioctls may name a code otherwise than the kernel (KVM_SET_MSR_FILTER for the kernel's
                # KVM_X86_SET_MSR_FILTER): then ours must have its number under the kernel's name.
                table = ", ".join(f'("{c}", {crate}::ioctls::{c} as u64)' for c in sorted(ours))
                body.append(f'        find_by_value(&mut tally, &mut missing, "{name}", "{code}", {code}() as u64, '
                            f"&[{table}]);")
        body.append("    }")
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

fn compare(tally: &mut BTreeMap<&'static str, (usize, usize)>, arch: &'static str, code: &str, theirs: u64, ours: u64) {{
    let entry = tally.entry(arch).or_default();
    if theirs == ours {{
        entry.0 += 1;
    }} else {{
        entry.1 += 1;
        println!("DIFFERS {{arch}} {{code}}: kvm-ioctls {{theirs:#x}}, ours {{ours:#x}}");
    }}
}}

fn find_by_value(
    tally: &mut BTreeMap<&'static str, (usize, usize)>,
    missing: &mut Vec<String>,
    arch: &'static str,
    code: &str,
    theirs: u64,
    ours: &[(&str, u64)],
) {{
    match ours.iter().find(|(_, value)| *value == theirs) {{
        Some((name, _)) => {{
            println!("{{arch}}: kvm-ioctls' {{code}} is the kernel's {{name}} ({{theirs:#x}})");
            tally.entry(arch).or_default().0 += 1;
        }}
        None => missing.push(format!("{{arch}}: {{code}} ({{theirs:#x}})")),
    }}
}}

fn main() -> std::process::ExitCode {{
    let mut tally = BTreeMap::new();
    let mut missing: Vec<String> = Vec::new();
{chr(10).join(body)}
    for line in &missing {{
        println!("MISSING from our ioctls: {{line}}");
    }}
    let mut failed = missing.len();
    for (arch, (equal, differ)) in &tally {{
        println!("{{arch}}: {{}} request codes of kvm-ioctls compared: {{equal}} equal to ours, {{differ}} differ", equal + differ);
        failed += differ;
    }}
    println!("{{}} missing from ours", missing.len());
    if failed == 0 {{ std::process::ExitCode::SUCCESS }} else {{ std::process::ExitCode::FAILURE }}
}}
""")


if __name__ == "__main__":
    main()
