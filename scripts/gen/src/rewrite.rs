//! Passes over bindgen's output. Each pass is a small function that states the kernel or zerocopy rule it exists
//! for; they work on a list of items so that the order bindgen chose (and with it, determinism) is kept.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Group, Ident, Literal, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use syn::{Fields, Item, Type, parse_quote};

use crate::macros::RequestCode;

/// bindgen's helper types. They are identical for every architecture, so they are defined once, in
/// `kvm-bindings-common`, and imported by every arch crate.
pub const HELPER_TYPES: &[&str] = &["__BindgenBitfieldUnit", "__IncompleteArrayField", "__BindgenUnionField"];

/// The attribute that makes a struct readable and writable as plain bytes when the `serde` feature is on.
fn zerocopy_struct_derive() -> syn::Attribute {
    parse_quote!(#[cfg_attr(feature = "serde", derive(zerocopy::IntoBytes, zerocopy::Immutable, zerocopy::FromBytes))])
}

/// The attribute for unions: zerocopy derives `FromBytes` and `Immutable` for them, but refuses `IntoBytes` (see
/// `kvm_bindings_common::union_into_bytes!`, which the generator invokes instead).
fn zerocopy_union_derive() -> syn::Attribute {
    parse_quote!(#[cfg_attr(feature = "serde", derive(zerocopy::Immutable, zerocopy::FromBytes))])
}

/// The name of the type an item defines or implements something for; `None` for `const _` blocks and the rest.
pub fn item_subject(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Union(u) => Some(u.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Impl(i) => match &*i.self_ty {
            Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// Every identifier in `tokens`, macro bodies included (layout asserts name their types inside `offset_of!`).
fn identifiers(tokens: TokenStream, found: &mut BTreeSet<String>) {
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => {
                found.insert(ident.to_string());
            }
            TokenTree::Group(group) => identifiers(group.stream(), found),
            _ => {}
        }
    }
}

fn identifiers_of(item: &impl ToTokens) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    identifiers(item.to_token_stream(), &mut found);
    found
}

/// Removes bindgen's helper types and their impls from `items`, returning them in bindgen's order.
pub fn extract_helper_types(items: &mut Vec<Item>) -> Vec<Item> {
    let (helpers, rest): (Vec<Item>, Vec<Item>) = std::mem::take(items)
        .into_iter()
        .partition(|item| item_subject(item).is_some_and(|name| HELPER_TYPES.contains(&name.as_str())));
    *items = rest;
    helpers
}

/// Groups items by the type they define or implement for, keeping bindgen's order within a group.
pub fn group_by_subject(items: Vec<Item>) -> BTreeMap<String, Vec<Item>> {
    let mut groups: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for item in items {
        groups
            .entry(item_subject(&item).unwrap_or_default())
            .or_default()
            .push(item);
    }
    groups
}

/// Prepares the helper types for `kvm-bindings-common`: zerocopy can only derive its traits on a generic struct that
/// is `repr(transparent)` (or packed), and a one-field wrapper has the same layout either way.
///
/// `__BindgenUnionField<T>` stays `repr(C)`, as kvm-bindings 0.14 has it: its one field is a `PhantomData`, and zerocopy
/// derives its traits on a `repr(C)` struct of at most one field (it cannot have padding).
pub fn make_helpers_transparent(helpers: &mut [Item]) {
    for item in helpers {
        if let Item::Struct(s) = item {
            if s.ident == "__BindgenUnionField" {
                s.attrs.push(zerocopy_struct_derive());
                continue;
            }
            for attr in &mut s.attrs {
                if attr.path().is_ident("repr") {
                    *attr = parse_quote!(#[repr(transparent)]);
                }
            }
            s.attrs.push(zerocopy_struct_derive());
        }
    }
}

/// A `__DECLARE_FLEX_ARRAY` wrapper: `struct { struct { } __empty_X; T X[]; }`.
struct FlexArrayWrapper {
    array_field: Ident,
    array_type: Type,
    empty_struct: String,
}

fn as_flex_array_wrapper(item: &Item, empty_structs: &BTreeSet<String>) -> Option<FlexArrayWrapper> {
    let Item::Struct(s) = item else { return None };
    let Fields::Named(fields) = &s.fields else { return None };
    let [empty, array] = [fields.named.first()?, fields.named.last()?];
    if fields.named.len() != 2 {
        return None;
    }
    let array_field = array.ident.clone()?;
    let empty_name = empty.ident.as_ref()?.to_string();
    if empty_name != format!("__empty_{array_field}") {
        return None;
    }
    let empty_struct = match &empty.ty {
        Type::Path(p) => p.path.segments.last()?.ident.to_string(),
        _ => return None,
    };
    let is_incomplete_array = matches!(&array.ty, Type::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident == "__IncompleteArrayField"));
    (empty_structs.contains(&empty_struct) && is_incomplete_array).then(|| FlexArrayWrapper {
        array_field,
        array_type: array.ty.clone(),
        empty_struct,
    })
}

/// Renames identifier `from` to `to` in `tokens`, and `from:` to `to:` inside string literals (bindgen's `Debug`
/// impls print field names from a format string).
fn rename_field(tokens: TokenStream, from: &str, to: &Ident) -> TokenStream {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Ident(ident) if ident == from => TokenTree::Ident(Ident::new(&to.to_string(), ident.span())),
            TokenTree::Group(group) => {
                let mut renamed = Group::new(group.delimiter(), rename_field(group.stream(), from, to));
                renamed.set_span(group.span());
                TokenTree::Group(renamed)
            }
            TokenTree::Literal(literal) => {
                let text = literal.to_string();
                let pattern = format!("{from}:");
                if text.starts_with('"') && text.contains(&pattern) {
                    let value: String = syn::parse_str::<syn::LitStr>(&text).map(|l| l.value()).unwrap_or(text);
                    TokenTree::Literal(Literal::string(&value.replace(&pattern, &format!("{to}:"))))
                } else {
                    TokenTree::Literal(literal)
                }
            }
            other => other,
        })
        .collect()
}

