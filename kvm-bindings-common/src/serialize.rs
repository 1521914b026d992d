//! Serializing binding types as their raw bytes.

use core::fmt;
use core::marker::PhantomData;

use serde::de::{Error, SeqAccess, Visitor};
use serde::{Deserializer, Serializer};
use zerocopy::{FromBytes, Immutable, IntoBytes};

use crate::{ByteOrder, SwapBytes, Unconvertible};

/// Implements `serde::Serialize` and `serde::Deserialize` for binding types, as their bytes.
///
/// Each type must implement zerocopy's `IntoBytes` and `FromBytes` (the generator derives them, under the arch
/// crate's `serde` feature, for every type in the list this macro is invoked with, and for every type those
/// contain).
///
/// # Encoding
///
/// Serializing writes the value's bytes with `serialize_bytes`: a length-prefixed byte string in bincode and
/// bitcode, an array of numbers in serde_json — the same bytes kvm-bindings 0.14 writes.
///
/// Deserializing reads a byte string (bincode, bitcode) or, in human-readable formats, a sequence of numbers
/// (serde_json), straight into the value. See [`deserialize_bytes_into`] for what is accepted and rejected.
///
/// # Byte order
///
/// The bytes are in the byte order of the arch's snapshots, the constant `SNAPSHOT_BYTE_ORDER` that the invoking
/// crate's `byte_order` module defines (generated per arch crate, with the [`SwapBytes`](crate::SwapBytes) impl of
/// every type the list names). On a host of that order the bytes are the value's own, copied as they are. On a host
/// of the other order (an s390x snapshot read on x86_64, an x86_64 one on s390x), every integer field is reversed on
/// the way in and on the way out, so the values read the same on both hosts; a type whose bytes cannot be converted
/// (it holds a union or bitfields) fails there with the [`Unconvertible`](crate::Unconvertible) reason as the
/// format's error, never with silently swapped bytes.
///
/// # Short and long input
///
/// Input shorter than the type is zero-padded and longer input is truncated: a snapshot taken where the kernel's
/// struct was smaller still restores, with the fields that kernel did not know left zero, and a snapshot from a
/// kernel whose struct grew restores the fields this crate knows. (kvm-bindings 0.14 rejects longer input in
/// serde_json; it truncates it in bincode and bitcode, as this crate does in every format.)
///
/// The example's snapshots are little-endian, as an x86_64 crate's are:
///
/// ```
/// # #[derive(Debug, Default, PartialEq, zerocopy::IntoBytes, zerocopy::FromBytes, zerocopy::Immutable)]
/// # #[repr(C)]
/// # pub struct kvm_xcr { pub xcr: u32, pub reserved: u32, pub value: u64 }
/// # mod byte_order {
/// #     use kvm_bindings_common::{SwapBytes, Unconvertible};
/// #     pub const SNAPSHOT_BYTE_ORDER: kvm_bindings_common::ByteOrder = kvm_bindings_common::ByteOrder::Little;
/// #     impl SwapBytes for super::kvm_xcr {
/// #         fn swap_bytes(&mut self) -> Result<(), Unconvertible> {
/// #             SwapBytes::swap_bytes(&mut self.xcr)?;
/// #             SwapBytes::swap_bytes(&mut self.reserved)?;
/// #             SwapBytes::swap_bytes(&mut self.value)
/// #         }
/// #     }
/// # }
/// kvm_bindings_common::serde_impls!(kvm_xcr);
///
/// # fn main() {
/// let xcr = kvm_xcr { xcr: 0, reserved: 0, value: 7 };
/// let json = serde_json::to_string(&xcr).unwrap();
/// assert_eq!(json, "[0,0,0,0,0,0,0,0,7,0,0,0,0,0,0,0]");
///
/// // A shorter struct from an older kernel: the missing bytes become zero.
/// let old: kvm_xcr = serde_json::from_str("[1,0,0,0]").unwrap();
/// assert_eq!(old, kvm_xcr { xcr: 1, reserved: 0, value: 0 });
///
/// // A longer struct from a newer kernel: the bytes past the 16 of `kvm_xcr` are ignored.
/// let new: kvm_xcr = serde_json::from_str("[2,0,0,0, 0,0,0,0, 9,0,0,0,0,0,0,0, 5,5,5,5]").unwrap();
/// assert_eq!(new, kvm_xcr { xcr: 2, reserved: 0, value: 9 });
///
/// // Malformed input is an error, never a panic: a number that is not a byte, or a string.
/// assert!(serde_json::from_str::<kvm_xcr>("[256]").is_err());
/// assert!(serde_json::from_str::<kvm_xcr>("\"xcr0\"").is_err());
/// # }
/// ```
///
/// # What decoding and encoding cannot check
///
/// Two promises kvm-bindings 0.14.2's API makes impossible to keep for every value, and so are the user's:
///
/// - **A FAM header decoded on its own keeps its input's count.** The serde lists hold the headers of the FAM
///   wrappers (`kvm_cpuid2`, `kvm_msrs`, `kvm_msr_list`, `kvm_irq_routing`, …) so that the wrappers serialize; a
///   header decoded alone is the header's bytes, length field included, with no entries behind it. vmm-sys-util's
///   `FamStruct::as_slice` is a safe method that trusts that field, so calling it on such a header reads memory
///   that is not its own. Decode the wrapper (`CpuId`, …), whose deserializer rejects a count that differs from
///   the entries that follow, and read the entries through it.
/// - **Encoding reads every byte**, through zerocopy's `IntoBytes`. A type that contains a union (see
///   [`union_into_bytes!`](crate::union_into_bytes)) and was built from a union field smaller than the union has
///   uninitialized bytes, and encoding it reads them. Build such values from `Default::default()` and assign the
///   union field you need; values from a KVM ioctl or from decoding are fully written.
// `crate::byte_order` on purpose: the snapshot byte order is the invoking arch crate's, not this crate's.
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! serde_impls {
    ($($ty:ty),* $(,)?) => {
        $(
            impl $crate::__private::serde::Serialize for $ty {
                fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
                where
                    S: $crate::__private::serde::Serializer,
                {
                    $crate::serialize_in_order(self, crate::byte_order::SNAPSHOT_BYTE_ORDER, serializer)
                }
            }

            impl<'de> $crate::__private::serde::Deserialize<'de> for $ty {
                fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
                where
                    D: $crate::__private::serde::Deserializer<'de>,
                {
                    $crate::deserialize_in_order::<Self, D>(crate::byte_order::SNAPSHOT_BYTE_ORDER, deserializer)
                }
            }
        )*
    };
}

