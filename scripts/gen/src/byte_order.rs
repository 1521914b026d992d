//! The byte-order conversion of an arch crate's serde types, generated into its `src/byte_order.rs`: the arch's
//! snapshot byte order (`SNAPSHOT_BYTE_ORDER`, from the `endian` column of `arches.tsv`) and an `impl SwapBytes`
//! (the trait is `kvm_bindings_common`'s) for every type of the serde closure, written from each field's type, so
//! no swap is ever written by hand. A type that holds a union or bitfields cannot be converted (which bytes form one
//! integer depends on what the bytes alone do not say): its impl returns the reason, and a listed type's docs say so.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::{Attribute, Fields, Item, ItemStruct, parse_quote};

use crate::arch::Arch;

/// The helper type whose bits bindgen's accessors pick by the host's byte order.
const BITFIELD_UNIT: &str = "__BindgenBitfieldUnit";

/// A serde type written by hand in the arch crate (`KvmNestedStateBuffer`), with what the generated impl needs.
pub struct HandWritten {
    /// Its path from the crate root (`crate::nested::KvmNestedStateBuffer`).
    pub path: syn::Path,
    pub item: ItemStruct,
    /// The `#[cfg]`s of the `serde_impls!` invocation that lists it: its impl exists exactly when its serde does.
    pub cfgs: Vec<Attribute>,
}

/// What stops a type's conversion.
#[derive(Clone, Debug)]
enum Blocker {
    /// The type is, or holds, this union.
    Union(String),
    /// The type holds a bitfield unit.
    Bitfields,
}

/// The names a type mentions (`[kvm_regs; 2]` mentions `kvm_regs`).
fn names_in(ty: &syn::Type) -> Vec<String> {
    ty.to_token_stream()
        .into_iter()
        .filter_map(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => Some(ident.to_string()),
            _ => None,
        })
        .collect()
}

/// The names a field's type mentions, but none for a flexible array member: its entries are not the struct's bytes
/// (each is serialized in its own right).
fn field_names(field: &syn::Field) -> Vec<String> {
    let names = names_in(&field.ty);
    if names.iter().any(|name| name == "__IncompleteArrayField") {
        return Vec::new();
    }
    names
}

fn is_packed(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("repr") && a.to_token_stream().to_string().contains("packed"))
}

/// The types the impls are written for, by name: the closure's structs and unions from the bindings, and the
/// hand-written listed structs.
struct Definitions<'a> {
    structs: BTreeMap<String, &'a ItemStruct>,
    unions: BTreeSet<String>,
}

impl Definitions<'_> {
    /// Why `name` cannot be converted, if it cannot; `seen` stops a (never expected) cycle.
    fn blocker(&self, name: &str, seen: &mut BTreeSet<String>) -> Option<Blocker> {
        if self.unions.contains(name) {
            return Some(Blocker::Union(name.to_string()));
        }
        if name == BITFIELD_UNIT {
            return Some(Blocker::Bitfields);
        }
        let item = self.structs.get(name)?;
        if !seen.insert(name.to_string()) {
            return None;
        }
        item.fields
            .iter()
            .flat_map(field_names)
            .find_map(|inner| self.blocker(&inner, seen))
    }

    /// The reason sentence of a struct that cannot be converted, naming the field that stops it.
    fn reason(&self, item: &ItemStruct) -> Option<String> {
        item.fields.iter().find_map(|field| {
            let field_name = field.ident.as_ref().map_or_else(String::new, ToString::to_string);
            let direct = field_names(field);
            let blocker = direct.iter().find_map(|inner| self.blocker(inner, &mut BTreeSet::new()))?;
            Some(match blocker {
                Blocker::Union(union) if direct.contains(&union) => {
                    format!("its field `{field_name}` is the union `{union}`, whose active member decides which bytes form one integer")
                }
                Blocker::Union(union) => format!(
                    "its field `{field_name}` holds the union `{union}`, whose active member decides which bytes form one integer"
                ),
                Blocker::Bitfields => format!(
                    "its field `{field_name}` holds bitfields, whose accessors pick bits by the host's byte order"
                ),
            })
        })
    }
}

