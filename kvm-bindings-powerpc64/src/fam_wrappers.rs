//! Safe wrappers over the powerpc64 structs that end in a flexible array member (FAM): [`RegList`] and
//! [`KvmIrqRouting`].
//!
//! Each is vmm-sys-util's [`FamStructWrapper`](vmm_sys_util::fam::FamStructWrapper) over the binding struct: it
//! owns a buffer large enough for the header and its entries and keeps the header's length field equal to the
//! number of entries.
//!
//! With the `serde` feature too, a wrapper serializes as a pair (header bytes, entries), the format of
//! kvm-bindings 0.14. Deserializing checks the pair: a header whose length disagrees with the number of entries, or
//! more entries than the wrapper's maximum, is an error.
//! So a decoded wrapper's header never counts more entries than its allocation holds (the fuzz targets check
//! this on every input they decode).
//!
//! # What the API cannot check
//!
//! kvm-bindings 0.14.2's API, kept here, has two holes that safe code can fall into; the compiler cannot catch
//! them, so they are the user's to avoid:
//!
//! - **A header's count is trusted.** vmm-sys-util's [`FamStruct::as_slice`] is a safe method that reads as many
//!   entries past the struct as its length field says. The field is public (`kvm_reg_list::n`,
//!   `kvm_irq_routing::nr`), and a header deserialized on its own carries whatever count its input had. Calling
//!   `as_slice` on such a header reads memory that is not its own. Safe use: hold the struct in its wrapper
//!   ([`RegList`], [`KvmIrqRouting`]), build it with `FamStructWrapper::new` or `from_entries`, deserialize the
//!   wrapper rather than the bare header, and read the entries with the wrapper's `as_slice`.
//! - **A union built from a smaller field leaves bytes uninitialized**, and serializing a value (which reads its
//!   bytes through zerocopy's `IntoBytes`) then reads them. [`KvmIrqRouting`]'s entries hold such a union,
//!   `kvm_irq_routing_entry::u`: start from `kvm_irq_routing_entry::default()` (every byte zero) and assign the
//!   field you need (`entry.u.msi = …`), never a union literal such as `kvm_irq_routing_entry__bindgen_ty_1 { msi:
//!   … }`. Values that came from a KVM ioctl or from deserialization are fully written.
//!
//! ```
//! use kvm_bindings_powerpc64::{kvm_irq_routing_entry, kvm_irq_routing_msi, KvmIrqRouting, RegList};
//!
//! // The header's count and the allocation agree, whatever the wrapper goes through.
//! let mut regs = RegList::from_entries(&[0x6030_0000_0000_0000; 2]).unwrap();
//! regs.push(0x6030_0000_0000_0001).unwrap();
//! assert_eq!(regs.as_slice().len(), 3);
//! assert_eq!(regs.as_fam_struct_ref().n, 3);
//!
//! // A route whose union is written through a field of a zeroed entry: every byte initialized.
//! let mut route = kvm_irq_routing_entry::default();
//! route.u.msi = kvm_irq_routing_msi { address_lo: 0x0800_0040, data: 0x41, ..Default::default() };
//! let routing = KvmIrqRouting::from_entries(&[route]).unwrap();
//! assert_eq!(routing.as_slice().len(), 1);
//! ```

use vmm_sys_util::fam::FamStruct;

use crate::bindings::*;

/// The most registers a [`RegList`] holds: kvm-bindings 0.14's limit for riscv64 and 500 for arm64 (it has no
/// module for this arch); the kernel has none. 500, the larger, so a full list of any arch fits.
const POWERPC64_REGS_MAX: usize = 500;

kvm_bindings_common::kvm_reg_list_wrapper!(POWERPC64_REGS_MAX);

// `kvm_irq_routing` is in linux/kvm.h, the same on every architecture: its wrapper is defined once.
kvm_bindings_common::kvm_irq_routing_wrapper!();

#[cfg(test)]
mod tests;
