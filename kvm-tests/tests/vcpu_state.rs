//! vCPU state through the get/set ioctls: the kernel's reset values read through our structs, values set and read
//! back, and the same state seen through two different structs (FPU and XSAVE, MSRs and sregs).
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use kvm_bindings::*;
use kvm_bindings_kvm_tests::tiny_vmm::guest::FIBONACCI;
use kvm_bindings_kvm_tests::tiny_vmm::kvm::Kvm;
use kvm_bindings_kvm_tests::tiny_vmm::machine::{Chipset, Machine};
use kvm_bindings_kvm_tests::tiny_vmm::snapshot::xsave2_size;
use kvm_bindings_kvm_tests::{cap_or_skip, kvm_or_skip};

/// A VM with the in-kernel chipset and a vCPU with KVM's CPUID, set up for the guest but not yet run.
fn machine(kvm: &Kvm) -> Machine {
    Machine::boot(kvm, Chipset::InKernel, FIBONACCI).unwrap()
}

/// Byte offsets in the FXSAVE layout, which the XSAVE area starts with (Intel SDM vol. 1, 10.5.1).
const FXSAVE_FCW: usize = 0;
const FXSAVE_FSW: usize = 2;
const FXSAVE_FOP: usize = 6;
const FXSAVE_FIP: usize = 8;
const FXSAVE_FDP: usize = 16;
const FXSAVE_MXCSR: usize = 24;
const FXSAVE_ST0: usize = 32;
const FXSAVE_XMM0: usize = 160;
/// XSTATE_BV, the first field of the XSAVE header at byte 512: which components the area holds.
const XSAVE_XSTATE_BV: usize = 512;

fn xsave_bytes(xsave: &Xsave) -> Vec<u8> {
    xsave
        .as_fam_struct_ref()
        .xsave
        .region
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect()
}

#[test]
fn regs_set_then_read_back() {
    let Some(kvm) = kvm_or_skip("regs_set_then_read_back") else {
        return;
    };
    let machine = machine(&kvm);
    // Distinct values in every field, so that two swapped fields would show; RFLAGS keeps reserved bit 1 set.
    let regs = kvm_regs {
        rax: 0x1111_1111_1111_1111,
        rbx: 0x2222_2222_2222_2222,
        rcx: 0x3333_3333_3333_3333,
        rdx: 0x4444_4444_4444_4444,
        rsi: 0x5555_5555_5555_5555,
        rdi: 0x6666_6666_6666_6666,
        rsp: 0x7777_7777_7777_7777,
        rbp: 0x8888_8888_8888_8888,
        r8: 0x0808_0808_0808_0808,
        r9: 0x0909_0909_0909_0909,
        r10: 0x1010_1010_1010_1010,
        r11: 0x1111_0000_1111_0000,
        r12: 0x1212_1212_1212_1212,
        r13: 0x1313_1313_1313_1313,
        r14: 0x1414_1414_1414_1414,
        r15: 0x1515_1515_1515_1515,
        rip: 0x1234,
        rflags: 0x2 | 0x1 | 0x40, // reserved bit 1, CF, ZF
    };
    machine.vcpu.set_regs(&regs).unwrap();
    assert_eq!(machine.vcpu.get_regs().unwrap(), regs);
}

#[test]
fn sregs_reset_values_and_set_then_read_back() {
    let Some(kvm) = kvm_or_skip("sregs_reset_values_and_set_then_read_back") else {
        return;
    };
    let machine = Machine::create(&kvm, Chipset::InKernel).unwrap();
    let sregs = machine.vcpu.get_sregs().unwrap();
    // The x86 reset state (Intel SDM vol. 3, 10.1.4): CS = f000 based at ffff0000, CR0 = 60000010.
    assert_eq!(
        (sregs.cs.selector, sregs.cs.base, sregs.cs.limit),
        (0xf000, 0xffff_0000, 0xffff)
    );
    assert_eq!(sregs.cr0, 0x6000_0010);
    assert_eq!(sregs.efer, 0);
    // The bootstrap processor's APIC is enabled at the default base: fee00000 | enable (bit 11) | BSP (bit 8).
    assert_eq!(sregs.apic_base, 0xfee0_0900);

    let mut changed = sregs;
    changed.ds.selector = 0x123;
    changed.ds.base = 0x1230;
    changed.cr2 = 0xdead_beef;
    changed.gdt = kvm_dtable {
        base: 0x5000,
        limit: 0x27,
        ..Default::default()
    };
    machine.vcpu.set_sregs(&changed).unwrap();
    let read = machine.vcpu.get_sregs().unwrap();
    assert_eq!((read.ds.selector, read.ds.base, read.cr2), (0x123, 0x1230, 0xdead_beef));
    assert_eq!((read.gdt.base, read.gdt.limit), (0x5000, 0x27));
    assert_eq!(read.cs, sregs.cs);
}

