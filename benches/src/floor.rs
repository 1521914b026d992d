//! The format's floor: decoders that read exactly the input a binding type's decoder reads, and keep nothing.
//!
//! A binding type is a byte string on the wire. Whatever the type's decoder does, the format must first find those
//! bytes: in bincode, read the length and copy the bytes into a new `Vec` (its owned path); in bitcode, unpack them;
//! in serde_json, parse one number per byte. [`Bytes`] does only that, so decode time ÷ floor time is the cost our
//! code adds on top of the format's own.

use core::fmt;
use core::marker::PhantomData;
use std::hint::black_box;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

/// The floor of a flat binding type: a byte string (an array of numbers in human-readable formats), discarded.
///
/// It asks the deserializer for what the binding types ask for, so it takes the same path through the format: bytes
/// from formats that are not human-readable, a sequence of `u8` from the others (each element still parsed and
/// range-checked, as a real decoder must).
#[derive(Debug)]
pub struct Bytes;

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_seq(DiscardBytes)
        } else {
            deserializer.deserialize_bytes(DiscardBytes)
        }
    }
}

struct DiscardBytes;

impl<'de> Visitor<'de> for DiscardBytes {
    type Value = Bytes;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a byte string")
    }

    fn visit_bytes<E>(self, bytes: &[u8]) -> Result<Bytes, E> {
        // Keeps the bytes observable: without it the compiler could remove the format's work to produce them (bitcode
        // unpacks them into a `Vec`), which every real decoder pays for.
        black_box(bytes);
        Ok(Bytes)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bytes, A::Error> {
        while seq.next_element::<u8>()?.is_some() {}
        Ok(Bytes)
    }
}

/// A sequence whose elements are each decoded as `E` and dropped, never collected: the floor of a FAM wrapper's
/// entries. A FAM wrapper (vmm-sys-util's `FamStructWrapper`) is the pair (header, entries), so its floor is
/// `(Bytes, Seq<Bytes>)`, or `(Bytes, Seq<u32>)` when the entries are integers.
#[derive(Debug)]
pub struct Seq<E>(PhantomData<E>);

impl<'de, E: Deserialize<'de>> Deserialize<'de> for Seq<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(DiscardSeq(PhantomData))
    }
}

struct DiscardSeq<E>(PhantomData<E>);

impl<'de, E: Deserialize<'de>> Visitor<'de> for DiscardSeq<E> {
    type Value = Seq<E>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seq<E>, A::Error> {
        while seq.next_element::<E>()?.is_some() {}
        Ok(Seq(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use test_support::RawBytes;

    use super::*;
    use crate::formats::{Bincode, Bitcode, Format, Json};

    /// A FAM wrapper's encoding: header bytes, then a sequence of entries (byte strings here).
    fn fam_like() -> (RawBytes<'static>, Vec<RawBytes<'static>>) {
        (RawBytes(&[1, 2, 3, 4]), vec![RawBytes(&[5, 6]), RawBytes(&[7, 8])])
    }

    fn reads_all_input<F: Format>() {
        // `decode` asserts (bincode) or checks (serde_json, bitcode) that the whole input was read.
        F::decode_checked::<Bytes>(&F::encode_vec(&RawBytes(&[0, 255, 9])));
        F::decode_checked::<(Bytes, Seq<Bytes>)>(&F::encode_vec(&fam_like()));
        F::decode_checked::<(Bytes, Seq<u32>)>(&F::encode_vec(&(RawBytes(&[1]), vec![u32::MAX, 3])));
    }

    #[test]
    fn floors_read_the_whole_input() {
        reads_all_input::<Bincode>();
        reads_all_input::<Json>();
        reads_all_input::<Bitcode>();
    }

    #[test]
    fn json_floor_parses_every_element() {
        // The floor does the work a real decoder must: a number that is not a byte is an error, wherever it is.
        assert!(serde_json::from_str::<Bytes>("[1,2,3]").is_ok());
        assert!(serde_json::from_str::<Bytes>("[1,2,256]").is_err());
        assert!(serde_json::from_str::<(Bytes, Seq<Bytes>)>("[[1],[[2],[3,1]]]").is_ok());
        assert!(serde_json::from_str::<(Bytes, Seq<Bytes>)>("[[1],[[2],[3,-1]]]").is_err());
    }
}
