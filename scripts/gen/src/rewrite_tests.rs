//! Tests of the rewrite passes on small, bindgen-shaped inputs.

use std::collections::BTreeSet;

use syn::Item;

use crate::rewrite::*;

fn items(source: &str) -> Vec<Item> {
    syn::parse_file(source).expect("test input parses").items
}

fn text(items: &[Item]) -> String {
    prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: items.to_vec(),
    })
}

/// The shape bindgen gives `__DECLARE_FLEX_ARRAY` in a struct and in a union, with the impls it writes.
const FLEX_ARRAYS: &str = r#"
    pub struct kvm_cpuid2 { pub nent: u32, pub padding: u32, pub __bindgen_anon_1: kvm_cpuid2__bindgen_ty_1 }
    pub struct kvm_cpuid2__bindgen_ty_1 {
        pub __empty_entries: kvm_cpuid2__bindgen_ty_1__bindgen_ty_1,
        pub entries: __IncompleteArrayField<kvm_cpuid_entry2>,
    }
    pub struct kvm_cpuid2__bindgen_ty_1__bindgen_ty_1 {}
    const _: () = { ["Size"][::core::mem::size_of::<kvm_cpuid2__bindgen_ty_1>() - 0usize]; };
    impl ::core::fmt::Debug for kvm_cpuid2 {
        fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
            write!(f, "kvm_cpuid2 {{ nent: {:?}, __bindgen_anon_1: {:?} }}", self.nent, self.__bindgen_anon_1)
        }
    }
    pub struct kvm_cpuid_entry2 { pub function: u32 }
    pub struct state { pub data: state__bindgen_ty_1 }
    pub union state__bindgen_ty_1 { pub __bindgen_anon_1: ::core::mem::ManuallyDrop<state__bindgen_ty_1__bindgen_ty_1> }
    pub struct state__bindgen_ty_1__bindgen_ty_1 {
        pub __empty_vmx: state__bindgen_ty_1__bindgen_ty_1__bindgen_ty_1,
        pub vmx: __IncompleteArrayField<u8>,
    }
    pub struct state__bindgen_ty_1__bindgen_ty_1__bindgen_ty_1 {}
"#;

#[test]
fn flex_array_wrappers_in_structs_become_the_array() {
    let mut items = items(FLEX_ARRAYS);
    let flattened = flatten_flex_arrays(&mut items);
    assert_eq!(flattened, ["kvm_cpuid2"]);
    let text = text(&items);
    assert!(
        text.contains("pub entries: __IncompleteArrayField<kvm_cpuid_entry2>,"),
        "{text}"
    );
    assert!(
        !text.contains("kvm_cpuid2__bindgen_ty_1"),
        "the wrapper and its layout asserts are gone:\n{text}"
    );
    assert!(
        text.contains("entries: {:?} }}\", self.nent, self.entries"),
        "Debug prints the new field:\n{text}"
    );
}

#[test]
fn flex_array_wrappers_in_unions_stay() {
    let mut items = items(FLEX_ARRAYS);
    flatten_flex_arrays(&mut items);
    let text = text(&items);
    assert!(
        text.contains("pub struct state__bindgen_ty_1__bindgen_ty_1 {"),
        "{text}"
    );
    assert!(
        text.contains("pub __empty_vmx: state__bindgen_ty_1__bindgen_ty_1__bindgen_ty_1,"),
        "{text}"
    );
}

#[test]
fn the_derive_closure_reaches_anonymous_types_through_arrays_and_aliases() {
    let items = items(
        r#"
        pub type __u32 = u32;
        pub type alias = inner;
        pub struct outer { pub a: __u32, pub b: [outer__bindgen_ty_1; 2usize], pub c: alias }
        pub union outer__bindgen_ty_1 { pub x: u32, pub y: [u8; 4usize] }
        pub struct inner { pub z: u64 }
        pub struct unrelated { pub w: u64 }
        "#,
    );
    let seeds = BTreeSet::from(["outer".to_string()]);
    let closure: Vec<String> = contained_types(&items, &seeds).into_iter().collect();
    assert_eq!(closure, ["inner", "outer", "outer__bindgen_ty_1"]);
}

#[test]
fn unions_get_derives_and_a_checked_into_bytes() {
    let mut items =
        items("pub struct s { pub u: s__bindgen_ty_1 } pub union s__bindgen_ty_1 { pub a: u32, pub b: u16 }");
    let closure = BTreeSet::from(["s".to_string(), "s__bindgen_ty_1".to_string()]);
    derive_zerocopy(&mut items, &closure);
    let text = text(&items);
    assert!(
        text.contains("derive(zerocopy::IntoBytes, zerocopy::Immutable, zerocopy::FromBytes)"),
        "{text}"
    );
    assert!(
        text.contains("derive(zerocopy::Immutable, zerocopy::FromBytes)"),
        "{text}"
    );
    assert!(
        text.contains("kvm_bindings_common::union_into_bytes!(s__bindgen_ty_1, u32, u16);"),
        "{text}"
    );
}

#[test]
fn helper_types_move_out_and_are_imported_back() {
    let mut items = items(
        "pub struct __IncompleteArrayField<T>(::core::marker::PhantomData<T>, [T; 0]);
         impl<T> __IncompleteArrayField<T> { pub fn new() -> Self { todo!() } }
         pub struct msrs { pub entries: __IncompleteArrayField<u64> }",
    );
    let helpers = extract_helper_types(&mut items);
    assert_eq!(helpers.len(), 2);
    import_common_helpers(&mut items);
    let text = text(&items);
    let first_line = text.lines().next().unwrap_or_default();
    assert!(first_line.starts_with("pub use kvm_bindings_common::"), "{text}");
    assert!(
        first_line.contains("__IncompleteArrayField") && !first_line.contains("Bitfield"),
        "{text}"
    );
}
