//! A fixed-size buffer for `KVM_GET_NESTED_STATE` / `KVM_SET_NESTED_STATE`.
//!
//! The kernel's `kvm_nested_state` ends in a variable-length data area whose size depends on the vendor (VMX or
//! SVM), so the generated binding cannot hold the state itself. [`KvmNestedStateBuffer`] is the header plus room for
//! the largest data either vendor writes, so the state of a vCPU running a nested guest can be saved, serialized
//! (with the `serde` feature) and restored without heap allocation.

use crate::bindings::kvm_nested_state__bindgen_ty_1;
/// The VMX and SVM data areas, as the kernel defines them (the same types as at the crate root).
pub use crate::bindings::{kvm_svm_nested_state_data, kvm_vmx_nested_state_data};

/// The data area of [`KvmNestedStateBuffer`]: the bindings' `kvm_nested_state` declares it as a zero-length
/// union, this one has room for the data of either vendor.
///
/// On SVM one page stays unused, since VMX's data (two pages) is the larger.
#[derive(Clone, Copy)]
#[cfg_attr(feature = "serde", derive(zerocopy::Immutable, zerocopy::FromBytes))]
#[repr(C)]
pub union kvm_nested_state__data {
    /// Intel VMX: the vmcs12 and the shadow vmcs12.
    pub vmx: kvm_vmx_nested_state_data,
    /// AMD SVM: the vmcb12.
    pub svm: kvm_svm_nested_state_data,
}

// The buffer serializes as its raw bytes; the VMX field spans the whole union (checked by the macro).
#[cfg(feature = "serde")]
kvm_bindings_common::union_into_bytes!(
    kvm_nested_state__data,
    kvm_vmx_nested_state_data,
    kvm_svm_nested_state_data
);

impl Default for kvm_nested_state__data {
    fn default() -> Self {
        // Built through the largest field, so that every byte of the union is initialized (zero).
        kvm_nested_state__data {
            vmx: kvm_vmx_nested_state_data {
                vmcs12: [0; crate::bindings::KVM_STATE_NESTED_VMX_VMCS_SIZE as usize],
                shadow_vmcs12: [0; crate::bindings::KVM_STATE_NESTED_VMX_VMCS_SIZE as usize],
            },
        }
    }
}

/// The nested virtualization state of a vCPU, header and data, in one fixed-size buffer.
///
/// KVM's `kvm_nested_state` is a header reporting the size of a variable-length data area. This type has room for
/// the largest state either vendor stores — Intel VMX: `128 + 8192 = 8320` bytes; AMD SVM: `128 + 4096 = 4224` —
/// and the alignment of `kvm_nested_state`, so a pointer to it can be passed to `KVM_GET_NESTED_STATE` and
/// `KVM_SET_NESTED_STATE` as a `kvm_nested_state`.
///
/// [`KvmNestedStateBuffer::empty`] (also its `Default`) sets `size` to the buffer's size, which is how KVM learns
/// how much room it may fill.
#[derive(Clone, Copy)]
#[cfg_attr(
    feature = "serde",
    derive(zerocopy::IntoBytes, zerocopy::Immutable, zerocopy::FromBytes)
)]
#[repr(C)]
#[non_exhaustive] // Construction goes through `empty()`, so that `size` is always set.
pub struct KvmNestedStateBuffer {
    /// `KVM_STATE_NESTED_*` flags.
    pub flags: u16,
    /// `KVM_STATE_NESTED_FORMAT_VMX` or `KVM_STATE_NESTED_FORMAT_SVM`.
    pub format: u16,
    /// The size of the whole buffer (in) or of the state KVM wrote (out), header included.
    pub size: u32,
    /// The vendor-specific header.
    pub hdr: kvm_nested_state__bindgen_ty_1,
    /// The vendor-specific data.
    pub data: kvm_nested_state__data,
}

impl KvmNestedStateBuffer {
    /// An empty buffer, ready for KVM to store nested state in: all zero but `size`, which tells KVM the buffer's
    /// size (the kernel rejects a buffer smaller than the state it would write).
    pub fn empty() -> Self {
        KvmNestedStateBuffer {
            flags: 0,
            format: 0,
            size: size_of::<Self>() as u32,
            hdr: kvm_nested_state__bindgen_ty_1::default(),
            data: kvm_nested_state__data::default(),
        }
    }
}

impl Default for KvmNestedStateBuffer {
    fn default() -> Self {
        Self::empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{KVM_STATE_NESTED_FORMAT_SVM, kvm_nested_state};

    #[test]
    fn layout_matches_the_kernel_header_plus_the_vmx_data() {
        assert_eq!(align_of::<KvmNestedStateBuffer>(), align_of::<kvm_nested_state>());
        // The header is 128 bytes; VMX's data, the larger, is two 4 KiB pages.
        assert_eq!(size_of::<kvm_nested_state>(), 128);
        assert_eq!(size_of::<KvmNestedStateBuffer>(), 8320);
        assert_eq!(
            core::mem::offset_of!(KvmNestedStateBuffer, hdr),
            core::mem::offset_of!(kvm_nested_state, hdr)
        );
        assert_eq!(
            core::mem::offset_of!(KvmNestedStateBuffer, data),
            core::mem::offset_of!(kvm_nested_state, data)
        );
    }

    #[test]
    fn empty_buffer_reports_its_size_and_nothing_else() {
        let buffer = KvmNestedStateBuffer::default();
        assert_eq!(buffer.size, 8320);
        assert_eq!((buffer.flags, buffer.format), (0, 0));
        // SAFETY: every field of both unions is plain bytes and integers, valid for any bit pattern, and `empty()`
        // initialized the unions through their largest fields.
        let (hdr_pad, vmx) = unsafe { (buffer.hdr.pad, buffer.data.vmx) };
        assert!(hdr_pad.iter().all(|&b| b == 0));
        assert!(vmx.vmcs12.iter().chain(vmx.shadow_vmcs12.iter()).all(|&b| b == 0));
    }

    #[test]
    fn svm_data_overlays_the_start_of_the_vmx_data() {
        let mut buffer = KvmNestedStateBuffer::empty();
        buffer.format = KVM_STATE_NESTED_FORMAT_SVM as u16;
        let mut vmcb12 = [0; 4096];
        vmcb12[4095] = 0xa5;
        buffer.data.svm = kvm_svm_nested_state_data { vmcb12 };
        // SAFETY: the union was fully initialized by `empty()`; both fields are byte arrays.
        let vmx = unsafe { buffer.data.vmx };
        assert_eq!(vmx.vmcs12[4095], 0xa5);
        assert_eq!(vmx.shadow_vmcs12[0], 0);
    }
}
