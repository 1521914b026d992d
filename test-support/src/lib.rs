//! Test helpers shared by the kvm-bindings crates (unpublished).
//!
//! - [`random`]: binding values with every byte random, from a seed that a failing test prints.
//! - [`Format`]: the three formats VMMs write snapshots in — bincode 2 (serde path, standard config), serde_json and
//!   bitcode (serde path) — with encode, decode, and the encoding of a raw byte string.
//! - [`byte_order`]: the bytes a value has on the wire in its arch's snapshot byte order, on any host.
//! - [`checks`]: what every serializable binding type must do: round trip, short and long input, malformed input.
//! - [`snapshots`]: committed snapshots an arch wrote under qemu-user, read and written the same on every host.
//! - [`serde_list`]: the type names of a crate's serde list, so its tests can prove they cover every one.
//! - [`serde_tests!`]: one test per type and check, plus that coverage test.
//! - [`fam`]: what every FAM wrapper must do with serde: encode as 0.14 does, round trip, reject lying lengths.
//! - [`kvm_irq_routing_tests!`], [`kvm_reg_list_tests!`]: the tests of the `KvmIrqRouting` and `RegList` wrappers
//!   the arch crates share.

pub mod byte_order;
pub mod checks;
pub mod fam;
mod format;
mod irq_routing;
pub mod random;
mod reg_list;
pub mod serde_list;
pub mod snapshots;
mod tests_macro;

pub use format::{Format, RawBytes};

/// For the macros: the random generator they use.
#[doc(hidden)]
pub use rand as __rand;
