//! The kernel's KVM API document, `Documentation/virt/kvm/api.rst`: one section per ioctl ("4.11 KVM_GET_REGS") and
//! per capability, each with a field list (`:Capability:`, `:Architectures:`, `:Type:`, `:Parameters:`,
//! `:Returns:`) and then prose. The document is GPL-2.0, so the generated docs carry facts only: the fields, and the
//! link to the section of the published page, whose anchor is derived here the way docutils derives it. Its prose
//! is not even read.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Where the document is in a kernel tree.
pub const API_DOC_PATH: &str = "Documentation/virt/kvm/api.rst";

/// The published page of that document.
pub const API_DOC_URL: &str = "https://docs.kernel.org/virt/kvm/api.html";

/// One section of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The title as written: `4.11 KVM_GET_REGS`.
    pub title: String,
    /// The id of the section on the published page, when it is known: docutils gives a section whose title's id is
    /// already taken an automatic `idN` that depends on everything before it, and such a section is not linked.
    pub anchor: Option<String>,
    /// The `KVM_…` names the title documents (`4.116 KVM_(UN)REGISTER_COALESCED_MMIO` names two).
    pub names: Vec<String>,
    /// The field list, in the document's order, values on one line with their rst markup left as written.
    pub fields: Vec<(String, String)>,
}

impl Section {
    /// The link to the section on the published page (the page itself when the anchor is not known).
    pub fn url(&self) -> String {
        match &self.anchor {
            Some(anchor) => format!("{API_DOC_URL}#{anchor}"),
            None => API_DOC_URL.to_string(),
        }
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The parsed document: its sections in order, and which sections document each `KVM_…` name.
#[derive(Debug, Default)]
pub struct ApiDoc {
    pub sections: Vec<Section>,
    by_name: BTreeMap<String, Vec<usize>>,
}

impl ApiDoc {
    /// The sections that document `name`, in document order.
    pub fn sections_for(&self, name: &str) -> impl Iterator<Item = &Section> {
        self.by_name.get(name).into_iter().flatten().map(|&i| &self.sections[i])
    }
}

/// Reads and parses the document of the kernel tree at `root`.
pub fn read_api_doc(root: &Path) -> Result<ApiDoc, String> {
    let path = root.join(API_DOC_PATH);
    let text = fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read {}: {e} (the generated docs quote the kernel's KVM API document)",
            path.display()
        )
    })?;
    Ok(parse_api_doc(&text))
}

/// docutils' `make_id`: lowercase, every run of characters other than `a-z0-9` becomes one `-`, and leading
/// digits and hyphens and trailing hyphens go (an id starts with a letter). `4.11 KVM_GET_REGS` → `kvm-get-regs`.
pub fn make_id(text: &str) -> String {
    let mut id = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_start_matches(|c: char| c == '-' || c.is_ascii_digit())
        .trim_end_matches('-')
        .to_string()
}

/// A line that is one punctuation character repeated: an rst section underline or overline.
fn is_adornment(line: &str) -> bool {
    let line = line.trim_end();
    let mut chars = line.chars();
    let Some(first) = chars.next() else { return false };
    line.len() >= 3 && first.is_ascii_punctuation() && chars.all(|c| c == first)
}

/// `.. _KVM_CHECK_EXTENSION:` → `KVM_CHECK_EXTENSION`: an explicit hyperlink target (a label for `:ref:`).
fn label(line: &str) -> Option<&str> {
    let name = line.strip_prefix(".. _")?.trim_end().strip_suffix(':')?;
    (!name.is_empty() && !name.contains('`')).then_some(name)
}

/// The `KVM_…` names a title documents: `4.3 KVM_GET_MSR_INDEX_LIST, KVM_GET_MSR_FEATURE_INDEX_LIST`,
/// `4.80 KVM_SET_DEVICE_ATTR/KVM_GET_DEVICE_ATTR`, `4.85 KVM_ARM_SET_DEVICE_ADDR (deprecated)`,
/// `4.116 KVM_(UN)REGISTER_COALESCED_MMIO`.
pub fn title_names(title: &str) -> Vec<String> {
    let mut names = Vec::new();
    for word in title.split(|c: char| c == ',' || c == '/' || c.is_whitespace()) {
        let word = word.trim_matches(|c| c == '.' || c == ':');
        if !word.starts_with("KVM_")
            || !word
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "_()".contains(c))
        {
            continue;
        }
        match (word.find('('), word.find(')')) {
            (Some(open), Some(close)) if open < close => {
                names.push(format!("{}{}", &word[..open], &word[close + 1..]));
                names.push(format!(
                    "{}{}{}",
                    &word[..open],
                    &word[open + 1..close],
                    &word[close + 1..]
                ));
            }
            (None, None) => names.push(word.to_string()),
            _ => {}
        }
    }
    names
}

