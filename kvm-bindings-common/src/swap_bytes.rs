//! Byte order at the serde boundary: what lets a tool on one host read another architecture's snapshots.
//!
//! The binding types are plain integers in the host's byte order, as the kernel's structs are. A snapshot holds the
//! bytes of its architecture's own order (what a raw-bytes serializer there writes, as kvm-bindings 0.14 does), so
//! on a host of the other order every integer field has to be reversed on the way in and on the way out. Each arch
//! crate's generated `byte_order` module implements [`SwapBytes`] for its serde types from the width of every field;
//! this module has the trait, its impls for integers and arrays, and the error for the types that cannot be
//! converted (see [`Unconvertible`]).

use core::fmt;

/// A byte order: of a host, or of an architecture's snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Least significant byte first (x86_64, arm64, riscv64, loongarch64; powerpc64le, mips64el).
    Little,
    /// Most significant byte first (s390x; powerpc64, mips64).
    Big,
}

impl ByteOrder {
    /// The byte order of the host this code is compiled for.
    pub const HOST: ByteOrder = if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    };

    /// `"little-endian"` or `"big-endian"`, for messages.
    pub const fn name(self) -> &'static str {
        match self {
            ByteOrder::Little => "little-endian",
            ByteOrder::Big => "big-endian",
        }
    }
}

impl fmt::Display for ByteOrder {
    fn fmt(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// Why a type's bytes cannot be converted to the other byte order: which bytes form one integer depends on
/// something the bytes alone do not say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unconvertible {
    /// The type that was to be converted.
    pub type_name: &'static str,
    /// What in it stops the conversion, as a sentence part: "its field `u` is the union `kvm_s390_irq__bindgen_ty_1`".
    pub reason: &'static str,
}

impl fmt::Display for Unconvertible {
    fn fmt(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        write!(
            formatter,
            "{} cannot be converted to the other byte order: {}",
            self.type_name, self.reason
        )
    }
}

/// Reversing the byte order of every integer of a value, in place.
///
/// Implemented (by the generator) for every type an arch crate serializes and every type those contain. For a type
/// holding a union, the union's active member decides which bytes form one integer, and only the program that wrote
/// the value knows it; for bindgen's bitfield units, the accessors pick bits by the host's order. Those types return
/// [`Unconvertible`] and leave the value unchanged, so that no caller ever sees silently swapped bytes.
pub trait SwapBytes {
    /// Reverses the bytes of every integer field, or changes nothing and says why it cannot.
    fn swap_bytes(&mut self) -> Result<(), Unconvertible>;
}

/// Integers of one byte have no order to reverse.
macro_rules! single_byte {
    ($($ty:ty),*) => {
        $(
            impl SwapBytes for $ty {
                fn swap_bytes(&mut self) -> Result<(), Unconvertible> {
                    Ok(())
                }
            }
        )*
    };
}
single_byte!(u8, i8);

macro_rules! multi_byte {
    ($($ty:ty),*) => {
        $(
            impl SwapBytes for $ty {
                fn swap_bytes(&mut self) -> Result<(), Unconvertible> {
                    *self = <$ty>::swap_bytes(*self);
                    Ok(())
                }
            }
        )*
    };
}
multi_byte!(u16, u32, u64, u128, usize, i16, i32, i64, i128, isize);

impl<T: SwapBytes, const N: usize> SwapBytes for [T; N] {
    fn swap_bytes(&mut self) -> Result<(), Unconvertible> {
        self.iter_mut().try_for_each(SwapBytes::swap_bytes)
    }
}

/// A flexible array member has no bytes in the struct itself; its entries are serialized one by one, each in its
/// own type's order.
impl<T> SwapBytes for crate::__IncompleteArrayField<T> {
    fn swap_bytes(&mut self) -> Result<(), Unconvertible> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;

    #[test]
    fn integers_reverse_their_bytes_and_single_bytes_stay() {
        let mut values = (0x0102u16, 0x0102_0304u32, 0x0102_0304_0506_0708u64, -2i32, 0x7fu8);
        SwapBytes::swap_bytes(&mut values.0).unwrap();
        SwapBytes::swap_bytes(&mut values.1).unwrap();
        SwapBytes::swap_bytes(&mut values.2).unwrap();
        SwapBytes::swap_bytes(&mut values.3).unwrap();
        SwapBytes::swap_bytes(&mut values.4).unwrap();
        assert_eq!(values, (0x0201, 0x0403_0201, 0x0807_0605_0403_0201, -16_777_217, 0x7f));
    }

    #[test]
    fn arrays_swap_each_element_and_twice_is_the_identity() {
        let original = [[0x1122_3344u32, 0x5566_7788], [0x99aa_bbcc, 0xddee_ff00]];
        let mut value = original;
        SwapBytes::swap_bytes(&mut value).unwrap();
        assert_eq!(value, [[0x4433_2211, 0x8877_6655], [0xccbb_aa99, 0x00ff_eedd]]);
        SwapBytes::swap_bytes(&mut value).unwrap();
        assert_eq!(value, original);
    }

    #[test]
    fn the_error_names_the_type_and_the_reason() {
        let error = Unconvertible {
            type_name: "kvm_s390_irq",
            reason: "its field `u` is the union `kvm_s390_irq__bindgen_ty_1`",
        };
        assert_eq!(
            error.to_string(),
            "kvm_s390_irq cannot be converted to the other byte order: its field `u` is the union \
             `kvm_s390_irq__bindgen_ty_1`"
        );
        assert_eq!(
            ByteOrder::HOST.name(),
            if cfg!(target_endian = "big") {
                "big-endian"
            } else {
                "little-endian"
            }
        );
    }
}
