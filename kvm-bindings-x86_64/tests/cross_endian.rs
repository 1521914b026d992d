//! x86_64 snapshots read the same on a host of either byte order.
//!
//! `tests/snapshots/` holds, per type and format, what these tests wrote on x86_64 itself
//! (`KVM_BINDINGS_BLESS_SNAPSHOTS=1 cargo test -p kvm-bindings-x86_64 --all-features --test cross_endian`):
//! little-endian raw bytes, what kvm-bindings 0.14 writes there. On x86_64 (`cargo test`) and on a big-endian host
//! (`scripts/test-cross s390x` runs these tests under qemu-s390x), the same tests then require
//! (`test_support::snapshots`):
//! - decoding the committed snapshot gives exactly the values: what x86_64 wrote, s390x reads right;
//! - encoding the values gives exactly the committed snapshot: what s390x writes, x86_64 reads as raw bytes;
//! - a type holding a union cannot convert: on s390x both directions are errors that say why, never swapped bytes;
//!   on x86_64 it round-trips like the others.
//!
//! Its negative test: read without conversion on s390x, the snapshot's bytes give other numbers in every
//! multi-byte field, so the comparison above tells a converted snapshot from an unconverted one.
#![cfg(feature = "serde")]

use kvm_bindings_common::ByteOrder;
use kvm_bindings_x86_64::byte_order::SNAPSHOT_BYTE_ORDER;
use kvm_bindings_x86_64::*;
use test_support::snapshots::{Numbers, Snapshots};

const SNAPSHOTS: Snapshots = Snapshots {
    crate_dir: env!("CARGO_MANIFEST_DIR"),
    arch: "x86_64",
    order: SNAPSHOT_BYTE_ORDER,
};

/// The seed of every value here: the snapshots hold what it gives.
const SEED: u64 = 0x8664_0f00_d00d_cafe;

fn regs(n: &mut Numbers) -> kvm_regs {
    kvm_regs {
        rax: n.u64(),
        rbx: n.u64(),
        rcx: n.u64(),
        rdx: n.u64(),
        rsi: n.u64(),
        rdi: n.u64(),
        rsp: n.u64(),
        rbp: n.u64(),
        r8: n.u64(),
        r9: n.u64(),
        r10: n.u64(),
        r11: n.u64(),
        r12: n.u64(),
        r13: n.u64(),
        r14: n.u64(),
        r15: n.u64(),
        rip: n.u64(),
        rflags: n.u64(),
    }
}

fn segment(n: &mut Numbers) -> kvm_segment {
    kvm_segment {
        base: n.u64(),
        limit: n.u32(),
        selector: n.u16(),
        type_: n.u8(),
        present: n.u8(),
        dpl: n.u8(),
        db: n.u8(),
        s: n.u8(),
        l: n.u8(),
        g: n.u8(),
        avl: n.u8(),
        unusable: n.u8(),
        padding: 0,
    }
}

fn dtable(n: &mut Numbers) -> kvm_dtable {
    kvm_dtable {
        base: n.u64(),
        limit: n.u16(),
        padding: [0; 3],
    }
}

fn sregs(n: &mut Numbers) -> kvm_sregs {
    kvm_sregs {
        cs: segment(n),
        ds: segment(n),
        es: segment(n),
        fs: segment(n),
        gs: segment(n),
        ss: segment(n),
        tr: segment(n),
        ldt: segment(n),
        gdt: dtable(n),
        idt: dtable(n),
        cr0: n.u64(),
        cr2: n.u64(),
        cr3: n.u64(),
        cr4: n.u64(),
        cr8: n.u64(),
        efer: n.u64(),
        apic_base: n.u64(),
        interrupt_bitmap: n.array(),
    }
}

fn bytes<const N: usize>(n: &mut Numbers) -> [u8; N] {
    core::array::from_fn(|_| n.u8())
}

fn fpu(n: &mut Numbers) -> kvm_fpu {
    kvm_fpu {
        fpr: core::array::from_fn(|_| bytes(n)),
        fcw: n.u16(),
        fsw: n.u16(),
        ftwx: n.u8(),
        pad1: 0,
        last_opcode: n.u16(),
        last_ip: n.u64(),
        last_dp: n.u64(),
        xmm: core::array::from_fn(|_| bytes(n)),
        mxcsr: n.u32(),
        pad2: 0,
    }
}

fn xcrs(n: &mut Numbers) -> kvm_xcrs {
    kvm_xcrs {
        nr_xcrs: n.u32(),
        flags: n.u32(),
        xcrs: core::array::from_fn(|_| kvm_xcr {
            xcr: n.u32(),
            reserved: 0,
            value: n.u64(),
        }),
        padding: [0; 16],
    }
}

