//! The layout check: rustc's layout of every C struct and union in an arch crate (printed by `scripts/layout`),
//! asserted against the arch's own gcc with `_Static_assert`, compiled `-fsyntax-only` against the same installed
//! headers; then, with the same program, gcc and headers, the constants check ([`constants`]). Nothing is executed
//! for the target, so one x86_64 machine checks every architecture.

mod census;
mod constants;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::arch::Arch;
use crate::kernel::{self, KernelTree};
use crate::process::{output_of, run_checked};
use crate::{baseline, root_constants};

/// What one arch's check covered.
#[derive(Debug, Default)]
struct Coverage {
    /// Named structs and unions, by size and alignment.
    named: usize,
    /// Anonymous (`__bindgen_ty_N`) structs and unions, by size and alignment through the member of that type.
    anonymous: BTreeSet<String>,
    offsets: usize,
    /// Members checked by size.
    sizes: usize,
    /// Structs and unions in the bindings: (structs, unions).
    total: (usize, usize),
}

/// The tags (`struct NAME {` / `union NAME {`) the installed headers define, so a type bindgen named after a
/// `typedef struct { … } NAME` is spelled without the keyword.
fn defined_tags(headers: &Path) -> Result<BTreeSet<String>, String> {
    let mut tags = BTreeSet::new();
    let mut pending = vec![headers.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))? {
            let path = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let text = fs::read_to_string(&path).unwrap_or_default();
            let words: Vec<&str> = text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '{'))
                .collect();
            for pair in words.windows(3) {
                let tag_follows = matches!(pair[0], "struct" | "union");
                let (name, opens) = match pair[1].strip_suffix('{') {
                    Some(name) => (name, true),
                    None => (pair[1], pair[2].starts_with('{')),
                };
                if tag_follows && opens && !name.is_empty() {
                    tags.insert(format!("{} {name}", pair[0]));
                }
            }
        }
    }
    Ok(tags)
}

/// The C spelling of a struct declared inside another with a tag of its own: bindgen names loongarch's
/// `struct kvm_fpu { …; struct kvm_fpureg { … } fpr[32]; }` inner type `kvm_fpu_kvm_fpureg`, C `struct kvm_fpureg`.
fn nested_tag(kind: &str, name: &str, tags: &BTreeSet<String>) -> Option<String> {
    tags.iter()
        .filter_map(|tag| tag.strip_prefix(&format!("{kind} ")))
        .find(|inner| {
            name.strip_suffix(*inner)
                .and_then(|outer| outer.strip_suffix('_'))
                .is_some_and(|outer| {
                    tags.contains(&format!("struct {outer}")) || tags.contains(&format!("union {outer}"))
                })
        })
        .map(|inner| format!("{kind} {inner}"))
}

/// Turns the layout program's table into C `_Static_assert`s.
fn assertions(table: &str, tags: &BTreeSet<String>) -> Result<(String, Coverage), String> {
    let mut c = String::from("#include <linux/kvm.h>\n\n");
    let mut coverage = Coverage::default();
    let mut spelled = std::collections::BTreeMap::new();
    for line in table.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["type", kind, name, size, align] => {
                let tagged = format!("{kind} {name}");
                let spelling = if tags.contains(&tagged) {
                    tagged
                } else if let Some(nested) = nested_tag(kind, name, tags) {
                    nested
                } else {
                    name.to_string()
                };
                writeln!(c, "_Static_assert(sizeof({spelling}) == {size}, \"{name}: size\");").unwrap();
                writeln!(
                    c,
                    "_Static_assert(_Alignof({spelling}) == {align}, \"{name}: alignment\");"
                )
                .unwrap();
                coverage.named += 1;
                spelled.insert(name.to_string(), spelling);
            }
            ["offset", name, path, offset] => {
                let ty = spelled
                    .get(*name)
                    .ok_or_else(|| format!("offset before type: {line}"))?;
                writeln!(
                    c,
                    "_Static_assert(__builtin_offsetof({ty}, {path}) == {offset}, \"{name}.{path}: offset\");"
                )
                .unwrap();
                coverage.offsets += 1;
            }
            ["member", name, path, size, align, anonymous] => {
                let ty = spelled
                    .get(*name)
                    .ok_or_else(|| format!("member before type: {line}"))?;
                let member = format!("((({ty} *)0)->{path})");
                writeln!(c, "_Static_assert(sizeof{member} == {size}, \"{name}.{path}: size\");").unwrap();
                coverage.sizes += 1;
                if *anonymous != "-" {
                    writeln!(
                        c,
                        "_Static_assert(__alignof__{member} == {align}, \"{name}.{path}: alignment\");"
                    )
                    .unwrap();
                    coverage.anonymous.insert(anonymous.to_string());
                }
            }
            ["total", structs, unions] => {
                let count = |n: &str| n.parse::<usize>().map_err(|e| format!("bad count in {line}: {e}"));
                coverage.total = (count(structs)?, count(unions)?);
            }
            _ => return Err(format!("unexpected line from the layout program: {line}")),
        }
    }
    Ok((c, coverage))
}

