//! The uapi headers' own comments, made into rustdoc: bindgen hands over the comments clang attaches to structs,
//! unions and fields (with `-fparse-all-comments`, ordinary `/* … */` comments too), `macros` those on `#define`s.
//! They are C comments written for C readers: text with `[0]`, `<linux/x.h>`, `*` and `__u64` in it, and now and
//! then a struct or a diagram. Markdown would read the first as links, HTML and emphasis (and `RUSTDOCFLAGS=-D
//! warnings` fails on broken links and unclosed tags), and a C fragment as a doctest to compile. So prose is escaped
//! and anything laid out (code, tables, diagrams) goes into a ```` ```text ```` block, which rustdoc shows verbatim and
//! never compiles.

/// `/* text */`, `// text` (one or more lines) as bindgen's preprocessing leaves them: markers and the `*` that
/// starts each line of a block comment removed.
pub fn strip_comment_markers(raw: &str) -> String {
    let raw = raw.trim();
    if let Some(block) = raw.strip_prefix("/*") {
        let block = block.strip_suffix("*/").unwrap_or(block);
        block
            .lines()
            .map(|line| {
                let line = line.trim();
                line.strip_prefix('*').unwrap_or(line)
            })
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        raw.lines()
            .map(|line| line.trim().trim_start_matches('/'))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Whether a comment line is laid out rather than written: C code, a table or a diagram.
fn is_laid_out(line: &str) -> bool {
    let line = line.trim();
    line.ends_with(';')
        || line.ends_with('{')
        || line.starts_with('}')
        || line.starts_with('#')
        || line.contains('|')
        || line.contains("+-")
        || line.contains("-+")
        || line.contains("---")
        || line.contains("===")
        || line.contains("   ")
        || line.contains('\t')
}

/// Escapes what Markdown or rustdoc would read as markup in a line of prose, and puts bare URLs in `<…>` (rustdoc
/// warns on bare URLs).
pub fn escape_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut previous: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        let at_word_start = previous.is_none_or(char::is_whitespace) || previous == Some('(');
        if at_word_start && (rest.starts_with("http://") || rest.starts_with("https://")) {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ')', ';', ':']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            previous = url.chars().last();
            continue;
        }
        // `_` only opens emphasis at the start of a word: `KVM_CAP_X` stays as written, `__u64` does not.
        let underscore_opens = c == '_' && !previous.is_some_and(|p| p.is_alphanumeric());
        if matches!(c, '\\' | '[' | ']' | '<' | '>' | '*' | '`' | '|' | '#' | '&' | '~') || underscore_opens {
            out.push('\\');
        }
        out.push(c);
        previous = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A comment's text (markers already stripped, see [`strip_comment_markers`]) as Markdown rustdoc renders without
/// warnings and without doctests; empty when there is nothing to say (SPDX lines, empty comments).
pub fn comment_to_markdown(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    let (Some(first), Some(last)) = (first, last) else {
        return String::new();
    };
    let lines = &lines[first..=last];
    if lines.iter().all(|l| l.trim().starts_with("SPDX-License-Identifier")) {
        return String::new();
    }
    if lines.len() > 1 && lines.iter().any(|l| is_laid_out(l)) {
        // Verbatim, indentation relative to the least indented line kept; a fence longer than any run of backticks.
        let indent = lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        let fence = "`".repeat(3.max(longest_backtick_run(lines) + 1));
        let mut out = format!("{fence}text\n");
        for line in lines {
            out.push_str(line.get(indent..).unwrap_or(line.trim_start()));
            out.push('\n');
        }
        out.push_str(&fence);
        return out;
    }
    // Prose: one Markdown line per comment line (Markdown joins them), paragraphs kept.
    lines
        .iter()
        .map(|l| escape_prose(l.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn longest_backtick_run(lines: &[&str]) -> usize {
    lines
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// rustdoc strips one leading space from each line of a `#[doc]` attribute written as `///`; a multi-line
/// attribute is shown as written, so every line gets the space `///` would have.
pub fn as_doc_attribute_text(markdown: &str) -> String {
    markdown
        .lines()
        .map(|l| if l.is_empty() { String::new() } else { format!(" {l}") })
        .collect::<Vec<_>>()
        .join("\n")
}

/// bindgen's comment callback: sanitises every comment clang attached (bindgen already stripped the markers).
#[derive(Debug)]
pub struct SanitizeComments;

impl bindgen::callbacks::ParseCallbacks for SanitizeComments {
    fn process_comment(&self, comment: &str) -> Option<String> {
        Some(as_doc_attribute_text(&comment_to_markdown(comment)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_escaped() {
        assert_eq!(
            comment_to_markdown(" for KVM_GET_REGS and KVM_SET_REGS "),
            "for KVM_GET_REGS and KVM_SET_REGS"
        );
        assert_eq!(
            comment_to_markdown("entries[0] of <linux/kvm.h>, KVM_CAP_* & __u64"),
            "entries\\[0\\] of \\<linux/kvm.h\\>, KVM_CAP_\\* \\& \\_\\_u64"
        );
        assert_eq!(
            comment_to_markdown("see https://example.org/x.html."),
            "see <https://example.org/x.html>."
        );
        assert_eq!(
            comment_to_markdown("\n first\n second\n\n third\n"),
            "first\nsecond\n\nthird"
        );
    }

    #[test]
    fn laid_out_text_is_a_text_block() {
        let text = strip_comment_markers("/*\n * The layout:\n *   struct kvm_foo {\n *       __u32 a;\n *   };\n */");
        assert_eq!(
            comment_to_markdown(&text),
            "```text\nThe layout:\n  struct kvm_foo {\n      __u32 a;\n  };\n```"
        );
    }

    #[test]
    fn nothing_from_licence_lines_and_empty_comments() {
        assert_eq!(comment_to_markdown(" SPDX-License-Identifier: GPL-2.0 "), "");
        assert_eq!(comment_to_markdown("  \n "), "");
    }

    #[test]
    fn markers_are_stripped() {
        assert_eq!(strip_comment_markers("/* out */"), "out");
        assert_eq!(strip_comment_markers("/*\n * a\n * b\n */"), "\n a\n b\n");
        assert_eq!(strip_comment_markers("// one\n// two"), " one\n two");
    }
}