#[test]
fn fpu_set_shows_in_xsave() {
    let Some(kvm) = kvm_or_skip("fpu_set_shows_in_xsave") else {
        return;
    };
    let Some(_) = cap_or_skip(&kvm, KVM_CAP_XSAVE, "KVM_CAP_XSAVE", "fpu_set_shows_in_xsave") else {
        return;
    };
    let machine = machine(&kvm);
    let size = xsave2_size(&machine.vm).unwrap();
    let fpu = machine.vcpu.get_fpu().unwrap();
    assert_eq!(fpu.fcw, 0x37f, "the x87 reset value");

    // Mark x87 and SSE state as in use: while XSTATE_BV says "init state", XSAVE reports the init values whatever
    // KVM_SET_FPU wrote (and the guest would load them).
    let mut xsave = machine.vcpu.get_xsave(size).unwrap();
    // SAFETY: only the region's contents change, not the wrapper's length.
    unsafe { xsave.as_mut_fam_struct() }.xsave.region[XSAVE_XSTATE_BV / 4] |= 0b11;
    machine.vcpu.set_xsave(&xsave, size).unwrap();

    let pattern: [u8; 16] = std::array::from_fn(|i| 0xa0 + i as u8);
    let st0: [u8; 16] = std::array::from_fn(|i| if i < 10 { 0x10 + i as u8 } else { 0 });
    let mut fpr = [[0; 16]; 8];
    fpr[0] = st0;
    let changed = kvm_fpu {
        fpr,
        fcw: 0x27f,
        fsw: 0x0100,
        last_opcode: 0x1d5,
        last_ip: 0x1234_5678,
        last_dp: 0x9abc_def0,
        xmm: [pattern; 16],
        // Its reset value: KVM_GET_FPU and KVM_SET_FPU copy every field but MXCSR, which only XSAVE reaches.
        mxcsr: 0x1f80,
        ..fpu
    };
    machine.vcpu.set_fpu(&changed).unwrap();
    let read = machine.vcpu.get_fpu().unwrap();
    assert_eq!(
        (read.fpr, read.fcw, read.fsw, read.xmm),
        (fpr, 0x27f, 0x0100, [pattern; 16])
    );
    assert_eq!(
        (read.last_opcode, read.last_ip, read.last_dp),
        (0x1d5, 0x1234_5678, 0x9abc_def0)
    );

    // The same registers in the XSAVE area, a different struct with its own layout.
    let bytes = xsave_bytes(&machine.vcpu.get_xsave(size).unwrap());
    assert_eq!(bytes[FXSAVE_FCW..FXSAVE_FCW + 2], 0x27fu16.to_le_bytes());
    assert_eq!(bytes[FXSAVE_FSW..FXSAVE_FSW + 2], 0x0100u16.to_le_bytes());
    assert_eq!(bytes[FXSAVE_FOP..FXSAVE_FOP + 2], 0x1d5u16.to_le_bytes());
    assert_eq!(bytes[FXSAVE_FIP..FXSAVE_FIP + 8], 0x1234_5678u64.to_le_bytes());
    assert_eq!(bytes[FXSAVE_FDP..FXSAVE_FDP + 8], 0x9abc_def0u64.to_le_bytes());
    assert_eq!(bytes[FXSAVE_ST0..FXSAVE_ST0 + 16], st0);
    assert_eq!(bytes[FXSAVE_XMM0..FXSAVE_XMM0 + 16], pattern);
    assert_eq!(bytes[FXSAVE_MXCSR..FXSAVE_MXCSR + 4], 0x1f80u32.to_le_bytes());
}

