//! riscv64 (on riscv64 hosts): kvm-bindings-riscv64 against 0.14.2's riscv64 bindings.

use kvm_bindings_compat::{Tally, compare_grown_types, compare_types};

pub const ARCH: &str = "riscv64";

/// Our serde list.
pub const OUR_SERDE_LIST: &str = include_str!("../../../kvm-bindings-riscv64/src/serialize.rs");

/// 0.14.2's serde list (its src/riscv64/serialize.rs).
pub const V014_SERDE_LIST: &[&str] = &[
    "kvm_mp_state",
    "kvm_one_reg",
    "kvm_riscv_config",
    "kvm_riscv_core",
    "user_regs_struct",
    "kvm_riscv_csr",
    "kvm_riscv_aia_csr",
    "kvm_riscv_smstateen_csr",
    "kvm_riscv_timer",
    "kvm_riscv_sbi_sta",
    "kvm_irq_routing",
    "kvm_irq_routing_entry",
];

/// Every type both crates serialize; adding one is one line. A type the kernel has grown at the end since 0.14.2's
/// bindings goes in the second list, compared as grown (see `kvm_bindings_compat::compare_grown`).
pub fn compare(tally: &mut Tally) {
    compare_types!(
        tally,
        kvm_bindings_riscv64,
        kvm_bindings_v014,
        [
            kvm_mp_state,
            kvm_one_reg,
            kvm_riscv_core,
            user_regs_struct,
            kvm_riscv_csr,
            kvm_riscv_aia_csr,
            kvm_riscv_smstateen_csr,
            kvm_riscv_timer,
            kvm_riscv_sbi_sta,
            kvm_irq_routing,
            kvm_irq_routing_entry,
        ]
    );
    // Gained zicbop_block_size, the last field here (56 -> 64 bytes).
    compare_grown_types!(tally, kvm_bindings_riscv64, kvm_bindings_v014, [kvm_riscv_config]);
}
