//! Passes that keep kvm-bindings 0.14's API where today's bindgen (0.73, with the clang macro fallback) would write
//! the same C types differently. Each difference was found by `scripts/check-api`; none changes a layout (the gcc
//! layout check proves it), only the Rust spelling users wrote code against.

use std::collections::BTreeSet;

use syn::{Fields, Item, Type, parse_quote};

/// The constants bindgen's own macro evaluator produced, from a run without the clang fallback (the padded run).
///
/// Their Rust types are kvm-bindings 0.14's (`KVM_REG_ARCH_MASK: i64`, from `0xff00000000000000ULL`): bindgen types
/// an evaluated macro by its value, and VMMs compile against those types. Only the constants that exist because of
/// the fallback (`(__u64)-1`, `__GENMASK_ULL(…)`) are new, and only they get C's own type (see
/// `rewrite::retype_unsigned_constants`).
pub fn constants_evaluated_by_bindgen(without_fallback: &[Item]) -> BTreeSet<String> {
    without_fallback
        .iter()
        .filter_map(|item| match item {
            Item::Const(c) => Some(c.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Adds the zero-sized `_bitfield_align_N: [u8; 0]` field older bindgen wrote before each `_bitfield_N` unit.
///
/// bindgen 0.73 leaves it out where the unit needs no extra alignment, but the field is public, and code that
/// builds such a struct with a literal (`kvm_ioapic_state`'s redirection entries, on x86_64) names it. `[u8; 0]` has
/// size 0 and alignment 1: it cannot move another field.
pub fn restore_bitfield_align_fields(items: &mut [Item]) {
    for item in items {
        let Item::Struct(s) = item else { continue };
        let Fields::Named(fields) = &mut s.fields else { continue };
        let names: BTreeSet<String> = fields
            .named
            .iter()
            .filter_map(|f| f.ident.as_ref().map(|i| i.to_string()))
            .collect();
        let mut rebuilt = syn::punctuated::Punctuated::new();
        for field in std::mem::take(&mut fields.named) {
            let unit = field
                .ident
                .as_ref()
                .and_then(|i| i.to_string().strip_prefix("_bitfield_").map(str::to_string));
            if let Some(n) = unit.filter(|n| n.parse::<u32>().is_ok()) {
                let align = quote::format_ident!("_bitfield_align_{n}");
                if !names.contains(&align.to_string()) {
                    rebuilt.push(parse_quote!(pub #align: [u8; 0]));
                }
            }
            rebuilt.push(field);
        }
        fields.named = rebuilt;
    }
}

/// Writes 8 bytes of named padding as `u64`, as the bindgen of kvm-bindings 0.14 did (arm64 `kvm_regs`
/// `__bindgen_padding_0`), instead of today's `[u8; 8]`.
///
/// Safe for the layout: padding of exactly 8 bytes is only needed before a field aligned to 16 or more, starting at
/// an offset that is 8 modulo 16, so a `u64` there is aligned and adds nothing.
pub fn widen_eight_byte_padding(items: &mut [Item]) {
    let eight_bytes: Type = parse_quote!([u8; 8usize]);
    for item in items {
        let Item::Struct(s) = item else { continue };
        for field in s.fields.iter_mut() {
            let is_padding = field
                .ident
                .as_ref()
                .is_some_and(|i| i.to_string().starts_with("__bindgen_padding_"));
            if is_padding && field.ty == eight_bytes {
                field.ty = parse_quote!(u64);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;

    use super::*;

    fn items(source: &str) -> Vec<Item> {
        syn::parse_file(source).expect("test input parses").items
    }

    fn text(items: &[Item]) -> String {
        items
            .iter()
            .map(|i| i.to_token_stream().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_bitfield_unit_gets_its_alignment_field_back_once() {
        let mut items = items(
            "pub struct entry { pub vector: u8, pub _bitfield_1: __BindgenBitfieldUnit<[u8; 2usize]>, pub id: u8 }
             pub struct done { pub _bitfield_align_1: [u8; 0], pub _bitfield_1: __BindgenBitfieldUnit<[u8; 1usize]> }",
        );
        restore_bitfield_align_fields(&mut items);
        let text = text(&items);
        assert!(
            text.contains("pub vector : u8 , pub _bitfield_align_1 : [u8 ; 0] , pub _bitfield_1"),
            "{text}"
        );
        assert_eq!(text.matches("_bitfield_align_1").count(), 2, "{text}");
    }

    #[test]
    fn eight_bytes_of_padding_become_a_u64_and_nothing_else_changes() {
        let mut items = items(
            "pub struct kvm_regs { pub elr: u64, pub __bindgen_padding_0: [u8; 8usize], pub fp: [u8; 8usize] }
             pub struct other { pub __bindgen_padding_0: [u8; 4usize] }",
        );
        widen_eight_byte_padding(&mut items);
        let text = text(&items);
        assert!(
            text.contains("__bindgen_padding_0 : u64 , pub fp : [u8 ; 8usize]"),
            "{text}"
        );
        assert!(text.contains("__bindgen_padding_0 : [u8 ; 4usize]"), "{text}");
    }

    #[test]
    fn only_constants_bindgen_evaluated_itself_are_kept() {
        let names = constants_evaluated_by_bindgen(&items(
            "pub const KVM_REG_ARCH_MASK: i64 = -72057594037927936; pub struct s {}",
        ));
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["KVM_REG_ARCH_MASK"]);
    }
}
