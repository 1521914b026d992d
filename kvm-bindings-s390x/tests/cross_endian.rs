//! s390x snapshots read the same on a host of either byte order.
//!
//! `tests/snapshots/` holds, per type and format, what the tests wrote when they ran on s390x itself (under
//! qemu-s390x, `KVM_BINDINGS_BLESS_SNAPSHOTS=1`): big-endian raw bytes, as every raw-bytes serializer there writes.
//! The values are built field by field from a fixed seed, never from bytes, so they mean the same numbers on every
//! host. On s390x (`scripts/test-cross s390x`) and on x86_64 (`cargo test`), the same test then requires that:
//! - encoding the values gives exactly the committed snapshot: what x86_64 writes, s390x reads as raw bytes;
//! - decoding the committed snapshot gives exactly the values: what s390x wrote, x86_64 reads right;
//! - a type holding a union cannot convert: on x86_64 both directions are errors that say why, never swapped
//!   bytes; on s390x it round-trips like the others.
//!
//! Its negative test: read without conversion on x86_64, the snapshot's bytes differ from the values in every
//! multi-byte field, so the comparison above can tell a converted snapshot from an unconverted one.
#![cfg(feature = "serde")]

use std::path::PathBuf;

use kvm_bindings_common::ByteOrder;
use kvm_bindings_s390x::byte_order::SNAPSHOT_BYTE_ORDER;
use kvm_bindings_s390x::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use test_support::Format;
use zerocopy::{FromBytes, Immutable, IntoBytes};

/// Set to write the snapshots; allowed only on a host of s390x's own byte order.
const BLESS: &str = "KVM_BINDINGS_BLESS_SNAPSHOTS";

/// The values' numbers: a fixed sequence (splitmix64), the same on every host.
struct Numbers(u64);

impl Numbers {
    fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn u32(&mut self) -> u32 {
        self.u64() as u32
    }
}

fn snapshot_path(name: &str, format: Format) -> PathBuf {
    let extension = match format {
        Format::Bincode => "bincode",
        Format::Json => "json",
        Format::Bitcode => "bitcode",
    };
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/snapshots/{name}.{extension}"))
}

fn blessing() -> bool {
    std::env::var_os(BLESS).is_some()
}

/// The snapshot of `name` in `format`: written from `encoded` when blessing on s390x's own order, read otherwise.
fn snapshot(name: &str, format: Format, encoded: &[u8]) -> Vec<u8> {
    let path = snapshot_path(name, format);
    if blessing() {
        assert_eq!(
            ByteOrder::HOST,
            SNAPSHOT_BYTE_ORDER,
            "{BLESS} writes s390x's snapshots, so only a host of its byte order may set it"
        );
        std::fs::write(&path, encoded).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (write it on s390x: {BLESS}=1 scripts/test-cross s390x)",
            path.display()
        )
    })
}

/// `value` encodes to the committed snapshot and the snapshot decodes to `value`, in every format.
fn reads_the_same<T>(name: &str, value: &T)
where
    T: Serialize + DeserializeOwned + IntoBytes + Immutable,
{
    for format in Format::ALL {
        let encoded = format.encode(value);
        let golden = snapshot(name, format, &encoded);
        assert_eq!(
            encoded,
            golden,
            "{}: {name} encoded on this {} host is not the snapshot s390x wrote",
            format.name(),
            ByteOrder::HOST
        );
        let decoded: T = format
            .decode(&golden)
            .unwrap_or_else(|e| panic!("{}: s390x's {name} does not decode here: {e}", format.name()));
        assert_eq!(
            decoded.as_bytes(),
            value.as_bytes(),
            "{}: s390x's {name} decodes to other values on this {} host",
            format.name(),
            ByteOrder::HOST
        );
    }
}

/// On s390x's own order, as [`reads_the_same`]; on the other, encoding `value` and decoding its snapshot are both
/// errors that name the union.
fn union_reads_the_same_or_fails<T>(name: &str, value: &T, union: &str)
where
    T: Serialize + DeserializeOwned + IntoBytes + Immutable,
{
    if ByteOrder::HOST == SNAPSHOT_BYTE_ORDER {
        return reads_the_same(name, value);
    }
    for format in Format::ALL {
        let error = format
            .try_encode(value)
            .expect_err("a union type encoded on the other byte order");
        assert!(error.contains(union), "{}: {name}: {error}", format.name());
        let golden = std::fs::read(snapshot_path(name, format)).expect("the snapshot s390x wrote");
        let error = format
            .decode::<T>(&golden)
            .err()
            .expect("a union type decoded on the other byte order");
        assert!(
            error.contains("cannot be converted between its big-endian snapshots and this little-endian host"),
            "{}: {name}: {error}",
            format.name()
        );
    }
}

