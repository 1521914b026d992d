//! The snapshot formats the tests cover, behind one interface.

use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};

/// A serialization format that VMMs write vCPU and VM state in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// bincode 2 through its serde path, `bincode::config::standard()` (varint lengths).
    Bincode,
    /// serde_json: a byte string is an array of numbers.
    Json,
    /// bitcode through its serde path (`bitcode::serialize` / `bitcode::deserialize`).
    Bitcode,
}

impl Format {
    /// Every format, for tests that loop over them.
    pub const ALL: [Format; 3] = [Format::Bincode, Format::Json, Format::Bitcode];

    /// The format's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Bincode => "bincode",
            Format::Json => "serde_json",
            Format::Bitcode => "bitcode",
        }
    }

    /// Encodes `value` (JSON as its UTF-8 text). Encoding a binding type fails only on a host whose byte order is not
    /// its arch's, for a type that cannot be converted ([`Format::try_encode`]); here a failure panics.
    pub fn encode<T: Serialize + ?Sized>(self, value: &T) -> Vec<u8> {
        self.try_encode(value)
            .unwrap_or_else(|error| panic!("{} failed to encode: {error}", self.name()))
    }

    /// Encodes `value`, or says why the format (or the value's `Serialize`) refused.
    pub fn try_encode<T: Serialize + ?Sized>(self, value: &T) -> Result<Vec<u8>, String> {
        match self {
            Format::Bincode => bincode::serde::encode_to_vec(value, bincode::config::standard()).map_err(to_text),
            Format::Json => serde_json::to_vec(value).map_err(to_text),
            Format::Bitcode => bitcode::serialize(value).map_err(to_text),
        }
    }

    /// What the format writes for a value whose bytes are `bytes`: a byte string, encoded by the format itself
    /// rather than by the code under test.
    pub fn encode_bytes(self, bytes: &[u8]) -> Vec<u8> {
        self.encode(&RawBytes(bytes))
    }

    /// Decodes a `T` that must span all of `encoded`; the format's error as text otherwise.
    pub fn decode<T: DeserializeOwned>(self, encoded: &[u8]) -> Result<T, String> {
        match self {
            Format::Bincode => {
                let (value, read) =
                    bincode::serde::decode_from_slice(encoded, bincode::config::standard()).map_err(to_text)?;
                match encoded.len() - read {
                    0 => Ok(value),
                    excess => Err(format!("{excess} bytes left after the value")),
                }
            }
            Format::Json => serde_json::from_slice(encoded).map_err(to_text),
            Format::Bitcode => bitcode::deserialize(encoded).map_err(to_text),
        }
    }
}

fn to_text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// A byte string that serializes with `serialize_bytes`, as a binding type of these bytes would.
pub struct RawBytes<'a>(pub &'a [u8]);

impl Serialize for RawBytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}
