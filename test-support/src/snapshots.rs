//! Committed snapshots of an arch crate (`tests/snapshots/<type>.<format>`), written on the arch itself, and what
//! must hold on any host: the values encode to exactly those bytes and the bytes decode to exactly those values.
//!
//! The snapshots are written by the arch's own tests with `KVM_BINDINGS_BLESS_SNAPSHOTS=1` (under qemu-user for a
//! foreign arch), which is refused on a host of the other byte order. The values are built field by field from [`Numbers`], never from
//! bytes, so they mean the same numbers on every host.

use std::path::PathBuf;

use kvm_bindings_common::ByteOrder;
use serde::Serialize;
use serde::de::DeserializeOwned;
use zerocopy::{FromBytes, Immutable, IntoBytes};

use crate::Format;

/// Set to write the snapshots; allowed only on a host of the arch's byte order.
pub const BLESS: &str = "KVM_BINDINGS_BLESS_SNAPSHOTS";

/// A fixed sequence of numbers (splitmix64), the same on every host.
pub struct Numbers(pub u64);

impl Numbers {
    pub fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn u32(&mut self) -> u32 {
        self.u64() as u32
    }

    pub fn u16(&mut self) -> u16 {
        self.u64() as u16
    }

    pub fn u8(&mut self) -> u8 {
        self.u64() as u8
    }

    pub fn array<const N: usize>(&mut self) -> [u64; N] {
        core::array::from_fn(|_| self.u64())
    }
}

/// The snapshots of one arch crate.
pub struct Snapshots {
    /// The crate's directory (`env!("CARGO_MANIFEST_DIR")`).
    pub crate_dir: &'static str,
    /// The arch's name, for messages and the bless command.
    pub arch: &'static str,
    /// The arch crate's `byte_order::SNAPSHOT_BYTE_ORDER`.
    pub order: ByteOrder,
}

impl Snapshots {
    fn path(&self, name: &str, format: Format) -> PathBuf {
        let extension = match format {
            Format::Bincode => "bincode",
            Format::Json => "json",
            Format::Bitcode => "bitcode",
        };
        PathBuf::from(self.crate_dir).join(format!("tests/snapshots/{name}.{extension}"))
    }

    fn read(&self, name: &str, format: Format) -> Vec<u8> {
        let path = self.path(name, format);
        std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {}: {e} (written on {} with {BLESS}=1: the doc of the crate's tests/cross_endian.rs says how)",
                path.display(),
                self.arch
            )
        })
    }

    /// The snapshot of `name` in `format`: written from `encoded` when blessing on the arch's own order.
    fn snapshot(&self, name: &str, format: Format, encoded: &[u8]) -> Vec<u8> {
        if std::env::var_os(BLESS).is_some() {
            assert_eq!(
                ByteOrder::HOST,
                self.order,
                "{BLESS} writes {}'s snapshots, so only a host of its byte order may set it",
                self.arch
            );
            let path = self.path(name, format);
            std::fs::write(&path, encoded).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        }
        self.read(name, format)
    }

    /// `value` encodes to the committed snapshot and the snapshot decodes to `value`, in every format.
    pub fn reads_the_same<T>(&self, name: &str, value: &T)
    where
        T: Serialize + DeserializeOwned + IntoBytes + Immutable,
    {
        for format in Format::ALL {
            let encoded = format.encode(value);
            let golden = self.snapshot(name, format, &encoded);
            assert_eq!(
                encoded,
                golden,
                "{}: {name} encoded on this {} host is not the snapshot {} wrote",
                format.name(),
                ByteOrder::HOST,
                self.arch
            );
            let decoded: T = format
                .decode(&golden)
                .unwrap_or_else(|e| panic!("{}: {}'s {name} does not decode here: {e}", format.name(), self.arch));
            assert_eq!(
                decoded.as_bytes(),
                value.as_bytes(),
                "{}: {}'s {name} decodes to other values on this {} host",
                format.name(),
                self.arch,
                ByteOrder::HOST
            );
        }
    }

    /// On the arch's own order, as [`Snapshots::reads_the_same`]; on the other, encoding `value` and decoding its
    /// snapshot are both errors that name the union and the two byte orders.
    pub fn union_reads_the_same_or_fails<T>(&self, name: &str, value: &T, union: &str)
    where
        T: Serialize + DeserializeOwned + IntoBytes + Immutable,
    {
        if ByteOrder::HOST == self.order {
            return self.reads_the_same(name, value);
        }
        let orders = format!("between its {} snapshots and this {} host", self.order, ByteOrder::HOST);
        for format in Format::ALL {
            let error = format
                .try_encode(value)
                .expect_err("a union type encoded on the other byte order");
            assert!(
                error.contains(union) && error.contains(&orders),
                "{}: {name}: {error}",
                format.name()
            );
            let error = format
                .decode::<T>(&self.read(name, format))
                .err()
                .expect("a union type decoded on the other byte order");
            // bitcode keeps no message of the error it was given.
            if format != Format::Bitcode {
                assert!(error.contains(&orders), "{}: {name}: {error}", format.name());
            }
        }
    }

    /// The committed snapshot of `name` taken as a `T` without any conversion (its JSON payload's bytes).
    pub fn unconverted<T: FromBytes>(&self, name: &str) -> T {
        let bytes: Vec<u8> =
            serde_json::from_slice(&self.read(name, Format::Json)).expect("a JSON snapshot is an array of bytes");
        T::read_from_bytes(&bytes).unwrap_or_else(|_| panic!("{name}'s snapshot is not its size"))
    }
}
