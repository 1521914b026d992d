//! Proves that one architecture's public API of kvm-bindings 0.14.2 exists in ours, item by item, from the rustdoc
//! JSON of both (read with rustdoc-types), and that every difference is the one a CHANGELOG bullet states.
//!
//! ```text
//! api-check compare --arch A --changelog CHANGELOG.md --baseline 0142.json --ours OURS.json [--label TEXT]
//! api-check self-test --baseline 0142.json --ours OURS.json
//! api-check new-root-constants --baseline 0142.json --ours OURS.json
//! api-check flatten --facade FACADE.json --out OUT.json
//! api-check semver-verdict --crate NAME --version V --baseline-version V --majors N --baseline release|recorded
//! ```
//!
//! `compare` exits 1 when a difference has no bullet stating it exactly, a bullet states other values than those
//! measured, or a bullet states no difference (stale); `self-test` breaks ours in memory and exits 1 unless each
//! break is reported; `new-root-constants` prints the constants at our crate root that 0.14.2's root lacks, one
//! per line; `flatten` merges the facade's JSON with the crates it re-exports, for cargo-semver-checks (see
//! `flatten`); `semver-verdict` exits 1 unless the version agrees with N semver-major findings (see `version`).
//! Bad input exits 2 with one line saying what is wrong.

mod changelog;
mod describe;
mod diff;
mod excuse;
mod flatten;
mod render;
mod version;
mod world;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use rustdoc_types::{ItemEnum, StructKind, Type};

use crate::diff::{Change, Comparison, compare};
use crate::world::{Target, World};

/// The command line, parsed.
struct Args {
    command: String,
    options: HashMap<String, String>,
}

impl Args {
    fn parse() -> Result<Args, String> {
        let mut argv = std::env::args().skip(1);
        let command = argv
            .next()
            .ok_or("usage: api-check compare|self-test|new-root-constants|flatten|semver-verdict --option VALUE ...")?;
        let mut options = HashMap::new();
        while let Some(flag) = argv.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument `{flag}`"))?;
            let value = argv.next().ok_or_else(|| format!("{flag} needs a value"))?;
            options.insert(name.to_string(), value);
        }
        Ok(Args { command, options })
    }

    fn get(&self, name: &str) -> Result<&str, String> {
        self.options
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("{}: --{name} is required", self.command))
    }

    fn world(&self, name: &str) -> Result<World, String> {
        World::load(&PathBuf::from(self.get(name)?))
    }
}

fn main() -> ExitCode {
    let run = || -> Result<bool, String> {
        let args = Args::parse()?;
        match args.command.as_str() {
            "compare" => run_compare(&args),
            "self-test" => run_self_test(&args.world("baseline")?, &mut args.world("ours")?),
            "new-root-constants" => {
                print_new_root_constants(&args.world("baseline")?, &args.world("ours")?);
                Ok(true)
            }
            "flatten" => {
                flatten::flatten(&PathBuf::from(args.get("facade")?), &PathBuf::from(args.get("out")?))?;
                Ok(true)
            }
            "semver-verdict" => run_semver_verdict(&args),
            other => Err(format!("unknown command `{other}`")),
        }
    };
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("api-check: {message}");
            ExitCode::from(2)
        }
    }
}