#[test]
fn xsave2_sized_from_the_capability_round_trips_into_the_fpu() {
    let Some(kvm) = kvm_or_skip("xsave2_sized_from_the_capability_round_trips_into_the_fpu") else {
        return;
    };
    let check = "xsave2_sized_from_the_capability_round_trips_into_the_fpu";
    let Some(_) = cap_or_skip(&kvm, KVM_CAP_XSAVE2, "KVM_CAP_XSAVE2", check) else {
        return;
    };
    let machine = machine(&kvm);
    let size = xsave2_size(&machine.vm).unwrap();
    assert!(size >= size_of::<kvm_xsave>(), "KVM_CAP_XSAVE2 reports {size} bytes");
    let mut xsave = machine.vcpu.get_xsave(size).unwrap();
    let extra = (size - size_of::<kvm_xsave>()).div_ceil(4);
    assert_eq!(xsave.as_slice().len(), extra);
    assert_eq!(xsave.as_fam_struct_ref().len, extra);
    eprintln!("KVM_CAP_XSAVE2: {size} bytes, {extra} u32 past the 4 KiB region");
    // The x87 and SSE reset values, filled in by KVM even while the state is in its init state.
    let bytes = xsave_bytes(&xsave);
    assert_eq!(bytes[FXSAVE_FCW..FXSAVE_FCW + 2], 0x37fu16.to_le_bytes());
    assert_eq!(
        bytes[FXSAVE_MXCSR..FXSAVE_MXCSR + 4],
        0x1f80u32.to_le_bytes(),
        "the SSE reset value"
    );

    // Write XMM1 in the XSAVE area, mark SSE state present, and read it back through KVM_GET_FPU.
    let pattern: [u8; 16] = std::array::from_fn(|i| 0x5a ^ i as u8);
    // SAFETY: only the region's contents change, not the wrapper's length.
    let region = unsafe { &mut xsave.as_mut_fam_struct().xsave.region };
    for (i, chunk) in pattern.chunks(4).enumerate() {
        region[(FXSAVE_XMM0 + 16) / 4 + i] = u32::from_le_bytes(chunk.try_into().unwrap());
    }
    region[XSAVE_XSTATE_BV / 4] |= 0b11; // x87 and SSE
    machine.vcpu.set_xsave(&xsave, size).unwrap();
    assert_eq!(machine.vcpu.get_fpu().unwrap().xmm[1], pattern);
    assert_eq!(
        xsave_bytes(&machine.vcpu.get_xsave(size).unwrap())[FXSAVE_XMM0 + 16..FXSAVE_XMM0 + 32],
        pattern
    );
}

#[test]
fn xcr0_starts_at_x87_and_takes_sse() {
    let Some(kvm) = kvm_or_skip("xcr0_starts_at_x87_and_takes_sse") else {
        return;
    };
    let Some(_) = cap_or_skip(&kvm, KVM_CAP_XCRS, "KVM_CAP_XCRS", "xcr0_starts_at_x87_and_takes_sse") else {
        return;
    };
    let machine = machine(&kvm);
    let xcrs = machine.vcpu.get_xcrs().unwrap();
    assert_eq!(xcrs.nr_xcrs, 1, "KVM has one XCR, XCR0");
    assert_eq!(
        (xcrs.xcrs[0].xcr, xcrs.xcrs[0].value),
        (0, 1),
        "XCR0 resets to x87 only"
    );

    let mut changed = xcrs;
    changed.xcrs[0].value = 0b11; // x87 and SSE, which KVM's CPUID (set by `machine`) allows
    machine.vcpu.set_xcrs(&changed).unwrap();
    assert_eq!(machine.vcpu.get_xcrs().unwrap().xcrs[0].value, 0b11);
}

#[test]
fn lapic_holds_the_apic_id_and_takes_a_tpr() {
    let Some(kvm) = kvm_or_skip("lapic_holds_the_apic_id_and_takes_a_tpr") else {
        return;
    };
    let machine = machine(&kvm);
    let vcpu = machine.vm.create_vcpu(5).unwrap();
    let lapic = vcpu.get_lapic().unwrap();
    let reg = |lapic: &kvm_lapic_state, offset: usize| {
        u32::from_le_bytes(std::array::from_fn(|i| lapic.regs[offset + i] as u8))
    };
    // The APIC ID register (offset 0x20) holds the vCPU id in bits 31:24; the version register (0x30) holds KVM's
    // APIC version, 0x14, in its low byte.
    assert_eq!(reg(&lapic, 0x20) >> 24, 5);
    assert_eq!(reg(&lapic, 0x30) & 0xff, 0x14);

    let mut changed = lapic;
    changed.regs[0x80] = 0x30; // the task-priority register
    vcpu.set_lapic(&changed).unwrap();
    assert_eq!(reg(&vcpu.get_lapic().unwrap(), 0x80), 0x30);
}

#[test]
fn vcpu_events_take_nmi_mask_and_interrupt_shadow() {
    let Some(kvm) = kvm_or_skip("vcpu_events_take_nmi_mask_and_interrupt_shadow") else {
        return;
    };
    let check = "vcpu_events_take_nmi_mask_and_interrupt_shadow";
    let Some(_) = cap_or_skip(&kvm, KVM_CAP_VCPU_EVENTS, "KVM_CAP_VCPU_EVENTS", check) else {
        return;
    };
    let machine = machine(&kvm);
    let events = machine.vcpu.get_vcpu_events().unwrap();
    assert_eq!(
        (events.exception.injected, events.nmi.masked, events.interrupt.shadow),
        (0, 0, 0)
    );

    let mut changed = events;
    changed.flags = KVM_VCPUEVENT_VALID_SHADOW;
    changed.nmi.masked = 1;
    changed.interrupt.shadow = KVM_X86_SHADOW_INT_MOV_SS as u8;
    machine.vcpu.set_vcpu_events(&changed).unwrap();
    let read = machine.vcpu.get_vcpu_events().unwrap();
    assert_eq!(
        (read.nmi.masked, read.interrupt.shadow),
        (1, KVM_X86_SHADOW_INT_MOV_SS as u8)
    );
}

