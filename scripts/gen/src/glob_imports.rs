//! The generated half of each arch crate's glob-import test (`tests/glob_imports.rs` includes it, and so does the
//! facade's): a VMM that does `use kvm_bindings::*;` next to `use super::regs::*;` defines the constants
//! kvm-bindings 0.14 never had itself, and Rust rejects a name two glob imports provide as soon as it is used. So
//! for every constant of the `evaluated` module, the test defines one of the same name, glob-imports both and uses
//! every name: it compiles only while the crate root leaves those names alone.

use quote::format_ident;
use syn::{Item, parse_quote};

/// The items of the test: a module of "the VMM's own" constants, one per constant of `evaluated`, and a test that
/// glob-imports them beside `super::under_test` (the crate under test, named by the file that includes this one)
/// and uses each name as the VMM's.
pub fn glob_import_test(evaluated: &[Item]) -> Vec<Item> {
    let names: Vec<_> = evaluated
        .iter()
        .filter_map(|item| match item {
            Item::Const(c) => Some(format_ident!("{}", c.ident)),
            _ => None,
        })
        .collect();
    let count = names.len();
    vec![
        parse_quote! {
            /// The type of a VMM's own definitions, so that using a name proves it is the VMM's.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct VmmOwn;
        },
        parse_quote! {
            /// The VMM's own constants, named as the `evaluated` module's.
            mod vmm_own {
                use super::VmmOwn;
                #(pub const #names: VmmOwn = VmmOwn;)*
            }
        },
        parse_quote! {
            mod glob_importer {
                // The glob import of the crate under test is the point of the test, even where no name of it is used.
                #[allow(unused_imports)]
                use super::under_test::*;
                use super::VmmOwn;
                use super::vmm_own::*;

                #[test]
                fn a_glob_import_leaves_every_evaluated_name_to_the_vmm() {
                    let names: [VmmOwn; #count] = [#(#names),*];
                    assert!(names.iter().all(|name| *name == VmmOwn));
                }
            }
        },
    ]
}