fn run_compare(args: &Args) -> Result<bool, String> {
    let (arch, changelog_path) = (args.get("arch")?, args.get("changelog")?);
    let (base, ours) = (args.world("baseline")?, args.world("ours")?);
    let label = args
        .options
        .get("label")
        .cloned()
        .unwrap_or_else(|| ours.docs[0].name.clone());
    let text = std::fs::read_to_string(changelog_path).map_err(|e| format!("{changelog_path}: {e}"))?;
    let (bullets, problems) = changelog::read_bullets(&text);
    let c = compare(&base, &ours);
    let v = excuse::judge(&c.differences, &bullets);

    let at = |line: usize| format!("{changelog_path}:{line}");
    let also = |d: &diff::Difference| {
        if d.also.is_empty() {
            String::new()
        } else {
            format!(" (also {})", d.also.join(", "))
        }
    };
    section(
        &format!("DIFFERENT from 0.14.2, no bullet in {changelog_path} states it (add one, with its header)"),
        v.unexcused.iter().map(|d| format!("- {d}.{}", also(d))),
    );
    section(
        "WRONG bullets: their path and kind differ from 0.14.2, but not with the values they state",
        v.wrong.iter().map(|(b, near)| {
            let measured: Vec<String> = near.iter().map(|d| d.to_string()).collect();
            format!(
                "{}: states `{}` {} {}; measured {}",
                at(b.line),
                b.path,
                b.kind.word(),
                stated(b),
                measured.join("; ")
            )
        }),
    );
    section(
        "STALE bullets: no such difference from 0.14.2 (remove them)",
        v.stale
            .iter()
            .map(|b| format!("{}: `{}` {}: {}", at(b.line), b.path, b.kind.word(), stated(b))),
    );
    section(
        "DUPLICATE bullets",
        v.duplicate.iter().map(|b| format!("{}: `{}`", at(b.line), b.path)),
    );
    section(&format!("PROBLEMS in {changelog_path}"), problems.iter().cloned());
    section(
        &format!("changed by the kernel (stated in {changelog_path})"),
        v.excused
            .iter()
            .map(|(d, b)| format!("{d}{}  [line {}]", also(d), b.line)),
    );

    let nothing = c.base_paths.is_empty() || c.fields == 0;
    println!("{}", summary(arch, &label, &c, &v));
    if nothing {
        println!("{arch}: FAILED: the comparison found no paths or no fields of 0.14.2: it compared nothing");
    }
    Ok(v.ok() && problems.is_empty() && !nothing)
}

fn run_semver_verdict(args: &Args) -> Result<bool, String> {
    let kind = match args.get("baseline")? {
        "release" => version::Baseline::Release,
        "recorded" => version::Baseline::Recorded,
        other => return Err(format!("--baseline is release or recorded, not `{other}`")),
    };
    let majors = args
        .get("majors")?
        .parse()
        .map_err(|_| "--majors takes a number".to_string())?;
    let base = version::Version::parse(args.get("baseline-version")?)?;
    let current = version::Version::parse(args.get("version")?)?;
    match version::judge(args.get("crate")?, base, current, majors, kind) {
        Ok(line) => {
            println!("semver verdict: {line}");
            Ok(true)
        }
        Err(line) => {
            println!("semver verdict: FAILED: {line}");
            Ok(false)
        }
    }
}

/// A bullet's stated values, as written.
fn stated(b: &changelog::Bullet) -> String {
    match (&b.old, &b.new) {
        (Some(old), Some(new)) => format!("`{old}` → `{new}`"),
        (Some(one), None) | (None, Some(one)) => format!("`{one}`"),
        (None, None) => String::new(),
    }
}

fn section(title: &str, rows: impl Iterator<Item = String>) {
    let rows: Vec<String> = rows.collect();
    if !rows.is_empty() {
        println!("{title}:");
        rows.iter().for_each(|r| println!("  {r}"));
    }
}

/// The one line scripts/check-api collects per comparison.
fn summary(arch: &str, label: &str, c: &Comparison, v: &excuse::Verdict) -> String {
    let ours_only = c.our_paths.keys().filter(|p| !c.base_paths.contains_key(*p)).count();
    format!(
        "{arch}: {} paths ({} items; {} fields, {} trait impls, {} methods and variants) of kvm-bindings 0.14.2 \
         compared with {label}: {} present, {} missing; {} differences, {} stated exactly by a CHANGELOG bullet, \
         {} not; {} wrong, {} stale bullets; {ours_only} paths only in ours",
        c.base_paths.len(),
        c.items,
        c.fields,
        c.impls,
        c.members,
        c.base_paths.len() - c.missing,
        c.missing,
        c.differences.len(),
        v.excused.len(),
        v.unexcused.len(),
        v.wrong.len(),
        v.stale.len() + v.duplicate.len(),
    )
}

/// Constants at our crate root whose name 0.14.2's root does not have.
fn print_new_root_constants(base: &World, ours: &World) {
    let base_root = base.exports(&Target::Local(0, base.docs[0].krate.root));
    for (name, target) in ours.exports(&Target::Local(0, ours.docs[0].krate.root)) {
        if ours.kind(&target) == "constant" && !base_root.contains_key(&name) {
            println!("{name}");
        }
    }
}

