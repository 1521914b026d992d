//! Documentation generated from what the kernel already says: each request code gets the facts of its section of the
//! KVM API document (fields and link), each struct or union an ioctl takes a list of those ioctls, and each constant
//! the document has a section for (`KVM_CAP_…`) a link to it.
//!
//! The KVM API document is GPL-2.0 and the crates are Apache-2.0: only facts pass from it (capability,
//! architectures, type, parameters and direction, return convention, section number, title and link), never its
//! prose; `scripts/check-prose` checks that in every generated file.
//!
//! Everything is appended as `#[doc]` attributes after the docs an item already has, in a fixed order (request codes
//! by name), so the generated text is the same on every run.

use std::collections::BTreeMap;

use syn::visit_mut::VisitMut;
use syn::{Attribute, Item, parse_quote};

use crate::api_doc::{ApiDoc, Section, escape_markdown, rst_to_markdown};
use crate::comments::comment_to_markdown;
use crate::macros::RequestCode;

/// The fields of a section quoted in the docs, in this order.
const QUOTED_FIELDS: &[&str] = &[
    "Capability",
    "Architectures",
    "Architecture",
    "Target",
    "Type",
    "Parameters",
    "Returns",
];

fn doc_attr(line: &str) -> Attribute {
    // rustdoc strips one leading space, as for `/// text`.
    let line = if line.is_empty() {
        String::new()
    } else {
        format!(" {line}")
    };
    parse_quote!(#[doc = #line])
}

fn append_docs(attrs: &mut Vec<Attribute>, lines: &[String]) {
    // Docs go after the existing ones (bindgen's, or the one-line summary) and before `#[repr]`/`#[derive]`.
    let at = attrs
        .iter()
        .rposition(|a| a.path().is_ident("doc"))
        .map_or(0, |i| i + 1);
    let has_docs = at > 0;
    let mut new: Vec<Attribute> = Vec::new();
    if has_docs {
        new.push(doc_attr(""));
    }
    new.extend(lines.iter().map(|l| doc_attr(l)));
    attrs.splice(at..at, new);
}

/// The direction of the argument, named as the ioctl macro does: `_IOR` is read by userspace.
fn direction(kind: &str) -> &'static str {
    match kind {
        "_IOR" => "read",
        "_IOW" => "write",
        "_IOWR" => "read and write",
        _ => "no argument",
    }
}

/// `[4.11 KVM_GET_REGS](https://docs.kernel.org/virt/kvm/api.html#kvm-get-regs)`.
fn section_link(section: &Section) -> String {
    format!(
        "[{}]({})",
        escape_markdown(&section.title.replace("``", "")),
        section.url()
    )
}

/// The lines a section contributes to a constant's docs: its fields (facts) and the link; never its prose.
fn section_lines(section: &Section) -> Vec<String> {
    let mut lines = Vec::new();
    for name in QUOTED_FIELDS {
        if let Some(value) = section.field(name) {
            lines.push(format!("- {name}: {}", rst_to_markdown(value)));
        }
    }
    if lines.last().is_some_and(|l| !l.is_empty()) {
        lines.push(String::new());
    }
    lines.push(format!(
        "The kernel's KVM API document: {} (the published page follows the newest kernel).",
        section_link(section)
    ));
    lines
}

/// The doc lines for everything `api` says about `name`: each section that documents it.
fn api_lines(name: &str, api: &ApiDoc) -> Vec<String> {
    let mut lines = Vec::new();
    for section in api.sections_for(name) {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(section_lines(section));
    }
    lines
}

/// Appends to each request code in `request_codes` (the items of the `ioctls` module) its direction and what the
/// kernel's KVM API document says about it, or that it has no section there.
pub fn document_request_codes(request_codes: &mut [Item], codes: &BTreeMap<String, RequestCode>, api: &ApiDoc) {
    for item in request_codes {
        let Item::Const(c) = item else { continue };
        let name = c.ident.to_string();
        let Some(code) = codes.get(&name) else { continue };
        let mut lines = vec![
            format!("Direction: {} (`{}`).", direction(&code.kind), code.kind),
            String::new(),
        ];
        // An alias is documented under the name it stands for.
        let documented = [Some(name.as_str()), code.alias_of.as_deref()]
            .into_iter()
            .flatten()
            .find(|n| api.sections_for(n).next().is_some());
        match documented {
            Some(documented) => lines.extend(api_lines(documented, api)),
            None => lines.push("The kernel's KVM API document has no section for it.".to_string()),
        }
        append_docs(&mut c.attrs, &lines);
    }
}