fn vcpu_events(n: &mut Numbers) -> kvm_vcpu_events {
    kvm_vcpu_events {
        exception: kvm_vcpu_events__bindgen_ty_1 {
            injected: n.u8(),
            nr: n.u8(),
            has_error_code: n.u8(),
            pending: n.u8(),
            error_code: n.u32(),
        },
        interrupt: kvm_vcpu_events__bindgen_ty_2 {
            injected: n.u8(),
            nr: n.u8(),
            soft: n.u8(),
            shadow: n.u8(),
        },
        nmi: kvm_vcpu_events__bindgen_ty_3 {
            injected: n.u8(),
            pending: n.u8(),
            masked: n.u8(),
            pad: 0,
        },
        sipi_vector: n.u32(),
        flags: n.u32(),
        smi: kvm_vcpu_events__bindgen_ty_4 {
            smm: n.u8(),
            pending: n.u8(),
            smm_inside_nmi: n.u8(),
            latched_init: n.u8(),
        },
        triple_fault: kvm_vcpu_events__bindgen_ty_5 { pending: n.u8() },
        reserved: [0; 26],
        exception_has_payload: n.u8(),
        exception_payload: n.u64(),
    }
}

#[test]
fn vcpu_and_vm_state_reads_the_same_on_either_byte_order() {
    let n = &mut Numbers(SEED);
    SNAPSHOTS.reads_the_same("kvm_regs", &regs(n));
    SNAPSHOTS.reads_the_same("kvm_sregs", &sregs(n));
    SNAPSHOTS.reads_the_same("kvm_fpu", &fpu(n));
    SNAPSHOTS.reads_the_same("kvm_xcrs", &xcrs(n));
    SNAPSHOTS.reads_the_same("kvm_vcpu_events", &vcpu_events(n));
    let debugregs = kvm_debugregs {
        db: n.array(),
        dr6: n.u64(),
        dr7: n.u64(),
        flags: n.u64(),
        reserved: [0; 9],
    };
    SNAPSHOTS.reads_the_same("kvm_debugregs", &debugregs);
    SNAPSHOTS.reads_the_same("kvm_mp_state", &kvm_mp_state { mp_state: n.u32() });
    let clock = kvm_clock_data {
        clock: n.u64(),
        flags: n.u32(),
        pad0: 0,
        realtime: n.u64(),
        host_tsc: n.u64(),
        pad: [0; 4],
    };
    SNAPSHOTS.reads_the_same("kvm_clock_data", &clock);
    let msr = kvm_msr_entry {
        index: n.u32(),
        reserved: 0,
        data: n.u64(),
    };
    SNAPSHOTS.reads_the_same("kvm_msr_entry", &msr);
}

#[test]
fn a_type_holding_a_union_round_trips_on_x86_64_and_fails_elsewhere() {
    let n = &mut Numbers(SEED ^ 1);
    // From zeroes, then the member: a union built from a smaller member leaves bytes uninitialized.
    let mut irqchip = kvm_irqchip {
        chip_id: n.u32(),
        ..Default::default()
    };
    irqchip.chip.ioapic = kvm_ioapic_state {
        base_address: n.u64(),
        ioregsel: n.u32(),
        id: n.u32(),
        irr: n.u32(),
        ..Default::default()
    };
    SNAPSHOTS.union_reads_the_same_or_fails("kvm_irqchip", &irqchip, "kvm_irqchip__bindgen_ty_1");
}

/// The negative test: without conversion, the snapshot's bytes would give other numbers in every field.
#[test]
fn unconverted_snapshot_bytes_differ_in_every_multi_byte_field() {
    let n = &mut Numbers(SEED);
    let (regs, sregs) = (regs(n), sregs(n));
    let raw_regs: kvm_regs = SNAPSHOTS.unconverted("kvm_regs");
    let raw_sregs: kvm_sregs = SNAPSHOTS.unconverted("kvm_sregs");
    let values = [
        regs.rax,
        regs.rip,
        regs.rflags,
        sregs.cr0,
        sregs.cr3,
        sregs.efer,
        sregs.cs.base,
    ];
    let raw = [
        raw_regs.rax,
        raw_regs.rip,
        raw_regs.rflags,
        raw_sregs.cr0,
        raw_sregs.cr3,
        raw_sregs.efer,
        raw_sregs.cs.base,
    ];
    if ByteOrder::HOST == SNAPSHOT_BYTE_ORDER {
        // On x86_64 the raw bytes are the values: that is what "the arch's own order" means.
        assert_eq!(raw, values);
        return;
    }
    for (raw, value) in raw.iter().zip(values) {
        assert_ne!(*raw, value, "an unconverted field reads the same");
        assert_eq!(raw.swap_bytes(), value);
    }
    assert_ne!(raw_sregs.cs.limit, sregs.cs.limit);
    assert_ne!(raw_sregs.cs.selector, sregs.cs.selector);
}
