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
//!
//! A struct the kernel has grown at the end since 0.14.2 (riscv64's `kvm_riscv_config` gained `zicbop_block_size`)
//! cannot encode the same: each crate writes all of its type's bytes. [`compare_grown`] checks what still holds — a
//! snapshot 0.14.2 wrote restores here with the new field zero, and 0.14.2 reads ours as it reads any longer input —
//! for the types an arch's test lists as grown; any other size difference is a mismatch.

mod compare;
mod tally;

pub use compare::{Binding, compare, compare_grown};
pub use tally::Tally;
pub use test_support::Format;

/// Compares the types named (paths relative to both crates' roots) between our crate `$ours` and 0.14.2 `$theirs`:
/// `compare_types!(tally, kvm_bindings_x86_64, kvm_bindings_v014, [kvm_regs, nested::KvmNestedStateBuffer])`.
#[macro_export]
macro_rules! compare_types {
    ($tally:expr, $ours:ident, $theirs:ident, [$($(#[$attr:meta])* $($segment:ident)::+),* $(,)?]) => {
        $crate::compare_types!(@with compare, $tally, $ours, $theirs, [$($(#[$attr])* $($segment)::+),*])
    };
    (@with $compare:ident, $tally:expr, $ours:ident, $theirs:ident, [$($(#[$attr:meta])* $($segment:ident)::+),*]) => {
        $(
            $(#[$attr])*
            $crate::$compare::<$ours::$($segment)::+, $theirs::$($segment)::+>(
                ::core::stringify!($($segment)::+),
                $tally,
            );
        )*
    };
}

/// As [`compare_types!`], for types the kernel grew at the end since 0.14.2 (see [`compare_grown`]):
/// `compare_grown_types!(tally, kvm_bindings_riscv64, kvm_bindings_v014, [kvm_riscv_config])`.
#[macro_export]
macro_rules! compare_grown_types {
    ($tally:expr, $ours:ident, $theirs:ident, [$($(#[$attr:meta])* $($segment:ident)::+),* $(,)?]) => {
        $crate::compare_types!(@with compare_grown, $tally, $ours, $theirs, [$($(#[$attr])* $($segment)::+),*])
    };
}
