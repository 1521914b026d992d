//! Snapshot and restore: a guest stopped mid-way, its whole state serialized with bincode or JSON, restored into a
//! fresh VM, finishes exactly as a guest that never stopped.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use kvm_bindings_kvm_tests::kvm_or_skip;
use kvm_bindings_kvm_tests::tiny_vmm::guest::*;
use kvm_bindings_kvm_tests::tiny_vmm::kvm::Kvm;
use kvm_bindings_kvm_tests::tiny_vmm::machine::{Chipset, Machine, Outcome, Until};
use kvm_bindings_kvm_tests::tiny_vmm::snapshot::Snapshot;

/// Where the guest is stopped: after its greeting and two of its seven progress lines.
const PAUSE_AFTER_LINES: usize = 3;

/// What a run of the Fibonacci guest leaves behind.
#[derive(Debug, PartialEq)]
struct Run {
    serial: String,
    checksum: u16,
    table: Vec<u8>,
}

fn finish(machine: &mut Machine, serial_before: &str) -> Run {
    let Outcome::Done { checksum } = machine.run(Until::Done).unwrap() else {
        panic!("the guest did not finish")
    };
    Run {
        serial: format!("{serial_before}{}", String::from_utf8(machine.serial.clone()).unwrap()),
        checksum,
        table: machine.vm.read_memory(TABLE_ADDR, TABLE_LEN * 2).unwrap(),
    }
}

fn uninterrupted_run(kvm: &Kvm) -> Run {
    let mut machine = Machine::boot(kvm, Chipset::InKernel, FIBONACCI).unwrap();
    let run = finish(&mut machine, "");
    assert_eq!(run.serial, expected_fibonacci_output());
    assert_eq!(run.checksum, expected_fibonacci_checksum());
    run
}

/// Runs the guest to the pause point, snapshots it into bytes with `encode`, drops the VM, restores from the bytes
/// with `decode` and lets the guest finish.
fn interrupted_run(kvm: &Kvm, encode: fn(&Snapshot) -> Vec<u8>, decode: fn(&[u8]) -> Snapshot) -> Run {
    let (bytes, serial_before) = {
        let mut machine = Machine::boot(kvm, Chipset::InKernel, FIBONACCI).unwrap();
        assert_eq!(machine.run(Until::Lines(PAUSE_AFTER_LINES)).unwrap(), Outcome::Paused);
        let serial_before = String::from_utf8(machine.serial.clone()).unwrap();
        let expected: String = expected_fibonacci_output()
            .split_inclusive('\n')
            .take(PAUSE_AFTER_LINES)
            .collect();
        assert_eq!(serial_before, expected);
        (encode(&Snapshot::capture(kvm, &mut machine).unwrap()), serial_before)
    };
    let snapshot = decode(&bytes);
    // Decoding lost nothing: encoding again gives the same bytes.
    assert!(
        encode(&snapshot) == bytes,
        "re-encoding the decoded snapshot changed it"
    );
    let mut restored = snapshot.restore(kvm).unwrap();
    assert_restored(&snapshot, &Snapshot::capture(kvm, &mut restored).unwrap());
    let run = finish(&mut restored, &serial_before);
    // The restored guest went on from the pause: it did not greet again.
    assert!(!String::from_utf8_lossy(&restored.serial).contains("Hello"));
    run
}

/// The MSR that counts on while a machine exists: IA32_TSC.
const IA32_TSC: u32 = 0x10;

