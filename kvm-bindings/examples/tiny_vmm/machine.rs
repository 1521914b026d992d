//! A VM with guest RAM, optional in-kernel devices and one vCPU, running a guest from `guest`.

use std::io;

use kvm_bindings::*;

use super::guest::{DONE_PORT, LOAD_ADDR, MEMORY_SIZE, SERIAL_PORT};
use super::kvm::Kvm;
use super::vcpu::{Vcpu, VcpuExit};
use super::vm::Vm;

/// Where `KVM_SET_TSS_ADDR` puts the three pages Intel needs for real mode: just below the 4 GiB BIOS area, far
/// from the guest's RAM.
const TSS_ADDR: u64 = 0xfffb_d000;

/// The devices KVM emulates for the VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chipset {
    /// None: HLT exits to userspace, which is how a test sees it.
    None,
    /// PICs, IOAPIC, local APIC and PIT in the kernel: the VM state a snapshot must carry.
    InKernel,
}

/// Where `Machine::run` stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// Once the serial output holds this many lines: the guest is paused mid-way.
    Lines(usize),
    /// When the guest reports its result on `DONE_PORT`.
    Done,
}

/// How `Machine::run` stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `Until::Lines` was reached; the guest can go on.
    Paused,
    /// The guest wrote this 16-bit checksum to `DONE_PORT`.
    Done { checksum: u16 },
}

/// A VM, its one vCPU (APIC ID 0) and what the guest wrote to the serial port.
pub struct Machine {
    /// The VM.
    pub vm: Vm,
    /// Its vCPU.
    pub vcpu: Vcpu,
    /// The devices KVM emulates.
    pub chipset: Chipset,
    /// Every byte the guest wrote to `SERIAL_PORT`, in this VM.
    pub serial: Vec<u8>,
}

impl Machine {
    /// A VM with `MEMORY_SIZE` bytes of zeroed RAM at address 0, `chipset`'s devices and one vCPU: the vCPU has
    /// neither CPUID nor boot state yet (see `boot`, or restore a snapshot).
    pub fn create(kvm: &Kvm, chipset: Chipset) -> io::Result<Machine> {
        let mut vm = kvm.create_vm()?;
        vm.set_tss_address(TSS_ADDR)?;
        vm.add_memory(0, MEMORY_SIZE)?;
        if chipset == Chipset::InKernel {
            // The irqchip must exist before the vCPU, which then gets a local APIC; the PIT needs the irqchip.
            vm.create_irqchip()?;
            vm.create_pit2(&kvm_pit_config::default())?;
        }
        let vcpu = vm.create_vcpu(0)?;
        Ok(Machine {
            vm,
            vcpu,
            chipset,
            serial: Vec::new(),
        })
    }

    /// A new VM running `program` from `LOAD_ADDR` in real mode, with the CPUID KVM supports.
    pub fn boot(kvm: &Kvm, chipset: Chipset, program: &[u8]) -> io::Result<Machine> {
        let mut machine = Machine::create(kvm, chipset)?;
        machine.vcpu.set_cpuid2(&kvm.supported_cpuid()?)?;
        machine.vm.write_memory(LOAD_ADDR, program)?;
        // A vCPU starts at the reset vector, CS base 0xffff0000; point CS at 0 so that IP addresses the program.
        let mut sregs = machine.vcpu.get_sregs()?;
        sregs.cs.base = 0;
        sregs.cs.selector = 0;
        machine.vcpu.set_sregs(&sregs)?;
        // Bit 1 of RFLAGS is reserved and always 1.
        machine.vcpu.set_regs(&kvm_regs {
            rip: LOAD_ADDR,
            rflags: 0x2,
            ..Default::default()
        })?;
        Ok(machine)
    }

    /// Runs the guest, collecting its serial output, until `until`. Any exit the guest should not cause is an error.
    pub fn run(&mut self, until: Until) -> io::Result<Outcome> {
        loop {
            match self.vcpu.run()? {
                VcpuExit::IoOut {
                    port: SERIAL_PORT,
                    data,
                } => {
                    self.serial.extend_from_slice(&data);
                    let lines = self.serial.iter().filter(|&&b| b == b'\n').count();
                    if until == Until::Lines(lines) && data.contains(&b'\n') {
                        return Ok(Outcome::Paused);
                    }
                }
                VcpuExit::IoOut { port: DONE_PORT, data } => {
                    let checksum = <[u8; 2]>::try_from(data.as_slice())
                        .map_err(|_| io::Error::other(format!("DONE_PORT got {} bytes, not 2", data.len())))?;
                    return Ok(Outcome::Done {
                        checksum: u16::from_le_bytes(checksum),
                    });
                }
                exit => {
                    let regs = self.vcpu.get_regs()?;
                    return Err(io::Error::other(format!(
                        "unexpected exit {exit:?} at rip {:#x}",
                        regs.rip
                    )));
                }
            }
        }
    }
}
