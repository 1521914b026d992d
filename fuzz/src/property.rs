//! The fuzz property: a decoded value is the payload that was fed in.
//!
//! For every input, the decoder under test and the format's own reading of the payload ([`crate::payload`]) must
//! agree:
//!
//! - both reject the input, or
//! - both accept it, and the decoded value's bytes are the payload's, fitted to the type (zero-padded or
//!   truncated); for a FAM wrapper, the header's bytes are the payload's header and the entries' bytes the payload's
//!   entries, and the input is accepted exactly when the header's count equals the number of entries and is within
//!   the wrapper's maximum.
//!
//! Then the value goes through what a VMM does with it next ([`crate::vmm`]). A decoder that drops, zeroes or shifts
//! a byte fails the property; one that does so and re-encodes consistently would pass a round-trip property.
//!
//! Each check returns a [`Verdict`]: `Ok(decoded)`, or the violation as `Err(message)`.

use kvm_bindings_common::{ByteOrder, SwapBytes};
use serde::Serialize;
use vmm_sys_util::fam::{FamStruct, FamStructWrapper};
use zerocopy::{FromBytes, Immutable, IntoBytes};

use crate::payload::{Entries, decode_value_payload, decode_wrapper_payload, fit};
use crate::vmm::{use_value, use_wrapper};
use test_support::Format;
use test_support::byte_order::{converts, from_wire_bytes};

/// `Ok(true)` when the input decoded, `Ok(false)` when it was rightly rejected, `Err` naming the violation.
pub type Verdict = Result<bool, String>;

/// The property for a type of a serde list whose arch writes snapshots in `order`, decoded by its own decoder.
pub fn check_value<T>(order: ByteOrder, format: Format, input: &[u8]) -> Verdict
where
    T: Serialize + serde::de::DeserializeOwned + FromBytes + IntoBytes + Immutable + SwapBytes,
{
    value_property(order, format, input, format.decode::<T>(input))
}

/// The property for a type of a serde list, decoded by a deliberately broken decoder that rotates the value's bytes
/// by one: the negative test of the property ([`crate::self_test`]).
pub fn check_value_shifted<T>(order: ByteOrder, format: Format, input: &[u8]) -> Verdict
where
    T: Serialize + serde::de::DeserializeOwned + FromBytes + IntoBytes + Immutable + SwapBytes,
{
    let shifted = match format.decode::<T>(input) {
        Ok(mut value) => {
            value.as_mut_bytes().rotate_right(1);
            Ok(value)
        }
        // A type that cannot convert: a decoder that ignores the byte order takes the payload's bytes as they are.
        Err(error) if !converts::<T>(order) => decode_value_payload(format, input)
            .and_then(|payload| T::read_from_bytes(&fit(&payload, size_of::<T>())).map_err(|_| error)),
        Err(error) => Err(error),
    };
    value_property(order, format, input, shifted)
}

/// The property of a value-typed decode: `decoded` is what the decoder under test made of `input`. The payload is
/// in the arch's snapshot byte order `order`: on a host of the other order the value is the payload converted, and a
/// type that cannot convert must reject every input, with the byte-order error.
pub fn value_property<T>(order: ByteOrder, format: Format, input: &[u8], decoded: Result<T, String>) -> Verdict
where
    T: Serialize + FromBytes + IntoBytes + Immutable + SwapBytes,
{
    let format_name = format.name();
    let convertible = converts::<T>(order);
    match (decoded, decode_value_payload(format, input)) {
        (Err(_), Err(_)) => Ok(false),
        // (bitcode reports every error as "bitcode error", so the byte-order one cannot be told apart there.)
        (Err(_), Ok(_)) if !convertible => Ok(false),
        (Ok(_), Ok(_)) if !convertible => Err(format!(
            "{format_name} decodes a type that cannot convert to this host's byte order"
        )),
        (Ok(_), Err(error)) => Err(format!(
            "{format_name} decodes an input that is not a byte string ({error})"
        )),
        (Err(error), Ok(payload)) => Err(format!(
            "{format_name} rejects a byte string of {} bytes: {error}",
            payload.len()
        )),
        (Ok(value), Ok(payload)) => {
            let wire = fit(&payload, size_of::<T>());
            let expected = from_wire_bytes::<T>(&wire, order);
            compare_bytes(format, "value", value.as_bytes(), expected.as_bytes())?;
            use_value(&value, format, &wire)?;
            Ok(true)
        }
    }
}

