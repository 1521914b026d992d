//! Running real-mode guests: registers set from userspace reach the guest, port I/O and HLT exit through `kvm_run`,
//! and the Fibonacci guest computes what Rust computes.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use kvm_bindings::*;
use kvm_bindings_kvm_tests::kvm_or_skip;
use kvm_bindings_kvm_tests::tiny_vmm::guest::*;
use kvm_bindings_kvm_tests::tiny_vmm::machine::{Chipset, Machine, Outcome, Until};
use kvm_bindings_kvm_tests::tiny_vmm::vcpu::VcpuExit;

/// A port no device claims, for `ECHO_AX_BX`.
const ECHO_PORT: u16 = 0x510;

/// The port and value of a 16-bit OUT exit.
fn out_word(exit: VcpuExit) -> (u16, u16) {
    match exit {
        VcpuExit::IoOut { port, data } if data.len() == 2 => (port, u16::from_le_bytes([data[0], data[1]])),
        exit => panic!("expected a 16-bit OUT, got {exit:?}"),
    }
}

#[test]
fn registers_set_from_userspace_reach_the_guest() {
    let Some(kvm) = kvm_or_skip("registers_set_from_userspace_reach_the_guest") else {
        return;
    };
    let mut machine = Machine::boot(&kvm, Chipset::None, ECHO_AX_BX).unwrap();
    let regs = kvm_regs {
        rax: 0x1234,
        rbx: 0x5678,
        rdx: ECHO_PORT.into(),
        ..machine.vcpu.get_regs().unwrap()
    };
    machine.vcpu.set_regs(&regs).unwrap();

    // `out dx, ax` with ax = 0x1234: the exit, read through the union fields kvm-bindings 0.14 names.
    let (port, ax) = out_word(machine.vcpu.run().unwrap());
    assert_eq!(port, ECHO_PORT);
    assert!(
        ax == 0x1234,
        "the guest's ax is {ax:#06x}, not the 0x1234 set in kvm_regs::rax"
    );
    let run = machine.vcpu.kvm_run();
    assert_eq!(run.exit_reason, KVM_EXIT_IO);
    // SAFETY: the exit reason is KVM_EXIT_IO, for which KVM fills `io`.
    let io = unsafe { run.__bindgen_anon_1.io };
    assert_eq!(
        (io.direction, io.size, io.port, io.count),
        (KVM_EXIT_IO_OUT as u8, 2, ECHO_PORT, 1)
    );

    // `mov ax, bx; out dx, ax`: now bx's value.
    let (port, bx) = out_word(machine.vcpu.run().unwrap());
    assert_eq!(port, ECHO_PORT);
    assert!(
        bx == 0x5678,
        "the guest's bx is {bx:#06x}, not the 0x5678 set in kvm_regs::rbx"
    );

    // `hlt`: with no in-kernel APIC to wait for interrupts, KVM hands HLT to userspace.
    assert_eq!(machine.vcpu.run().unwrap(), VcpuExit::Hlt);
    assert_eq!(machine.vcpu.kvm_run().exit_reason, KVM_EXIT_HLT);
    let after = machine.vcpu.get_regs().unwrap();
    assert_eq!(after.rax, 0x5678);
    assert_eq!(after.rip, LOAD_ADDR + ECHO_AX_BX.len() as u64, "RIP is past the HLT");
}

#[test]
fn fibonacci_guest_prints_computes_and_halts() {
    let Some(kvm) = kvm_or_skip("fibonacci_guest_prints_computes_and_halts") else {
        return;
    };
    let mut machine = Machine::boot(&kvm, Chipset::None, FIBONACCI).unwrap();
    let checksum = expected_fibonacci_checksum();
    assert_eq!(machine.run(Until::Done).unwrap(), Outcome::Done { checksum });
    assert_eq!(
        String::from_utf8(machine.serial.clone()).unwrap(),
        expected_fibonacci_output()
    );
    assert_eq!(machine.vcpu.run().unwrap(), VcpuExit::Hlt);

    let table = machine.vm.read_memory(TABLE_ADDR, TABLE_LEN * 2).unwrap();
    let table: Vec<u16> = table.chunks(2).map(|w| u16::from_le_bytes([w[0], w[1]])).collect();
    assert_eq!(table, expected_fibonacci_table());

    // The registers as the guest left them (see the listing in guest.rs).
    let regs = machine.vcpu.get_regs().unwrap();
    assert_eq!(regs.rax, u64::from(checksum));
    assert_eq!(regs.rbx, u64::from(checksum));
    assert_eq!(regs.rcx, 0, "the summing loop counted cx down to 0");
    assert_eq!(regs.rdx, u64::from(DONE_PORT));
    assert_eq!(regs.rsi, 0x10bd, "past the NUL of \"checksum \"");
    assert_eq!(
        regs.rdi,
        TABLE_ADDR + 2 * (TABLE_LEN as u64 - 2),
        "at F(126), the last one added"
    );
    assert_eq!(regs.rsp, 0x8000, "every call returned");
    assert_eq!(regs.rip, 0x106f, "past the HLT");
}
