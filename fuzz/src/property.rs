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

use serde::Serialize;
use vmm_sys_util::fam::{FamStruct, FamStructWrapper};
use zerocopy::{FromBytes, Immutable, IntoBytes};

use crate::payload::{decode_value_payload, decode_wrapper_payload, fit};
use crate::vmm::{use_value, use_wrapper};
use test_support::Format;

/// `Ok(true)` when the input decoded, `Ok(false)` when it was rightly rejected, `Err` naming the violation.
pub type Verdict = Result<bool, String>;

/// The property for a type of a serde list, decoded by its own decoder.
pub fn check_value<T>(format: Format, input: &[u8]) -> Verdict
where
    T: Serialize + serde::de::DeserializeOwned + FromBytes + IntoBytes + Immutable,
{
    value_property(format, input, format.decode::<T>(input))
}

/// The property for a type of a serde list, decoded by a deliberately broken decoder that rotates the value's bytes
/// by one: the negative test of the property ([`crate::self_test`]).
pub fn check_value_shifted<T>(format: Format, input: &[u8]) -> Verdict
where
    T: Serialize + serde::de::DeserializeOwned + FromBytes + IntoBytes + Immutable,
{
    let shifted = format.decode::<T>(input).map(|mut value| {
        value.as_mut_bytes().rotate_right(1);
        value
    });
    value_property(format, input, shifted)
}

/// The property of a value-typed decode: `decoded` is what the decoder under test made of `input`.
pub fn value_property<T>(format: Format, input: &[u8], decoded: Result<T, String>) -> Verdict
where
    T: Serialize + IntoBytes + Immutable,
{
    let format_name = format.name();
    match (decoded, decode_value_payload(format, input)) {
        (Err(_), Err(_)) => Ok(false),
        (Ok(_), Err(error)) => Err(format!(
            "{format_name} decodes an input that is not a byte string ({error})"
        )),
        (Err(error), Ok(payload)) => Err(format!(
            "{format_name} rejects a byte string of {} bytes: {error}",
            payload.len()
        )),
        (Ok(value), Ok(payload)) => {
            let expected = fit(&payload, size_of::<T>());
            compare_bytes(format, "value", value.as_bytes(), &expected)?;
            use_value(&value, format, &expected)?;
            Ok(true)
        }
    }
}

/// The property for a FAM wrapper over `T`, decoded by its own decoder.
pub fn check_wrapper<T>(format: Format, input: &[u8]) -> Verdict
where
    T: Header,
    T::Entry: Entry,
{
    wrapper_property(format, input, format.decode::<FamStructWrapper<T>>(input))
}

/// The property for a FAM wrapper over `T`, decoded by a deliberately broken decoder that rotates the entries'
/// bytes by one: the negative test of the property ([`crate::self_test`]).
pub fn check_wrapper_shifted<T>(format: Format, input: &[u8]) -> Verdict
where
    T: Header,
    T::Entry: Entry,
{
    let shifted = format.decode::<FamStructWrapper<T>>(input).map(|mut wrapper| {
        wrapper.as_mut_slice().as_mut_bytes().rotate_right(1);
        wrapper
    });
    wrapper_property(format, input, shifted)
}

/// A FAM wrapper's header type, as the property needs it: (de)serializable, and plain bytes.
pub trait Header:
    Default + FamStruct + Serialize + serde::de::DeserializeOwned + FromBytes + IntoBytes + Immutable + 'static
{
}
impl<T> Header for T where
    T: Default + FamStruct + Serialize + serde::de::DeserializeOwned + FromBytes + IntoBytes + Immutable + 'static
{
}

/// A FAM wrapper's entry type, as the property needs it.
pub trait Entry: Copy + Serialize + serde::de::DeserializeOwned + FromBytes + IntoBytes + Immutable + 'static {}
impl<E> Entry for E where E: Copy + Serialize + serde::de::DeserializeOwned + FromBytes + IntoBytes + Immutable + 'static
{}

/// The property of a wrapper decode: `decoded` is what the decoder under test made of `input`.
pub fn wrapper_property<T>(format: Format, input: &[u8], decoded: Result<FamStructWrapper<T>, String>) -> Verdict
where
    T: Header,
    T::Entry: Entry,
{
    let format_name = format.name();
    let (raw_header, entries) = match (decode_wrapper_payload::<T::Entry>(format, input), &decoded) {
        (Ok(payload), _) => payload,
        (Err(_), Err(_)) => return Ok(false),
        (Err(error), Ok(_)) => {
            return Err(format!(
                "{format_name} decodes an input that is not a (header, entries) pair ({error})"
            ));
        }
    };
    let header = fit(&raw_header, size_of::<T>());
    // The count the header claims, read from the expected header bytes (not from the decoded wrapper).
    let claimed = T::read_from_bytes(&header)
        .map_err(|_| format!("{format_name}: a fitted header is not {} bytes", size_of::<T>()))?
        .len();
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
            compare_bytes(format, "header", wrapper.as_fam_struct_ref().as_bytes(), &header)?;
            compare_bytes(
                format,
                "entries",
                wrapper.as_slice().as_bytes(),
                &entries.memory(entry_size),
            )?;
            use_wrapper(&wrapper, format, &entries.encode_with(format, &header, entry_size))?;
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