fn regs(n: &mut Numbers) -> kvm_regs {
    kvm_regs {
        gprs: core::array::from_fn(|_| n.u64()),
    }
}

fn sregs(n: &mut Numbers) -> kvm_sregs {
    kvm_sregs {
        acrs: core::array::from_fn(|_| n.u32()),
        crs: core::array::from_fn(|_| n.u64()),
    }
}

#[test]
fn vcpu_and_vm_state_reads_the_same_on_either_byte_order() {
    let n = &mut Numbers(0x5339_0f00_d00d_cafe);
    reads_the_same("kvm_regs", &regs(n));
    reads_the_same("kvm_sregs", &sregs(n));
    reads_the_same(
        "kvm_fpu",
        &kvm_fpu {
            fpc: n.u32(),
            fprs: core::array::from_fn(|_| n.u64()),
            ..Default::default()
        },
    );
    reads_the_same("kvm_mp_state", &kvm_mp_state { mp_state: n.u32() });
    reads_the_same(
        "kvm_one_reg",
        &kvm_one_reg {
            id: n.u64(),
            addr: n.u64(),
        },
    );
    reads_the_same(
        "kvm_device_attr",
        &kvm_device_attr {
            flags: n.u32(),
            group: n.u32(),
            attr: n.u64(),
            addr: n.u64(),
        },
    );
    reads_the_same(
        "kvm_s390_vm_tod_clock",
        &kvm_s390_vm_tod_clock {
            epoch_idx: n.u64() as u8,
            tod: n.u64(),
            ..Default::default()
        },
    );
    reads_the_same(
        "kvm_userspace_memory_region",
        &kvm_userspace_memory_region {
            slot: n.u32(),
            flags: n.u32(),
            guest_phys_addr: n.u64(),
            memory_size: n.u64(),
            userspace_addr: n.u64(),
        },
    );
}

#[test]
fn a_type_holding_a_union_round_trips_on_s390x_and_fails_elsewhere() {
    let n = &mut Numbers(0x0123_4567_89ab_cdef);
    let ext = kvm_s390_ext_info {
        ext_params: n.u32(),
        pad: 0,
        ext_params2: n.u64(),
    };
    let irq = kvm_s390_irq {
        type_: n.u64(),
        u: kvm_s390_irq__bindgen_ty_1 { ext },
    };
    union_reads_the_same_or_fails("kvm_s390_irq", &irq, "kvm_s390_irq__bindgen_ty_1");
}

/// The negative test: without conversion, the snapshot's bytes would give other numbers in every field.
#[test]
fn unconverted_snapshot_bytes_differ_in_every_multi_byte_field() {
    let n = &mut Numbers(0x5339_0f00_d00d_cafe);
    let (regs, sregs) = (regs(n), sregs(n));
    let payload = |name: &str| -> Vec<u8> {
        let golden = std::fs::read(snapshot_path(name, Format::Json)).expect("the snapshot s390x wrote");
        serde_json::from_slice(&golden).expect("a JSON snapshot is an array of bytes")
    };
    let raw_regs = kvm_regs::read_from_bytes(&payload("kvm_regs")).expect("kvm_regs's size");
    let raw_sregs = kvm_sregs::read_from_bytes(&payload("kvm_sregs")).expect("kvm_sregs's size");
    if ByteOrder::HOST == SNAPSHOT_BYTE_ORDER {
        // On s390x the raw bytes are the values: that is what "the arch's own order" means.
        assert_eq!(raw_regs.as_bytes(), regs.as_bytes());
        assert_eq!(raw_sregs.as_bytes(), sregs.as_bytes());
        return;
    }
    for (raw, value) in raw_regs.gprs.iter().zip(regs.gprs) {
        assert_ne!(*raw, value, "an unconverted gpr reads the same");
        assert_eq!(raw.swap_bytes(), value);
    }
    for (raw, value) in raw_sregs.acrs.iter().zip(sregs.acrs) {
        assert_ne!(*raw, value, "an unconverted acr reads the same");
    }
    for (raw, value) in raw_sregs.crs.iter().zip(sregs.crs) {
        assert_ne!(*raw, value, "an unconverted cr reads the same");
    }
}