/// Replaces each `__DECLARE_FLEX_ARRAY` wrapper that is a member of a *struct* by the array itself.
///
/// Linux 6.x declares flexible arrays with `__DECLARE_FLEX_ARRAY`, which bindgen renders as an anonymous struct:
/// `kvm_cpuid2.__bindgen_anon_1.entries`. kvm-bindings 0.14 and vmm-sys-util's FAM macros use `kvm_cpuid2.entries`,
/// and the layout is the same (the wrapper is a zero-sized struct at the array's offset). Inside a *union* the
/// wrapper is what makes the C legal, and kvm-bindings 0.14 keeps it there too, so unions are left alone.
/// Returns the names of the structs it changed.
pub fn flatten_flex_arrays(items: &mut Vec<Item>) -> Vec<String> {
    let empty_structs: BTreeSet<String> = items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) if s.fields.is_empty() => Some(s.ident.to_string()),
            _ => None,
        })
        .collect();
    let wrappers: BTreeMap<String, FlexArrayWrapper> = items
        .iter()
        .filter_map(|item| Some((item_subject(item)?, as_flex_array_wrapper(item, &empty_structs)?)))
        .collect();

    // (struct, anonymous field, array field) for every struct member that is a wrapper.
    let mut renames: Vec<(String, String, Ident)> = Vec::new();
    let mut flattened_wrappers = BTreeSet::new();
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        for field in s.fields.iter_mut() {
            let Type::Path(p) = &field.ty else { continue };
            let Some(wrapper_name) = p.path.segments.last().map(|s| s.ident.to_string()) else {
                continue;
            };
            let Some(wrapper) = wrappers.get(&wrapper_name) else {
                continue;
            };
            let Some(anonymous) = field.ident.replace(wrapper.array_field.clone()) else {
                continue;
            };
            field.ty = wrapper.array_type.clone();
            renames.push((s.ident.to_string(), anonymous.to_string(), wrapper.array_field.clone()));
            flattened_wrappers.insert(wrapper_name);
        }
    }

    // A wrapper that a union still names stays, with its empty struct. Only type definitions count: the wrappers'
    // own impls and layout asserts go with them.
    let still_named: BTreeSet<String> = items
        .iter()
        .filter(|item| matches!(item, Item::Struct(_) | Item::Union(_) | Item::Type(_)))
        .filter(|item| !item_subject(item).is_some_and(|name| flattened_wrappers.contains(&name)))
        .flat_map(identifiers_of)
        .collect();
    let removed: BTreeSet<String> = flattened_wrappers
        .iter()
        .filter(|name| !still_named.contains(*name))
        .flat_map(|name| [name.clone(), wrappers[name].empty_struct.clone()])
        .collect();

    items.retain(|item| match item_subject(item) {
        Some(name) => !removed.contains(&name),
        None => identifiers_of(item).is_disjoint(&removed),
    });
    for item in items.iter_mut() {
        for (owner, anonymous, array) in &renames {
            let mentions_owner = match item_subject(item) {
                Some(name) => &name == owner,
                None => identifiers_of(item).contains(owner),
            };
            if mentions_owner && identifiers_of(item).contains(anonymous) {
                let renamed = rename_field(item.to_token_stream(), anonymous, array);
                *item = syn::parse2(renamed).expect("renaming an identifier keeps an item parseable");
            }
        }
    }
    renames.into_iter().map(|(owner, _, _)| owner).collect()
}

