//! Every type of the serde list, with every byte random, in bincode, serde_json and bitcode: round trip, short and
//! long input, malformed input (see `test_support::checks`). Runs on any host: the types are mips64's everywhere.
#![cfg(feature = "serde")]

use kvm_bindings_mips64::*;

test_support::serde_tests! {
    serde_list: include_str!("../src/serialize.rs"),
    byte_order: kvm_bindings_mips64::byte_order::SNAPSHOT_BYTE_ORDER,
    types: [
        kvm_device_attr,
        kvm_irq_level,
        kvm_irq_routing,
        kvm_irq_routing_entry,
        kvm_mp_state,
        kvm_one_reg,
        kvm_reg_list,
        kvm_regs,
        kvm_userspace_memory_region,
        kvm_userspace_memory_region2,
    ],
}
