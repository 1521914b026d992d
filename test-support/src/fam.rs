//! What every FAM wrapper must do with `serde`, in every format of [`Format`]: encode as kvm-bindings 0.14 does,
//! come back unchanged, and reject a header whose length field lies.
//!
//! Generic over the wrapped struct, so the wrappers of every arch crate are held to the same checks.

use crate::byte_order::{assert_unconvertible_error, converts, wire_bytes};
use crate::{Format, RawBytes};
use kvm_bindings_common::{ByteOrder, SwapBytes};
use serde::Serialize;
use serde::de::DeserializeOwned;
use vmm_sys_util::fam::{FamStruct, FamStructWrapper};
use zerocopy::{FromBytes, Immutable, IntoBytes};

/// Whether a wrapper of `T` converts between `order` and this host's; if not, checks that encoding `value` fails
/// with the byte-order error in every format (on a host of the other order, for a header or entry holding a union).
fn converts_or_fails<T, V>(order: ByteOrder, value: &V) -> bool
where
    T: FamStruct + FromBytes + SwapBytes,
    T::Entry: FromBytes + SwapBytes,
    V: Serialize + ?Sized,
{
    if converts::<T>(order) && converts::<T::Entry>(order) {
        return true;
    }
    for format in Format::ALL {
        match format.try_encode(value) {
            Ok(_) => panic!(
                "{}: a {} encoded on a host of the other byte order",
                format.name(),
                core::any::type_name::<T>()
            ),
            Err(error) => assert_unconvertible_error(&error, core::any::type_name::<T>()),
        }
    }
    false
}

/// The header and the entries of a wrapper, as bytes: equal for equal wrappers, also those without `PartialEq`.
fn contents<T>(wrapper: &FamStructWrapper<T>) -> (Vec<u8>, Vec<u8>)
where
    T: Default + FamStruct + IntoBytes + Immutable,
    T::Entry: IntoBytes + Immutable,
{
    (
        wrapper.as_fam_struct_ref().as_bytes().to_vec(),
        wrapper.as_slice().as_bytes().to_vec(),
    )
}

/// `wrapper` encodes as the pair (header as a byte string in the arch's snapshot byte order `order`, entries) —
/// kvm-bindings 0.14's format — and decodes to the same header and entries.
pub fn check_round_trip<T>(order: ByteOrder, wrapper: &FamStructWrapper<T>)
where
    T: Default + FamStruct + IntoBytes + FromBytes + Immutable + SwapBytes + Serialize + DeserializeOwned,
    T::Entry: IntoBytes + FromBytes + Immutable + SwapBytes + Serialize + DeserializeOwned + Copy,
{
    let name = core::any::type_name::<T>();
    if !converts_or_fails::<T, _>(order, wrapper) {
        return;
    }
    for format in Format::ALL {
        let encoded = format.encode(wrapper);
        let header = wire_bytes(wrapper.as_fam_struct_ref(), order);
        let pair = (RawBytes(&header), wrapper.as_slice());
        assert_eq!(
            encoded,
            format.encode(&pair),
            "{}: {name} is not written as (header, entries)",
            format.name()
        );
        let decoded: FamStructWrapper<T> = format
            .decode(&encoded)
            .unwrap_or_else(|error| panic!("{}: round trip of {name} failed: {error}", format.name()));
        assert_eq!(
            contents(&decoded),
            contents(wrapper),
            "{}: round trip of {name}",
            format.name()
        );
    }
}

/// The pair (`header`, `entries`), a wrapper's encoding, does not decode as a wrapper in any format.
pub fn check_rejected<T>(header: &T, entries: &[T::Entry])
where
    T: Default + FamStruct + Serialize + DeserializeOwned,
    T::Entry: Serialize + DeserializeOwned + Copy,
{
    let claimed = header.len();
    for format in Format::ALL {
        let encoded = format.encode(&(header, entries));
        if let Ok(decoded) = format.decode::<FamStructWrapper<T>>(&encoded) {
            panic!(
                "{}: a {} claiming {claimed} entries with {} decoded, as {} entries",
                format.name(),
                core::any::type_name::<T>(),
                entries.len(),
                decoded.as_slice().len()
            );
        }
    }
}

/// A header claiming one entry more, one fewer or far more than follow is rejected, and so is a consistent header
/// and entries beyond the maximum, `max`. `set_length` writes the header's length field. (On a host of the other
/// byte order than the arch's `order`, a wrapper whose header or entries hold a union cannot be encoded at all: that
/// is checked instead.)
pub fn check_length_lies<T>(order: ByteOrder, entries: &[T::Entry], max: usize, set_length: impl Fn(&mut T, u32))
where
    T: Default + FamStruct + FromBytes + SwapBytes + Serialize + DeserializeOwned,
    T::Entry: FromBytes + SwapBytes + Serialize + DeserializeOwned + Copy,
{
    if !converts_or_fails::<T, _>(order, &(T::default(), entries)) {
        return;
    }
    let count = entries.len() as u32;
    for claimed in [count + 1, count - 1, u32::MAX] {
        let mut header = T::default();
        set_length(&mut header, claimed);
        check_rejected(&header, entries);
    }
    let too_many = std::vec![entries[0]; max + 1];
    let mut header = T::default();
    set_length(&mut header, too_many.len() as u32);
    check_rejected(&header, &too_many);
    // A truthful header over as many entries as allowed does decode: what was rejected above is the lies.
    let mut header = T::default();
    set_length(&mut header, max as u32);
    for format in Format::ALL {
        let encoded = format.encode(&(&header, &too_many[..max]));
        let decoded = format
            .decode::<FamStructWrapper<T>>(&encoded)
            .map(|wrapper| wrapper.as_slice().len());
        assert_eq!(
            decoded,
            Ok(max),
            "{}: {max} entries and a header saying so",
            format.name()
        );
    }
}
