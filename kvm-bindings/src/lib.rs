//! Rust FFI bindings to the Linux KVM API for the architecture you build for.
//!
//! This crate re-exports the arch crate that matches `target_arch`: [`kvm-bindings-x86_64`] on x86_64,
//! [`kvm-bindings-arm64`] on aarch64. On any other target it is empty, so workspaces that build for many targets
//! keep compiling. Tools that read another architecture's VM state depend on an arch crate directly instead: those
//! build on every host.
//!
//! Features (each forwarded to the arch crate):
//! - `serde`: `Serialize`/`Deserialize` for the vCPU and VM state types, as their raw bytes.
//! - `fam-wrappers`: safe wrappers (vmm-sys-util's `FamStructWrapper`) over the structs that end in a flexible
//!   array: `CpuId`, `Msrs`, `MsrList`, `KvmIrqRouting`, `Xsave` on x86_64; `RegList`, `KvmIrqRouting` on aarch64.
//!   With `serde` too, they serialize as well.
//!
//! [`kvm-bindings-x86_64`]: https://docs.rs/kvm-bindings-x86_64
//! [`kvm-bindings-arm64`]: https://docs.rs/kvm-bindings-arm64
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

cfg_if::cfg_if! {
    if #[cfg(target_arch = "x86_64")] {
        pub use kvm_bindings_x86_64::*;
    } else if #[cfg(target_arch = "aarch64")] {
        pub use kvm_bindings_arm64::*;
    }
}
