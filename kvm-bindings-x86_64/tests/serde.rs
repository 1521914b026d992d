//! Every type of the serde list, with every byte random, in bincode, serde_json and bitcode: round trip, short and
//! long input, malformed input (see `test_support::checks`).
#![cfg(feature = "serde")]

use kvm_bindings_x86_64::*;

test_support::serde_tests! {
    serde_list: include_str!("../src/serialize.rs"),
    byte_order: kvm_bindings_x86_64::byte_order::SNAPSHOT_BYTE_ORDER,
    types: [
        kvm_clock_data,
        kvm_cpuid2,
        kvm_cpuid_entry2,
        kvm_debugregs,
        kvm_device_attr,
        kvm_dtable,
        kvm_fpu,
        kvm_guest_debug,
        kvm_irq_level,
        kvm_irq_routing,
        kvm_irq_routing_entry,
        kvm_irqchip,
        kvm_lapic_state,
        kvm_mp_state,
        kvm_msr_entry,
        kvm_msr_list,
        kvm_msrs,
        kvm_one_reg,
        kvm_pit_channel_state,
        kvm_pit_config,
        kvm_pit_state2,
        kvm_regs,
        kvm_segment,
        kvm_sregs,
        kvm_sregs2,
        kvm_userspace_memory_region,
        kvm_userspace_memory_region2,
        kvm_vcpu_events,
        kvm_xcr,
        kvm_xcrs,
        kvm_xsave,
        KvmNestedStateBuffer,
        #[cfg(feature = "fam-wrappers")]
        kvm_xsave2,
    ],
}
