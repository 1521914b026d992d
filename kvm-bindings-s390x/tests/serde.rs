//! Every type of the serde list, with every byte random, in bincode, serde_json and bitcode: round trip, short and
//! long input, malformed input (see `test_support::checks`). Runs on any host: the types are s390x's everywhere.
#![cfg(feature = "serde")]

use kvm_bindings_s390x::*;

test_support::serde_tests! {
    serde_list: include_str!("../src/serialize.rs"),
    byte_order: kvm_bindings_s390x::byte_order::SNAPSHOT_BYTE_ORDER,
    types: [
        kvm_device_attr,
        kvm_fpu,
        kvm_irq_level,
        kvm_irq_routing,
        kvm_irq_routing_entry,
        kvm_mp_state,
        kvm_one_reg,
        kvm_reg_list,
        kvm_regs,
        kvm_s390_irq,
        kvm_s390_vm_tod_clock,
        kvm_sregs,
        kvm_userspace_memory_region,
        kvm_userspace_memory_region2,
    ],
}
