//! Safe wrappers over the x86_64 structs that end in a flexible array member (FAM): [`CpuId`], [`Msrs`],
//! [`MsrList`], [`KvmIrqRouting`] and [`Xsave`].
//!
//! Each is vmm-sys-util's [`FamStructWrapper`] over the binding struct: it owns a buffer large enough for the header
//! and its entries and keeps the header's length field equal to the number of entries. Equality
//! (`FamStructWrapper`'s `PartialEq`) compares the header and the entries.
//!
//! With the `serde` feature too, a wrapper serializes as a pair (header bytes, entries), the format of
//! kvm-bindings 0.14. Deserializing checks the pair: a header whose length disagrees with the number of entries, or
//! more entries than the wrapper's maximum, is an error. So a decoded wrapper's header never counts more entries
//! than its allocation holds (the fuzz targets check this on every input they decode).
//!
//! # What the API cannot check
//!
//! kvm-bindings 0.14.2's API, kept here, has two holes that safe code can fall into; the compiler cannot catch
//! them, so they are the user's to avoid:
//!
//! - **A header's count is trusted.** vmm-sys-util's [`FamStruct::as_slice`] is a safe method that reads as many
//!   entries past the struct as its length field says. The field is public (`kvm_cpuid2::nent`, `kvm_msrs::nmsrs`,
//!   `kvm_msr_list::nmsrs`, `kvm_irq_routing::nr`, [`kvm_xsave2::len`]), and a header deserialized on its own (the
//!   headers are in the serde list) carries whatever count its input had. Calling `as_slice` on such a header reads
//!   memory that is not its own. Safe use: hold the struct in its wrapper ([`CpuId`], [`Msrs`], …), build it with
//!   `FamStructWrapper::new` or `from_entries`, deserialize the wrapper rather than the bare header, and read the
//!   entries with the wrapper's `as_slice` (or `as_fam_struct_ref().as_slice()`), never a header value of your
//!   own.
//! - **A union built from a smaller field leaves bytes uninitialized**, and serializing a value (which reads its
//!   bytes through zerocopy's `IntoBytes`) then reads them. [`KvmIrqRouting`]'s entries hold such a union,
//!   `kvm_irq_routing_entry::u`: start from `kvm_irq_routing_entry::default()` (every byte zero) and assign the
//!   field you need (`entry.u.msi = …`), never a union literal such as `kvm_irq_routing_entry__bindgen_ty_1 { msi:
//!   … }`. Values that came from a KVM ioctl or from deserialization are fully written.
//!
//! ```
//! use kvm_bindings_x86_64::{CpuId, kvm_cpuid_entry2, kvm_irq_routing_entry, kvm_irq_routing_msi, KvmIrqRouting};
//!
//! // The header's count and the allocation agree, whatever the wrapper goes through.
//! let mut cpuid = CpuId::from_entries(&[kvm_cpuid_entry2::default(); 2]).unwrap();
//! cpuid.push(kvm_cpuid_entry2 { function: 7, ..Default::default() }).unwrap();
//! assert_eq!(cpuid.as_slice().len(), 3);
//! assert_eq!(cpuid.as_fam_struct_ref().nent, 3);
//!
//! // A route whose union is written through a field of a zeroed entry: every byte initialized.
//! let mut route = kvm_irq_routing_entry::default();
//! route.u.msi = kvm_irq_routing_msi { address_lo: 0xfee0_0000, data: 0x41, ..Default::default() };
//! let routing = KvmIrqRouting::from_entries(&[route]).unwrap();
//! assert_eq!(routing.as_slice().len(), 1);
//! ```

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
/// The wrapper is the safe way to hold a `kvm_cpuid2`: `kvm_cpuid2::as_slice` trusts the public `nent` field, so
/// call it only on the wrapper's own header (see [the module docs](self#what-the-api-cannot-check)).
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
/// The wrapper is the safe way to hold a `kvm_msrs`: `kvm_msrs::as_slice` trusts the public `nmsrs` field, so call
/// it only on the wrapper's own header (see [the module docs](self#what-the-api-cannot-check)).
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
/// The wrapper is the safe way to hold a `kvm_msr_list`: `kvm_msr_list::as_slice` trusts the public `nmsrs` field,
/// so call it only on the wrapper's own header (see [the module docs](self#what-the-api-cannot-check)).
///
/// See the [KVM API](https://docs.kernel.org/virt/kvm/api.html#kvm-get-msr-index-list-kvm-get-msr-feature-index-list).
pub type MsrList = FamStructWrapper<kvm_msr_list>;

// `kvm_irq_routing` is in linux/kvm.h, the same on every architecture: its wrapper is defined once.
kvm_bindings_common::kvm_irq_routing_wrapper!();

/// [`kvm_xsave`] with the length of its flexible array, so that it can be a [`FamStruct`]: see [`Xsave`].
///
/// Hold it in an [`Xsave`], never on its own: its `FamStruct::as_slice` (a safe method) reads [`len`](Self::len)
/// `u32`s past the struct, and `len` is a public field, so a `kvm_xsave2` built or deserialized on its own with a
/// non-zero `len` makes `as_slice` read memory that is not its own. The wrapper keeps `len` equal to what it
/// allocated (see [the module docs](self#what-the-api-cannot-check)).
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
    ///
    /// Public, as in kvm-bindings 0.14.2, although `as_slice` trusts it: set it only through [`Xsave`]
    /// (`Xsave::new(len)`), which allocates the entries it counts.
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
// - `len` is the length of that array as long as the struct lives in a `FamStructWrapper`, which sizes its
//   allocation to match through `set_len`. `len` is also a public field (0.14.2's API), so safe code can make it lie
//   on a `kvm_xsave2` of its own; the type's docs say not to, as vmm-sys-util's generated impls for the kernel's
//   headers (whose length fields are public too) leave the same duty to their users.
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
        // SAFETY: in a `FamStructWrapper` (the only use the type's docs allow), `len` entries of initialized memory
        // follow the struct, by `set_len`'s contract.
        unsafe { self.xsave.extra.as_slice(self.len) }
    }

    fn as_mut_slice(&mut self) -> &mut [u32] {
        // SAFETY: as in `as_slice`.
        unsafe { self.xsave.extra.as_mut_slice(self.len) }
    }
}

/// [`kvm_xsave`] and the rest of the XSAVE area, for `KVM_GET_XSAVE2` and `KVM_SET_XSAVE`.
///
/// Since Linux 5.17, `kvm_xsave` ends in a flexible array (`extra`) for XSAVE areas larger than 4 KiB (AMX), but
/// unlike every other such struct carries no length: the size comes from `KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2)` on
/// the VM. [`kvm_xsave2`] carries that length next to the struct, and the `kvm_xsave` the kernel reads and writes is
/// its `xsave` field. kvm-ioctls' `get_xsave2` queries the capability and fills an `Xsave` of the matching length.
///
/// Build it with `Xsave::new(len)` or `from_entries` and read it through its own accessors: [`kvm_xsave2::len`] is
/// trusted by `kvm_xsave2::as_slice` (see [the module docs](self#what-the-api-cannot-check)).
pub type Xsave = FamStructWrapper<kvm_xsave2>;

#[cfg(test)]
mod tests;
