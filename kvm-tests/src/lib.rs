//! End-to-end tests of kvm-bindings on the running kernel: they open `/dev/kvm`, run small guests, and snapshot and
//! restore a VM through serde (see `tests/`).
//!
//! The VMM the tests drive is the `snapshot_guest` example's (`kvm-bindings/examples/tiny_vmm/`), included here so
//! that the example users copy from is the code under test.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

#[path = "../../kvm-bindings/examples/tiny_vmm/mod.rs"]
pub mod tiny_vmm;

mod skip;
pub use skip::{REQUIRE_KVM_VAR, cap_or_skip, kvm_or_skip};
