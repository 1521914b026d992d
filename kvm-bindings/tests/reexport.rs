//! The facade must be the arch crate of the target it is built for: these tests compile only when
//! `kvm_bindings`'s items are that crate's own types, and check at run time the layout and C types a user on that
//! architecture gets. On x86_64 they run with the workspace's tests; on the other arches of arches.tsv
//! `scripts/test-cross` runs them (cross-built, under qemu-user).
#![cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x",
    target_arch = "loongarch64",
    target_arch = "powerpc64",
    target_arch = "mips64"
))]

use core::any::TypeId;
use core::mem::{align_of, size_of};

/// What the facade must be on aarch64: the arm64 crate, with arm64's `struct kvm_regs` (sizeof and alignof from
/// aarch64-linux-gnu-gcc on the kernel's uapi `<asm/kvm.h>`) and an unsigned C `char`.
#[cfg(target_arch = "aarch64")]
mod expected {
    pub use kvm_bindings_arm64 as arch;
    pub const KVM_REGS_SIZE: usize = 864;
    pub const KVM_REGS_ALIGN: usize = 16;
    pub type CChar = u8;
}

/// What the facade must be on riscv64: the riscv64 crate, whose `struct kvm_regs` is empty (sizeof 0 and alignof 1
/// from riscv64-linux-gnu-gcc on the kernel's uapi `<asm/kvm.h>`: riscv64 has no KVM_GET_REGS), and an unsigned C
/// `char`. Its `kvm_riscv_core` (33 registers of 8 bytes) is what riscv64 saves instead.
#[cfg(target_arch = "riscv64")]
mod expected {
    pub use kvm_bindings_riscv64 as arch;
    pub const KVM_REGS_SIZE: usize = 0;
    pub const KVM_REGS_ALIGN: usize = 1;
    pub type CChar = u8;
}

/// What the facade must be on s390x: the s390x crate, with s390x's `struct kvm_regs` (16 general registers; sizeof and
/// alignof from s390x-linux-gnu-gcc on the kernel's uapi `<asm/kvm.h>`, scripts/check-layout) and a unsigned C `char`.
#[cfg(target_arch = "s390x")]
mod expected {
    pub use kvm_bindings_s390x as arch;
    pub const KVM_REGS_SIZE: usize = 128;
    pub const KVM_REGS_ALIGN: usize = 8;
    pub type CChar = u8;
}

/// What the facade must be on loongarch64: the loongarch64 crate, with loongarch64's `struct kvm_regs` (32 general registers and pc; sizeof and
/// alignof from clang-19 --target=loongarch64-linux-gnu on the kernel's uapi `<asm/kvm.h>`, scripts/check-layout) and a signed C `char`.
#[cfg(target_arch = "loongarch64")]
mod expected {
    pub use kvm_bindings_loongarch64 as arch;
    pub const KVM_REGS_SIZE: usize = 264;
    pub const KVM_REGS_ALIGN: usize = 8;
    pub type CChar = i8;
}

/// What the facade must be on powerpc64 (either byte order: the layout is the same): the powerpc64 crate, with powerpc64's `struct kvm_regs` (pc, cr, msr, … and the 32 GPRs; sizeof and
/// alignof from powerpc64-linux-gnu-gcc on the kernel's uapi `<asm/kvm.h>`, scripts/check-layout) and a unsigned C `char`.
#[cfg(target_arch = "powerpc64")]
mod expected {
    pub use kvm_bindings_powerpc64 as arch;
    pub const KVM_REGS_SIZE: usize = 392;
    pub const KVM_REGS_ALIGN: usize = 8;
    pub type CChar = u8;
}

/// What the facade must be on mips64 (either byte order: the layout is the same): the mips64 crate, with mips64's `struct kvm_regs` (32 general registers, hi, lo and pc; sizeof and
/// alignof from mips64-linux-gnuabi64-gcc on the kernel's uapi `<asm/kvm.h>`, scripts/check-layout) and a signed C `char`.
#[cfg(target_arch = "mips64")]
mod expected {
    pub use kvm_bindings_mips64 as arch;
    pub const KVM_REGS_SIZE: usize = 280;
    pub const KVM_REGS_ALIGN: usize = 8;
    pub type CChar = i8;
}

/// What the facade must be on x86_64: the x86_64 crate, with x86_64's `struct kvm_regs` (sizeof and alignof from
/// gcc on the kernel's uapi `<asm/kvm.h>`) and a signed C `char`.
#[cfg(target_arch = "x86_64")]
mod expected {
    pub use kvm_bindings_x86_64 as arch;
    pub const KVM_REGS_SIZE: usize = 144;
    pub const KVM_REGS_ALIGN: usize = 8;
    pub type CChar = i8;
}

/// Takes only the arch crate's `kvm_regs`: handing it the facade's compiles only if the two are one type.
fn pass_arch_regs(regs: expected::arch::kvm_regs) -> expected::arch::kvm_regs {
    regs
}

#[test]
fn kvm_regs_is_the_arch_crates_type() {
    let regs: kvm_bindings::kvm_regs = pass_arch_regs(kvm_bindings::kvm_regs::default());
    assert_eq!(regs, expected::arch::kvm_regs::default());
    assert_eq!(
        TypeId::of::<kvm_bindings::kvm_regs>(),
        TypeId::of::<expected::arch::kvm_regs>()
    );
}

#[test]
fn kvm_regs_has_the_target_layout() {
    assert_eq!(size_of::<kvm_bindings::kvm_regs>(), expected::KVM_REGS_SIZE);
    assert_eq!(align_of::<kvm_bindings::kvm_regs>(), expected::KVM_REGS_ALIGN);
}

#[test]
fn c_char_is_the_targets() {
    assert_eq!(
        TypeId::of::<kvm_bindings::ctypes::c_char>(),
        TypeId::of::<expected::CChar>()
    );
    // The platform's own `char` agrees, so code passing the facade's strings to libc needs no cast.
    assert_eq!(
        TypeId::of::<kvm_bindings::ctypes::c_char>(),
        TypeId::of::<core::ffi::c_char>()
    );
}

/// On riscv64, `kvm_regs` being empty proves little: the vCPU state type must be riscv64's too.
#[cfg(target_arch = "riscv64")]
#[test]
fn kvm_riscv_core_is_the_arch_crates_type() {
    assert_eq!(
        TypeId::of::<kvm_bindings::kvm_riscv_core>(),
        TypeId::of::<kvm_bindings_riscv64::kvm_riscv_core>()
    );
    assert_eq!(size_of::<kvm_bindings::kvm_riscv_core>(), 264);
}
