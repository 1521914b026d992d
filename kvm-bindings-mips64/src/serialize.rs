//! The serde type list: `Serialize` and `Deserialize` as raw bytes (see `kvm_bindings_common::serde_impls!`).
//!
//! The generator reads this list: it derives zerocopy's traits on each type named here and on every type they
//! contain. Adding a type is one line here, then `scripts/generate`.

use crate::bindings::*;

kvm_bindings_common::serde_impls!(
    kvm_device_attr,
    kvm_irq_level,
    kvm_irq_routing,
    kvm_irq_routing_entry,
    kvm_mp_state,
    kvm_one_reg,
    kvm_reg_list,
    kvm_regs,
    kvm_userspace_memory_region,
    kvm_userspace_memory_region2,
);