/// Builds the layout program once; returns its path.
fn build_layout_program(root: &Path) -> Result<PathBuf, String> {
    let manifest = root.join("scripts/layout/Cargo.toml");
    run_checked(
        Command::new("cargo")
            .args(["build", "--quiet", "--release", "--locked", "--manifest-path"])
            .arg(&manifest),
    )?;
    Ok(root.join("scripts/layout/target/release/kvm-bindings-layout"))
}

/// Checks every arch's layouts and constants against its gcc. Returns whether all matched.
pub fn check_layouts(root: &Path, tree: &KernelTree, arches: &[&'static Arch]) -> Result<bool, String> {
    let program = build_layout_program(root)?;
    let baseline_dir = baseline::fetch_baseline(root)?;
    let scratch = kernel::scratch_dir("layout");
    let result = (|| {
        // The installed headers may all come from the cache, which leaves the scratch directory uncreated.
        fs::create_dir_all(&scratch).map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
        let headers = kernel::install_all_headers(tree, arches, &scratch)?;
        let mut clean = true;
        for (arch, headers) in arches.iter().zip(&headers) {
            let output = output_of(Command::new(&program).arg(arch.name))?;
            let (constant_lines, layout_lines): (Vec<&str>, Vec<&str>) = output
                .lines()
                .partition(|line| line.starts_with("const ") || line.starts_with("call "));
            let (c, coverage) = assertions(&layout_lines.join("\n"), &defined_tags(headers)?)?;
            // The printer must have reached every item the crate defines.
            let defines = census::count_generated_items(&root.join(&arch.crate_dir))?;
            let printed = census::Census {
                structs: coverage.total.0,
                unions: coverage.total.1,
                constants: constant_lines.iter().filter(|line| line.starts_with("const ")).count(),
            };
            let shortfalls = census::shortfalls(arch.name, &defines, &printed);
            for shortfall in &shortfalls {
                println!("{shortfall}");
            }
            clean &= shortfalls.is_empty();
            if shortfalls.is_empty() {
                println!(
                    "{}: the layout program covered all {} structs, {} unions and {} constants the crate's generated \
                 files define",
                    arch.name, defines.structs, defines.unions, defines.constants
                );
            }
            let source = scratch.join(format!("layout-{}.c", arch.name));
            fs::write(&source, c).map_err(|e| format!("cannot write {}: {e}", source.display()))?;
            let mut gcc = Command::new(arch.gcc);
            gcc.args(&arch.gcc_args)
                .args(["-fsyntax-only", "-std=gnu11", "-nostdinc", "-Wall"])
                .arg("-I")
                .arg(headers)
                .arg(&source);
            let matched = run_checked(&mut gcc).is_ok();
            let (structs, unions) = coverage.total;
            println!(
                "{}: {} of the {} structs and unions ({structs} structs, {unions} unions) checked by size and \
                 alignment ({} named, {} anonymous through their member; the other {} have no C name: anonymous \
                 members, checked through the offsets and sizes of their promoted fields, and their wrappers), {} \
                 field offsets, {} field sizes, with {}: {}",
                arch.name,
                coverage.named + coverage.anonymous.len(),
                structs + unions,
                coverage.named,
                coverage.anonymous.len(),
                structs + unions - coverage.named - coverage.anonymous.len(),
                coverage.offsets,
                coverage.sizes,
                [arch.gcc]
                    .iter()
                    .chain(&arch.gcc_args)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" "),
                if matched {
                    "all match"
                } else {
                    "MISMATCH (gcc's errors above)"
                }
            );
            clean &= matched;
            // Where each constant belongs depends on which macros bindgen evaluates without clang's help, and on
            // which names kvm-bindings 0.14.2 has at its root.
            let mut at_root = root_constants::bindgen_own_constants(arch, headers)?;
            at_root.extend(baseline::baseline_root_constants(&baseline_dir, arch)?);
            clean &= constants::check(
                arch.name,
                arch.gcc,
                &arch.gcc_args,
                headers,
                &scratch,
                &constant_lines,
                &at_root,
            )?;
        }
        Ok(clean)
    })();
    let _ = fs::remove_dir_all(&scratch);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nested_struct_is_spelled_by_its_own_tag() {
        let tags: BTreeSet<String> = ["struct kvm_fpu", "struct kvm_fpureg"].map(String::from).into();
        assert_eq!(
            nested_tag("struct", "kvm_fpu_kvm_fpureg", &tags).as_deref(),
            Some("struct kvm_fpureg")
        );
        // Without the outer tag, a name that merely ends like a tag is not one.
        let lone: BTreeSet<String> = ["struct kvm_fpureg"].map(String::from).into();
        assert_eq!(nested_tag("struct", "my_kvm_fpureg", &lone), None);
    }
}