/// Every piece of state that stays put while the vCPU does not run, as bincode, by name. The rest counts time: the
/// TSC MSR, the kvmclock and the PIT's load timestamps (host times).
fn still_pieces(snapshot: &Snapshot) -> Vec<(&'static str, Vec<u8>)> {
    fn encode(value: &impl serde::Serialize) -> Vec<u8> {
        bincode::serde::encode_to_vec(value, bincode::config::standard()).unwrap()
    }
    let (vcpu, vm) = (&snapshot.vcpu, &snapshot.vm);
    let mut msrs = vcpu.msrs.clone();
    msrs.as_mut_slice()
        .iter_mut()
        .filter(|msr| msr.index == IA32_TSC)
        .for_each(|msr| msr.data = 0);
    let mut pit2 = vm.pit2;
    pit2.channels.iter_mut().for_each(|channel| channel.count_load_time = 0);
    vec![
        ("memory", snapshot.memory.clone()),
        ("cpuid", encode(&vcpu.cpuid)),
        ("msrs but the TSC", encode(&msrs)),
        ("regs", encode(&vcpu.regs)),
        ("sregs", encode(&vcpu.sregs)),
        ("fpu", encode(&vcpu.fpu)),
        ("xsave", encode(&vcpu.xsave)),
        ("xcrs", encode(&vcpu.xcrs)),
        ("lapic", encode(&vcpu.lapic)),
        ("events", encode(&vcpu.events)),
        ("mp_state", encode(&vcpu.mp_state)),
        ("debugregs", encode(&vcpu.debugregs)),
        ("pic_master", encode(&vm.pic_master)),
        ("pic_slave", encode(&vm.pic_slave)),
        ("ioapic", encode(&vm.ioapic)),
        ("pit2 but load times", encode(&pit2)),
    ]
}

/// A restored machine, read back before it runs, holds the state it was given; the clocks went on from theirs.
fn assert_restored(original: &Snapshot, restored: &Snapshot) {
    for ((name, given), (_, read)) in still_pieces(original).into_iter().zip(still_pieces(restored)) {
        assert!(given == read, "{name} differs after restoring");
    }
    let tsc = |snapshot: &Snapshot| {
        snapshot
            .vcpu
            .msrs
            .as_slice()
            .iter()
            .find(|msr| msr.index == IA32_TSC)
            .unwrap()
            .data
    };
    assert!(tsc(restored) >= tsc(original), "the TSC went back");
    assert!(restored.vm.clock.clock >= original.vm.clock.clock, "kvmclock went back");
}

#[test]
fn snapshot_through_bincode_resumes_where_it_stopped() {
    let Some(kvm) = kvm_or_skip("snapshot_through_bincode_resumes_where_it_stopped") else {
        return;
    };
    let resumed = interrupted_run(
        &kvm,
        |s| s.to_bincode().unwrap(),
        |b| Snapshot::from_bincode(b).unwrap(),
    );
    assert_eq!(resumed, uninterrupted_run(&kvm));
}

#[test]
fn snapshot_through_json_resumes_where_it_stopped() {
    let Some(kvm) = kvm_or_skip("snapshot_through_json_resumes_where_it_stopped") else {
        return;
    };
    let resumed = interrupted_run(
        &kvm,
        |s| s.to_json().unwrap().into_bytes(),
        |b| Snapshot::from_json(std::str::from_utf8(b).unwrap()).unwrap(),
    );
    assert_eq!(resumed, uninterrupted_run(&kvm));
}

#[test]
fn damaged_snapshots_are_errors() {
    let Some(kvm) = kvm_or_skip("damaged_snapshots_are_errors") else {
        return;
    };
    let mut machine = Machine::boot(&kvm, Chipset::InKernel, FIBONACCI).unwrap();
    machine.run(Until::Lines(1)).unwrap();
    let snapshot = Snapshot::capture(&kvm, &mut machine).unwrap();

    let bytes = snapshot.to_bincode().unwrap();
    let truncated = Snapshot::from_bincode(&bytes[..bytes.len() - 1])
        .err()
        .expect("a truncated snapshot decodes");
    assert_eq!(truncated.kind(), std::io::ErrorKind::InvalidData);
    let trailing = Snapshot::from_bincode(&[bytes.as_slice(), &[0]].concat())
        .err()
        .expect("trailing bytes pass");
    assert_eq!(trailing.to_string(), "1 bytes follow the snapshot");

    let json = snapshot.to_json().unwrap();
    let cut = Snapshot::from_json(&json[..json.len() / 2])
        .err()
        .expect("half a JSON snapshot decodes");
    assert_eq!(cut.kind(), std::io::ErrorKind::InvalidData);

    let mut short = Snapshot::from_json(&json).unwrap();
    short.memory.truncate(0x1000);
    let error = short
        .restore(&kvm)
        .err()
        .expect("a snapshot with 4 KiB of RAM restores");
    assert_eq!(
        error.to_string(),
        "the snapshot has 4096 bytes of RAM, the machine 65536"
    );
}
