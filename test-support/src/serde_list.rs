//! The type names in a crate's serde list (its `serde_impls!` invocations), read from the source text.

/// The last path segment of every type in every `serde_impls!` invocation of `source`, comments and attributes
/// ignored, in order.
pub fn serde_list_names(source: &str) -> Vec<String> {
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut names = Vec::new();
    let mut rest = code.as_str();
    while let Some(start) = rest.find("serde_impls!") {
        rest = &rest[start + "serde_impls!".len()..];
        let body_start = rest.find(['(', '{', '[']).expect("serde_impls! without arguments") + 1;
        let body_end = matching_close(&rest[body_start..]) + body_start;
        let body = without_attributes(&rest[body_start..body_end]);
        for entry in body.split(',') {
            let entry = entry.trim();
            if !entry.is_empty() {
                names.push(entry.rsplit("::").next().unwrap_or(entry).trim().to_string());
            }
        }
        rest = &rest[body_end..];
    }
    names
}

/// The index of the bracket that closes an already opened one.
fn matching_close(text: &str) -> usize {
    let mut depth = 1;
    for (index, character) in text.char_indices() {
        match character {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => {
                depth -= 1;
                if depth == 0 {
                    return index;
                }
            }
            _ => {}
        }
    }
    panic!("unclosed serde_impls! invocation")
}

/// `text` without its `#[…]` attributes (a type gated by `#[cfg(feature = "…")]`).
fn without_attributes(text: &str) -> String {
    let mut result = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("#[") {
        result.push_str(&rest[..start]);
        let end = matching_close(&rest[start + 2..]) + start + 2;
        rest = &rest[end + 1..];
    }
    result.push_str(rest);
    result
}

/// Panics unless the tests cover exactly the types of the serde list in `source`.
pub fn assert_covers_serde_list(source: &str, tested: &[&str]) {
    let mut listed = serde_list_names(source);
    listed.sort();
    let mut tested: Vec<String> = tested.iter().map(|name| name.to_string()).collect();
    tested.sort();
    assert!(!listed.is_empty(), "no serde_impls! invocation found");
    assert_eq!(tested, listed, "the tests must cover exactly the serde list");
}

#[cfg(test)]
mod tests {
    use super::serde_list_names;

    #[test]
    fn reads_every_invocation_without_comments_or_attributes() {
        let source = r#"
//! See `kvm_bindings_common::serde_impls!`, (not a list).
use crate::bindings::*;

kvm_bindings_common::serde_impls!(
    kvm_regs, // the general registers
    kvm_sregs,
);
#[cfg(feature = "fam-wrappers")]
kvm_bindings_common::serde_impls! { crate::nested::KvmNestedStateBuffer, #[cfg(x)] kvm_xsave2 }
"#;
        assert_eq!(
            serde_list_names(source),
            ["kvm_regs", "kvm_sregs", "KvmNestedStateBuffer", "kvm_xsave2"]
        );
    }
}
