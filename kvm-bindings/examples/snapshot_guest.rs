//! Boots a tiny real-mode guest on `/dev/kvm`, prints what it writes to its serial port, snapshots it mid-way
//! (every piece of vCPU and VM state, serialized with bincode through kvm-bindings' serde support), restores the
//! snapshot into a brand-new VM and lets the guest finish there.
//!
//! ```text
//! cargo run -p kvm-bindings --example snapshot_guest --features serde,fam-wrappers
//! ```
//!
//! With `-- --export-seeds DIR` it writes the state it snapshots into `DIR` instead, one file per piece, for the
//! fuzzers' seed corpora (scripts/fuzz; see `tiny_vmm/seeds.rs`).
//!
//! The VMM behind it is in `tiny_vmm/`: ioctl numbers, file-descriptor wrappers, the guest and the snapshot.

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[allow(
    dead_code,
    reason = "the kvm-bindings-kvm-tests crate uses the parts this example does not"
)]
mod tiny_vmm;

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use tiny_vmm::guest::{FIBONACCI, TABLE_ADDR, TABLE_LEN};
    use tiny_vmm::kvm::{KVM_PATH, Kvm};
    use tiny_vmm::machine::{Chipset, Machine, Outcome, Until};
    use tiny_vmm::snapshot::Snapshot;

    /// Where the first VM is stopped: after the greeting and two progress lines.
    const PAUSE_AFTER_LINES: usize = 3;

    fn print_guest_output(bytes: &[u8]) {
        for line in String::from_utf8_lossy(bytes).lines() {
            println!("  guest | {line}");
        }
    }

    let kvm = Kvm::open().map_err(|e| format!("cannot open {KVM_PATH}: {e} (is KVM enabled, and may you use it?)"))?;
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    match arguments.as_slice() {
        [] => {}
        [flag, dir] if flag == "--export-seeds" => {
            let files = tiny_vmm::seeds::export_seeds(&kvm, std::path::Path::new(dir))?;
            println!("{files} pieces of vCPU and VM state from {KVM_PATH} written to {dir}");
            return Ok(());
        }
        _ => return Err("usage: snapshot_guest [--export-seeds DIR]".into()),
    }
    println!("KVM API version {}", kvm.api_version()?);

    println!("Booting the guest in VM 1:");
    let mut machine = Machine::boot(&kvm, Chipset::InKernel, FIBONACCI)?;
    machine.run(Until::Lines(PAUSE_AFTER_LINES))?;
    print_guest_output(&machine.serial);

    let snapshot = Snapshot::capture(&kvm, &mut machine)?;
    let bytes = snapshot.to_bincode()?;
    println!(
        "Paused at rip {:#x}; snapshot: {} bytes of bincode ({} of RAM, {} MSRs, {} CPUID leaves)",
        snapshot.vcpu.regs.rip,
        bytes.len(),
        snapshot.memory.len(),
        snapshot.vcpu.msrs.as_slice().len(),
        snapshot.vcpu.cpuid.as_slice().len()
    );
    drop(machine);
    println!("VM 1 destroyed.");

    println!("Restoring the snapshot into VM 2 and resuming:");
    let mut restored = Snapshot::from_bincode(&bytes)?.restore(&kvm)?;
    let outcome = restored.run(Until::Done)?;
    print_guest_output(&restored.serial);
    let Outcome::Done { checksum } = outcome else {
        return Err("the guest paused instead of finishing".into());
    };
    let table = restored.vm.read_memory(TABLE_ADDR, TABLE_LEN * 2)?;
    let last = u16::from_le_bytes([table[TABLE_LEN * 2 - 2], table[TABLE_LEN * 2 - 1]]);
    println!("The guest finished in VM 2: checksum {checksum:#06x} on its exit port, F(127) mod 2^16 = {last:#06x}");
    Ok(())
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
fn main() {
    println!("This example runs an x86_64 real-mode guest: it needs Linux on x86_64.");
}
