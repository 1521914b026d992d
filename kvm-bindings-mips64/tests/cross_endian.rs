//! mips64 snapshots read the same on a host of either byte order: the committed `tests/snapshots/` were written
//! under qemu-mips64 (big-endian; `KVM_BINDINGS_BLESS_SNAPSHOTS=1 scripts/test-cross mips64`), and on x86_64 and on
//! mips64 the values encode to exactly those bytes and the bytes decode to exactly those values; a type holding a
//! union fails on x86_64 and round-trips on mips64 (`test_support::snapshots`; see kvm-bindings-s390x's
//! `tests/cross_endian.rs`).
#![cfg(feature = "serde")]

use kvm_bindings_common::ByteOrder;
use kvm_bindings_mips64::byte_order::SNAPSHOT_BYTE_ORDER;
use kvm_bindings_mips64::*;
use test_support::snapshots::{Numbers, Snapshots};

const SNAPSHOTS: Snapshots = Snapshots {
    crate_dir: env!("CARGO_MANIFEST_DIR"),
    arch: "mips64",
    order: SNAPSHOT_BYTE_ORDER,
};

fn regs(n: &mut Numbers) -> kvm_regs {
    kvm_regs {
        gpr: n.array(),
        hi: n.u64(),
        lo: n.u64(),
        pc: n.u64(),
    }
}

#[test]
fn vcpu_state_reads_the_same_on_either_byte_order() {
    let n = &mut Numbers(0x3164_0000_cafe_f00d);
    SNAPSHOTS.reads_the_same("kvm_regs", &regs(n));
    SNAPSHOTS.reads_the_same(
        "kvm_one_reg",
        &kvm_one_reg {
            id: n.u64(),
            addr: n.u64(),
        },
    );
    SNAPSHOTS.reads_the_same("kvm_mp_state", &kvm_mp_state { mp_state: n.u32() });
}

#[test]
fn a_type_holding_a_union_round_trips_on_mips64_and_fails_elsewhere() {
    let n = &mut Numbers(0x0123_4567_89ab_cdef);
    let level = kvm_irq_level {
        __bindgen_anon_1: kvm_irq_level__bindgen_ty_1 { irq: n.u32() },
        level: n.u32(),
    };
    SNAPSHOTS.union_reads_the_same_or_fails("kvm_irq_level", &level, "kvm_irq_level__bindgen_ty_1");
}

/// The negative test: without conversion, the snapshot's bytes would give other numbers in every register.
#[test]
fn unconverted_snapshot_bytes_differ_in_every_register() {
    let regs = regs(&mut Numbers(0x3164_0000_cafe_f00d));
    let raw: kvm_regs = SNAPSHOTS.unconverted("kvm_regs");
    if ByteOrder::HOST == SNAPSHOT_BYTE_ORDER {
        assert_eq!(raw.gpr, regs.gpr);
        return;
    }
    assert!(
        raw.gpr
            .iter()
            .zip(regs.gpr)
            .all(|(raw, value)| *raw != value && raw.swap_bytes() == value)
    );
    assert_ne!((raw.hi, raw.lo, raw.pc), (regs.hi, regs.lo, regs.pc));
}
