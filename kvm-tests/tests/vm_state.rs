//! VM-wide state of the in-kernel devices: PICs and IOAPIC, PIT and kvmclock, as the kernel resets them and as set.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use kvm_bindings::*;
use kvm_bindings_kvm_tests::tiny_vmm::machine::{Chipset, Machine};
use kvm_bindings_kvm_tests::{cap_or_skip, kvm_or_skip};

#[test]
fn irqchips_reset_values_and_set_then_read_back() {
    let Some(kvm) = kvm_or_skip("irqchips_reset_values_and_set_then_read_back") else {
        return;
    };
    let check = "irqchips_reset_values_and_set_then_read_back";
    let Some(_) = cap_or_skip(&kvm, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", check) else {
        return;
    };
    let machine = Machine::create(&kvm, Chipset::InKernel).unwrap();
    let vm = &machine.vm;

    let master = vm.get_irqchip(KVM_IRQCHIP_PIC_MASTER).unwrap();
    let slave = vm.get_irqchip(KVM_IRQCHIP_PIC_SLAVE).unwrap();
    let ioapic = vm.get_irqchip(KVM_IRQCHIP_IOAPIC).unwrap();
    assert_eq!((master.chip_id, slave.chip_id, ioapic.chip_id), (0, 1, 2));
    // SAFETY: for chip ids 0 and 1 KVM fills the union's `pic`, for 2 its `ioapic`; all are plain integers.
    let (master_pic, slave_pic, ioapic_state) = unsafe { (master.chip.pic, slave.chip.pic, ioapic.chip.ioapic) };
    // Which IRQs may be level-triggered (KVM's i8259 init): all but 0-2 on the master, all but 8 and 13 on the slave.
    assert_eq!((master_pic.elcr_mask, slave_pic.elcr_mask), (0xf8, 0xde));
    assert_eq!(ioapic_state.base_address, 0xfec0_0000, "the IOAPIC's default address");
    for (pin, entry) in ioapic_state.redirtbl.iter().enumerate() {
        // SAFETY: `bits` is the whole 64-bit entry, an integer.
        let bits = unsafe { entry.bits };
        assert_eq!(bits >> 16 & 1, 1, "IOAPIC pin {pin} is masked after reset");
    }

    let mut changed = master;
    // Writing a union field is safe: it only overwrites bytes.
    changed.chip.pic.irq_base = 0x20;
    changed.chip.pic.imr = 0xfe;
    vm.set_irqchip(&changed).unwrap();
    // SAFETY: as above.
    let read = unsafe { vm.get_irqchip(KVM_IRQCHIP_PIC_MASTER).unwrap().chip.pic };
    assert_eq!((read.irq_base, read.imr, read.elcr_mask), (0x20, 0xfe, 0xf8));

    let mut changed = ioapic;
    // SAFETY: writing plain integers into the `ioapic` member KVM filled.
    unsafe {
        changed.chip.ioapic.id = 3;
        changed.chip.ioapic.redirtbl[2].bits = 0x30; // vector 0x30, fixed delivery, unmasked
    }
    vm.set_irqchip(&changed).unwrap();
    // SAFETY: as above.
    let read = unsafe { vm.get_irqchip(KVM_IRQCHIP_IOAPIC).unwrap().chip.ioapic };
    // SAFETY: `bits` is the whole 64-bit entry, an integer.
    let pin2 = unsafe { read.redirtbl[2].bits };
    assert_eq!((read.id, pin2), (3, 0x30));
}

#[test]
fn pit2_reset_values_and_set_then_read_back() {
    let Some(kvm) = kvm_or_skip("pit2_reset_values_and_set_then_read_back") else {
        return;
    };
    let check = "pit2_reset_values_and_set_then_read_back";
    let Some(_) = cap_or_skip(&kvm, KVM_CAP_PIT2, "KVM_CAP_PIT2", check) else {
        return;
    };
    let machine = Machine::create(&kvm, Chipset::InKernel).unwrap();
    let pit = machine.vm.get_pit2().unwrap();
    // KVM's i8254 reset: each counter loaded with 0 (meaning 0x10000), mode unset (0xff), the gate of channel 2
    // (the speaker's) low and the others high.
    for (i, channel) in pit.channels.iter().enumerate() {
        assert_eq!(
            (channel.count, channel.mode, channel.gate),
            (0x1_0000, 0xff, u8::from(i != 2)),
            "channel {i}"
        );
    }

    // Channel 1 (which, unlike channel 0, starts no timer) loaded with 0x1234 in mode 2, reading LSB then MSB.
    let mut changed = pit;
    changed.channels[1].count = 0x1234;
    changed.channels[1].mode = 2;
    changed.channels[1].rw_mode = 3;
    machine.vm.set_pit2(&changed).unwrap();
    let read = machine.vm.get_pit2().unwrap().channels[1];
    assert_eq!((read.count, read.mode, read.rw_mode), (0x1234, 2, 3));
}

#[test]
fn clock_set_then_read_back_counts_on() {
    let Some(kvm) = kvm_or_skip("clock_set_then_read_back_counts_on") else {
        return;
    };
    let check = "clock_set_then_read_back_counts_on";
    let Some(_) = cap_or_skip(&kvm, KVM_CAP_ADJUST_CLOCK, "KVM_CAP_ADJUST_CLOCK", check) else {
        return;
    };
    let machine = Machine::create(&kvm, Chipset::InKernel).unwrap();
    let first = machine.vm.get_clock().unwrap();
    assert!(
        machine.vm.get_clock().unwrap().clock >= first.clock,
        "kvmclock never goes back"
    );

    // An hour of guest time, in nanoseconds: the clock reads on from there.
    let hour = 3_600_000_000_000;
    machine
        .vm
        .set_clock(&kvm_clock_data {
            clock: hour,
            ..Default::default()
        })
        .unwrap();
    let read = machine.vm.get_clock().unwrap();
    assert!(read.clock >= hour, "{} < {hour}", read.clock);
    assert!(
        read.clock < first.clock + hour + 3_600_000_000_000,
        "{} is more than an hour past",
        read.clock
    );
}
