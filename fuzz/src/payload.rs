//! What an input carries, read by the format itself rather than by the decoders under test: the expected value of
//! the property ([`crate::property`]).
//!
//! A binding value is written with `serialize_bytes`. Each format decodes that byte string as it decodes a
//! `Vec<u8>` — bincode 2 (length, then the bytes), serde_json (an array of numbers) and bitcode (whose
//! `deserialize_bytes` reads a `Vec<u8>`) — so the payload of an input is its decoding as `Vec<u8>`, by the format's
//! own `Vec<u8>` decoder. A FAM wrapper is the pair (header, entries): the header is such a byte string, and the
//! entries are byte strings too, or plain integers (`u32`, `u64`) where the entry type is one.

use std::any::TypeId;

use test_support::{Format, RawBytes};

/// `payload` cut or zero-padded to `size` bytes: the value the decoders promise for it (zero-padded when shorter,
/// truncated when longer; see `kvm_bindings_common::serde_impls!`).
pub fn fit(payload: &[u8], size: usize) -> Vec<u8> {
    let mut bytes = payload[..payload.len().min(size)].to_vec();
    bytes.resize(size, 0);
    bytes
}

/// The byte string `input` holds, by the format's own `Vec<u8>` decoder.
pub fn decode_value_payload(format: Format, input: &[u8]) -> Result<Vec<u8>, String> {
    format.decode::<Vec<u8>>(input)
}

/// The entries of a FAM wrapper's input, as the format decodes them without the code under test.
pub enum Entries {
    /// Entries that are binding types: one byte string each.
    Bytes(Vec<Vec<u8>>),
    /// `u32` entries (`MsrList`, `Xsave`).
    U32(Vec<u32>),
    /// `u64` entries (`RegList`).
    U64(Vec<u64>),
}

impl Entries {
    /// How many entries the input holds.
    pub fn count(&self) -> usize {
        match self {
            Entries::Bytes(entries) => entries.len(),
            Entries::U32(entries) => entries.len(),
            Entries::U64(entries) => entries.len(),
        }
    }

    /// The entries' bytes in memory, each `entry_size` bytes: byte strings fitted as the decoders promise,
    /// integers in native byte order.
    pub fn memory(&self, entry_size: usize) -> Vec<u8> {
        match self {
            Entries::Bytes(entries) => entries.iter().flat_map(|entry| fit(entry, entry_size)).collect(),
            Entries::U32(entries) => entries.iter().flat_map(|entry| entry.to_ne_bytes()).collect(),
            Entries::U64(entries) => entries.iter().flat_map(|entry| entry.to_ne_bytes()).collect(),
        }
    }

    /// The encoding of (`header`, these entries fitted to `entry_size`): what a decoded wrapper must encode to.
    pub fn encode_with(&self, format: Format, header: &[u8], entry_size: usize) -> Vec<u8> {
        match self {
            Entries::Bytes(entries) => {
                let fitted: Vec<Vec<u8>> = entries.iter().map(|entry| fit(entry, entry_size)).collect();
                let raw: Vec<RawBytes> = fitted.iter().map(|entry| RawBytes(entry)).collect();
                format.encode(&(RawBytes(header), raw))
            }
            Entries::U32(entries) => format.encode(&(RawBytes(header), entries)),
            Entries::U64(entries) => format.encode(&(RawBytes(header), entries)),
        }
    }
}

/// The header's byte string and the entries `input` holds, for a wrapper whose entry type is `E`.
///
/// The entry type picks how entries are read: `u32` and `u64` serialize as integers, every other entry type of the
/// FAM wrappers is a binding type and serializes as a byte string. (An entry type serialized some other way would
/// fail the seeds' check, since its valid encodings would not read as byte strings.)
pub fn decode_wrapper_payload<E: 'static>(format: Format, input: &[u8]) -> Result<(Vec<u8>, Entries), String> {
    let entry = TypeId::of::<E>();
    if entry == TypeId::of::<u32>() {
        let (header, entries) = format.decode::<(Vec<u8>, Vec<u32>)>(input)?;
        Ok((header, Entries::U32(entries)))
    } else if entry == TypeId::of::<u64>() {
        let (header, entries) = format.decode::<(Vec<u8>, Vec<u64>)>(input)?;
        Ok((header, Entries::U64(entries)))
    } else {
        let (header, entries) = format.decode::<(Vec<u8>, Vec<Vec<u8>>)>(input)?;
        Ok((header, Entries::Bytes(entries)))
    }
}
