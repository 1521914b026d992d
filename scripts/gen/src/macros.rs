//! The object-like macros the KVM headers define, read from their text: bindgen evaluates macros to values but
//! forgets how they were written, and how a macro is written is what marks an ioctl request code (`_IOR(…)`).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::comments::strip_comment_markers;

/// The headers whose macros are the KVM API (the others, like `linux/ioctl.h`, are what they are built from).
pub const KVM_HEADERS: &[&str] = &["linux/kvm.h", "asm/kvm.h"];

/// An ioctl request code: a macro written as `_IO(…)`, `_IOR(…)`, `_IOW(…)` or `_IOWR(…)`, or as another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestCode {
    /// The definition as the header writes it, whitespace collapsed: `_IOR(KVMIO, 0x81, struct kvm_regs)`.
    pub definition: String,
    /// `_IO`, `_IOR`, `_IOW` or `_IOWR`.
    pub kind: String,
    /// The argument type, as C spells it (`struct kvm_regs`, `__u32`); `None` for `_IO`.
    pub argument: Option<String>,
    /// The header that defines it (`linux/kvm.h` or `asm/kvm.h`).
    pub header: &'static str,
    /// The request code it is an alias of, if written as one (`#define KVM_A KVM_B`).
    pub alias_of: Option<String>,
}

/// One `#define`: the header it is in and its body, comments removed and whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub header: &'static str,
    pub body: String,
}

/// Removes `/* … */` and `// …` comments (the headers use both; neither nests).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                // Keep line structure, so `#define` lines stay lines.
                let end = rest[b..].find("*/").map_or(rest.len(), |e| b + e + 2);
                out.extend(rest[b..end].chars().filter(|c| *c == '\n'));
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                let end = rest[l..].find('\n').map_or(rest.len(), |e| l + e);
                rest = &rest[end..];
            }
            (None, None) => {
                out.push_str(rest);
                return out;
            }
            _ => unreachable!("covered by the arms above"),
        }
    }
}

/// The object-like macro definitions in one header's text, by name (function-like macros are left out: they take
/// arguments, so they are no constant).
pub fn object_like_definitions(text: &str, header: &'static str) -> BTreeMap<String, Definition> {
    let text = strip_comments(text).replace("\\\n", " ");
    let mut definitions = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix("define") else {
            continue;
        };
        if !rest.starts_with([' ', '\t']) {
            continue;
        }
        let rest = rest.trim_start();
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (name, body) = rest.split_at(name_end);
        if name.is_empty() || body.starts_with('(') {
            continue;
        }
        let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
        definitions.insert(name.to_string(), Definition { header, body });
    }
    definitions
}

/// Every object-like macro of [`KVM_HEADERS`] in the installed `headers`.
pub fn read_kvm_definitions(headers: &Path) -> Result<BTreeMap<String, Definition>, String> {
    let mut all = BTreeMap::new();
    for header in KVM_HEADERS {
        let path = headers.join(header);
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        all.extend(object_like_definitions(&text, header));
    }
    Ok(all)
}

/// The comment each object-like macro carries, by name: the one on its own line(s) (after the definition), and the
/// one that ends on the line just above it; markers stripped (see `comments::strip_comment_markers`). A comment
/// further up, above a blank line, or above a run of definitions heads a group rather than one, and is left out.
pub fn macro_comments(text: &str) -> BTreeMap<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut comments = BTreeMap::new();
    // The comment that ended on the previous line, if that line held nothing else.
    let mut above: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if line.starts_with("/*") {
            let mut comment = String::new();
            while i < lines.len() {
                comment.push_str(lines[i].trim());
                comment.push('\n');
                if lines[i].contains("*/") {
                    break;
                }
                i += 1;
            }
            let ends_line = lines.get(i).is_some_and(|l| l.trim_end().ends_with("*/"));
            above = ends_line.then(|| comment.trim_end().to_string());
            i += 1;
            continue;
        }
        if line.starts_with("//") {
            let previous = above.take().filter(|a| a.starts_with("//")).unwrap_or_default();
            above = Some(format!("{previous}{line}\n").trim_start().to_string());
            i += 1;
            continue;
        }
        // A definition, continuation lines included.
        let mut definition = lines[i].to_string();
        while definition.trim_end().ends_with('\\') && i + 1 < lines.len() {
            i += 1;
            definition.push('\n');
            definition.push_str(lines[i]);
        }
        let named = object_like_definitions(&definition, "").into_keys().next();
        if let Some(name) = named {
            let trailing = definition
                .find("/*")
                .map(|at| definition[at..].to_string())
                .filter(|c| c.contains("*/"))
                .map(|c| c[..c.find("*/").expect("checked") + 2].to_string())
                .or_else(|| definition.find("//").map(|at| definition[at..].to_string()));
            // A comment right above a run of definitions heads the group (`/* ioctls for vcpu fds */` above
            // `KVM_RUN` and the rest): it is no more the first one's documentation than the others'.
            let heads_a_group = lines
                .get(i + 1)
                .is_some_and(|next| next.trim_start().starts_with("#define"));
            let above = above.take().filter(|_| !heads_a_group);
            let pieces: Vec<String> = [above, trailing]
                .into_iter()
                .flatten()
                .map(|raw| strip_comment_markers(&raw).trim_matches('\n').to_string())
                .filter(|text| !text.trim().is_empty())
                .collect();
            let comment = (!pieces.is_empty()).then(|| pieces.join("\n\n"));
            if let Some(comment) = comment {
                comments.insert(name, comment);
            }
        }
        above = None;
        i += 1;
    }
    comments
}

