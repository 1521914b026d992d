//! Wire compatibility with the published kvm-bindings 0.14.2 (unpublished; its test is `tests/wire`).
//!
//! VMMs restore snapshots written by older builds and migrate between hosts running different builds, so a type
//! both crates serialize must be written byte for byte the same, and each crate must read the other's bytes. For a
//! pair of types, [`compare`] checks that in every [`Format`] on values with every byte random, in both directions,
//! and for input shorter and longer than the type, tallying what it checked in a [`Tally`].
//!
//! The one deliberate difference: longer input in serde_json. kvm-bindings 0.14.2 stops reading the array at the
//! size of the type and serde_json then fails on the rest ("trailing characters"); this crate truncates, as it
//! does in bincode and bitcode. A JSON string where the bytes belong is the other: 0.14.2 takes the string's text
//! as the struct's bytes, this crate rejects it. [`compare`] asserts both differences exactly.

mod compare;
mod tally;

pub use compare::{Binding, compare};
pub use tally::Tally;
pub use test_support::Format;

/// Compares the types named (paths relative to both crates' roots) between our crate `$ours` and 0.14.2 `$theirs`:
/// `compare_types!(tally, kvm_bindings_x86_64, kvm_bindings_v014, [kvm_regs, nested::KvmNestedStateBuffer])`.
#[macro_export]
macro_rules! compare_types {
    ($tally:expr, $ours:ident, $theirs:ident, [$($(#[$attr:meta])* $($segment:ident)::+),* $(,)?]) => {
        $(
            $(#[$attr])*
            $crate::compare::<$ours::$($segment)::+, $theirs::$($segment)::+>(
                ::core::stringify!($($segment)::+),
                $tally,
            );
        )*
    };
}
