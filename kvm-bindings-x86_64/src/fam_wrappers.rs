//! Safe wrappers over the x86_64 structs that end in a flexible array member (FAM): [`CpuId`], [`Msrs`],
//! [`MsrList`], [`KvmIrqRouting`] and [`Xsave`].
//!
//! Each is vmm-sys-util's [`FamStructWrapper`] over the binding struct: it owns a buffer large enough for the header
//! and its entries and keeps the header's length field equal to the number of entries. Equality
//! (`FamStructWrapper`'s `PartialEq`) compares the header and the entries.
//!
//! With the `serde` feature too, a wrapper serializes as a pair (header bytes, entries), the format of
//! kvm-bindings 0.14. Deserializing checks the pair: a header whose length disagrees with the number of entries, or
//! more entries than the wrapper's maximum, is an error.

use vmm_sys_util::fam::{FamStruct, FamStructWrapper};
use vmm_sys_util::generate_fam_struct_impl;

use crate::bindings::*;

/// The most CPUID entries KVM takes or returns (`KVM_MAX_CPUID_ENTRIES` in `arch/x86/include/asm/kvm_host.h`).
pub const KVM_MAX_CPUID_ENTRIES: usize = 256;

/// The most MSRs a [`Msrs`] or [`MsrList`] holds (KVM's own lists are far shorter; see `arch/x86/kvm/x86.c`).
pub const KVM_MAX_MSR_ENTRIES: usize = 256;

generate_fam_struct_impl!(kvm_cpuid2, kvm_cpuid_entry2, entries, u32, nent, KVM_MAX_CPUID_ENTRIES);

/// Compares the header only: [`CpuId`]'s `PartialEq` compares the entries as well.
impl PartialEq for kvm_cpuid2 {
    fn eq(&self, other: &kvm_cpuid2) -> bool {
        self.nent == other.nent && self.padding == other.padding
    }
}

/// `kvm_cpuid2` and its entries, for `KVM_GET_SUPPORTED_CPUID`, `KVM_SET_CPUID2` and the like.
///
/// See the [KVM API](https://docs.kernel.org/virt/kvm/api.html#kvm-set-cpuid2).
pub type CpuId = FamStructWrapper<kvm_cpuid2>;

generate_fam_struct_impl!(kvm_msrs, kvm_msr_entry, entries, u32, nmsrs, KVM_MAX_MSR_ENTRIES);

/// Compares the header only: [`Msrs`]'s `PartialEq` compares the entries as well.
impl PartialEq for kvm_msrs {
    fn eq(&self, other: &kvm_msrs) -> bool {
        self.nmsrs == other.nmsrs && self.pad == other.pad
    }
}

/// `kvm_msrs` and its entries, for `KVM_GET_MSRS` and `KVM_SET_MSRS`.
///
/// See the [KVM API](https://docs.kernel.org/virt/kvm/api.html#kvm-get-msrs).
pub type Msrs = FamStructWrapper<kvm_msrs>;

generate_fam_struct_impl!(kvm_msr_list, u32, indices, u32, nmsrs, KVM_MAX_MSR_ENTRIES);

/// Compares the header only: [`MsrList`]'s `PartialEq` compares the indices as well.
impl PartialEq for kvm_msr_list {
    fn eq(&self, other: &kvm_msr_list) -> bool {
        self.nmsrs == other.nmsrs
    }
}

/// `kvm_msr_list` and its MSR indices, for `KVM_GET_MSR_INDEX_LIST` and `KVM_GET_MSR_FEATURE_INDEX_LIST`.
///
/// See the [KVM API](https://docs.kernel.org/virt/kvm/api.html#kvm-get-msr-index-list-kvm-get-msr-feature-index-list).
pub type MsrList = FamStructWrapper<kvm_msr_list>;

// `kvm_irq_routing` is in linux/kvm.h, the same on every architecture: its wrapper is defined once.
kvm_bindings_common::kvm_irq_routing_wrapper!();

/// [`kvm_xsave`] with the length of its flexible array, so that it can be a [`FamStruct`]: see [`Xsave`].
#[repr(C)]
#[derive(Debug, Default)]
#[cfg_attr(
    feature = "serde",
    derive(zerocopy::IntoBytes, zerocopy::Immutable, zerocopy::FromBytes)
)]
pub struct kvm_xsave2 {
    /// The number of `u32`s in `xsave.extra`.
    ///
    /// `KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2)` reports the size in bytes of the whole `kvm_xsave`, `region` included,
    /// so this is `(KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) - size_of::<kvm_xsave>()).div_ceil(size_of::<u32>())`.
    pub len: usize,
    /// The XSAVE area: the 4 KiB `region` and, past it, `len` more `u32`s.
    pub xsave: kvm_xsave,
}

/// A legacy 4 KiB XSAVE area, with no extra entries.
impl From<kvm_xsave> for kvm_xsave2 {
    fn from(xsave: kvm_xsave) -> Self {
        kvm_xsave2 { len: 0, xsave }
    }
}

/// Compares the length and the 4 KiB region: [`Xsave`]'s `PartialEq` compares the extra entries as well.
impl PartialEq for kvm_xsave2 {
    fn eq(&self, other: &kvm_xsave2) -> bool {
        self.len == other.len && self.xsave.region == other.xsave.region
    }
}

// SAFETY:
// - `kvm_xsave2` is plain data (`repr(C)`, integers only), and so is its entry type, `u32`;
// - it ends in a flexible array of `u32`: `kvm_xsave`, its last field, ends in `extra`;
// - `len` is the length of that array: only `set_len` changes it, and its callers (`FamStructWrapper`) size the
//   allocation behind the struct to match.
unsafe impl FamStruct for kvm_xsave2 {
    type Entry = u32;

    fn len(&self) -> usize {
        self.len
    }

    unsafe fn set_len(&mut self, len: usize) {
        self.len = len;
    }

    fn max_len() -> usize {
        // `KVM_CHECK_EXTENSION` returns an `int`, which bounds the size KVM can report.
        u32::MAX as usize
    }

    fn as_slice(&self) -> &[u32] {
        // SAFETY: by `set_len`'s contract, `len` entries of initialized memory follow the struct.
        unsafe { self.xsave.extra.as_slice(self.len) }
    }

    fn as_mut_slice(&mut self) -> &mut [u32] {
        // SAFETY: by `set_len`'s contract, `len` entries of initialized memory follow the struct.
        unsafe { self.xsave.extra.as_mut_slice(self.len) }
    }
}

/// [`kvm_xsave`] and the rest of the XSAVE area, for `KVM_GET_XSAVE2` and `KVM_SET_XSAVE`.
///
/// Since Linux 5.17, `kvm_xsave` ends in a flexible array (`extra`) for XSAVE areas larger than 4 KiB (AMX), but
/// unlike every other such struct carries no length: the size comes from `KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2)` on
/// the VM. [`kvm_xsave2`] carries that length next to the struct, and the `kvm_xsave` the kernel reads and writes is
/// its `xsave` field. kvm-ioctls' `get_xsave2` queries the capability and fills an `Xsave` of the matching length.
pub type Xsave = FamStructWrapper<kvm_xsave2>;

#[cfg(test)]
mod tests;
