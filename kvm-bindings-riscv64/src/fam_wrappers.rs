//! Safe wrappers over the riscv64 structs that end in a flexible array member (FAM): [`RegList`] and
//! [`KvmIrqRouting`].
//!
//! Each is vmm-sys-util's [`FamStructWrapper`](vmm_sys_util::fam::FamStructWrapper) over the binding struct: it
//! owns a buffer large enough for the header and its entries and keeps the header's length field equal to the
//! number of entries.
//!
//! With the `serde` feature too, a wrapper serializes as a pair (header bytes, entries), the format of
//! kvm-bindings 0.14. Deserializing checks the pair: a header whose length disagrees with the number of entries, or
//! more entries than the wrapper's maximum, is an error.

use vmm_sys_util::fam::FamStruct;

use crate::bindings::*;

/// The most registers a [`RegList`] holds: kvm-bindings 0.14's limit. The kernel has none, and `KVM_GET_REG_LIST`
/// returns well under it on current harts.
const RISCV64_REGS_MAX: usize = 200;

kvm_bindings_common::kvm_reg_list_wrapper!(RISCV64_REGS_MAX);

// `kvm_irq_routing` is in linux/kvm.h, the same on every architecture: its wrapper is defined once.
kvm_bindings_common::kvm_irq_routing_wrapper!();

#[cfg(test)]
mod tests;
