//! The wire bytes of a binding value: its bytes in its arch's snapshot byte order, whatever the host's. The checks
//! compare encodings with these, so the same tests hold on x86_64 and, under qemu-user, on s390x.

use kvm_bindings_common::{ByteOrder, SwapBytes};
use zerocopy::{FromBytes, Immutable, IntoBytes};

/// Whether a `T` converts between `order` and the host's order: always on a host of that order; on the other, only
/// for a type without unions and bitfields (the others' serde fails there, by design).
pub fn converts<T: FromBytes + SwapBytes>(order: ByteOrder) -> bool {
    order == ByteOrder::HOST || T::new_zeroed().swap_bytes().is_ok()
}

/// `value`'s bytes in `order`, for a type that [`converts`].
pub fn wire_bytes<T: FromBytes + IntoBytes + Immutable + SwapBytes>(value: &T, order: ByteOrder) -> Vec<u8> {
    let mut copy = T::new_zeroed();
    copy.as_mut_bytes().copy_from_slice(value.as_bytes());
    if order != ByteOrder::HOST {
        copy.swap_bytes()
            .unwrap_or_else(|error| panic!("wire_bytes of a type that does not convert: {error}"));
    }
    copy.as_bytes().to_vec()
}

/// The value whose wire bytes in `order` are `bytes` (exactly `size_of::<T>()` of them), for a type that
/// [`converts`].
pub fn from_wire_bytes<T: FromBytes + IntoBytes + SwapBytes>(bytes: &[u8], order: ByteOrder) -> T {
    let mut value = T::new_zeroed();
    value.as_mut_bytes().copy_from_slice(bytes);
    if order != ByteOrder::HOST {
        value
            .swap_bytes()
            .unwrap_or_else(|error| panic!("from_wire_bytes of a type that does not convert: {error}"));
    }
    value
}

/// The error every format gives for a type that does not convert on this host must say why.
pub fn assert_unconvertible_error(error: &str, what: &str) {
    assert!(
        error.contains("cannot be converted between its"),
        "{what}: expected the byte-order error, got: {error}"
    );
}
