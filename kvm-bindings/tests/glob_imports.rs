//! A VMM that does `use kvm_bindings::*;` beside its own constants keeps compiling on its target: the arch crate's
//! generated list of the names only the `evaluated` module has, checked against the facade's root. The cross tests
//! run it on every architecture.

// What current rustc only warns about is the error a VMM meets once it becomes one.
#![deny(ambiguous_glob_imports)]

use kvm_bindings as under_test;

#[cfg(target_arch = "x86_64")]
include!("../../kvm-bindings-x86_64/tests/glob_imports/evaluated_names.rs");
#[cfg(target_arch = "aarch64")]
include!("../../kvm-bindings-arm64/tests/glob_imports/evaluated_names.rs");
#[cfg(target_arch = "riscv64")]
include!("../../kvm-bindings-riscv64/tests/glob_imports/evaluated_names.rs");
#[cfg(target_arch = "s390x")]
include!("../../kvm-bindings-s390x/tests/glob_imports/evaluated_names.rs");
#[cfg(target_arch = "loongarch64")]
include!("../../kvm-bindings-loongarch64/tests/glob_imports/evaluated_names.rs");
#[cfg(target_arch = "powerpc64")]
include!("../../kvm-bindings-powerpc64/tests/glob_imports/evaluated_names.rs");
#[cfg(target_arch = "mips64")]
include!("../../kvm-bindings-mips64/tests/glob_imports/evaluated_names.rs");
