//! The system ioctls on `/dev/kvm`: API version, capabilities, supported CPUID, MSR list, `kvm_run` size.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use kvm_bindings::*;
use kvm_bindings_kvm_tests::kvm_or_skip;

#[test]
fn api_version_is_kvm_api_version() {
    let Some(kvm) = kvm_or_skip("api_version_is_kvm_api_version") else {
        return;
    };
    assert_eq!(kvm.api_version().unwrap(), KVM_API_VERSION as i32);
    assert_eq!(KVM_API_VERSION, 12);
}

#[test]
fn check_extension_answers_per_capability() {
    let Some(kvm) = kvm_or_skip("check_extension_answers_per_capability") else {
        return;
    };
    // Capabilities every x86 KVM has had for over a decade answer 1.
    for cap in [
        KVM_CAP_USER_MEMORY,
        KVM_CAP_IRQCHIP,
        KVM_CAP_EXT_CPUID,
        KVM_CAP_SET_TSS_ADDR,
    ] {
        assert_eq!(kvm.check_extension(cap).unwrap(), 1, "capability {cap}");
    }
    // Some answer a number: the recommended vCPU count is at least 1 and at most the maximum.
    let nr_vcpus = kvm.check_extension(KVM_CAP_NR_VCPUS).unwrap();
    assert!(nr_vcpus >= 1);
    assert!(kvm.check_extension(KVM_CAP_MAX_VCPUS).unwrap() >= nr_vcpus);
    // A capability number no kernel defines answers 0, not an error.
    assert_eq!(kvm.check_extension(0xffff).unwrap(), 0);
}

#[test]
fn vcpu_mmap_size_holds_kvm_run() {
    let Some(kvm) = kvm_or_skip("vcpu_mmap_size_holds_kvm_run") else {
        return;
    };
    let size = kvm.vcpu_mmap_size().unwrap();
    assert!(size >= size_of::<kvm_run>(), "{size} < {}", size_of::<kvm_run>());
    assert_eq!(size % 4096, 0, "the mapping is whole pages");
}

#[test]
fn supported_cpuid_has_the_host_vendor_in_leaf_0() {
    let Some(kvm) = kvm_or_skip("supported_cpuid_has_the_host_vendor_in_leaf_0") else {
        return;
    };
    let cpuid = kvm.supported_cpuid().unwrap();
    let entries = cpuid.as_slice();
    assert!(
        entries.len() > 2 && entries.len() <= KVM_MAX_CPUID_ENTRIES,
        "{} entries",
        entries.len()
    );
    assert_eq!(entries.len(), cpuid.as_fam_struct_ref().nent as usize);

    let leaf0 = entries.iter().find(|e| e.function == 0).expect("leaf 0");
    // The vendor string is EBX, EDX, ECX: KVM passes the host's through, so it matches the CPU's own answer.
    let vendor =
        |ebx: u32, edx: u32, ecx: u32| [ebx, edx, ecx].iter().flat_map(|r| r.to_le_bytes()).collect::<Vec<_>>();
    // `__cpuid` is safe to call in recent Rust and unsafe in older ones, down to the MSRV.
    #[allow(unused_unsafe)]
    // SAFETY: CPUID leaf 0 exists on every x86_64 CPU.
    let host = unsafe { std::arch::x86_64::__cpuid(0) };
    assert_eq!(
        String::from_utf8(vendor(leaf0.ebx, leaf0.edx, leaf0.ecx)).unwrap(),
        String::from_utf8(vendor(host.ebx, host.edx, host.ecx)).unwrap()
    );
    // Leaf 0's EAX is the highest basic leaf, and KVM lists that leaf too.
    assert!(leaf0.eax >= 1);
    assert!(
        entries.iter().any(|e| e.function == leaf0.eax),
        "no leaf {:#x}",
        leaf0.eax
    );
}

#[test]
fn msr_index_list_has_the_sysenter_msrs() {
    let Some(kvm) = kvm_or_skip("msr_index_list_has_the_sysenter_msrs") else {
        return;
    };
    let list = kvm.msr_index_list().unwrap();
    let indices = list.as_slice();
    assert!(!indices.is_empty() && indices.len() <= KVM_MAX_MSR_ENTRIES);
    assert_eq!(indices.len(), list.as_fam_struct_ref().nmsrs as usize);
    // IA32_SYSENTER_CS/ESP/EIP and IA32_TSC are in every kernel's msrs_to_save.
    for msr in [0x174, 0x175, 0x176, 0x10] {
        assert!(indices.contains(&msr), "MSR {msr:#x} missing from {indices:x?}");
    }
}