/// Replaces each struct in `serializable` by its definition from bindgen's explicitly padded output.
///
/// zerocopy refuses `IntoBytes` for a struct with padding, since padding bytes are uninitialized. KVM's uapi structs
/// mostly spell their padding out, but not all: arm64 `kvm_regs` pads 8 bytes before its 16-byte aligned `fp_regs`.
/// bindgen can name such padding (`__bindgen_padding_0`, as kvm-bindings 0.14 had there), but only for every struct
/// at once; this keeps it to the types that are serialized, so no other struct gains a field.
pub fn pad_serializable(items: &mut [Item], padded: &[Item], serializable: &BTreeSet<String>) {
    let padded_structs: BTreeMap<String, &Item> = padded
        .iter()
        .filter(|item| matches!(item, Item::Struct(_)))
        .filter_map(|item| Some((item_subject(item)?, item)))
        .collect();
    for item in items.iter_mut() {
        if let Item::Struct(s) = item {
            let name = s.ident.to_string();
            if let Some(padded) = padded_structs.get(&name).filter(|_| serializable.contains(&name)) {
                *item = (*padded).clone();
            }
        }
    }
}

/// Struct and union names reachable from `seeds` through field types and type aliases.
pub fn contained_types(items: &[Item], seeds: &BTreeSet<String>) -> BTreeSet<String> {
    let definitions: BTreeMap<String, &Item> = items
        .iter()
        .filter(|item| matches!(item, Item::Struct(_) | Item::Union(_) | Item::Type(_)))
        .filter_map(|item| Some((item_subject(item)?, item)))
        .collect();
    let mut reached = BTreeSet::new();
    let mut pending: Vec<String> = seeds.iter().cloned().collect();
    while let Some(name) = pending.pop() {
        let Some(item) = definitions.get(&name) else { continue };
        if !reached.insert(name) {
            continue;
        }
        let inner = match item {
            Item::Struct(s) => s.fields.iter().flat_map(|f| identifiers_of(&f.ty)).collect(),
            Item::Union(u) => u.fields.named.iter().flat_map(|f| identifiers_of(&f.ty)).collect(),
            Item::Type(t) => identifiers_of(&t.ty),
            _ => BTreeSet::new(),
        };
        pending.extend(inner.into_iter().filter(|name| definitions.contains_key(name)));
    }
    reached.retain(|name| matches!(definitions[name], Item::Struct(_) | Item::Union(_)));
    reached
}