/// Appends to each constant of `items` that the KVM API document has a section for (capabilities, mostly) what the
/// document says.
pub fn document_constants(items: &mut [Item], api: &ApiDoc) {
    for item in items {
        let Item::Const(c) = item else { continue };
        let lines = api_lines(&c.ident.to_string(), api);
        if !lines.is_empty() {
            append_docs(&mut c.attrs, &lines);
        }
    }
}

/// Appends to each constant of `items` the comment the header has on its `#define` (see
/// `macros::macro_comments`), made safe for rustdoc: bindgen evaluates macros but does not carry their comments.
pub fn document_macro_comments(items: &mut [Item], comments: &BTreeMap<String, String>) {
    for item in items {
        let Item::Const(c) = item else { continue };
        let Some(comment) = comments.get(&c.ident.to_string()) else {
            continue;
        };
        let markdown = comment_to_markdown(comment);
        if !markdown.is_empty() {
            append_docs(&mut c.attrs, &markdown.lines().map(str::to_string).collect::<Vec<_>>());
        }
    }
}

/// `0x8090_ae81`: hex digits in groups of four, as the kernel's arithmetic and strace show request codes.
pub fn hex_with_underscores(n: u64) -> String {
    let digits = format!("{n:x}");
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 4 == 0 {
            grouped.push('_');
        }
        grouped.push(c);
    }
    format!("0x{grouped}")
}

/// Writes every integer constant of `request_codes` in hex (`0x8090_ae81`, not `2156965505`), which rustdoc shows
/// as written.
pub fn write_request_codes_in_hex(request_codes: &mut [Item]) {
    for item in request_codes {
        let Item::Const(c) = item else { continue };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) = &mut *c.expr
        else {
            continue;
        };
        let Ok(value) = int.base10_parse::<u64>() else { continue };
        let text = format!("{}{}", hex_with_underscores(value), int.suffix());
        *int = syn::LitInt::new(&text, int.span());
    }
}