/// The body of a convertible struct's `swap_bytes`: every field in turn (a packed struct's through a copy, as its
/// fields cannot be borrowed).
fn swap_fields(item: &ItemStruct) -> TokenStream {
    let packed = is_packed(&item.attrs);
    let Fields::Named(fields) = &item.fields else {
        return quote!(Ok(()));
    };
    let steps = fields
        .named
        .iter()
        .filter_map(|field| field.ident.as_ref())
        .map(|name| {
            if packed {
                quote! {
                    let mut #name = self.#name;
                    SwapBytes::swap_bytes(&mut #name)?;
                    self.#name = #name;
                }
            } else {
                quote!(SwapBytes::swap_bytes(&mut self.#name)?;)
            }
        });
    quote!(#(#steps)* Ok(()))
}

/// The snapshot byte order of `arch`: the row's, but the target's own when the crate is built for its arch (a
/// powerpc64le VMM writes little-endian snapshots, as every raw-bytes serializer there does), and what the
/// `kvm_bindings_snapshot_endian` cfg says when a tool reads the other order's snapshots of a two-order arch.
fn snapshot_byte_order(arch: &Arch) -> Item {
    let row = match arch.endian {
        "big" => quote!(ByteOrder::Big),
        _ => quote!(ByteOrder::Little),
    };
    let target_arch = &arch.target_arch;
    let doc = format!(
        " The byte order of kvm-bindings-{}'s snapshots: what its serde impls write and read.\n\n \
         `{}` (`arches.tsv`) on any other host; on {target_arch} itself the target's own order, which a raw-bytes \
         serializer there writes. Build with `--cfg kvm_bindings_snapshot_endian=\"little\"` (or `\"big\"`) to read \
         snapshots of the other order of an arch that has both.",
        arch.name, arch.endian
    );
    parse_quote! {
        #[doc = #doc]
        pub const SNAPSHOT_BYTE_ORDER: ByteOrder = if cfg!(kvm_bindings_snapshot_endian = "little") {
            ByteOrder::Little
        } else if cfg!(kvm_bindings_snapshot_endian = "big") {
            ByteOrder::Big
        } else if cfg!(target_arch = #target_arch) {
            ByteOrder::HOST
        } else {
            #row
        };
    }
}

/// The items of `src/byte_order.rs` for `arch`, and the reason per listed type that cannot be converted (for its
/// docs). `closure` is the serde closure of the bindings' types (`rewrite::contained_types`).
pub fn byte_order_items(
    arch: &Arch,
    items: &[Item],
    closure: &BTreeSet<String>,
    hand_written: &[HandWritten],
) -> (Vec<Item>, BTreeMap<String, String>) {
    let mut definitions = Definitions {
        structs: BTreeMap::new(),
        unions: BTreeSet::new(),
    };
    for item in items {
        match item {
            Item::Struct(s) if closure.contains(&s.ident.to_string()) => {
                definitions.structs.insert(s.ident.to_string(), s);
            }
            Item::Union(u) if closure.contains(&u.ident.to_string()) => {
                definitions.unions.insert(u.ident.to_string());
            }
            _ => {}
        }
    }
    for hand in hand_written {
        definitions.structs.insert(hand.item.ident.to_string(), &hand.item);
    }

    let mut out: Vec<Item> = vec![
        parse_quote!(
            use kvm_bindings_common::{ByteOrder, SwapBytes, Unconvertible};
        ),
        parse_quote!(
            use crate::bindings::*;
        ),
        snapshot_byte_order(arch),
    ];
    let mut reasons = BTreeMap::new();
    for (name, item) in &definitions.structs {
        let hand = hand_written.iter().find(|h| h.item.ident == *name);
        let (path, cfgs): (syn::Path, &[Attribute]) = match hand {
            Some(hand) => (hand.path.clone(), &hand.cfgs),
            None => {
                let ident = format_ident!("{name}");
                (parse_quote!(#ident), &[])
            }
        };
        let body = match definitions.reason(item) {
            Some(reason) => {
                let body = quote!(Err(Unconvertible { type_name: #name, reason: #reason }));
                reasons.insert(name.clone(), reason);
                body
            }
            None => swap_fields(item),
        };
        out.push(parse_quote! {
            #(#cfgs)*
            impl SwapBytes for #path {
                fn swap_bytes(&mut self) -> Result<(), Unconvertible> {
                    #body
                }
            }
        });
    }
    for name in &definitions.unions {
        let ident = format_ident!("{name}");
        let reason = "it is a union, whose active member decides which bytes form one integer";
        out.push(parse_quote! {
            impl SwapBytes for #ident {
                fn swap_bytes(&mut self) -> Result<(), Unconvertible> {
                    Err(Unconvertible { type_name: #name, reason: #reason })
                }
            }
        });
        reasons.insert(name.clone(), reason.to_string());
    }
    (out, reasons)
}

/// Adds to each listed type that cannot be converted a paragraph saying so, with the reason.
pub fn document_unconvertible(
    items: &mut [Item],
    listed: &BTreeSet<String>,
    reasons: &BTreeMap<String, String>,
    arch: &Arch,
) {
    for item in items {
        let (name, attrs) = match item {
            Item::Struct(s) => (s.ident.to_string(), &mut s.attrs),
            Item::Union(u) => (u.ident.to_string(), &mut u.attrs),
            _ => continue,
        };
        let (true, Some(reason)) = (listed.contains(&name), reasons.get(&name)) else {
            continue;
        };
        let text = format!(
            " Its snapshots are serialized in {}'s byte order ([`byte_order::SNAPSHOT_BYTE_ORDER`](crate::byte_order::SNAPSHOT_BYTE_ORDER)). \
             On a host of the other byte order it cannot be serialized or deserialized (the format returns an error, \
             never swapped bytes): {reason}.",
            arch.name
        );
        // A paragraph of its own after the kernel's comment, if the type has one.
        if attrs.iter().any(|attr| attr.path().is_ident("doc")) {
            attrs.push(parse_quote!(#[doc = ""]));
        }
        attrs.push(parse_quote!(#[doc = #text]));
    }
}
