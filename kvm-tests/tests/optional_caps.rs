//! State behind capabilities not every host has: each test probes its capability and, where it is missing, prints
//! a visible SKIP with the reason instead of passing silently.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use kvm_bindings::*;
use kvm_bindings_kvm_tests::tiny_vmm::guest::FIBONACCI;
use kvm_bindings_kvm_tests::tiny_vmm::machine::{Chipset, Machine};
use kvm_bindings_kvm_tests::{cap_or_skip, kvm_or_skip};

#[test]
fn nested_state_round_trips() {
    let Some(kvm) = kvm_or_skip("nested_state_round_trips") else {
        return;
    };
    // KVM_CAP_NESTED_STATE answers the largest state size, 0 where the host cannot run nested guests.
    let Some(max_size) = cap_or_skip(&kvm, KVM_CAP_NESTED_STATE, "KVM_CAP_NESTED_STATE", "nested state") else {
        return;
    };
    let machine = Machine::boot(&kvm, Chipset::InKernel, FIBONACCI).unwrap();
    let state = machine.vcpu.get_nested_state().unwrap();
    assert!(state.size as usize <= max_size as usize, "{} > {max_size}", state.size);
    assert!(
        state.size as usize >= size_of::<kvm_nested_state>(),
        "the header is always there"
    );
    assert!(
        [KVM_STATE_NESTED_FORMAT_VMX, KVM_STATE_NESTED_FORMAT_SVM].contains(&state.format.into()),
        "format {}",
        state.format
    );
    // A vCPU that never entered a nested guest is not in guest mode.
    assert_eq!(u32::from(state.flags) & KVM_STATE_NESTED_GUEST_MODE, 0);
    machine.vcpu.set_nested_state(&state).unwrap();
    let again = machine.vcpu.get_nested_state().unwrap();
    assert_eq!(
        (again.format, again.size, again.flags),
        (state.format, state.size, state.flags)
    );
}

#[test]
fn tsc_frequency_reads_and_scales() {
    let Some(kvm) = kvm_or_skip("tsc_frequency_reads_and_scales") else {
        return;
    };
    let Some(_) = cap_or_skip(&kvm, KVM_CAP_GET_TSC_KHZ, "KVM_CAP_GET_TSC_KHZ", "TSC frequency") else {
        return;
    };
    let machine = Machine::boot(&kvm, Chipset::InKernel, FIBONACCI).unwrap();
    let khz = machine.vcpu.get_tsc_khz().unwrap();
    assert!(
        khz >= 100_000,
        "a TSC of {khz} kHz: every x86_64 CPU ticks faster than 100 MHz"
    );

    let Some(_) = cap_or_skip(&kvm, KVM_CAP_TSC_CONTROL, "KVM_CAP_TSC_CONTROL", "TSC scaling") else {
        return;
    };
    // Scaling to 90% of the host's rate is within what VMX and SVM scaling can do.
    let scaled = khz / 10 * 9;
    machine.vcpu.set_tsc_khz(scaled).unwrap();
    assert_eq!(machine.vcpu.get_tsc_khz().unwrap(), scaled);
}
