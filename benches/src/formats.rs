//! The three snapshot formats, one zero-sized type each so that every timed loop is monomorphic.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::aligned::{AlignedBuf, HALF_PAGE};

/// A preallocated destination for [`Format::encode_into`], reused across iterations.
pub struct Scratch {
    /// bincode writes into a slice, half a page past a page boundary (see [`HALF_PAGE`]).
    pub page: AlignedBuf,
    /// serde_json writes into a `Vec`, cleared (not freed) before each encode.
    pub vec: Vec<u8>,
}

impl Scratch {
    /// Room for an encoding of `capacity` bytes.
    pub fn new(capacity: usize) -> Self {
        Scratch {
            page: AlignedBuf::zeroed_at(HALF_PAGE, capacity),
            vec: Vec::with_capacity(capacity),
        }
    }
}

/// A serialization format, through its serde path.
///
/// The benchmark's input is always valid, so an error panics: it would mean the benchmark measures the wrong thing.
pub trait Format {
    /// The name in the tables.
    const NAME: &'static str;
    /// Whether the format can encode into a caller's buffer through serde (bitcode cannot).
    const ENCODES_INTO: bool;

    /// Encodes `value` into a new `Vec`.
    fn encode_vec<T: Serialize>(value: &T) -> Vec<u8>;

    /// Encodes `value` into `scratch`, returning the length written. Panics if the format cannot.
    fn encode_into<T: Serialize>(value: &T, scratch: &mut Scratch) -> usize;

    /// What [`Format::decode`] returns: the format's own result, unwrapped by nobody, so that timing a decode
    /// times no move of the value but the format's (a 4 KiB move can cost 25 memcpys: see [`crate::aligned`]).
    type Decoded<T>;

    /// Decodes a `T` from `input`, as the format's API returns it.
    fn decode<T: DeserializeOwned>(input: &[u8]) -> Self::Decoded<T>;

    /// Decodes a `T` that spans the whole of `input`.
    fn decode_checked<T: DeserializeOwned>(input: &[u8]) -> T;
}

/// bincode 2 through its serde path, `bincode::config::standard()` (varint lengths). Decoding is
/// `decode_from_slice`: a VMM reads its snapshot file into memory and decodes from there; the visitor gets the
/// bytes borrowed from the input.
pub struct Bincode;

impl Format for Bincode {
    const NAME: &'static str = "bincode";
    const ENCODES_INTO: bool = true;

    fn encode_vec<T: Serialize>(value: &T) -> Vec<u8> {
        bincode::serde::encode_to_vec(value, bincode::config::standard()).expect("bincode encode")
    }

    fn encode_into<T: Serialize>(value: &T, scratch: &mut Scratch) -> usize {
        bincode::serde::encode_into_slice(value, scratch.page.as_mut_slice(), bincode::config::standard())
            .expect("bincode encode_into_slice")
    }

    type Decoded<T> = Result<(T, usize), bincode::error::DecodeError>;

    fn decode<T: DeserializeOwned>(input: &[u8]) -> Self::Decoded<T> {
        bincode::serde::decode_from_slice(input, bincode::config::standard())
    }

    fn decode_checked<T: DeserializeOwned>(input: &[u8]) -> T {
        let (value, read) = Self::decode(input).expect("bincode decode");
        assert_eq!(read, input.len(), "bincode left input unread");
        value
    }
}

/// serde_json: a byte string is an array of numbers.
pub struct Json;

impl Format for Json {
    const NAME: &'static str = "serde_json";
    const ENCODES_INTO: bool = true;

    fn encode_vec<T: Serialize>(value: &T) -> Vec<u8> {
        serde_json::to_vec(value).expect("serde_json encode")
    }

    fn encode_into<T: Serialize>(value: &T, scratch: &mut Scratch) -> usize {
        scratch.vec.clear();
        serde_json::to_writer(&mut scratch.vec, value).expect("serde_json encode");
        scratch.vec.len()
    }

    type Decoded<T> = serde_json::Result<T>;

    fn decode<T: DeserializeOwned>(input: &[u8]) -> Self::Decoded<T> {
        serde_json::from_slice(input)
    }

    fn decode_checked<T: DeserializeOwned>(input: &[u8]) -> T {
        Self::decode(input).expect("serde_json decode")
    }
}

/// bitcode through its serde path (`bitcode::serialize` / `bitcode::deserialize`).
pub struct Bitcode;

impl Format for Bitcode {
    const NAME: &'static str = "bitcode";
    const ENCODES_INTO: bool = false;

    fn encode_vec<T: Serialize>(value: &T) -> Vec<u8> {
        bitcode::serialize(value).expect("bitcode encode")
    }

    fn encode_into<T: Serialize>(_value: &T, _scratch: &mut Scratch) -> usize {
        panic!("bitcode's serde path only encodes into a new Vec")
    }

    type Decoded<T> = Result<T, bitcode::Error>;

    fn decode<T: DeserializeOwned>(input: &[u8]) -> Self::Decoded<T> {
        bitcode::deserialize(input)
    }

    fn decode_checked<T: DeserializeOwned>(input: &[u8]) -> T {
        Self::decode(input).expect("bitcode decode")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value with a known encoding in each format: a tuple of a byte and a string.
    fn sample() -> (u8, String) {
        (7, "kvm".to_string())
    }

    fn round_trip<F: Format>() {
        let encoded = F::encode_vec(&sample());
        assert_eq!(F::decode_checked::<(u8, String)>(&encoded), sample());
        if F::ENCODES_INTO {
            let mut scratch = Scratch::new(64);
            let length = F::encode_into(&sample(), &mut scratch);
            let written = match F::NAME {
                "bincode" => &scratch.page.as_slice()[..length],
                _ => &scratch.vec[..],
            };
            assert_eq!(written, &encoded[..]);
            // Reusing the scratch writes the same bytes again, not after the first ones.
            assert_eq!(F::encode_into(&sample(), &mut scratch), length);
        }
    }

    #[test]
    fn encodings_are_the_formats_own() {
        assert_eq!(Bincode::encode_vec(&sample()), [7, 3, b'k', b'v', b'm']);
        assert_eq!(Json::encode_vec(&sample()), b"[7,\"kvm\"]");
        round_trip::<Bincode>();
        round_trip::<Json>();
        round_trip::<Bitcode>();
    }

    #[test]
    #[should_panic(expected = "left input unread")]
    fn bincode_decode_rejects_trailing_bytes() {
        Bincode::decode_checked::<u8>(&[7, 0]);
    }
}