/// The property for a FAM wrapper over `T`, decoded by its own decoder.
pub fn check_wrapper<T>(order: ByteOrder, format: Format, input: &[u8]) -> Verdict
where
    T: Header,
    T::Entry: Entry,
{
    wrapper_property(order, format, input, format.decode::<FamStructWrapper<T>>(input))
}

/// The property for a FAM wrapper over `T`, decoded by a deliberately broken decoder that rotates the entries'
/// bytes by one: the negative test of the property ([`crate::self_test`]).
pub fn check_wrapper_shifted<T>(order: ByteOrder, format: Format, input: &[u8]) -> Verdict
where
    T: Header,
    T::Entry: Entry,
{
    let shifted = match format.decode::<FamStructWrapper<T>>(input) {
        Ok(mut wrapper) => {
            wrapper.as_mut_slice().as_mut_bytes().rotate_right(1);
            Ok(wrapper)
        }
        // A header or entry type that cannot convert: a decoder that ignores the byte order takes the entries' bytes.
        Err(error) if !wrapper_converts::<T>(order) => unconverted_wrapper::<T>(format, input).ok_or(error),
        Err(error) => Err(error),
    };
    wrapper_property(order, format, input, shifted)
}

/// The wrapper of `input`'s entries taken as they are, without conversion: the broken decoder of the self-test for
/// a wrapper that cannot convert to this host's byte order.
fn unconverted_wrapper<T>(format: Format, input: &[u8]) -> Option<FamStructWrapper<T>>
where
    T: Header,
    T::Entry: Entry,
{
    let (_, Entries::Bytes(list)) = decode_wrapper_payload::<T::Entry>(format, input).ok()? else {
        return None;
    };
    let size = size_of::<T::Entry>();
    let entries: Vec<T::Entry> = list
        .iter()
        .map(|entry| T::Entry::read_from_bytes(&fit(entry, size)).ok())
        .collect::<Option<_>>()?;
    FamStructWrapper::from_entries(&entries).ok()
}

/// Whether a wrapper over `T` converts between its arch's snapshot byte order `order` and this host's.
pub fn wrapper_converts<T>(order: ByteOrder) -> bool
where
    T: FamStruct + FromBytes + SwapBytes,
    T::Entry: FromBytes + SwapBytes,
{
    converts::<T>(order) && converts::<T::Entry>(order)
}

/// A FAM wrapper's header type, as the property needs it: (de)serializable, and plain bytes.
pub trait Header:
    Default + FamStruct + Serialize + serde::de::DeserializeOwned + FromBytes + IntoBytes + Immutable + SwapBytes + 'static
{
}
impl<T> Header for T where
    T: Default
        + FamStruct
        + Serialize
        + serde::de::DeserializeOwned
        + FromBytes
        + IntoBytes
        + Immutable
        + SwapBytes
        + 'static
{
}

/// A FAM wrapper's entry type, as the property needs it.
pub trait Entry:
    Copy + Serialize + serde::de::DeserializeOwned + FromBytes + IntoBytes + Immutable + SwapBytes + 'static
{
}
impl<E> Entry for E where
    E: Copy + Serialize + serde::de::DeserializeOwned + FromBytes + IntoBytes + Immutable + SwapBytes + 'static
{
}