/// Serializes `value` as its bytes in `order` (see [`serde_impls!`]): the value's own bytes on a host of that order,
/// those of a copy with every integer reversed on the other; an error for a type that cannot be converted.
pub fn serialize_in_order<T, S>(value: &T, order: ByteOrder, serializer: S) -> Result<S::Ok, S::Error>
where
    T: FromBytes + IntoBytes + Immutable + SwapBytes,
    S: Serializer,
{
    if order == ByteOrder::HOST {
        return serializer.serialize_bytes(value.as_bytes());
    }
    let mut copy = T::new_zeroed();
    copy.as_mut_bytes().copy_from_slice(value.as_bytes());
    copy.swap_bytes().map_err(|e| {
        <S::Error as serde::ser::Error>::custom(OrderError {
            error: e,
            snapshot: order,
        })
    })?;
    serializer.serialize_bytes(copy.as_bytes())
}

/// Deserializes a `T` from bytes in `order` (see [`serde_impls!`] and [`deserialize_bytes_into`]), reversing every
/// integer when the host's order is the other; an error for a type that cannot be converted.
pub fn deserialize_in_order<'de, T, D>(order: ByteOrder, deserializer: D) -> Result<T, D::Error>
where
    T: FromBytes + IntoBytes + SwapBytes,
    D: Deserializer<'de>,
{
    let mut value = deserialize_bytes_into::<T, D>(deserializer)?;
    if order != ByteOrder::HOST {
        value.swap_bytes().map_err(|e| {
            D::Error::custom(OrderError {
                error: e,
                snapshot: order,
            })
        })?;
    }
    Ok(value)
}

/// An [`Unconvertible`] in a serde error, with the two byte orders named.
struct OrderError {
    error: Unconvertible,
    snapshot: ByteOrder,
}

impl fmt::Display for OrderError {
    fn fmt(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        write!(
            formatter,
            "{} cannot be converted between its {} snapshots and this {} host: {}",
            self.error.type_name,
            self.snapshot,
            ByteOrder::HOST,
            self.error.reason
        )
    }
}

/// Reads a `T` from a deserializer as [`serde_impls!`] does: its bytes, zero-padded when the input is shorter than
/// `T` and truncated when it is longer.
///
/// - Formats that are not human-readable (bincode, bitcode) are asked for a byte string, copied into the value.
/// - Human-readable formats (serde_json) are asked for a sequence, because that is what their `serialize_bytes`
///   writes; each element must be a number from 0 to 255, including those past the end of `T`. A string is
///   rejected: serde_json would otherwise hand its UTF-8 text over as if it were the struct's bytes.
///
/// Every error is the format's own error type, naming what was expected (for example "the 16 bytes of kvm_xcr").
pub fn deserialize_bytes_into<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: FromBytes + IntoBytes,
    D: Deserializer<'de>,
{
    if deserializer.is_human_readable() {
        deserializer.deserialize_seq(BytesVisitor::<T>::new())
    } else {
        deserializer.deserialize_bytes(BytesVisitor::<T>::new())
    }
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

/// `T`'s name without its module path, for error messages: `kvm_regs`, not `kvm_bindings_x86_64::bindings::kvm_regs`.
fn short_type_name<T>() -> &'static str {
    let name = core::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

impl<'de, T: FromBytes + IntoBytes> Visitor<'de> for BytesVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        write!(
            formatter,
            "the {} bytes of {}",
            core::mem::size_of::<T>(),
            short_type_name::<T>()
        )
    }

    fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<T, E> {
        // Input at least as long as `T` (the common case: a snapshot from the same kernel) is one copy from the input
        // into the value; the excess is ignored.
        if let Ok((value, _excess)) = T::read_from_prefix(bytes) {
            return Ok(value);
        }
        // Shorter input: the bytes it has, then zeroes.
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
        // Longer input is truncated, but its excess must still be bytes (malformed input is rejected wherever it
        // is), and serde_json checks that its arrays were read to the end.
        while seq.next_element::<u8>()?.is_some() {}
        Ok(value)
    }
}
