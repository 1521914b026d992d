//! bindgen's `Debug` impl of a packed struct formats its fields by reference (`write!(f, "… {:?}", self.field)`),
//! which rustc rejects (E0793) when the field's alignment exceeds the packing: s390x's
//! `typedef struct { union { … __u64 …; __u32 u[4]; }; } __attribute__((packed, aligned(4))) __vector128;`.
//! Formatting a copy, `{ self.field }`, is what rustc asks for; bindgen's types are all `Copy`.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use syn::{Item, Type};

/// The names of the `#[repr(…, packed…)]` structs.
fn packed_structs(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s)
                if s.attrs.iter().any(|attr| {
                    attr.path().is_ident("repr")
                        && quote::ToTokens::to_token_stream(&attr.meta)
                            .to_string()
                            .contains("packed")
                }) =>
            {
                Some(s.ident.to_string())
            }
            _ => None,
        })
        .collect()
}

/// `self . FIELD` becomes `{ self . FIELD }` throughout `tokens`.
fn copy_self_fields(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        let is_self_field = matches!(&trees[i], TokenTree::Ident(ident) if ident == "self")
            && matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '.')
            && matches!(trees.get(i + 2), Some(TokenTree::Ident(_)));
        if is_self_field {
            let field: TokenStream = trees[i..i + 3].iter().cloned().collect();
            out.push(TokenTree::Group(Group::new(Delimiter::Brace, field)));
            i += 3;
            continue;
        }
        match &trees[i] {
            TokenTree::Group(group) => {
                let mut copied = Group::new(group.delimiter(), copy_self_fields(group.stream()));
                copied.set_span(group.span());
                out.push(TokenTree::Group(copied));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// Makes the `Debug` impls of packed structs format copies of their fields.
pub fn copy_packed_fields_in_debug(items: &mut [Item]) {
    let packed = packed_structs(items);
    for item in items.iter_mut() {
        let Item::Impl(implementation) = item else { continue };
        let is_debug = implementation
            .trait_
            .as_ref()
            .and_then(|(_, path, _)| path.segments.last())
            .is_some_and(|segment| segment.ident == "Debug");
        let for_packed = matches!(&*implementation.self_ty, Type::Path(path)
            if path.path.get_ident().is_some_and(|ident| packed.contains(&ident.to_string())));
        if !is_debug || !for_packed {
            continue;
        }
        for member in &mut implementation.items {
            let syn::ImplItem::Fn(function) = member else { continue };
            let body = quote::ToTokens::to_token_stream(&function.block);
            if let Ok(block) = syn::parse2(copy_self_fields(body)) {
                function.block = block;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_structs_debug_formats_copies() {
        let mut items = syn::parse_file(
            r#"
            #[repr(C, packed(4))]
            pub struct __vector128 { pub __bindgen_anon_1: U }
            impl ::core::fmt::Debug for __vector128 {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    write!(f, "__vector128 {{ __bindgen_anon_1: {:?} }}", self.__bindgen_anon_1)
                }
            }
            #[repr(C)]
            pub struct plain { pub a: u64 }
            impl ::core::fmt::Debug for plain {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    write!(f, "plain {{ a: {:?} }}", self.a)
                }
            }
            "#,
        )
        .unwrap()
        .items;
        copy_packed_fields_in_debug(&mut items);
        let text: Vec<String> = items
            .iter()
            .map(|i| quote::ToTokens::to_token_stream(i).to_string())
            .collect();
        assert!(text[1].contains("{ self . __bindgen_anon_1 }"), "{}", text[1]);
        assert!(text[3].contains(", self . a)"), "{}", text[3]);
    }
}
