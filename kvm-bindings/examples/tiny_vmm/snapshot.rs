//! A snapshot of a paused `Machine`: its RAM and every piece of vCPU and VM state KVM exposes for it, (de)serialized
//! through kvm-bindings' serde support with bincode or JSON.

use std::io;

use kvm_bindings::*;
use serde::{Deserialize, Serialize};

use super::guest::MEMORY_SIZE;
use super::kvm::Kvm;
use super::machine::{Chipset, Machine};
use super::vcpu::Vcpu;
use super::vm::Vm;

/// The capabilities a snapshot needs, with their names for the error message.
const REQUIRED_CAPS: &[(u32, &str)] = &[
    (KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"),
    (KVM_CAP_PIT2, "KVM_CAP_PIT2"),
    (KVM_CAP_ADJUST_CLOCK, "KVM_CAP_ADJUST_CLOCK"),
    (KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"),
    (KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE"),
    (KVM_CAP_VCPU_EVENTS, "KVM_CAP_VCPU_EVENTS"),
    (KVM_CAP_DEBUGREGS, "KVM_CAP_DEBUGREGS"),
    (KVM_CAP_XSAVE, "KVM_CAP_XSAVE"),
    (KVM_CAP_XCRS, "KVM_CAP_XCRS"),
];

/// A whole machine: RAM, VM-wide device state and the vCPU's state.
#[derive(Serialize, Deserialize)]
pub struct Snapshot {
    /// The guest's RAM, `MEMORY_SIZE` bytes from address 0.
    pub memory: Vec<u8>,
    /// The in-kernel devices and clock.
    pub vm: VmState,
    /// The one vCPU.
    pub vcpu: VcpuState,
}

/// The VM-wide state of the in-kernel devices.
#[derive(Serialize, Deserialize)]
pub struct VmState {
    /// `KVM_IRQCHIP_PIC_MASTER`.
    pub pic_master: kvm_irqchip,
    /// `KVM_IRQCHIP_PIC_SLAVE`.
    pub pic_slave: kvm_irqchip,
    /// `KVM_IRQCHIP_IOAPIC`.
    pub ioapic: kvm_irqchip,
    /// The i8254 timer.
    pub pit2: kvm_pit_state2,
    /// kvmclock.
    pub clock: kvm_clock_data,
}

/// A vCPU's state.
#[derive(Serialize, Deserialize)]
pub struct VcpuState {
    /// What the guest sees from CPUID: restored first, since KVM checks the rest against it.
    pub cpuid: CpuId,
    /// Every MSR of `KVM_GET_MSR_INDEX_LIST` that KVM could read.
    pub msrs: Msrs,
    /// General-purpose registers, RIP and RFLAGS.
    pub regs: kvm_regs,
    /// Segment, control and descriptor-table registers.
    pub sregs: kvm_sregs,
    /// x87 and SSE state (also inside `xsave`; kept as VMMs without XSAVE use it).
    pub fpu: kvm_fpu,
    /// The XSAVE area, as large as `KVM_CAP_XSAVE2` says.
    pub xsave: Xsave,
    /// XCR0.
    pub xcrs: kvm_xcrs,
    /// The local APIC's registers.
    pub lapic: kvm_lapic_state,
    /// Pending exceptions, interrupts, NMIs and SMIs.
    pub events: kvm_vcpu_events,
    /// Runnable, halted, waiting for INIT/SIPI, …
    pub mp_state: kvm_mp_state,
    /// DR0-3, DR6, DR7.
    pub debugregs: kvm_debugregs,
}

/// Fails with a clear message if KVM lacks a capability snapshots need.
fn require_caps(kvm: &Kvm) -> io::Result<()> {
    for &(cap, name) in REQUIRED_CAPS {
        if kvm.check_extension(cap)? <= 0 {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("KVM lacks {name}, needed for snapshots"),
            ));
        }
    }
    Ok(())
}

/// The size `KVM_GET_XSAVE2` fills on this VM: 0 without `KVM_CAP_XSAVE2`, meaning the legacy 4 KiB `KVM_GET_XSAVE`.
pub fn xsave2_size(vm: &Vm) -> io::Result<usize> {
    let size = vm.check_extension(KVM_CAP_XSAVE2)?;
    usize::try_from(size).map_err(|_| io::Error::other(format!("KVM_CAP_XSAVE2 reported a size of {size}")))
}

/// Reads every MSR of KVM's index list that KVM can read for `vcpu`: `KVM_GET_MSRS` stops at the first MSR it
/// cannot read, so that one is skipped and the rest read again.
fn read_msrs(kvm: &Kvm, vcpu: &Vcpu) -> io::Result<Msrs> {
    let fam_error = |e| io::Error::other(format!("Msrs: {e:?}"));
    let mut pending: Vec<kvm_msr_entry> = kvm
        .msr_index_list()?
        .as_slice()
        .iter()
        .map(|&index| kvm_msr_entry {
            index,
            ..Default::default()
        })
        .collect();
    let mut read = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let mut msrs = Msrs::from_entries(&pending).map_err(fam_error)?;
        let count = vcpu.get_msrs(&mut msrs)?;
        read.extend_from_slice(&msrs.as_slice()[..count]);
        pending.drain(..(count + 1).min(pending.len()));
    }
    Msrs::from_entries(&read).map_err(fam_error)
}