/// Adds zerocopy derives, under the `serde` feature, to every type in `closure` (the serde list and every type its
/// types contain, anonymous `__bindgen_ty_N` types included, from [`contained_types`]): `serde_impls!` reads and writes values as bytes, and zerocopy checks at compile
/// time that this is sound for each field. Unions get `FromBytes`/`Immutable` derived and `IntoBytes` through
/// `kvm_bindings_common::union_into_bytes!`, which asserts the union's fields are plain bytes too.
pub fn derive_zerocopy(items: &mut Vec<Item>, closure: &BTreeSet<String>) {
    let mut with_derives = Vec::with_capacity(items.len());
    for mut item in std::mem::take(items) {
        let union_bytes = match &mut item {
            Item::Struct(s) if closure.contains(&s.ident.to_string()) => {
                s.attrs.push(zerocopy_struct_derive());
                None
            }
            Item::Union(u) if closure.contains(&u.ident.to_string()) => {
                u.attrs.push(zerocopy_union_derive());
                let name = &u.ident;
                let field_types = u.fields.named.iter().map(|f| &f.ty);
                Some(parse_quote! {
                    #[cfg(feature = "serde")]
                    kvm_bindings_common::union_into_bytes!(#name, #(#field_types),*);
                })
            }
            _ => None,
        };
        with_derives.push(item);
        with_derives.extend(union_bytes);
    }
    *items = with_derives;
}

/// Puts `pub use kvm_bindings_common::{…}` for the helper types the bindings use first, so they stay reachable at
/// the paths kvm-bindings 0.14 had (`kvm_bindings::__IncompleteArrayField`).
pub fn import_common_helpers(items: &mut Vec<Item>) {
    let used: BTreeSet<String> = items.iter().flat_map(identifiers_of).collect();
    let helpers: Vec<Ident> = HELPER_TYPES
        .iter()
        .filter(|name| used.contains(**name))
        .map(|name| format_ident!("{name}"))
        .collect();
    if !helpers.is_empty() {
        items.insert(0, parse_quote!(pub use kvm_bindings_common::{#(#helpers),*};));
    }
}

/// The tokens of `items`, for comparisons that ignore formatting.
pub fn tokens_of(items: &[Item]) -> String {
    quote!(#(#items)*).to_string()
}

/// The value of an integer constant bindgen wrote (`12`, `-1`), if it is one.
fn integer_value(expr: &syn::Expr) -> Option<i128> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) => int.base10_parse().ok(),
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => integer_value(expr).map(|v| -v),
        _ => None,
    }
}

/// The names of the constants bindgen gave a negative value: the only ones whose C type it may have lost (see
/// `raw_bindings::unsigned_widths`).
pub fn negative_constants(items: &[Item]) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Const(c) if integer_value(&c.expr).is_some_and(|v| v < 0) => Some(c.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Gives the constants of an unsigned C type (`(__u64)-1`, `__GENMASK_ULL(63, 56)`) that type and the value C has:
/// bindgen types an evaluated macro by its value as an `i64`, so these came out negative and signed. `widths` is
/// clang's answer: the unsigned ones, by size in bytes.
pub fn retype_unsigned_constants(items: &mut [Item], widths: &BTreeMap<String, usize>) {
    for item in items {
        let Item::Const(c) = item else { continue };
        let Some(width) = widths.get(&c.ident.to_string()) else {
            continue;
        };
        let Some(value) = integer_value(&c.expr) else { continue };
        let (ty, value): (Type, u128) = match width {
            4 => (parse_quote!(u32), u128::from(value as i64 as u32)),
            _ => (parse_quote!(u64), u128::from(value as i64 as u64)),
        };
        let literal = Literal::u128_unsuffixed(value);
        *c.ty = ty;
        *c.expr = parse_quote!(#literal);
    }
}

/// What a request code's argument is, said for its documentation.
fn request_direction(kind: &str) -> &'static str {
    match kind {
        "_IOR" => "the kernel writes it (read)",
        "_IOW" => "the kernel reads it (write)",
        "_IOWR" => "the kernel reads and writes it",
        _ => "no argument struct",
    }
}

/// The documentation line of one request code: its C definition and argument, linked when the bindings have it.
fn request_code_doc(name: &str, code: &RequestCode, defined: &BTreeSet<String>) -> String {
    let argument = match code.argument.as_deref() {
        None => format!("Takes {}.", request_direction(&code.kind)),
        Some(argument) => {
            let type_name = argument
                .strip_prefix("struct ")
                .or_else(|| argument.strip_prefix("union "))
                .unwrap_or(argument)
                .trim();
            let shown = if defined.contains(type_name) {
                format!("[`{type_name}`](crate::bindings::{type_name})")
            } else {
                format!("`{argument}`")
            };
            format!("Argument: {shown}; {}.", request_direction(&code.kind))
        }
    };
    let alias = code
        .alias_of
        .as_deref()
        .map(|target| format!(" (an alias of [`{target}`])"))
        .unwrap_or_default();
    format!(
        " `{name}`{alias}: `{}`, from `{}`. {argument}",
        code.definition, code.header
    )
}

/// Moves the ioctl request codes out of `items` into the items of the `ioctls` module, typed as the arch's
/// `c_ulong` (the type of `ioctl(2)`'s request argument) and documented with their C definition.
///
/// They are kept out of the crate root on purpose: VMMs and kvm-ioctls define functions named after the request
/// codes (`KVM_GET_REGS()`), and a glob import of the bindings must not start clashing with them.
pub fn split_request_codes(items: &mut Vec<Item>, codes: &BTreeMap<String, RequestCode>) -> Vec<Item> {
    let defined: BTreeSet<String> = items.iter().filter_map(item_subject).collect();
    let mut request_codes = Vec::new();
    items.retain(|item| {
        let Item::Const(c) = item else { return true };
        let name = c.ident.to_string();
        let Some(code) = codes.get(&name) else { return true };
        let doc = request_code_doc(&name, code, &defined);
        let ident = &c.ident;
        let value = &c.expr;
        request_codes.push(parse_quote! {
            #[doc = #doc]
            pub const #ident: crate::ctypes::c_ulong = #value;
        });
        false
    });
    request_codes
}

/// Moves every constant that does not belong at the root (`at_root`: the names bindgen's own macro evaluator gives
/// in a run without the clang fallback, and kvm-bindings 0.14.2's root constants) out of `items` into the items of
/// the `evaluated` module: the values of macros written with function-like macros (`_BITULL(n)`,
/// `ARM64_SYS_REG(…)`), which only clang's evaluation gives.
///
/// kvm-bindings 0.14 never had them at its root, so VMMs define them themselves, and glob-import this crate beside
/// their own constants: the same name from two glob imports is an error once used (`ambiguous_glob_imports`). The
/// root keeps exactly what 0.14's process would generate from this kernel, and every name 0.14.2 has there; the rest
/// gets a path of its own.
pub fn split_evaluated_constants(items: &mut Vec<Item>, at_root: &BTreeSet<String>) -> Vec<Item> {
    let mut evaluated = Vec::new();
    items.retain(|item| match item {
        // `const _: () = …` holds bindgen's layout assertions, not a constant.
        Item::Const(c) if c.ident != "_" && !at_root.contains(&c.ident.to_string()) => {
            evaluated.push(item.clone());
            false
        }
        _ => true,
    });
    evaluated
}