#[test]
fn mp_state_is_runnable_for_the_bsp_and_uninitialized_for_an_ap() {
    let Some(kvm) = kvm_or_skip("mp_state_is_runnable_for_the_bsp_and_uninitialized_for_an_ap") else {
        return;
    };
    let machine = machine(&kvm);
    let ap = machine.vm.create_vcpu(1).unwrap();
    assert_eq!(machine.vcpu.get_mp_state().unwrap().mp_state, KVM_MP_STATE_RUNNABLE);
    // An application processor waits for INIT/SIPI.
    assert_eq!(ap.get_mp_state().unwrap().mp_state, KVM_MP_STATE_UNINITIALIZED);

    machine
        .vcpu
        .set_mp_state(&kvm_mp_state {
            mp_state: KVM_MP_STATE_HALTED,
        })
        .unwrap();
    assert_eq!(machine.vcpu.get_mp_state().unwrap().mp_state, KVM_MP_STATE_HALTED);
}

#[test]
fn debugregs_reset_values_and_set_then_read_back() {
    let Some(kvm) = kvm_or_skip("debugregs_reset_values_and_set_then_read_back") else {
        return;
    };
    let check = "debugregs_reset_values_and_set_then_read_back";
    let Some(_) = cap_or_skip(&kvm, KVM_CAP_DEBUGREGS, "KVM_CAP_DEBUGREGS", check) else {
        return;
    };
    let machine = machine(&kvm);
    let regs = machine.vcpu.get_debugregs().unwrap();
    // DR6 and DR7 reset to ffff0ff0 and 400 (Intel SDM vol. 3, 19.2).
    assert_eq!((regs.db, regs.dr6, regs.dr7), ([0; 4], 0xffff_0ff0, 0x400));

    let changed = kvm_debugregs {
        db: [0x1000, 0x2000, 0x3000, 0x4000],
        dr7: 0x401,
        ..regs
    };
    machine.vcpu.set_debugregs(&changed).unwrap();
    let read = machine.vcpu.get_debugregs().unwrap();
    assert_eq!(
        (read.db, read.dr6, read.dr7),
        ([0x1000, 0x2000, 0x3000, 0x4000], 0xffff_0ff0, 0x401)
    );
}

/// MSR indices (Intel SDM vol. 4).
const IA32_SYSENTER_CS: u32 = 0x174;
const IA32_SYSENTER_ESP: u32 = 0x175;
const IA32_SYSENTER_EIP: u32 = 0x176;
const IA32_EFER: u32 = 0xc000_0080;

fn msrs(entries: &[(u32, u64)]) -> Msrs {
    let entries: Vec<_> = entries
        .iter()
        .map(|&(index, data)| kvm_msr_entry {
            index,
            data,
            ..Default::default()
        })
        .collect();
    Msrs::from_entries(&entries).unwrap()
}

#[test]
fn msrs_set_then_read_back() {
    let Some(kvm) = kvm_or_skip("msrs_set_then_read_back") else {
        return;
    };
    let machine = machine(&kvm);
    let written = [
        (IA32_SYSENTER_CS, 0x10),
        (IA32_SYSENTER_ESP, 0x8000_0000),
        (IA32_SYSENTER_EIP, 0x1234_5678),
    ];
    assert_eq!(machine.vcpu.set_msrs(&msrs(&written)).unwrap(), 3);

    let mut read = msrs(&written.map(|(index, _)| (index, 0)));
    assert_eq!(machine.vcpu.get_msrs(&mut read).unwrap(), 3);
    let read: Vec<_> = read.as_slice().iter().map(|e| (e.index, e.data)).collect();
    assert_eq!(read, written);
}

#[test]
fn efer_set_as_an_msr_shows_in_sregs() {
    let Some(kvm) = kvm_or_skip("efer_set_as_an_msr_shows_in_sregs") else {
        return;
    };
    let machine = machine(&kvm);
    // EFER.SCE (bit 0) enables SYSCALL, which KVM's CPUID (set by `machine`) advertises on x86_64 hosts.
    assert_eq!(machine.vcpu.set_msrs(&msrs(&[(IA32_EFER, 1)])).unwrap(), 1);
    assert_eq!(machine.vcpu.get_sregs().unwrap().efer, 1);
}