/// Parses the document. Only what the generated docs use is read: section titles, labels, each section's field
/// list and first paragraph.
pub fn parse_api_doc(text: &str) -> ApiDoc {
    let lines: Vec<&str> = text.lines().collect();
    // Title lines, by index: a non-indented line of text with an adornment under it.
    let is_title = |i: usize| {
        let line = lines[i];
        !line.trim().is_empty()
            && !line.starts_with(char::is_whitespace)
            && !is_adornment(line)
            && lines.get(i + 1).is_some_and(|next| is_adornment(next))
            && (i == 0 || lines[i - 1].trim().is_empty() || is_adornment(lines[i - 1]))
    };
    let titles: Vec<usize> = (0..lines.len()).filter(|&i| is_title(i)).collect();

    // Ids in document order, as docutils hands them out: a label takes its own; a section takes its title's unless
    // an earlier id has it, and also has the id of a label right in front of it.
    let mut taken = BTreeSet::new();
    let mut pending_label: Option<String> = None;
    let mut doc = ApiDoc::default();
    let mut next_title = titles.iter().peekable();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(name) = label(line) {
            // A label whose id is taken gets an automatic one, like a title.
            let id = make_id(name);
            pending_label = taken.insert(id.clone()).then_some(id);
            i += 1;
            continue;
        }
        if next_title.peek() == Some(&&i) {
            next_title.next();
            let title = line.trim().to_string();
            let own = make_id(&title);
            let own = (!own.is_empty() && taken.insert(own.clone())).then_some(own);
            let anchor = pending_label.take().or(own);
            let end = next_title.peek().map_or(lines.len(), |&&next| next);
            let fields = parse_fields(&lines[i + 2..end]);
            let names = title_names(&title);
            for name in &names {
                doc.by_name.entry(name.clone()).or_default().push(doc.sections.len());
            }
            doc.sections.push(Section {
                title,
                anchor,
                names,
                fields,
            });
            i += 2;
            continue;
        }
        if !line.trim().is_empty() {
            pending_label = None;
        }
        i += 1;
    }
    doc
}

