//! A tiny VMM over `/dev/kvm`, just big enough to boot a real-mode guest, snapshot it and restore it elsewhere.
//!
//! Everything goes through kvm-bindings' types; the ioctl numbers come from vmm-sys-util's macros and the system
//! calls from libc. The `snapshot_guest` example runs it, and the unpublished `kvm-bindings-kvm-tests` crate includes
//! this same directory (with `#[path]`) to test the bindings against the kernel, so the example is tested too.

pub mod guest;
pub mod ioctls;
pub mod kvm;
pub mod machine;
pub mod snapshot;
mod sys;
pub mod vcpu;
pub mod vm;
