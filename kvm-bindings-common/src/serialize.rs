//! Serializing binding types as their raw bytes.

use core::fmt;
use core::marker::PhantomData;

use serde::de::{IgnoredAny, SeqAccess, Visitor};
use zerocopy::{FromBytes, IntoBytes};

/// Implements `serde::Serialize` and `serde::Deserialize` for binding types, as their bytes.
///
/// Each type must implement zerocopy's `IntoBytes` and `FromBytes` (the generator derives them, under the arch
/// crate's `serde` feature, for every type in the list this macro is invoked with, and for every type those
/// contain).
///
/// - Serializing writes the value's bytes with `serialize_bytes`: a length-prefixed byte string in bincode and
///   bitcode, an array of numbers in serde_json — the same bytes kvm-bindings 0.14 writes.
/// - Deserializing accepts a byte string (bincode, bitcode) or a sequence of numbers (serde_json), and copies it
///   straight into the value. Input shorter than the type is zero-padded and longer input is truncated: a snapshot
///   taken where the kernel's struct was smaller or larger still restores, and fields it did not know stay zero.
///
/// ```
/// # #[derive(Debug, Default, PartialEq, zerocopy::IntoBytes, zerocopy::FromBytes, zerocopy::Immutable)]
/// # #[repr(C)]
/// # pub struct kvm_xcr { pub xcr: u32, pub reserved: u32, pub value: u64 }
/// kvm_bindings_common::serde_impls!(kvm_xcr);
///
/// let xcr = kvm_xcr { xcr: 0, reserved: 0, value: 7 };
/// let json = serde_json::to_string(&xcr).unwrap();
/// assert_eq!(json, "[0,0,0,0,0,0,0,0,7,0,0,0,0,0,0,0]");
/// // A shorter struct from an older kernel: the missing bytes become zero.
/// let old: kvm_xcr = serde_json::from_str("[1,0,0,0]").unwrap();
/// assert_eq!(old, kvm_xcr { xcr: 1, reserved: 0, value: 0 });
/// ```
#[macro_export]
macro_rules! serde_impls {
    ($($ty:ty),* $(,)?) => {
        $(
            impl $crate::__private::serde::Serialize for $ty {
                fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
                where
                    S: $crate::__private::serde::Serializer,
                {
                    serializer.serialize_bytes($crate::__private::zerocopy::IntoBytes::as_bytes(self))
                }
            }

            impl<'de> $crate::__private::serde::Deserialize<'de> for $ty {
                fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
                where
                    D: $crate::__private::serde::Deserializer<'de>,
                {
                    deserializer.deserialize_bytes($crate::BytesVisitor::<$ty>::new())
                }
            }
        )*
    };
}

/// The `serde` visitor behind [`serde_impls!`]: builds a `T` from a byte string or a sequence of bytes, zero-padding
/// short input and ignoring the excess of long input.
pub struct BytesVisitor<T>(PhantomData<fn() -> T>);

impl<T> BytesVisitor<T> {
    /// A visitor for `T`.
    pub const fn new() -> Self {
        BytesVisitor(PhantomData)
    }
}

impl<T> Default for BytesVisitor<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'de, T: FromBytes + IntoBytes> Visitor<'de> for BytesVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        write!(formatter, "the {} bytes of a {}", core::mem::size_of::<T>(), core::any::type_name::<T>())
    }

    fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<T, E> {
        // The common case, a snapshot from the same kernel: one copy from the input into the value.
        if let Ok(value) = T::read_from_bytes(bytes) {
            return Ok(value);
        }
        let mut value = T::new_zeroed();
        let destination = value.as_mut_bytes();
        let length = bytes.len().min(destination.len());
        destination[..length].copy_from_slice(&bytes[..length]);
        Ok(value)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        let mut value = T::new_zeroed();
        for byte in value.as_mut_bytes() {
            match seq.next_element::<u8>()? {
                Some(next) => *byte = next,
                None => return Ok(value),
            }
        }
        // Longer input is truncated, but a format that checks its sequences were read to the end (serde_json) still
        // needs the rest consumed.
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(value)
    }
}
