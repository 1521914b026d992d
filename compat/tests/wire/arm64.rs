//! arm64 (on aarch64 hosts): kvm-bindings-arm64 against 0.14.2's arm64 bindings.

use kvm_bindings_compat::{Tally, compare_types};

pub const ARCH: &str = "arm64";

/// Our serde list.
pub const OUR_SERDE_LIST: &str = include_str!("../../../kvm-bindings-arm64/src/serialize.rs");

/// 0.14.2's serde list (its src/arm64/serialize.rs).
pub const V014_SERDE_LIST: &[&str] = &[
    "user_pt_regs",
    "user_fpsimd_state",
    "kvm_regs",
    "kvm_vcpu_init",
    "kvm_mp_state",
    "kvm_one_reg",
    "kvm_irq_routing",
    "kvm_irq_routing_entry",
];

/// Every type both crates serialize; adding one is one line.
pub fn compare(tally: &mut Tally) {
    compare_types!(
        tally,
        kvm_bindings_arm64,
        kvm_bindings_v014,
        [
            user_pt_regs,
            user_fpsimd_state,
            kvm_regs,
            kvm_vcpu_init,
            kvm_mp_state,
            kvm_one_reg,
            kvm_irq_routing,
            kvm_irq_routing_entry,
        ]
    );
}