/// A section's field list: the first block of its body, if it is one.
fn parse_fields(lines: &[&str]) -> Vec<(String, String)> {
    let mut i = 0;
    while i < lines.len() && lines[i].trim().is_empty() {
        i += 1;
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    while i < lines.len() && !lines[i].trim().is_empty() {
        let line = lines[i];
        if let Some((name, value)) = line
            .strip_prefix(':')
            .and_then(|rest| rest.split_once(':'))
            .filter(|(name, _)| !name.is_empty() && !name.contains('`'))
        {
            fields.push((name.trim().to_string(), value.trim().to_string()));
        } else if line.starts_with(char::is_whitespace) && !fields.is_empty() {
            let value = &mut fields.last_mut().expect("not empty").1;
            value.push(' ');
            value.push_str(line.trim());
        } else {
            break;
        }
        i += 1;
    }
    fields
}

/// rst inline markup as Markdown that rustdoc renders without warnings: ``literal`` and `interpreted` text become
/// code spans, roles (:ref:`text <target>`, :c:type:`x`) their text, and everything else outside code spans is
/// escaped where Markdown or rustdoc would read it as markup (links, HTML tags, emphasis).
pub fn rst_to_markdown(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some((markdown, next)) = literal(rest).or_else(|| role(rest)).or_else(|| interpreted(rest)) {
            out.push_str(&markdown);
            rest = next;
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        out.push_str(&escape_markdown(&c.to_string()));
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// ``literal`` at the start of `rest`: a code span, and what follows.
fn literal(rest: &str) -> Option<(String, &str)> {
    let after = rest.strip_prefix("``")?;
    let end = after.find("``")?;
    Some((code_span(&after[..end]), &after[end + 2..]))
}

/// `text <target>` shows the text.
fn shown_text(content: &str) -> &str {
    match content.rfind(" <") {
        Some(at) if content.ends_with('>') => &content[..at],
        _ => content,
    }
}

/// A role at the start of `rest`: `:name:` (or `:a:b:`) right before a backquote. References show their text, the
/// other roles (`:c:type:`) a code span.
fn role(rest: &str) -> Option<(String, &str)> {
    let tick = rest.strip_prefix(':')?.find('`')? + 1;
    let name = rest[1..tick].strip_suffix(':')?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-') {
        return None;
    }
    let end = rest[tick + 1..].find('`')?;
    let shown = shown_text(&rest[tick + 1..tick + 1 + end]);
    let markdown = if name == "ref" || name == "doc" {
        escape_markdown(shown)
    } else {
        code_span(shown)
    };
    Some((markdown, &rest[tick + 1 + end + 1..]))
}

/// `interpreted text` (a code span) or a hyperlink reference `text <url>`_ (its text) at the start of `rest`.
fn interpreted(rest: &str) -> Option<(String, &str)> {
    let after = rest.strip_prefix('`')?;
    let end = after.find('`')?;
    let content = &after[..end];
    let next = &after[end + 1..];
    match next.strip_prefix("__").or_else(|| next.strip_prefix('_')) {
        Some(next) => Some((escape_markdown(shown_text(content)), next)),
        None => Some((code_span(content), next)),
    }
}

/// A Markdown code span holding `text` verbatim.
fn code_span(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// Escapes what Markdown (and rustdoc's lints) would read as markup in plain text.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '[' | ']' | '<' | '>' | '*' | '`' | '|' | '#' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
===================
The Definitive Doc
===================

4. API description
==================

.. _KVM_CHECK_EXTENSION:

4.4 KVM_CHECK_EXTENSION
-----------------------

:Capability: basic, KVM_CAP_CHECK_EXTENSION_VM for vm ioctl
:Architectures: all
:Type: system ioctl, vm ioctl
:Parameters: extension identifier (KVM_CAP_*)
:Returns: 0 if unsupported; 1 (or some other positive integer) if supported

The API allows the application to query about extensions to the core
kvm API.  Userspace passes an extension identifier (an integer) and
receives an integer that describes the extension availability.

4.11 KVM_GET_REGS
-----------------

:Capability: basic
:Architectures: all except arm64
:Type: vcpu ioctl
:Parameters: struct kvm_regs (out)
:Returns: 0 on success, -1 on error

Errors:

  ======     ============
  EINVAL     bad
  ======     ============

Reads the general purpose registers from the vcpu.

::

  /* x86 */
  struct kvm_regs {
  };

4.116 KVM_(UN)REGISTER_COALESCED_MMIO
-------------------------------------

:Returns: 0 on success, < 0 on error
          -EINVAL on a bad address

.. note::

   Indented material is no summary.

Coalesced I/O is a performance optimization that defers hardware
register write emulation so that userspace exits are avoided.  It is
typically used::

X86:
^^^^

7.1 KVM_CAP_FOO
---------------

Set it with ``KVM_ENABLE_CAP`` (see :ref:`KVM_ENABLE_CAP <KVM_ENABLE_CAP>`).

8.1 KVM_CAP_FOO
---------------

X86:
^^^^
";

    #[test]
    fn ids_are_the_ones_docutils_makes() {
        assert_eq!(make_id("4.11 KVM_GET_REGS"), "kvm-get-regs");
        assert_eq!(
            make_id("4.3 KVM_GET_MSR_INDEX_LIST, KVM_GET_MSR_FEATURE_INDEX_LIST"),
            "kvm-get-msr-index-list-kvm-get-msr-feature-index-list"
        );
        assert_eq!(
            make_id("4.116 KVM_(UN)REGISTER_COALESCED_MMIO"),
            "kvm-un-register-coalesced-mmio"
        );
        assert_eq!(make_id("5. The kvm_run structure"), "the-kvm-run-structure");
        assert_eq!(make_id("9.1. x86"), "x86");
        assert_eq!(make_id("X86:"), "x86");
    }

    #[test]
    fn names_in_titles() {
        assert_eq!(title_names("4.11 KVM_GET_REGS"), ["KVM_GET_REGS"]);
        assert_eq!(
            title_names("4.80 KVM_SET_DEVICE_ATTR/KVM_GET_DEVICE_ATTR"),
            ["KVM_SET_DEVICE_ATTR", "KVM_GET_DEVICE_ATTR"]
        );
        assert_eq!(
            title_names("4.3 KVM_GET_MSR_INDEX_LIST, KVM_GET_MSR_FEATURE_INDEX_LIST"),
            ["KVM_GET_MSR_INDEX_LIST", "KVM_GET_MSR_FEATURE_INDEX_LIST"]
        );
        assert_eq!(
            title_names("4.85 KVM_ARM_SET_DEVICE_ADDR (deprecated)"),
            ["KVM_ARM_SET_DEVICE_ADDR"]
        );
        assert_eq!(
            title_names("4.116 KVM_(UN)REGISTER_COALESCED_MMIO"),
            ["KVM_REGISTER_COALESCED_MMIO", "KVM_UNREGISTER_COALESCED_MMIO"]
        );
        assert!(title_names("5. The kvm_run structure").is_empty());
    }

    #[test]
    fn sections_fields_and_first_paragraphs() {
        let doc = parse_api_doc(DOC);
        let titles: Vec<&str> = doc.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "The Definitive Doc",
                "4. API description",
                "4.4 KVM_CHECK_EXTENSION",
                "4.11 KVM_GET_REGS",
                "4.116 KVM_(UN)REGISTER_COALESCED_MMIO",
                "X86:",
                "7.1 KVM_CAP_FOO",
                "8.1 KVM_CAP_FOO",
                "X86:"
            ]
        );
        let regs = doc.sections_for("KVM_GET_REGS").next().unwrap();
        assert_eq!(regs.anchor.as_deref(), Some("kvm-get-regs"));
        assert_eq!(regs.url(), "https://docs.kernel.org/virt/kvm/api.html#kvm-get-regs");
        assert_eq!(regs.field("Parameters"), Some("struct kvm_regs (out)"));
        assert_eq!(regs.field("Type"), Some("vcpu ioctl"));

        let check = doc.sections_for("KVM_CHECK_EXTENSION").next().unwrap();
        assert_eq!(check.anchor.as_deref(), Some("kvm-check-extension"));

        let mmio = doc.sections_for("KVM_UNREGISTER_COALESCED_MMIO").next().unwrap();
        assert_eq!(
            mmio.field("Returns"),
            Some("0 on success, < 0 on error -EINVAL on a bad address")
        );
        assert_eq!(doc.sections_for("KVM_REGISTER_COALESCED_MMIO").count(), 1);
    }

    #[test]
    fn a_title_whose_id_is_taken_has_no_known_anchor() {
        let doc = parse_api_doc(DOC);
        let foo: Vec<&Section> = doc.sections_for("KVM_CAP_FOO").collect();
        assert_eq!(foo.len(), 2);
        assert_eq!(foo[0].anchor.as_deref(), Some("kvm-cap-foo"));
        assert_eq!(foo[1].anchor, None);
        assert_eq!(foo[1].url(), API_DOC_URL);
        let x86: Vec<Option<&str>> = doc
            .sections
            .iter()
            .filter(|s| s.title == "X86:")
            .map(|s| s.anchor.as_deref())
            .collect();
        assert_eq!(x86, [Some("x86"), None]);
    }

    #[test]
    fn a_label_whose_id_is_taken_leaves_the_title_its_own() {
        // api.rst's `.. _kvm_run:` comes after "4.10 KVM_RUN" took `kvm-run`.
        let doc = parse_api_doc(
            "4.10 KVM_RUN\n------------\n\n.. _kvm_run:\n\n5. The kvm_run structure\n========================\n\nText.\n",
        );
        let anchors: Vec<Option<&str>> = doc.sections.iter().map(|s| s.anchor.as_deref()).collect();
        assert_eq!(anchors, [Some("kvm-run"), Some("the-kvm-run-structure")]);
    }

    #[test]
    fn rst_becomes_markdown_rustdoc_accepts() {
        assert_eq!(
            rst_to_markdown("Set it with ``KVM_ENABLE_CAP`` (see :ref:`KVM_ENABLE_CAP`)."),
            "Set it with `KVM_ENABLE_CAP` (see KVM_ENABLE_CAP)."
        );
        assert_eq!(
            rst_to_markdown("0 on success, < 0 on error"),
            "0 on success, \\< 0 on error"
        );
        assert_eq!(
            rst_to_markdown("KVM_CAP_* and array[0]"),
            "KVM_CAP_\\* and array\\[0\\]"
        );
        assert_eq!(
            rst_to_markdown(":c:type:`kvm_run` is `mmap`ed"),
            "`kvm_run` is `mmap`ed"
        );
        assert_eq!(rst_to_markdown("see `the docs <https://x/>`_."), "see the docs.");
    }
}
