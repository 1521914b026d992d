//! The serde type list: `Serialize` and `Deserialize` as raw bytes (see `kvm_bindings_common::serde_impls!`).
//!
//! The generator reads this list: it derives zerocopy's traits on each type named here and on every type they
//! contain. Adding a type is one line here, then `scripts/generate`.

use crate::bindings::*;
#[cfg(feature = "fam-wrappers")]
use crate::fam_wrappers::kvm_xsave2;
use crate::nested::KvmNestedStateBuffer;

kvm_bindings_common::serde_impls!(
    kvm_clock_data,
    kvm_cpuid2,
    kvm_cpuid_entry2,
    kvm_debugregs,
    kvm_device_attr,
    kvm_dtable,
    kvm_fpu,
    kvm_guest_debug,
    kvm_irq_level,
    kvm_irq_routing,
    kvm_irq_routing_entry,
    kvm_irqchip,
    kvm_lapic_state,
    kvm_mp_state,
    kvm_msr_entry,
    kvm_msr_list,
    kvm_msrs,
    kvm_one_reg,
    kvm_pit_channel_state,
    kvm_pit_config,
    kvm_pit_state2,
    kvm_regs,
    kvm_segment,
    kvm_sregs,
    kvm_sregs2,
    kvm_userspace_memory_region,
    kvm_userspace_memory_region2,
    kvm_vcpu_events,
    kvm_xcr,
    kvm_xcrs,
    kvm_xsave,
    KvmNestedStateBuffer,
);

// The header of `Xsave`, so that the wrapper serializes (its type exists only with `fam-wrappers`).
#[cfg(feature = "fam-wrappers")]
kvm_bindings_common::serde_impls!(kvm_xsave2);
