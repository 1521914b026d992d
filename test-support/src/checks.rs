//! What every serializable binding type must do, in every [`Format`].
//!
//! Each check draws values with every byte random and compares what comes back with the bytes that went in — never
//! with a second encoding of the code's own output — so a wrong implementation fails.

use rand::Rng;
use rand::rngs::StdRng;
use serde::Serialize;
use serde::de::DeserializeOwned;
use zerocopy::{FromBytes, Immutable, IntoBytes};

use kvm_bindings_common::{ByteOrder, SwapBytes};

use crate::Format;
use crate::byte_order::{assert_unconvertible_error, converts, from_wire_bytes, wire_bytes};
use crate::random::{random_bytes, random_value, test_rng};

/// A binding type in a serde list: serialized as its bytes by `kvm_bindings_common::serde_impls!`.
pub trait Binding: Serialize + DeserializeOwned + FromBytes + IntoBytes + Immutable {}
impl<T: Serialize + DeserializeOwned + FromBytes + IntoBytes + Immutable> Binding for T {}

/// Random values per format: enough that a byte the code drops or reorders shows in some value.
const VALUES_PER_FORMAT: usize = 8;

/// The name a type has in error messages: its last path segment.
fn short_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

/// Decodes `encoded`, which must succeed, naming the case in the panic otherwise.
fn decode_ok<T: Binding>(format: Format, encoded: &[u8], case: &str) -> T {
    format
        .decode(encoded)
        .unwrap_or_else(|error| panic!("{}: {case} of {} failed: {error}", format.name(), short_name::<T>()))
}

/// Decoding must fail; returns the error for the caller to check further.
fn decode_err<T: Binding>(format: Format, encoded: &[u8], case: &str) -> String {
    match format.decode::<T>(encoded) {
        Ok(_) => panic!(
            "{}: {case} decoded as a {} instead of failing",
            format.name(),
            short_name::<T>()
        ),
        Err(error) => error,
    }
}

/// A type that does not convert between its arch's byte order and this host's (it holds a union or bitfields):
/// encoding a value and decoding its bytes are errors that say why, in every format, never swapped bytes.
fn unconvertible<T: Binding + SwapBytes>() {
    let mut rng = test_rng();
    let value: T = random_value(&mut rng);
    for format in Format::ALL {
        let error = format.try_encode(&value).err().unwrap_or_else(|| {
            panic!(
                "{}: {} encoded on a host of the other byte order",
                format.name(),
                short_name::<T>()
            )
        });
        assert_unconvertible_error(&error, short_name::<T>());
        let error = decode_err::<T>(format, &format.encode_bytes(value.as_bytes()), "another order's value");
        assert_unconvertible_error(&error, short_name::<T>());
    }
}

/// A value encodes as its bytes in its arch's snapshot byte order, `order` (the byte string the format itself
/// writes for them), and decodes to the same value; a type that cannot convert on this host fails both ways instead.
pub fn round_trip<T: Binding + SwapBytes>(order: ByteOrder) {
    if !converts::<T>(order) {
        return unconvertible::<T>();
    }
    let mut rng = test_rng();
    for format in Format::ALL {
        for _ in 0..VALUES_PER_FORMAT {
            let value: T = random_value(&mut rng);
            let encoded = format.encode(&value);
            assert_eq!(
                encoded,
                format.encode_bytes(&wire_bytes(&value, order)),
                "{}: {} is not written as its bytes in {order} order",
                format.name(),
                short_name::<T>()
            );
            let decoded: T = decode_ok(format, &encoded, "round trip");
            assert_eq!(
                decoded.as_bytes(),
                value.as_bytes(),
                "{}: round trip of {}",
                format.name(),
                short_name::<T>()
            );
        }
    }
}

/// Input shorter than the type (as from an older kernel's smaller struct) decodes as its bytes followed by zeroes.
pub fn short_input<T: Binding + SwapBytes>(order: ByteOrder) {
    if !converts::<T>(order) {
        return unconvertible::<T>();
    }
    let size = size_of::<T>();
    let mut lengths = vec![0, 1, size / 2, size - 1];
    lengths.retain(|&length| length < size);
    lengths.dedup();
    let mut rng = test_rng();
    for format in Format::ALL {
        for &length in &lengths {
            let bytes = random_bytes(&mut rng, length);
            let decoded: T = decode_ok(
                format,
                &format.encode_bytes(&bytes),
                &format!("{length} of {size} bytes"),
            );
            let mut expected = bytes;
            expected.resize(size, 0);
            assert_eq!(
                decoded.as_bytes(),
                from_wire_bytes::<T>(&expected, order).as_bytes(),
                "{}: {length} bytes into {}",
                format.name(),
                short_name::<T>()
            );
        }
    }
}