/// Breaks ours in memory in the ways this tool exists to catch -- a constant's value, a field's type, a derived
/// trait, an item's kind -- and fails unless each is reported. Guards against a comparison that silently compares
/// nothing (a rustdoc JSON change that renders every type as the same text, say).
fn run_self_test(base: &World, ours: &mut World) -> Result<bool, String> {
    let before = compare(base, ours);
    let differs = |c: &Comparison, path: &str, kind: Change| {
        c.differences
            .iter()
            .any(|d| d.kind == kind && (d.path == path || d.also.iter().any(|p| p == path)))
    };
    let mut picks: Vec<(String, Change)> = Vec::new();
    let candidates: Vec<(String, usize, rustdoc_types::Id)> = before
        .our_paths
        .iter()
        .filter(|(p, _)| !p.contains("::") && before.base_paths.contains_key(*p))
        .filter_map(|(p, t)| match t {
            Target::Local(k, id) => Some((p.clone(), *k, *id)),
            Target::Extern(_) => None,
        })
        .collect();
    let has = |picks: &[(String, Change)], kind: Change| picks.iter().any(|(_, k)| *k == kind);
    for (path, k, id) in candidates {
        let doc = &mut ours.docs[k];
        let Some(item) = doc.krate.index.get(&id) else { continue };
        match &item.inner {
            ItemEnum::Constant { .. } if !has(&picks, Change::Value) && !differs(&before, &path, Change::Value) => {
                if let Some(ItemEnum::Constant { const_, .. }) = doc.krate.index.get_mut(&id).map(|i| &mut i.inner) {
                    const_.value = Some("123456789".into());
                    const_.expr = "123456789".into();
                }
                picks.push((path, Change::Value));
            }
            ItemEnum::Struct(s) if !has(&picks, Change::Type) => {
                let StructKind::Plain { fields, .. } = &s.kind else {
                    continue;
                };
                let Some(field_id) = fields.first().copied() else {
                    continue;
                };
                let field = doc.krate.index.get_mut(&field_id).ok_or("a field without an item")?;
                field.inner = ItemEnum::StructField(Type::Primitive("f32".into()));
                picks.push((
                    format!("{path}.{}", field.name.clone().unwrap_or_default()),
                    Change::Type,
                ));
            }
            ItemEnum::Struct(s) if !has(&picks, Change::ImplRemoved) => {
                let debug = s.impls.iter().copied().find(|i| {
                    matches!(doc.item(*i).map(|x| &x.inner), Some(ItemEnum::Impl(imp))
                        if imp.trait_.as_ref().is_some_and(|t| t.path.ends_with("Debug")))
                });
                let Some(debug) = debug else { continue };
                if let Some(ItemEnum::Struct(s)) = doc.krate.index.get_mut(&id).map(|i| &mut i.inner) {
                    s.impls.retain(|i| *i != debug);
                }
                picks.push((path, Change::ImplRemoved));
            }
            ItemEnum::TypeAlias(alias) if !has(&picks, Change::Kind) => {
                let type_ = alias.type_.clone();
                let const_ = rustdoc_types::Constant {
                    expr: "0".into(),
                    value: Some("0".into()),
                    is_literal: true,
                };
                doc.krate.index.get_mut(&id).ok_or("an item vanished")?.inner = ItemEnum::Constant { type_, const_ };
                picks.push((path, Change::Kind));
            }
            _ => {}
        }
    }
    ours.forget_exports();
    let after = compare(base, ours);
    let caught: Vec<&(String, Change)> = picks
        .iter()
        .filter(|(p, k)| differs(&after, p, *k) && !differs(&before, p, *k))
        .collect();
    if picks.len() != 4 || caught.len() != 4 {
        println!("SELF-TEST FAILED: broke {picks:?} in ours; reported: {caught:?}");
        return Ok(false);
    }
    println!("self-test: a changed constant, field type, derived trait and item kind in ours are each reported");
    Ok(true)
}