impl Snapshot {
    /// Snapshots `machine`, which must have an in-kernel chipset and be paused by `Machine::run` (or not yet run).
    pub fn capture(kvm: &Kvm, machine: &mut Machine) -> io::Result<Snapshot> {
        require_caps(kvm)?;
        if machine.chipset != Chipset::InKernel {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "snapshots need the in-kernel chipset",
            ));
        }
        // The last exit was an OUT: KVM completes it on the next KVM_RUN, and only then is the state consistent.
        machine.vcpu.complete_pending_io()?;
        let (vm, vcpu) = (&machine.vm, &machine.vcpu);
        let vcpu_state = VcpuState {
            cpuid: vcpu.get_cpuid2()?,
            msrs: read_msrs(kvm, vcpu)?,
            regs: vcpu.get_regs()?,
            sregs: vcpu.get_sregs()?,
            fpu: vcpu.get_fpu()?,
            xsave: vcpu.get_xsave(xsave2_size(vm)?)?,
            xcrs: vcpu.get_xcrs()?,
            lapic: vcpu.get_lapic()?,
            events: vcpu.get_vcpu_events()?,
            mp_state: vcpu.get_mp_state()?,
            debugregs: vcpu.get_debugregs()?,
        };
        let vm_state = VmState {
            pic_master: vm.get_irqchip(KVM_IRQCHIP_PIC_MASTER)?,
            pic_slave: vm.get_irqchip(KVM_IRQCHIP_PIC_SLAVE)?,
            ioapic: vm.get_irqchip(KVM_IRQCHIP_IOAPIC)?,
            pit2: vm.get_pit2()?,
            clock: vm.get_clock()?,
        };
        Ok(Snapshot {
            memory: vm.read_memory(0, MEMORY_SIZE)?,
            vm: vm_state,
            vcpu: vcpu_state,
        })
    }

    /// A new machine in the snapshot's state, ready to `run` on.
    pub fn restore(&self, kvm: &Kvm) -> io::Result<Machine> {
        require_caps(kvm)?;
        if self.memory.len() != MEMORY_SIZE {
            let message = format!(
                "the snapshot has {} bytes of RAM, the machine {MEMORY_SIZE}",
                self.memory.len()
            );
            return Err(io::Error::new(io::ErrorKind::InvalidData, message));
        }
        let mut machine = Machine::create(kvm, Chipset::InKernel)?;
        machine.vm.write_memory(0, &self.memory)?;

        let vm = &machine.vm;
        vm.set_irqchip(&self.vm.pic_master)?;
        vm.set_irqchip(&self.vm.pic_slave)?;
        vm.set_irqchip(&self.vm.ioapic)?;
        vm.set_pit2(&self.vm.pit2)?;
        vm.set_clock(&self.vm.clock)?;

        // The order follows what KVM checks against what: CPUID first, the local APIC after the APIC base (in
        // sregs), MSRs after the APIC (TSC deadline), events last (they may inject into the state set before).
        let (vcpu, state) = (&machine.vcpu, &self.vcpu);
        vcpu.set_cpuid2(&state.cpuid)?;
        vcpu.set_mp_state(&state.mp_state)?;
        vcpu.set_regs(&state.regs)?;
        vcpu.set_sregs(&state.sregs)?;
        vcpu.set_fpu(&state.fpu)?;
        vcpu.set_xsave(&state.xsave, xsave2_size(vm)?)?;
        vcpu.set_xcrs(&state.xcrs)?;
        vcpu.set_debugregs(&state.debugregs)?;
        vcpu.set_lapic(&state.lapic)?;
        let written = vcpu.set_msrs(&state.msrs)?;
        if let Some(refused) = state.msrs.as_slice().get(written) {
            return Err(io::Error::other(format!(
                "KVM_SET_MSRS refused MSR {:#x}",
                refused.index
            )));
        }
        vcpu.set_vcpu_events(&state.events)?;
        Ok(machine)
    }

    /// The snapshot as bincode (its standard configuration), through serde.
    pub fn to_bincode(&self) -> io::Result<Vec<u8>> {
        bincode::serde::encode_to_vec(self, bincode::config::standard()).map_err(io::Error::other)
    }

    /// A snapshot from `to_bincode`'s bytes; trailing bytes are an error.
    pub fn from_bincode(bytes: &[u8]) -> io::Result<Snapshot> {
        let (snapshot, read) = bincode::serde::decode_from_slice(bytes, bincode::config::standard())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        if read != bytes.len() {
            let message = format!("{} bytes follow the snapshot", bytes.len() - read);
            return Err(io::Error::new(io::ErrorKind::InvalidData, message));
        }
        Ok(snapshot)
    }

    /// The snapshot as JSON.
    pub fn to_json(&self) -> io::Result<String> {
        serde_json::to_string(self).map_err(io::Error::other)
    }

    /// A snapshot from `to_json`'s text.
    pub fn from_json(json: &str) -> io::Result<Snapshot> {
        serde_json::from_str(json).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}