/// Splits every multi-line `#[doc]` attribute (bindgen writes a comment as one) into one attribute per line, so the
/// formatted file shows `///` lines rather than `/** … */` blocks.
pub fn split_doc_lines(items: &mut [Item]) {
    struct Split;
    impl VisitMut for Split {
        fn visit_attributes_mut(&mut self, attrs: &mut Vec<Attribute>) {
            let mut split = Vec::with_capacity(attrs.len());
            for attr in attrs.drain(..) {
                match doc_text(&attr) {
                    Some(text) if text.contains('\n') => split.extend(text.lines().map(|l| parse_quote!(#[doc = #l]))),
                    _ => split.push(attr),
                }
            }
            *attrs = split;
        }
    }
    for item in items {
        Split.visit_item_mut(item);
    }
}

/// The text of a `#[doc = "…"]` attribute.
fn doc_text(attr: &Attribute) -> Option<String> {
    match &attr.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s), ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    }
}

/// The struct or union a request code's argument names (`struct kvm_regs` → `kvm_regs`).
fn argument_type(code: &RequestCode) -> Option<&str> {
    let argument = code.argument.as_deref()?;
    argument
        .strip_prefix("struct ")
        .or_else(|| argument.strip_prefix("union "))
        .map(str::trim)
}

/// Appends an "ioctls" section to every struct and union of `items` that a request code in `emitted` takes: each
/// such request code, linked, with its direction, the kind of file descriptor it is for and its first sentence from
/// the KVM API document.
pub fn document_ioctl_types(
    items: &mut [Item],
    emitted: &[String],
    codes: &BTreeMap<String, RequestCode>,
    api: &ApiDoc,
) {
    let mut taken_by: BTreeMap<&str, Vec<(&str, &RequestCode)>> = BTreeMap::new();
    let mut emitted: Vec<&String> = emitted.iter().collect();
    emitted.sort();
    for name in emitted {
        let Some(code) = codes.get(name.as_str()) else { continue };
        if let Some(ty) = argument_type(code) {
            taken_by.entry(ty).or_default().push((name, code));
        }
    }
    for item in items {
        let (ident, attrs) = match item {
            Item::Struct(s) => (s.ident.to_string(), &mut s.attrs),
            Item::Union(u) => (u.ident.to_string(), &mut u.attrs),
            _ => continue,
        };
        let Some(users) = taken_by.get(ident.as_str()) else {
            continue;
        };
        let mut lines = vec![
            "# ioctls".to_string(),
            String::new(),
            "The argument of these request codes:".to_string(),
            String::new(),
        ];
        for (name, code) in users {
            let section = [Some(*name), code.alias_of.as_deref()]
                .into_iter()
                .flatten()
                .find_map(|n| api.sections_for(n).next());
            let mut line = format!("- [`{name}`](crate::ioctls::{name}) ({})", direction(&code.kind));
            if let Some(section) = section {
                if let Some(kind) = section.field("Type") {
                    line.push_str(&format!(", {}", rst_to_markdown(kind)));
                }
                line.push_str(&format!(" — {}", section_link(section)));
            }
            lines.push(line);
        }
        append_docs(attrs, &lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_doc::parse_api_doc;
    use crate::macros::{object_like_definitions, request_codes};

    const API: &str = "\
4.13 KVM_GET_SREGS2
-------------------

:Capability: KVM_CAP_SREGS2
:Architectures: x86
:Type: vcpu ioctl
:Parameters: struct kvm_sregs2 (out)
:Returns: 0 on success, -1 on error

Reads special registers from the vcpu. This ioctl is preferred.

7.1 KVM_CAP_SREGS2
------------------

Says whether ``KVM_GET_SREGS2`` exists.
";

    const HEADER: &str = "\
#define KVM_GET_SREGS2 _IOR(KVMIO, 0xcc, struct kvm_sregs2)
#define KVM_SET_SREGS2 _IOW(KVMIO, 0xcd, struct kvm_sregs2)
#define KVM_NMI _IO(KVMIO, 0x9a)
";

    fn docs(attrs: &[Attribute]) -> String {
        attrs.iter().filter_map(doc_text).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn multi_line_docs_become_one_attribute_per_line() {
        let mut items: Vec<Item> = vec![parse_quote!(
            #[doc = " a\n b"]
            pub struct s {
                #[doc = " c\n d"]
                pub f: u8,
            }
        )];
        split_doc_lines(&mut items);
        let Item::Struct(s) = &items[0] else { panic!() };
        assert_eq!(s.attrs.len(), 2);
        assert_eq!(s.fields.iter().next().unwrap().attrs.len(), 2);
        assert_eq!(docs(&s.attrs), " a\n b");
    }

    #[test]
    fn request_codes_get_their_section() {
        let api = parse_api_doc(API);
        let codes = request_codes(&object_like_definitions(HEADER, "linux/kvm.h"));
        let mut items: Vec<Item> = vec![
            parse_quote!(
                #[doc = " `KVM_GET_SREGS2`: summary."]
                pub const KVM_GET_SREGS2: u64 = 1;
            ),
            parse_quote!(
                #[doc = " `KVM_NMI`: summary."]
                pub const KVM_NMI: u64 = 2;
            ),
        ];
        document_request_codes(&mut items, &codes, &api);
        let Item::Const(sregs2) = &items[0] else { panic!() };
        assert_eq!(
            docs(&sregs2.attrs),
            " `KVM_GET_SREGS2`: summary.\n\n Direction: read (`_IOR`).\n\n - Capability: KVM_CAP_SREGS2\n - Architectures: x86\n - Type: vcpu ioctl\n \
             - Parameters: struct kvm_sregs2 (out)\n - Returns: 0 on success, -1 on error\n\n The kernel's KVM API \
             document: [4.13 KVM_GET_SREGS2](https://docs.kernel.org/virt/kvm/api.html#kvm-get-sregs2) (the \
             published page follows the newest kernel)."
        );
        let Item::Const(nmi) = &items[1] else { panic!() };
        assert!(docs(&nmi.attrs).ends_with("has no section for it."));
    }

    #[test]
    fn structs_list_the_ioctls_that_take_them() {
        let api = parse_api_doc(API);
        let codes = request_codes(&object_like_definitions(HEADER, "linux/kvm.h"));
        let mut items: Vec<Item> = vec![
            parse_quote!(
                #[repr(C)]
                pub struct kvm_sregs2 {
                    pub flags: u64,
                }
            ),
            parse_quote!(
                pub struct kvm_regs {
                    pub rax: u64,
                }
            ),
        ];
        let emitted = vec!["KVM_SET_SREGS2".to_string(), "KVM_GET_SREGS2".to_string()];
        document_ioctl_types(&mut items, &emitted, &codes, &api);
        let Item::Struct(sregs2) = &items[0] else { panic!() };
        assert_eq!(
            docs(&sregs2.attrs),
            " # ioctls\n\n The argument of these request codes:\n\n \
             - [`KVM_GET_SREGS2`](crate::ioctls::KVM_GET_SREGS2) (read), vcpu ioctl \
             — [4.13 KVM_GET_SREGS2](https://docs.kernel.org/virt/kvm/api.html#kvm-get-sregs2)\n \
             - [`KVM_SET_SREGS2`](crate::ioctls::KVM_SET_SREGS2) (write)"
        );
        assert!(
            sregs2.attrs.last().unwrap().path().is_ident("repr"),
            "docs go before other attributes"
        );
        let Item::Struct(regs) = &items[1] else { panic!() };
        assert!(regs.attrs.is_empty());
    }

    #[test]
    fn request_codes_are_written_in_hex() {
        assert_eq!(hex_with_underscores(2156965505), "0x8090_ae81");
        assert_eq!(hex_with_underscores(0xae01), "0xae01");
        let mut items: Vec<Item> = vec![parse_quote!(
            pub const KVM_GET_REGS: u64 = 2156965505;
        )];
        write_request_codes_in_hex(&mut items);
        let text = quote::ToTokens::to_token_stream(&items[0]).to_string();
        assert!(text.contains("0x8090_ae81"), "{text}");
    }

    #[test]
    fn macro_comments_become_docs() {
        let comments = BTreeMap::from([
            ("KVM_A".to_string(), "for entries[0]".to_string()),
            ("KVM_B".to_string(), "SPDX-License-Identifier: GPL-2.0".to_string()),
        ]);
        let mut items: Vec<Item> = vec![
            parse_quote!(
                pub const KVM_A: u32 = 1;
            ),
            parse_quote!(
                pub const KVM_B: u32 = 2;
            ),
        ];
        document_macro_comments(&mut items, &comments);
        let Item::Const(a) = &items[0] else { panic!() };
        assert_eq!(docs(&a.attrs), " for entries\\[0\\]");
        let Item::Const(b) = &items[1] else { panic!() };
        assert!(b.attrs.is_empty());
    }

    #[test]
    fn constants_with_a_section_link_it() {
        let api = parse_api_doc(API);
        let mut items: Vec<Item> = vec![
            parse_quote!(
                pub const KVM_CAP_SREGS2: u32 = 200;
            ),
            parse_quote!(
                pub const KVM_CAP_OTHER: u32 = 201;
            ),
        ];
        document_constants(&mut items, &api);
        let Item::Const(cap) = &items[0] else { panic!() };
        assert!(docs(&cap.attrs).starts_with(" The kernel's KVM API"));
        assert!(!docs(&cap.attrs).contains("Says whether"), "no prose from the document");
        let Item::Const(other) = &items[1] else { panic!() };
        assert!(other.attrs.is_empty());
    }
}