/// Input longer than the type (as from a newer kernel's grown struct) decodes as its first bytes.
pub fn long_input<T: Binding + SwapBytes>(order: ByteOrder) {
    if !converts::<T>(order) {
        return unconvertible::<T>();
    }
    let size = size_of::<T>();
    let mut rng = test_rng();
    for format in Format::ALL {
        for length in [size + 1, size + 7, 2 * size + 3] {
            let bytes = random_bytes(&mut rng, length);
            let decoded: T = decode_ok(
                format,
                &format.encode_bytes(&bytes),
                &format!("{length} of {size} bytes"),
            );
            assert_eq!(
                decoded.as_bytes(),
                from_wire_bytes::<T>(&bytes[..size], order).as_bytes(),
                "{}: {length} bytes into {}",
                format.name(),
                short_name::<T>()
            );
        }
    }
}

/// Malformed input of each format is an error (with a message that says what was wrong), never a panic.
pub fn malformed_input<T: Binding + SwapBytes>(_order: ByteOrder) {
    malformed_json::<T>();
    for format in [Format::Bincode, Format::Bitcode] {
        truncated_binary::<T>(format);
    }
    // bitcode's serde path tells a string from a byte string; bincode writes both the same way, so there a string
    // where bytes belong is indistinguishable from those bytes.
    let text = "x".repeat(size_of::<T>());
    decode_err::<T>(Format::Bitcode, &Format::Bitcode.encode(&text), "a string");
    // A bincode length prefix beyond any input: 0xFD announces a u64 length.
    let mut huge_length = vec![0xFD];
    huge_length.extend_from_slice(&u64::MAX.to_le_bytes());
    decode_err::<T>(Format::Bincode, &huge_length, "a length of 2^64 - 1");
}

fn malformed_json<T: Binding>() {
    let size = size_of::<T>();
    let name = short_name::<T>();
    let json = |text: &str| decode_err::<T>(Format::Json, text.as_bytes(), text);
    let mut rng = test_rng();
    // `[1, 2, 3]` in Rust's Debug syntax is a JSON array.
    let json_array = |numbers: &[u16]| format!("{numbers:?}");
    let random_numbers =
        |rng: &mut StdRng, length| -> Vec<u16> { random_bytes(rng, length).into_iter().map(u16::from).collect() };

    // A string where bytes belong: serde_json would offer its UTF-8 text as bytes, which must not be taken.
    let error = json(&format!("\"{}\"", "x".repeat(size)));
    let expected = format!(
        "invalid type: string \"{}\", expected the {size} bytes of {name}",
        "x".repeat(size)
    );
    assert!(error.starts_with(&expected), "error for a string: {error}");

    // A number that is not a byte, inside the value and in the excess of a longer input.
    let inside = rng.random_range(0..size);
    for (length, position) in [(size, inside), (size + 4, size + 2)] {
        let mut numbers = random_numbers(&mut rng, length);
        numbers[position] = 256;
        let error = json(&json_array(&numbers));
        assert!(
            error.contains("integer `256`, expected u8"),
            "error for 256 at {position}: {error}"
        );
    }
    for element in ["-1", "1.5", "\"1\"", "null", "[1]"] {
        let error = json(&format!("[{element}]"));
        assert!(error.contains("expected u8"), "error for [{element}]: {error}");
    }
    for text in ["", "null", "{}", "true", "7"] {
        json(text);
    }
    // Cut off inside the array.
    let whole = json_array(&random_numbers(&mut rng, size));
    json(&whole[..whole.len() - 1]);
    json(&whole[..whole.len() / 2]);
}

/// Every prefix of a valid encoding fails to decode: the input ended early.
fn truncated_binary<T: Binding>(format: Format) {
    let mut rng = test_rng();
    // The byte string of a value's bytes: what the format writes, whether or not the type converts on this host.
    let encoded = format.encode_bytes(random_value::<T>(&mut rng).as_bytes());
    // Every cut for small types; about 64 spread over the encoding for the large ones (kvm_xsave is 4 KiB).
    let step = (encoded.len() / 64).max(1);
    for cut in (0..encoded.len()).step_by(step).chain([encoded.len() - 1]) {
        decode_err::<T>(
            format,
            &encoded[..cut],
            &format!("the first {cut} of {} bytes", encoded.len()),
        );
    }
}