/// The comments of every object-like macro of [`KVM_HEADERS`] in the installed `headers` (see [`macro_comments`]).
pub fn read_kvm_macro_comments(headers: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut all = BTreeMap::new();
    for header in KVM_HEADERS {
        let path = headers.join(header);
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        all.extend(macro_comments(&text));
    }
    Ok(all)
}

/// `_IOR(KVMIO, 0x81, struct kvm_regs)` as (kind, argument type).
fn parse_request_macro(body: &str) -> Option<(String, Option<String>)> {
    let (kind, arguments) = body.split_once('(')?;
    let kind = kind.trim();
    if !matches!(kind, "_IO" | "_IOR" | "_IOW" | "_IOWR") {
        return None;
    }
    let arguments = arguments.trim_end().strip_suffix(')')?;
    let parts: Vec<&str> = arguments.split(',').map(str::trim).collect();
    let argument = match (kind, parts.as_slice()) {
        ("_IO", [_, _]) => None,
        (_, [_, _, argument]) => Some(argument.to_string()),
        _ => return None,
    };
    Some((kind.to_string(), argument))
}

/// The request codes among `definitions`, aliases resolved to the code they name.
pub fn request_codes(definitions: &BTreeMap<String, Definition>) -> BTreeMap<String, RequestCode> {
    let mut codes: BTreeMap<String, RequestCode> = definitions
        .iter()
        .filter_map(|(name, definition)| {
            let (kind, argument) = parse_request_macro(&definition.body)?;
            Some((
                name.clone(),
                RequestCode {
                    definition: definition.body.clone(),
                    kind,
                    argument,
                    header: definition.header,
                    alias_of: None,
                },
            ))
        })
        .collect();
    // Aliases of aliases resolve in as many rounds as the chain is long; the headers have none longer than one.
    loop {
        let aliases: Vec<(String, RequestCode)> = definitions
            .iter()
            .filter(|(name, _)| !codes.contains_key(*name))
            .filter_map(|(name, definition)| {
                let target = codes.get(definition.body.trim_matches(|c| c == '(' || c == ')'))?;
                let alias_of = target.alias_of.clone().unwrap_or_else(|| definition.body.clone());
                Some((
                    name.clone(),
                    RequestCode {
                        header: definition.header,
                        alias_of: Some(alias_of),
                        ..target.clone()
                    },
                ))
            })
            .collect();
        if aliases.is_empty() {
            return codes;
        }
        codes.extend(aliases);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "\
/* SPDX */
#define KVMIO 0xAE
#define KVM_GET_REGS              _IOR(KVMIO,  0x81, struct kvm_regs) /* out */
#define KVM_REGISTER_COALESCED_MMIO \\
\t\t\t_IOW(KVMIO,  0x67, struct kvm_coalesced_mmio_zone)
#define KVM_CREATE_VCPU           _IO(KVMIO,   0x41)
#define KVM_OLD_NAME KVM_GET_REGS
#define KVM_FLAG(n) (1 << (n))
// #define KVM_COMMENTED _IO(KVMIO, 1)
#define KVM_X2APIC_API_USE_32BIT_IDS _BITULL(0)
";

    #[test]
    fn reads_object_like_macros_across_continuations_and_comments() {
        let definitions = object_like_definitions(HEADER, "linux/kvm.h");
        let names: Vec<&str> = definitions.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "KVMIO",
                "KVM_CREATE_VCPU",
                "KVM_GET_REGS",
                "KVM_OLD_NAME",
                "KVM_REGISTER_COALESCED_MMIO",
                "KVM_X2APIC_API_USE_32BIT_IDS"
            ]
        );
        assert_eq!(
            definitions["KVM_REGISTER_COALESCED_MMIO"].body,
            "_IOW(KVMIO, 0x67, struct kvm_coalesced_mmio_zone)"
        );
    }

    #[test]
    fn comments_on_and_just_above_a_definition() {
        let text = "\
/* heads a group */

#define KVM_A 1
/* for KVM_B */
#define KVM_B 2 /* and more */
#define KVM_C(n) (n) /* function-like */
/*
 * Two
 * lines.
 */
#define KVM_D \\
\t3 /* on the continuation */
// line comment
#define KVM_E 5

/* ioctls for vcpu fds */
#define KVM_RUN _IO(KVMIO, 0x80)
#define KVM_GET_REGS _IOR(KVMIO, 0x81, struct kvm_regs)
";
        let comments = macro_comments(text);
        assert_eq!(comments.get("KVM_RUN"), None, "a heading is nobody's documentation");
        assert_eq!(comments.get("KVM_GET_REGS"), None);
        assert_eq!(comments.get("KVM_A"), None);
        // KVM_C follows without a blank line: the comment above heads both.
        assert_eq!(comments["KVM_B"], "and more");
        assert_eq!(comments.get("KVM_C"), None);
        assert_eq!(comments["KVM_D"], " Two\n lines.\n\non the continuation");
        assert_eq!(comments["KVM_E"], " line comment");
    }

    #[test]
    fn classifies_request_codes_and_their_aliases() {
        let codes = request_codes(&object_like_definitions(HEADER, "asm/kvm.h"));
        assert_eq!(
            codes.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "KVM_CREATE_VCPU",
                "KVM_GET_REGS",
                "KVM_OLD_NAME",
                "KVM_REGISTER_COALESCED_MMIO"
            ]
        );
        let regs = &codes["KVM_GET_REGS"];
        assert_eq!(
            (regs.kind.as_str(), regs.argument.as_deref()),
            ("_IOR", Some("struct kvm_regs"))
        );
        assert_eq!(codes["KVM_CREATE_VCPU"].argument, None);
        assert_eq!(codes["KVM_OLD_NAME"].alias_of.as_deref(), Some("KVM_GET_REGS"));
        assert_eq!(codes["KVM_OLD_NAME"].argument.as_deref(), Some("struct kvm_regs"));
    }
}