/// The property of a wrapper decode: `decoded` is what the decoder under test made of `input`.
pub fn wrapper_property<T>(
    order: ByteOrder,
    format: Format,
    input: &[u8],
    decoded: Result<FamStructWrapper<T>, String>,
) -> Verdict
where
    T: Header,
    T::Entry: Entry,
{
    let format_name = format.name();
    // On a host of the other order, a header type that cannot convert makes every input an error, and so does an
    // entry type that cannot convert, for every input with entries (none have nothing to convert).
    let without_entries = || matches!(decode_wrapper_payload::<T::Entry>(format, input), Ok((_, e)) if e.count() == 0);
    if !converts::<T>(order) || (!converts::<T::Entry>(order) && !without_entries()) {
        // Any rejection is right (bitcode reports every error as "bitcode error", so the byte-order one cannot be
        // told apart there); an accepted input is the violation.
        return match decoded {
            Err(_) => Ok(false),
            Ok(_) => Err(format!(
                "{format_name} decodes a wrapper that cannot convert to this host's byte order"
            )),
        };
    }
    let (raw_header, entries) = match (decode_wrapper_payload::<T::Entry>(format, input), &decoded) {
        (Ok(payload), _) => payload,
        (Err(_), Err(_)) => return Ok(false),
        (Err(error), Ok(_)) => {
            return Err(format!(
                "{format_name} decodes an input that is not a (header, entries) pair ({error})"
            ));
        }
    };
    let wire_header = fit(&raw_header, size_of::<T>());
    let header = from_wire_bytes::<T>(&wire_header, order);
    // The count the header claims, read from the expected header (not from the decoded wrapper).
    let claimed = header.len();
    let header = header.as_bytes();
    let count = entries.count();
    let acceptable = claimed == count && count <= T::max_len();
    match (decoded, acceptable) {
        (Err(_), false) => Ok(false),
        // The wrapper's own accessors are not called: they trust the count that is wrong here.
        (Ok(_), false) => Err(format!(
            "{format_name} decodes a header claiming {claimed} entries, with {count} entries (maximum {}), to a \
             wrapper",
            T::max_len()
        )),
        (Err(error), true) => Err(format!(
            "{format_name} rejects a header claiming {claimed} entries with as many entries: {error}"
        )),
        (Ok(wrapper), true) => {
            let entry_size = size_of::<T::Entry>();
            compare_bytes(format, "header", wrapper.as_fam_struct_ref().as_bytes(), header)?;
            let memory = match &entries {
                // Binding-type entries are byte strings in the arch's order, each converted like a value.
                Entries::Bytes(list) => list
                    .iter()
                    .flat_map(|entry| {
                        from_wire_bytes::<T::Entry>(&fit(entry, entry_size), order)
                            .as_bytes()
                            .to_vec()
                    })
                    .collect(),
                _ => entries.memory(entry_size),
            };
            compare_bytes(format, "entries", wrapper.as_slice().as_bytes(), &memory)?;
            use_wrapper(&wrapper, format, &entries.encode_with(format, &wire_header, entry_size))?;
            Ok(true)
        }
    }
}

/// Fails naming the first byte where `actual` differs from `expected`.
fn compare_bytes(format: Format, what: &str, actual: &[u8], expected: &[u8]) -> Result<(), String> {
    if actual.len() != expected.len() {
        return Err(format!(
            "{}: the decoded {what} has {} bytes, the payload {}",
            format.name(),
            actual.len(),
            expected.len()
        ));
    }
    match actual.iter().zip(expected).position(|(a, e)| a != e) {
        None => Ok(()),
        Some(index) => {
            let differing = actual.iter().zip(expected).filter(|(a, e)| a != e).count();
            Err(format!(
                "{}: byte {index} of the decoded {what} is {:#04x}, the payload's {:#04x} ({differing} of {} bytes \
                 differ from the payload)",
                format.name(),
                actual[index],
                expected[index],
                expected.len()
            ))
        }
    }
}
