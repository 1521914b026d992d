//! What every kvm-bindings arch crate shares.
//!
//! - bindgen's helper types ([`__IncompleteArrayField`], [`__BindgenBitfieldUnit`], [`__BindgenUnionField`]),
//!   generated once from bindgen's own output and made `repr(transparent)` so that zerocopy can derive its traits
//!   on them; every arch crate imports them instead of carrying a copy.
//! - With the `serde` feature, [`serde_impls!`], which gives a binding type `Serialize` and `Deserialize` as its raw
//!   bytes in the byte order of the arch's snapshots, and [`union_into_bytes!`], which the generated bindings use
//!   for unions.
//! - [`SwapBytes`] and [`ByteOrder`]: converting a snapshot's integers to the host's byte order, so that a tool on
//!   x86_64 reads an s390x snapshot (and the reverse); each arch crate's generated `byte_order` module implements
//!   it for its serde types.
//! - [`kvm_irq_routing_wrapper!`] and [`kvm_reg_list_wrapper!`], the FAM wrappers over `kvm_irq_routing` and
//!   `kvm_reg_list`, structs of `linux/kvm.h` that are the same on every architecture.
//!
//! This crate is an implementation detail of `kvm-bindings-x86_64`, `kvm-bindings-arm64` and the `kvm-bindings`
//! facade; VMMs depend on the facade.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[allow(clippy::all, clippy::undocumented_unsafe_blocks, missing_docs, non_camel_case_types)]
mod bindgen_helpers;
pub use bindgen_helpers::*;

#[cfg(feature = "serde")]
mod serialize;
#[cfg(feature = "serde")]
pub use serialize::{BytesVisitor, deserialize_bytes_into, deserialize_in_order, serialize_in_order};

mod swap_bytes;
pub use swap_bytes::{ByteOrder, SwapBytes, Unconvertible};

#[cfg(feature = "serde")]
mod union_bytes;

mod fam;

/// Re-exports for the macros, so arch crates need not name these dependencies themselves.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "serde")]
    pub use serde;
    #[cfg(feature = "serde")]
    pub use zerocopy;
}
