//! FAM wrappers over structs of `linux/kvm.h` that are the same on every architecture.

/// Defines `KVM_MAX_IRQ_ROUTES` and `KvmIrqRouting`, vmm-sys-util's `FamStructWrapper` over `kvm_irq_routing`, in
/// the arch crate that invokes it: `kvm_irq_routing` comes from `linux/kvm.h`, identical on every architecture, but
/// each arch crate has its own type, so the definition is written once here and expanded in each.
///
/// The invoking module must have its bindings' `kvm_irq_routing` and `kvm_irq_routing_entry` in scope and depend
/// on vmm-sys-util.
#[macro_export]
macro_rules! kvm_irq_routing_wrapper {
    () => {
        /// The most IRQ routes `KVM_SET_GSI_ROUTING` accepts (`KVM_MAX_IRQ_ROUTES` in `include/linux/kvm_host.h`).
        ///
        /// VMs with many passthrough devices need well over a thousand GSI routes.
        pub const KVM_MAX_IRQ_ROUTES: usize = 4096;

        vmm_sys_util::generate_fam_struct_impl!(
            kvm_irq_routing,
            kvm_irq_routing_entry,
            entries,
            u32,
            nr,
            KVM_MAX_IRQ_ROUTES
        );

        /// Compares the header only. The entries hold a union, which has no `PartialEq`, so [`KvmIrqRouting`] has
        /// none either (as in kvm-bindings 0.14).
        impl PartialEq for kvm_irq_routing {
            fn eq(&self, other: &kvm_irq_routing) -> bool {
                self.nr == other.nr && self.flags == other.flags
            }
        }

        /// `kvm_irq_routing` and its routes, for `KVM_SET_GSI_ROUTING`.
        ///
        /// What kvm-bindings 0.14.2's API cannot check, and so is the user's to avoid:
        ///
        /// - `kvm_irq_routing::as_slice` (vmm-sys-util's safe `FamStruct::as_slice`) reads as many routes past the
        ///   struct as the public `nr` field says: call it only on this wrapper's own header, never on a
        ///   `kvm_irq_routing` built or deserialized on its own. The wrapper's constructors and its deserializer
        ///   keep `nr` equal to the routes it allocated.
        /// - Each route holds a union, `kvm_irq_routing_entry::u`, whose smaller fields leave bytes uninitialized
        ///   when the union is built from them, and serializing the route reads every byte. Start from
        ///   `kvm_irq_routing_entry::default()` (all zero) and assign the field you need (`route.u.msi = …`), never
        ///   a union literal of one field.
        ///
        /// See the [KVM API](https://docs.kernel.org/virt/kvm/api.html#kvm-set-gsi-routing).
        pub type KvmIrqRouting = vmm_sys_util::fam::FamStructWrapper<kvm_irq_routing>;
    };
}

/// Defines `RegList`, vmm-sys-util's `FamStructWrapper` over `kvm_reg_list`, in the arch crate that invokes it, with
/// that arch's maximum number of registers: `kvm_reg_list` is `linux/kvm.h`'s, the same on every architecture that
/// has `KVM_GET_REG_LIST`, but the number of registers is the arch's.
///
/// The invoking module must have its bindings' `kvm_reg_list` in scope and depend on vmm-sys-util.
#[macro_export]
macro_rules! kvm_reg_list_wrapper {
    ($max:expr) => {
        vmm_sys_util::generate_fam_struct_impl!(kvm_reg_list, u64, reg, u64, n, $max);

        /// Compares the header only: [`RegList`]'s `PartialEq` compares the register ids as well.
        impl PartialEq for kvm_reg_list {
            fn eq(&self, other: &kvm_reg_list) -> bool {
                self.n == other.n
            }
        }

        /// `kvm_reg_list` and its register ids, for `KVM_GET_REG_LIST`.
        ///
        /// `kvm_reg_list::as_slice` (vmm-sys-util's safe `FamStruct::as_slice`) reads as many ids past the struct
        /// as the public `n` field says, which kvm-bindings 0.14.2's API cannot check: call it only on this
        /// wrapper's own header, never on a `kvm_reg_list` built or deserialized on its own. The wrapper's
        /// constructors and its deserializer keep `n` equal to the ids it allocated.
        ///
        /// See the [KVM API](https://docs.kernel.org/virt/kvm/api.html#kvm-get-reg-list).
        pub type RegList = vmm_sys_util::fam::FamStructWrapper<kvm_reg_list>;
    };
}
