//! Real vCPU and VM state for the fuzzers' seed corpora (`snapshot_guest --export-seeds DIR`, run by scripts/fuzz).
//!
//! Boots the guest, snapshots it at a few points and writes every piece of state, each in its own file
//! `<type>-<label>.bincode` (bincode, standard configuration, as `Snapshot::to_bincode` writes it). `<type>` is the
//! kvm-bindings name of the piece's type, which the fuzz crate maps to its fuzz case and re-encodes in each format.

use std::io;
use std::path::Path;

use kvm_bindings::*;
use serde::Serialize;

use super::guest::FIBONACCI;
use super::kvm::Kvm;
use super::machine::{Chipset, Machine, Until};
use super::snapshot::Snapshot;

/// Where the guest is snapshotted: after so many lines of serial output (the greeting, then progress lines), so
/// that registers, memory-derived state and timers differ between the seeds.
const PAUSE_POINTS: [usize; 2] = [1, 3];

/// Writes the state to `dir` (created if need be); the number of files written.
pub fn export_seeds(kvm: &Kvm, dir: &Path) -> io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let mut export = Export { dir, files: 0 };

    // System-wide lists.
    export.write("CpuId", "supported", &kvm.supported_cpuid()?)?;
    export.write("MsrList", "index", &kvm.msr_index_list()?)?;

    let mut machine = Machine::boot(kvm, Chipset::InKernel, FIBONACCI)?;
    for lines in PAUSE_POINTS {
        machine.run(Until::Lines(lines))?;
        let label = format!("line{lines}");
        let snapshot = Snapshot::capture(kvm, &mut machine)?;
        let (vm, vcpu) = (&snapshot.vm, &snapshot.vcpu);
        export.write("kvm_irqchip", &format!("{label}_pic_master"), &vm.pic_master)?;
        export.write("kvm_irqchip", &format!("{label}_pic_slave"), &vm.pic_slave)?;
        export.write("kvm_irqchip", &format!("{label}_ioapic"), &vm.ioapic)?;
        export.write("kvm_pit_state2", &label, &vm.pit2)?;
        export.write("kvm_clock_data", &label, &vm.clock)?;
        export.write("CpuId", &label, &vcpu.cpuid)?;
        export.write("Msrs", &label, &vcpu.msrs)?;
        export.write("Xsave", &label, &vcpu.xsave)?;
        export.write("kvm_regs", &label, &vcpu.regs)?;
        export.write("kvm_sregs", &label, &vcpu.sregs)?;
        export.write("kvm_fpu", &label, &vcpu.fpu)?;
        export.write("kvm_xcrs", &label, &vcpu.xcrs)?;
        export.write("kvm_lapic_state", &label, &vcpu.lapic)?;
        export.write("kvm_vcpu_events", &label, &vcpu.events)?;
        export.write("kvm_mp_state", &label, &vcpu.mp_state)?;
        export.write("kvm_debugregs", &label, &vcpu.debugregs)?;
        // The pieces inside the FAM wrappers, which the serde lists also cover on their own.
        export.write("kvm_cpuid2", &label, vcpu.cpuid.as_fam_struct_ref())?;
        export.write("kvm_msrs", &label, vcpu.msrs.as_fam_struct_ref())?;
        export.write("kvm_xsave", &label, &vcpu.xsave.as_fam_struct_ref().xsave)?;
        if let (Some(first), Some(last)) = (vcpu.cpuid.as_slice().first(), vcpu.cpuid.as_slice().last()) {
            export.write("kvm_cpuid_entry2", &format!("{label}_first"), first)?;
            export.write("kvm_cpuid_entry2", &format!("{label}_last"), last)?;
        }
        if let Some(first) = vcpu.msrs.as_slice().first() {
            export.write("kvm_msr_entry", &label, first)?;
        }
        // Nested state only where the host can run nested guests (KVM_CAP_NESTED_STATE answers 0 otherwise).
        if kvm.check_extension(KVM_CAP_NESTED_STATE)? > 0 {
            export.write("KvmNestedStateBuffer", &label, &machine.vcpu.get_nested_state()?)?;
        }
    }
    Ok(export.files)
}

/// The directory being written and the number of files written to it.
struct Export<'a> {
    dir: &'a Path,
    files: usize,
}

impl Export<'_> {
    /// Writes `value` to `<name>-<label>.bincode`.
    fn write(&mut self, name: &str, label: &str, value: &dyn Encode) -> io::Result<()> {
        std::fs::write(self.dir.join(format!("{name}-{label}.bincode")), value.encode()?)?;
        self.files += 1;
        Ok(())
    }
}

/// A value encoded as `Snapshot::to_bincode` encodes it: `Serialize` itself cannot be a trait object.
trait Encode {
    fn encode(&self) -> io::Result<Vec<u8>>;
}

impl<T: Serialize> Encode for T {
    fn encode(&self) -> io::Result<Vec<u8>> {
        bincode::serde::encode_to_vec(self, bincode::config::standard()).map_err(io::Error::other)
    }
}
