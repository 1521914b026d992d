//! `IntoBytes` for the unions of serializable bindings.

/// Implements `zerocopy::IntoBytes` for a generated union whose fields are all `IntoBytes`:
/// `union_into_bytes!(Union, FieldType, …)`.
///
/// zerocopy derives `FromBytes` and `Immutable` for unions but not `IntoBytes`: a union value built from a field
/// smaller than the union leaves the remaining bytes uninitialized, and reading them as bytes is undefined
/// behaviour. KVM's uapi unions (`kvm_irqchip.chip`, `kvm_irq_routing_entry.u`, …) are serialized whole, so the
/// generator invokes this macro for each union a serializable type contains, and the macro checks at compile time
/// what it can:
///
/// - every field is itself `IntoBytes` (no padding inside any field), and
/// - the largest field spans the whole union, so no byte of it is padding for every field.
///
/// What it cannot check is how a value was built, and kvm-bindings 0.14.2's API (public union fields, union
/// literals in safe code) leaves that to the user: a union literal of a smaller field, such as
/// `kvm_irq_routing_entry__bindgen_ty_1 { msi: … }`, compiles in safe code and leaves the union's remaining bytes
/// uninitialized, and then `IntoBytes::as_bytes` — which serializing calls — reads them, which is undefined
/// behaviour. Values that come from `Default` (all zeroes), from a KVM ioctl (the kernel writes every byte), or from
/// deserialization (every byte is written) are fully initialized. So build union values by starting from
/// `Default::default()` and assigning the fields you need, before serializing them:
///
/// ```text
/// let mut route = kvm_irq_routing_entry::default();   // every byte zero
/// route.u.msi = kvm_irq_routing_msi { address_lo: 0xfee0_0000, data: 0x41, ..Default::default() };
/// ```
///
/// It matters for the unions whose fields differ in size, among those the generator invokes this macro for (grep
/// `union_into_bytes!` in an arch crate's `bindings.rs`): `kvm_irq_routing_entry__bindgen_ty_1` (the routes of
/// `KvmIrqRouting`, every arch), and on x86_64 `kvm_irqchip__bindgen_ty_1` (`kvm_irqchip::chip`: a PIC's state is
/// far smaller than the 512-byte union), `kvm_nested_state__bindgen_ty_1`, and the hand-written
/// `kvm_nested_state__data` inside `KvmNestedStateBuffer` (whose `Default` writes its larger, VMX, field).
#[macro_export]
macro_rules! union_into_bytes {
    ($union:ty, $($field:ty),+ $(,)?) => {
        // SAFETY: every field is `IntoBytes` and the largest spans the union (both asserted below), so a union value
        // whose bytes were all written (see this macro's documentation) has no uninitialized byte.
        unsafe impl $crate::__private::zerocopy::IntoBytes for $union {
            fn only_derive_is_allowed_to_implement_this_trait()
            where
                Self: Sized,
            {
            }
        }

        const _: () = {
            const fn size_if_into_bytes<T: $crate::__private::zerocopy::IntoBytes>() -> usize {
                ::core::mem::size_of::<T>()
            }
            let mut largest = 0;
            $(
                let size = size_if_into_bytes::<$field>();
                if size > largest {
                    largest = size;
                }
            )+
            assert!(largest == ::core::mem::size_of::<$union>(), "a union's largest field must span the union");
        };
    };
}
