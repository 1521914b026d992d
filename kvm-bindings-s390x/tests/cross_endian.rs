//! s390x snapshots read the same on a host of either byte order.
//!
//! `tests/snapshots/` holds, per type and format, what these tests wrote on s390x itself (under qemu-s390x,
//! `KVM_BINDINGS_BLESS_SNAPSHOTS=1`): big-endian raw bytes, as every raw-bytes serializer there writes. On s390x
//! (`scripts/test-cross s390x`) and on x86_64 (`cargo test`), the same tests then require (`test_support::snapshots`):
//! - encoding the values gives exactly the committed snapshot: what x86_64 writes, s390x reads as raw bytes;
//! - decoding the committed snapshot gives exactly the values: what s390x wrote, x86_64 reads right;
//! - a type holding a union cannot convert: on x86_64 both directions are errors that say why, never swapped
//!   bytes; on s390x it round-trips like the others.
//!
//! Its negative test: read without conversion on x86_64, the snapshot's bytes give other numbers in every
//! multi-byte field, so the comparison above tells a converted snapshot from an unconverted one.
#![cfg(feature = "serde")]

use kvm_bindings_common::ByteOrder;
use kvm_bindings_s390x::byte_order::SNAPSHOT_BYTE_ORDER;
use kvm_bindings_s390x::*;
use test_support::snapshots::{Numbers, Snapshots};

const SNAPSHOTS: Snapshots = Snapshots {
    crate_dir: env!("CARGO_MANIFEST_DIR"),
    arch: "s390x",
    order: SNAPSHOT_BYTE_ORDER,
};

fn regs(n: &mut Numbers) -> kvm_regs {
    kvm_regs { gprs: n.array() }
}

fn sregs(n: &mut Numbers) -> kvm_sregs {
    kvm_sregs {
        acrs: core::array::from_fn(|_| n.u32()),
        crs: n.array(),
    }
}

#[test]
fn vcpu_and_vm_state_reads_the_same_on_either_byte_order() {
    let n = &mut Numbers(0x5339_0f00_d00d_cafe);
    SNAPSHOTS.reads_the_same("kvm_regs", &regs(n));
    SNAPSHOTS.reads_the_same("kvm_sregs", &sregs(n));
    let fpu = kvm_fpu {
        fpc: n.u32(),
        fprs: n.array(),
        ..Default::default()
    };
    SNAPSHOTS.reads_the_same("kvm_fpu", &fpu);
    SNAPSHOTS.reads_the_same("kvm_mp_state", &kvm_mp_state { mp_state: n.u32() });
    SNAPSHOTS.reads_the_same(
        "kvm_one_reg",
        &kvm_one_reg {
            id: n.u64(),
            addr: n.u64(),
        },
    );
    let attr = kvm_device_attr {
        flags: n.u32(),
        group: n.u32(),
        attr: n.u64(),
        addr: n.u64(),
    };
    SNAPSHOTS.reads_the_same("kvm_device_attr", &attr);
    let tod = kvm_s390_vm_tod_clock {
        epoch_idx: n.u8(),
        tod: n.u64(),
        ..Default::default()
    };
    SNAPSHOTS.reads_the_same("kvm_s390_vm_tod_clock", &tod);
    let region = kvm_userspace_memory_region {
        slot: n.u32(),
        flags: n.u32(),
        guest_phys_addr: n.u64(),
        memory_size: n.u64(),
        userspace_addr: n.u64(),
    };
    SNAPSHOTS.reads_the_same("kvm_userspace_memory_region", &region);
}

#[test]
fn a_type_holding_a_union_round_trips_on_s390x_and_fails_elsewhere() {
    let n = &mut Numbers(0x0123_4567_89ab_cdef);
    let ext = kvm_s390_ext_info {
        ext_params: n.u32(),
        pad: 0,
        ext_params2: n.u64(),
    };
    // From zeroes, then the member: a union built from a smaller member leaves bytes uninitialized.
    let mut irq = kvm_s390_irq {
        type_: n.u64(),
        ..Default::default()
    };
    irq.u.ext = ext;
    SNAPSHOTS.union_reads_the_same_or_fails("kvm_s390_irq", &irq, "kvm_s390_irq__bindgen_ty_1");
}

/// The negative test: without conversion, the snapshot's bytes would give other numbers in every field.
#[test]
fn unconverted_snapshot_bytes_differ_in_every_multi_byte_field() {
    let n = &mut Numbers(0x5339_0f00_d00d_cafe);
    let (regs, sregs) = (regs(n), sregs(n));
    let raw_regs: kvm_regs = SNAPSHOTS.unconverted("kvm_regs");
    let raw_sregs: kvm_sregs = SNAPSHOTS.unconverted("kvm_sregs");
    if ByteOrder::HOST == SNAPSHOT_BYTE_ORDER {
        // On s390x the raw bytes are the values: that is what "the arch's own order" means.
        assert_eq!(
            (raw_regs.gprs, raw_sregs.acrs, raw_sregs.crs),
            (regs.gprs, sregs.acrs, sregs.crs)
        );
        return;
    }
    for (raw, value) in raw_regs.gprs.iter().zip(regs.gprs) {
        assert_ne!(*raw, value, "an unconverted gpr reads the same");
        assert_eq!(raw.swap_bytes(), value);
    }
    assert!(raw_sregs.acrs.iter().zip(sregs.acrs).all(|(raw, value)| *raw != value));
    assert!(raw_sregs.crs.iter().zip(sregs.crs).all(|(raw, value)| *raw != value));
}
