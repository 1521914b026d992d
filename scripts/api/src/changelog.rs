//! The bullets under `### Changed by Linux ...` in an arch crate's CHANGELOG: each states one difference from
//! kvm-bindings 0.14.2 exactly, then says in words why, naming the kernel header that caused it:
//!
//! ```text
//! - `kvm_device_type_KVM_DEV_TYPE_MAX` value: `15u32` → `17u32`. The enum's end moved: `include/uapi/...`
//! - `kvm_svm_nested_state_hdr.gpat` field added: `__u64`. `arch/x86/include/uapi/asm/kvm.h`: `__u64 gpat;` ...
//! - `__uint128_t` removed: `type_alias = u128`. ...
//! ```
//!
//! The path, the kind of change (see `diff::Change`) and the values are the key: a bullet excuses the one measured
//! difference with exactly that key, and nothing else.

use crate::diff::Change;

/// One bullet, as stated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bullet {
    pub line: usize,
    pub path: String,
    pub kind: Change,
    pub old: Option<String>,
    pub new: Option<String>,
    /// The whole bullet, continuation lines joined.
    pub text: String,
}

/// Every bullet of every `### Changed by Linux` section, and the problems found reading them.
pub fn read_bullets(changelog: &str) -> (Vec<Bullet>, Vec<String>) {
    let (mut bullets, mut problems) = (Vec::new(), Vec::new());
    let mut entries: Vec<(usize, String)> = Vec::new();
    let mut inside = false;
    for (n, line) in changelog.lines().enumerate() {
        if line.starts_with('#') {
            inside = line.starts_with("### Changed by Linux");
            continue;
        }
        if !inside {
            continue;
        }
        if line.starts_with("- ") || line.starts_with("* ") {
            entries.push((n + 1, line[2..].trim().to_string()));
        } else if line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            if let Some((_, text)) = entries.last_mut() {
                text.push(' ');
                text.push_str(line.trim());
            }
        }
    }
    for (line, text) in entries {
        match parse_bullet(&text) {
            Ok((path, kind, old, new, rest)) => {
                if !names_header(rest) {
                    problems.push(format!(
                        "line {line}: `{path}`: names no kernel header (`include/uapi/...h`)"
                    ));
                }
                bullets.push(Bullet {
                    line,
                    path,
                    kind,
                    old,
                    new,
                    text,
                });
            }
            Err(why) => problems.push(format!("line {line}: {why}: {text}")),
        }
    }
    (bullets, problems)
}

type Parsed<'a> = (String, Change, Option<String>, Option<String>, &'a str);

/// Reads `` `path` kind: `old` → `new` `` (or one value, per kind) off the front of a bullet.
fn parse_bullet(text: &str) -> Result<Parsed<'_>, String> {
    const FORM: &str = "not of the form `` `path` kind: `old` → `new` ``";
    let (path, rest) = backticked(text).ok_or(FORM)?;
    let rest = rest.trim_start();
    let kind = Change::ALL
        .into_iter()
        .filter(|k| rest.strip_prefix(k.word()).is_some_and(|r| r.starts_with(':')))
        .max_by_key(|k| k.word().len())
        .ok_or_else(|| {
            format!(
                "no kind of change after `{path}` (one of: {})",
                Change::ALL.map(|k| k.word()).join(", ")
            )
        })?;
    let rest = rest[kind.word().len() + 1..].trim_start();
    let (first, rest) = backticked(rest).ok_or(FORM)?;
    let (old, new, rest) = match (kind.has_old(), kind.has_new()) {
        (true, true) => {
            let rest = rest.trim_start().strip_prefix('→').ok_or(FORM)?;
            let (second, rest) = backticked(rest.trim_start()).ok_or(FORM)?;
            (Some(first), Some(second), rest)
        }
        (true, false) => (Some(first), None, rest),
        _ => (None, Some(first), rest),
    };
    Ok((path, kind, old, new, rest))
}

/// The text between the first two backticks at the start of `text`, and what follows.
fn backticked(text: &str) -> Option<(String, &str)> {
    let inner = text.strip_prefix('`')?;
    let end = inner.find('`')?;
    Some((inner[..end].to_string(), &inner[end + 1..]))
}

/// Whether the prose names a header file (`include/uapi/linux/kvm.h`, `asm/ptrace.h`).
fn names_header(text: &str) -> bool {
    text.split('`').skip(1).step_by(2).any(|quoted| {
        let file = quoted.trim_end_matches(':');
        file.ends_with(".h") && file.chars().all(|c| c.is_ascii_alphanumeric() || "./_-".contains(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_form() {
        let text = "## x\n### Changed by Linux 7.3\nWords.\n\n\
            - `A` value: `15u32` → `17u32`. `include/uapi/linux/kvm.h`: `X,`.\n\
            - `s.f` field added: `__u64`, at the end:\n  `asm/kvm.h`: `__u64 f;`.\n\
            - `T` removed: `type_alias = u128`. No header.\n\
            - `B` value `1`\n### Other\n- `C` value: `1` → `2`. `a.h`\n";
        let (bullets, problems) = read_bullets(text);
        assert_eq!(bullets.len(), 3);
        assert_eq!(
            (bullets[0].old.as_deref(), bullets[0].new.as_deref()),
            (Some("15u32"), Some("17u32"))
        );
        assert_eq!(
            (bullets[1].kind, bullets[1].new.as_deref()),
            (Change::FieldAdded, Some("__u64"))
        );
        assert_eq!(
            (bullets[2].kind, bullets[2].old.as_deref()),
            (Change::Removed, Some("type_alias = u128"))
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("`T`: names no kernel header"));
        assert!(problems[1].contains("no kind of change after `B`"));
    }
}
