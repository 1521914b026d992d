//! A VMM that glob-imports this crate beside its own constants keeps compiling: for every constant of
//! [`kvm_bindings_s390x::evaluated`] — those kvm-bindings 0.14 never had, which VMMs therefore defined themselves — the
//! included, generated file defines one of the same name, glob-imports both and uses every name.

// What current rustc only warns about is the error a VMM meets once it becomes one.
#![deny(ambiguous_glob_imports)]

use kvm_bindings_s390x as under_test;

include!("glob_imports/evaluated_names.rs");
