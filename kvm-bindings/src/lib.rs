//! Rust FFI bindings to the Linux KVM API for the architecture you build for.
//!
//! This crate re-exports the arch crate that matches `target_arch`: [`kvm-bindings-x86_64`] on x86_64,
//! [`kvm-bindings-arm64`] on aarch64, [`kvm-bindings-riscv64`] on riscv64,
//! [`kvm-bindings-s390x`] on s390x, [`kvm-bindings-loongarch64`] on loongarch64, [`kvm-bindings-powerpc64`] on
//! powerpc64 (both byte orders), [`kvm-bindings-mips64`] on mips64 (both byte orders). On any other target it is empty, so workspaces that build for many targets
//! keep compiling. Tools that read another architecture's VM state depend on an arch crate directly instead: those
//! build on every host.
//!
//! Features (each forwarded to the arch crate):
//! - `serde`: `Serialize`/`Deserialize` for the vCPU and VM state types, as their raw bytes.
//! - `fam-wrappers`: safe wrappers (vmm-sys-util's `FamStructWrapper`) over the structs that end in a flexible
//!   array: `CpuId`, `Msrs`, `MsrList`, `KvmIrqRouting`, `Xsave` on x86_64; `RegList`, `KvmIrqRouting` on aarch64,
//!   riscv64, s390x, loongarch64, powerpc64 and mips64.
//!   With `serde` too, they serialize as well.
//!
//! The paths are kvm-bindings 0.14's: every item at the crate root and under `bindings::`, the wrappers also under
//! `fam_wrappers::`, x86_64's nested state buffer under `nested::`. What 0.14 did not have gets a module of its own,
//! so that `use kvm_bindings::*;` beside a VMM's own constants keeps compiling: `ioctls::` (request codes) and
//! `evaluated::` (the constants only clang's evaluation of their macros gives, such as
//! `kvm_bindings::evaluated::KVM_REG_ARM_PTIMER_CNT` on aarch64).
//!
//! ```
//! # #[cfg(target_arch = "x86_64")] {
//! use kvm_bindings::{KVM_MEM_LOG_DIRTY_PAGES, kvm_userspace_memory_region};
//!
//! let region = kvm_userspace_memory_region {
//!     slot: 0,
//!     flags: KVM_MEM_LOG_DIRTY_PAGES,
//!     guest_phys_addr: 0x10_0000,
//!     memory_size: 0x20_0000,
//!     userspace_addr: 0x7f12_3400_0000,
//! };
//! assert_eq!(region.memory_size, 2 << 20);
//! # }
//! ```
//!
//! With `fam-wrappers`, the variable-length structs come with safe owners:
//!
//! ```
//! # #[cfg(all(target_arch = "x86_64", feature = "fam-wrappers"))] {
//! use kvm_bindings::{Msrs, kvm_msr_entry};
//!
//! let msrs = Msrs::from_entries(&[
//!     kvm_msr_entry { index: 0x174, data: 0x10, ..Default::default() },
//!     kvm_msr_entry { index: 0xc000_0080, data: 0x500, ..Default::default() },
//! ])
//! .unwrap();
//! assert_eq!(msrs.as_fam_struct_ref().nmsrs, 2);
//! assert_eq!(msrs.as_slice()[1].index, 0xc000_0080);
//! # }
//! ```
//!
//! [`kvm-bindings-x86_64`]: https://docs.rs/kvm-bindings-x86_64
//! [`kvm-bindings-arm64`]: https://docs.rs/kvm-bindings-arm64
//! [`kvm-bindings-riscv64`]: https://docs.rs/kvm-bindings-riscv64
//! [`kvm-bindings-s390x`]: https://docs.rs/kvm-bindings-s390x
//! [`kvm-bindings-loongarch64`]: https://docs.rs/kvm-bindings-loongarch64
//! [`kvm-bindings-powerpc64`]: https://docs.rs/kvm-bindings-powerpc64
//! [`kvm-bindings-mips64`]: https://docs.rs/kvm-bindings-mips64
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

cfg_if::cfg_if! {
    if #[cfg(target_arch = "x86_64")] {
        pub use kvm_bindings_x86_64::*;
    } else if #[cfg(target_arch = "aarch64")] {
        pub use kvm_bindings_arm64::*;
    } else if #[cfg(target_arch = "riscv64")] {
        pub use kvm_bindings_riscv64::*;
    } else if #[cfg(target_arch = "s390x")] {
        pub use kvm_bindings_s390x::*;
    } else if #[cfg(target_arch = "loongarch64")] {
        pub use kvm_bindings_loongarch64::*;
    } else if #[cfg(target_arch = "powerpc64")] {
        pub use kvm_bindings_powerpc64::*;
    } else if #[cfg(target_arch = "mips64")] {
        pub use kvm_bindings_mips64::*;
    }
}
