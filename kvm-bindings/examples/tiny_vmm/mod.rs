//! A tiny VMM over `/dev/kvm`, just big enough to boot a real-mode guest, snapshot it and restore it elsewhere.
//!
//! Everything goes through kvm-bindings: its types, and its generated request codes (`kvm_bindings::ioctls`), whose
//! `_IOR`/`_IOW` numbers encode the argument's size, so the kernel would reject a wrong one with `ENOTTY`; the system
//! calls come from libc. The `snapshot_guest` example runs it, and the unpublished `kvm-bindings-kvm-tests` crate includes
//! this same directory (with `#[path]`) to test the bindings against the kernel, so the example is tested too.

pub mod guest;
pub mod kvm;
pub mod machine;
pub mod seeds;
pub mod snapshot;
mod sys;
pub mod vcpu;
pub mod vm;
