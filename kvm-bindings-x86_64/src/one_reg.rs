//! Register ids for `KVM_GET_ONE_REG` and `KVM_SET_ONE_REG` on x86_64, at kvm-bindings 0.14's paths
//! (`one_reg::…`, and the crate root).
//!
//! Linux 6.18 added them to `arch/x86/include/uapi/asm/kvm.h`. The register types and [`KVM_REG_GUEST_SSP`] are the
//! generated constants of that header; [`kvm_x86_reg_msr`] and [`kvm_x86_reg_kvm`] translate its `KVM_X86_REG_MSR`
//! and `KVM_X86_REG_KVM` macros, statement expressions bindgen cannot translate. `scripts/check-layout` compares
//! both functions with gcc's evaluation of the macros.
//!
//! ```
//! use kvm_bindings_x86_64::kvm_one_reg;
//! use kvm_bindings_x86_64::one_reg::{KVM_REG_GUEST_SSP, kvm_x86_reg_kvm, kvm_x86_reg_msr};
//!
//! const EFER: u32 = 0xc000_0080;
//! let efer = kvm_one_reg { id: kvm_x86_reg_msr(EFER), addr: 0 };
//! assert_eq!(efer.id, 0x2030_0002_c000_0080);
//! assert_eq!(kvm_x86_reg_kvm(KVM_REG_GUEST_SSP), 0x2030_0003_0000_0000);
//! ```

pub use crate::bindings::{KVM_REG_GUEST_SSP, KVM_X86_REG_TYPE_KVM, KVM_X86_REG_TYPE_MSR};
use crate::bindings::{KVM_REG_SIZE_U64, KVM_REG_X86};

/// `KVM_X86_REG_TYPE_SIZE(type, reg)`: the register type in bits 32 and up, and the register's size — 64 bits for
/// an MSR and for `KVM_REG_GUEST_SSP`, none given for any other type or KVM register.
const fn reg_type_size(reg_type: u32, index: u32) -> u64 {
    let size = if reg_type == KVM_X86_REG_TYPE_MSR {
        KVM_REG_SIZE_U64
    } else if reg_type == KVM_X86_REG_TYPE_KVM && index == KVM_REG_GUEST_SSP {
        // KVM_X86_KVM_REG_SIZE(reg)
        KVM_REG_SIZE_U64
    } else {
        0
    };
    ((reg_type as u64) << 32) | size
}

/// `KVM_X86_REG_ID(type, index)`.
const fn reg_id(reg_type: u32, index: u32) -> u64 {
    KVM_REG_X86 | reg_type_size(reg_type, index) | index as u64
}

/// The `KVM_GET_ONE_REG`/`KVM_SET_ONE_REG` id of the model specific register `index` (`KVM_X86_REG_MSR(index)`).
pub const fn kvm_x86_reg_msr(index: u32) -> u64 {
    reg_id(KVM_X86_REG_TYPE_MSR, index)
}

/// The `KVM_GET_ONE_REG`/`KVM_SET_ONE_REG` id of the KVM defined register `index`, such as [`KVM_REG_GUEST_SSP`]
/// (`KVM_X86_REG_KVM(index)`).
pub const fn kvm_x86_reg_kvm(index: u32) -> u64 {
    reg_id(KVM_X86_REG_TYPE_KVM, index)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The expected ids are what gcc 12 computes from the macros of Linux 7.3.4's headers
    // (`printf("%llx", KVM_X86_REG_MSR(0x10))`, …); scripts/check-layout compares many more arguments at every run.

    #[test]
    fn msr_ids_equal_gccs() {
        assert_eq!(kvm_x86_reg_msr(0x10), 0x2030_0002_0000_0010);
        assert_eq!(kvm_x86_reg_msr(0x174), 0x2030_0002_0000_0174);
        assert_eq!(kvm_x86_reg_msr(0xc000_0080), 0x2030_0002_c000_0080);
        assert_eq!(kvm_x86_reg_msr(0), 0x2030_0002_0000_0000);
        assert_eq!(kvm_x86_reg_msr(u32::MAX), 0x2030_0002_ffff_ffff);
        // Only KVM registers are sized by index: the MSR numbered like KVM_REG_GUEST_SSP is an ordinary MSR.
        assert_eq!(kvm_x86_reg_msr(KVM_REG_GUEST_SSP), 0x2030_0002_0000_0000);
    }

    #[test]
    fn kvm_register_ids_equal_gccs() {
        assert_eq!(kvm_x86_reg_kvm(KVM_REG_GUEST_SSP), 0x2030_0003_0000_0000);
        // A KVM register the header does not size has no size bits.
        assert_eq!(kvm_x86_reg_kvm(1), 0x2000_0003_0000_0001);
        assert_eq!(kvm_x86_reg_kvm(0x10), 0x2000_0003_0000_0010);
        assert_eq!(kvm_x86_reg_kvm(u32::MAX), 0x2000_0003_ffff_ffff);
    }

    #[test]
    fn register_types_are_the_headers() {
        assert_eq!(
            (KVM_X86_REG_TYPE_MSR, KVM_X86_REG_TYPE_KVM, KVM_REG_GUEST_SSP),
            (2, 3, 0)
        );
    }

    #[test]
    fn items_are_at_kvm_bindings_0_14_paths() {
        // The same items at the crate root (0.14 re-exports `one_reg::*`) and under `one_reg`, usable in constants.
        const MSR: fn(u32) -> u64 = crate::kvm_x86_reg_msr;
        const KVM: fn(u32) -> u64 = crate::kvm_x86_reg_kvm;
        const SSP: u64 = crate::one_reg::kvm_x86_reg_kvm(crate::KVM_REG_GUEST_SSP);
        assert_eq!(MSR(0xc000_0080), kvm_x86_reg_msr(0xc000_0080));
        assert_eq!(KVM(KVM_REG_GUEST_SSP), SSP);
        let types: [u32; 3] = [
            crate::KVM_X86_REG_TYPE_MSR,
            crate::KVM_X86_REG_TYPE_KVM,
            crate::KVM_REG_GUEST_SSP,
        ];
        assert_eq!(types, [2, 3, 0]);
    }
}
