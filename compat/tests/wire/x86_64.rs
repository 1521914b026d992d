//! x86_64: kvm-bindings-x86_64 against 0.14.2's x86_64 bindings.

use kvm_bindings_compat::{Tally, compare_types};

pub const ARCH: &str = "x86_64";

/// Our serde list.
pub const OUR_SERDE_LIST: &str = include_str!("../../../kvm-bindings-x86_64/src/serialize.rs");

/// 0.14.2's serde list (its src/x86_64/serialize.rs; `kvm_xsave2` with `fam-wrappers`, enabled here).
pub const V014_SERDE_LIST: &[&str] = &[
    "kvm_regs",
    "kvm_segment",
    "kvm_dtable",
    "kvm_sregs",
    "kvm_msr_entry",
    "kvm_cpuid_entry2",
    "kvm_pit_channel_state",
    "kvm_pit_state2",
    "kvm_vcpu_events",
    "kvm_debugregs",
    "kvm_xcr",
    "kvm_xcrs",
    "kvm_mp_state",
    "kvm_clock_data",
    "kvm_lapic_state",
    "kvm_msrs",
    "kvm_cpuid2",
    "kvm_xsave",
    "kvm_irqchip",
    "kvm_irq_routing",
    "kvm_irq_routing_entry",
    "KvmNestedStateBuffer",
    "kvm_xsave2",
];

/// Every type both crates serialize; adding one is one line.
pub fn compare(tally: &mut Tally) {
    compare_types!(
        tally,
        kvm_bindings_x86_64,
        kvm_bindings_v014,
        [
            kvm_regs,
            kvm_segment,
            kvm_dtable,
            kvm_sregs,
            kvm_msr_entry,
            kvm_cpuid_entry2,
            kvm_pit_channel_state,
            kvm_pit_state2,
            kvm_vcpu_events,
            kvm_debugregs,
            kvm_xcr,
            kvm_xcrs,
            kvm_mp_state,
            kvm_clock_data,
            kvm_lapic_state,
            kvm_msrs,
            kvm_cpuid2,
            kvm_xsave,
            kvm_irqchip,
            kvm_irq_routing,
            kvm_irq_routing_entry,
            nested::KvmNestedStateBuffer,
            kvm_xsave2,
        ]
    );
}
