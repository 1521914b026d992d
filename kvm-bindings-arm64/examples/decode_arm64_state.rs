//! Decodes the vCPU state of an arm64 guest and prints its registers — on any host, x86_64 included.
//!
//! kvm-bindings 0.14 has arm64's types only when built for aarch64, so a tool on an x86_64 machine cannot read an
//! arm64 snapshot with it. kvm-bindings-arm64 has them everywhere.
//!
//! The state is a bincode 2 blob (serde path, standard config) of the tuple [`VcpuState`]. Pass a file holding one,
//! or nothing to decode a sample built here: a vCPU stopped in a Linux guest's kernel at EL1.
//!
//! ```text
//! cargo run -p kvm-bindings-arm64 --example decode_arm64_state --features serde [-- STATE_FILE]
//! ```

use std::error::Error;

use kvm_bindings_arm64::*;

/// The vCPU state a VMM saves: how the vCPU was created, its general registers, and system registers as read with
/// `KVM_GET_ONE_REG` (each `kvm_one_reg` as passed to the ioctl, with the value the kernel wrote).
type VcpuState = (kvm_vcpu_init, user_pt_regs, Vec<(kvm_one_reg, u64)>);

fn main() -> Result<(), Box<dyn Error>> {
    let blob = match std::env::args_os().nth(1) {
        Some(path) => std::fs::read(path)?,
        None => bincode::serde::encode_to_vec(sample_state(), bincode::config::standard())?,
    };
    let ((init, regs, one_regs), _): (VcpuState, _) =
        bincode::serde::decode_from_slice(&blob, bincode::config::standard())?;

    println!("arm64 vCPU state, {} bytes", blob.len());
    let features: Vec<String> = init.features.iter().map(|word| format!("{word:#x}")).collect();
    println!(
        "vcpu_init: target {} ({}), features [{}]",
        init.target,
        target_name(init.target),
        features.join(", ")
    );
    for feature in enabled_features(&init) {
        println!("  feature {feature}");
    }
    println!("pc     {:#018x}", regs.pc);
    println!("sp     {:#018x}", regs.sp);
    println!("pstate {:#018x} ({})", regs.pstate, describe_pstate(regs.pstate));
    for (index, value) in regs.regs.iter().enumerate() {
        println!("x{index:<5} {value:#018x}");
    }
    for (reg, value) in &one_regs {
        println!(
            "{:<12} {value:#018x} (one_reg id {:#018x})",
            register_name(reg.id),
            reg.id
        );
    }
    Ok(())
}

/// A vCPU in a Linux guest's kernel: PSCI 0.2 and PMUv3 enabled, at EL1 with interrupts masked.
fn sample_state() -> VcpuState {
    let mut init = kvm_vcpu_init {
        target: KVM_ARM_TARGET_GENERIC_V8,
        ..Default::default()
    };
    init.features[0] = (1 << KVM_ARM_VCPU_PSCI_0_2) | (1 << KVM_ARM_VCPU_PMU_V3);

    let mut regs = user_pt_regs {
        pc: 0xffff_8000_8001_0a2c,
        sp: 0xffff_8000_8283_3e50,
        pstate: 0x3c5,
        ..Default::default()
    };
    for (index, reg) in regs.regs.iter_mut().enumerate() {
        *reg = 0x1000 * index as u64 + index as u64;
    }
    regs.regs[29] = 0xffff_8000_8283_3e50; // frame pointer
    regs.regs[30] = 0xffff_8000_8001_0a10; // link register

    let one_regs = vec![
        (one_reg(MPIDR_EL1), 0x8000_0000), // vCPU 0
        (one_reg(SCTLR_EL1), 0x3450_5d1d), // MMU and caches on
        (one_reg(TCR_EL1), 0x0000_0034_b5d9_b519),
        (one_reg(TTBR1_EL1), 0x4204_0000),
        (one_reg(VBAR_EL1), 0xffff_8000_8001_0800),
    ];
    (init, regs, one_regs)
}

/// A `kvm_one_reg` for a 64-bit register; `addr` is where the VMM had the kernel write the value, meaningless once
/// saved.
fn one_reg(id: u64) -> kvm_one_reg {
    kvm_one_reg { id, addr: 0 }
}

/// The `KVM_GET_ONE_REG` id of the 64-bit system register op0, op1, CRn, CRm, op2 (the kernel's `ARM64_SYS_REG`).
const fn sysreg(op0: u64, op1: u64, crn: u64, crm: u64, op2: u64) -> u64 {
    KVM_REG_ARM64
        | KVM_REG_SIZE_U64
        | KVM_REG_ARM64_SYSREG as u64
        | (op0 << KVM_REG_ARM64_SYSREG_OP0_SHIFT)
        | (op1 << KVM_REG_ARM64_SYSREG_OP1_SHIFT)
        | (crn << KVM_REG_ARM64_SYSREG_CRN_SHIFT)
        | (crm << KVM_REG_ARM64_SYSREG_CRM_SHIFT)
        | (op2 << KVM_REG_ARM64_SYSREG_OP2_SHIFT)
}

const MPIDR_EL1: u64 = sysreg(3, 0, 0, 0, 5);
const SCTLR_EL1: u64 = sysreg(3, 0, 1, 0, 0);
const TTBR0_EL1: u64 = sysreg(3, 0, 2, 0, 0);
const TTBR1_EL1: u64 = sysreg(3, 0, 2, 0, 1);
const TCR_EL1: u64 = sysreg(3, 0, 2, 0, 2);
const VBAR_EL1: u64 = sysreg(3, 0, 12, 0, 0);

fn register_name(id: u64) -> &'static str {
    match id {
        MPIDR_EL1 => "MPIDR_EL1",
        SCTLR_EL1 => "SCTLR_EL1",
        TTBR0_EL1 => "TTBR0_EL1",
        TTBR1_EL1 => "TTBR1_EL1",
        TCR_EL1 => "TCR_EL1",
        VBAR_EL1 => "VBAR_EL1",
        _ => "(other)",
    }
}

fn target_name(target: u32) -> &'static str {
    match target {
        KVM_ARM_TARGET_GENERIC_V8 => "generic v8",
        _ => "other",
    }
}

fn enabled_features(init: &kvm_vcpu_init) -> impl Iterator<Item = &'static str> + '_ {
    [
        (KVM_ARM_VCPU_PSCI_0_2, "PSCI 0.2"),
        (KVM_ARM_VCPU_PMU_V3, "PMUv3"),
        (KVM_ARM_VCPU_SVE, "SVE"),
    ]
    .into_iter()
    .filter(|(bit, _)| init.features[0] & (1 << bit) != 0)
    .map(|(_, name)| name)
}

/// The exception level and stack (PSTATE.M), and which of D, A, I, F are masked.
fn describe_pstate(pstate: u64) -> String {
    let mode = match pstate & 0xf {
        0b0000 => "EL0t",
        0b0100 => "EL1t",
        0b0101 => "EL1h",
        0b1000 => "EL2t",
        0b1001 => "EL2h",
        _ => "other mode",
    };
    let masked: String = [(9, 'D'), (8, 'A'), (7, 'I'), (6, 'F')]
        .into_iter()
        .filter(|(bit, _)| pstate & (1 << bit) != 0)
        .map(|(_, flag)| flag)
        .collect();
    format!("{mode}, masked: {}", if masked.is_empty() { "none" } else { &masked })
}
