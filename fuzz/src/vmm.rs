//! What a VMM does with a value it has just decoded from a snapshot, each step checked (and, under AddressSanitizer,
//! every byte it touches checked to be inside its allocation).
//!
//! - A binding value: passed to an ioctl (which reads all of its bytes: the property's comparison reads them too)
//!   and written into the next snapshot, which must be the canonical encoding of the payload.
//! - A FAM wrapper: its accessors (`as_fam_struct_ref`, `as_slice`, the header's own `FamStruct::len` and
//!   `FamStruct::as_slice`), `as_fam_struct_ptr` for an ioctl, which reads from the header to the end of the last
//!   entry, `clone`, `push` of one more entry, and the next snapshot.

use serde::Serialize;
use vmm_sys_util::fam::FamStructWrapper;
use zerocopy::{FromZeros, IntoBytes};

use crate::property::{Entry, Header};
use test_support::Format;

/// Writes `value` into the next snapshot: it must encode as the payload it came from, `expected`.
pub fn use_value<T: Serialize>(value: &T, format: Format, expected: &[u8]) -> Result<(), String> {
    let encoded = format.encode(value);
    if encoded != format.encode_bytes(expected) {
        return Err(format!(
            "{}: the decoded value encodes to {} bytes that are not the payload's encoding",
            format.name(),
            encoded.len()
        ));
    }
    Ok(())
}

/// Uses `wrapper` as a VMM restoring a snapshot does; `canonical` is the encoding of its payload.
pub fn use_wrapper<T>(wrapper: &FamStructWrapper<T>, format: Format, canonical: &[u8]) -> Result<(), String>
where
    T: Header,
    T::Entry: Entry,
{
    let header = wrapper.as_fam_struct_ref();
    let entries = wrapper.as_slice();
    if header.len() != entries.len() {
        return Err(format!(
            "the header claims {} entries, the wrapper holds {}",
            header.len(),
            entries.len()
        ));
    }
    // `FamStruct::as_slice` trusts the header's count: on a wrapper's own header it must be the wrapper's entries.
    let own = header.as_slice();
    if own.as_ptr() != entries.as_ptr() || own.len() != entries.len() {
        return Err("the header's FamStruct::as_slice is not the wrapper's as_slice".to_string());
    }
    check_ioctl_span(wrapper.clone())?;
    let encoded = format.encode(wrapper);
    if encoded != canonical {
        return Err(format!(
            "{}: the decoded wrapper encodes to {} bytes that are not the payload's encoding",
            format.name(),
            encoded.len()
        ));
    }
    // Adding an entry (an MSR to set, a route) before passing the list on.
    let mut grown = wrapper.clone();
    match grown.push(T::Entry::new_zeroed()) {
        Ok(()) => {
            let all = grown.as_slice();
            if all.len() != entries.len() + 1
                || all[..entries.len()].as_bytes() != entries.as_bytes()
                || all[entries.len()].as_bytes().iter().any(|&byte| byte != 0)
            {
                return Err(format!("push onto {} entries did not append one entry", entries.len()));
            }
            check_ioctl_span(grown)?;
        }
        // The wrapper is full: refusing is right.
        Err(_) if entries.len() >= T::max_len() => {}
        Err(error) => {
            return Err(format!(
                "push onto {} entries (maximum {}) failed: {error}",
                entries.len(),
                T::max_len()
            ));
        }
    }
    Ok(())
}

/// An ioctl given `as_fam_struct_ptr` reads from the header to the end of the last entry the header counts: that
/// span must lie inside the wrapper's allocation.
fn check_ioctl_span<T>(wrapper: FamStructWrapper<T>) -> Result<(), String>
where
    T: Header,
    T::Entry: Entry,
{
    let start = wrapper.as_fam_struct_ptr() as usize;
    let count = wrapper.as_fam_struct_ref().len();
    let entries = wrapper.as_slice();
    let end = entries.as_ptr() as usize + size_of_val(entries);
    let allocation = wrapper.into_raw();
    let allocated = allocation.len() * size_of::<T>();
    if allocation.as_ptr() as usize != start || end - start > allocated {
        return Err(format!(
            "an ioctl would read {} bytes (the header and {count} entries) from an allocation of {allocated}",
            end - start
        ));
    }
    Ok(())
}
