//! Unit tests of the x86_64 FAM wrappers: building from entries, the maximum, equality and, with `serde`, encoding
//! and the rejection of a length field that lies.
extern crate std;

use rand::Rng;
use test_support::random::{random_list, test_rng};
use vmm_sys_util::fam::Error;

use super::*;

fn random_cpuid_entry(rng: &mut impl Rng) -> kvm_cpuid_entry2 {
    kvm_cpuid_entry2 {
        function: rng.random(),
        index: rng.random(),
        flags: rng.random(),
        eax: rng.random(),
        ebx: rng.random(),
        ecx: rng.random(),
        edx: rng.random(),
        padding: rng.random(),
    }
}

fn random_msr_entry(rng: &mut impl Rng) -> kvm_msr_entry {
    kvm_msr_entry {
        index: rng.random(),
        reserved: rng.random(),
        data: rng.random(),
    }
}

fn random_u32(rng: &mut impl Rng) -> u32 {
    rng.random()
}

#[test]
fn cpuid_from_entries_holds_them() {
    let rng = &mut test_rng();
    let entries = random_list(rng, random_cpuid_entry);
    let cpuid = CpuId::from_entries(&entries).unwrap();
    assert_eq!(cpuid.as_fam_struct_ref().nent as usize, entries.len());
    assert_eq!(cpuid.as_slice(), &entries[..]);
}

#[test]
fn msrs_from_entries_holds_them() {
    let rng = &mut test_rng();
    let entries = random_list(rng, random_msr_entry);
    let msrs = Msrs::from_entries(&entries).unwrap();
    assert_eq!(msrs.as_fam_struct_ref().nmsrs as usize, entries.len());
    assert_eq!(msrs.as_slice(), &entries[..]);
}

#[test]
fn msr_list_from_entries_holds_them() {
    let rng = &mut test_rng();
    let indices = random_list(rng, random_u32);
    let list = MsrList::from_entries(&indices).unwrap();
    assert_eq!(list.as_fam_struct_ref().nmsrs as usize, indices.len());
    assert_eq!(list.as_slice(), &indices[..]);
}

#[test]
fn xsave_from_entries_holds_them() {
    let rng = &mut test_rng();
    let extra = random_list(rng, random_u32);
    let xsave = Xsave::from_entries(&extra).unwrap();
    assert_eq!(xsave.as_fam_struct_ref().len, extra.len());
    assert_eq!(xsave.as_slice(), &extra[..]);
    // KVM reads and writes the `kvm_xsave` field, whose extra area follows its 4 KiB region.
    assert_eq!(core::mem::offset_of!(kvm_xsave2, xsave), 8);
    assert_eq!(core::mem::offset_of!(kvm_xsave, extra), 4096);
}

#[test]
fn xsave_from_a_legacy_area_has_no_extra() {
    let legacy = kvm_xsave {
        region: test_rng().random(),
        ..Default::default()
    };
    let region = legacy.region;
    let xsave = Xsave::from_header(kvm_xsave2::from(legacy)).unwrap();
    assert_eq!(xsave.as_fam_struct_ref().len, 0);
    assert!(xsave.as_slice().is_empty());
    assert_eq!(xsave.as_fam_struct_ref().xsave.region, region);
    assert_eq!(
        Xsave::new(0).unwrap(),
        Xsave::from_header(kvm_xsave2::default()).unwrap()
    );
}

/// Filling a wrapper to `max` entries works; one more, by `push`, `new` or `from_entries`, is an error.
fn check_maximum<T: Default + FamStruct>(max: usize, entry: T::Entry)
where
    T::Entry: Copy,
{
    assert_eq!(T::max_len(), max);
    let mut full = FamStructWrapper::<T>::new(max - 1).unwrap();
    full.push(entry).unwrap();
    assert_eq!(full.as_slice().len(), max);
    assert_eq!(full.push(entry), Err(Error::SizeLimitExceeded));
    assert_eq!(full.as_slice().len(), max);
    assert!(matches!(
        FamStructWrapper::<T>::new(max + 1),
        Err(Error::SizeLimitExceeded)
    ));
    let too_many = std::vec![entry; max + 1];
    assert!(matches!(
        FamStructWrapper::<T>::from_entries(&too_many),
        Err(Error::SizeLimitExceeded)
    ));
}

#[test]
fn pushing_beyond_the_maximum_is_an_error() {
    let rng = &mut test_rng();
    check_maximum::<kvm_cpuid2>(256, random_cpuid_entry(rng));
    check_maximum::<kvm_msrs>(256, random_msr_entry(rng));
    check_maximum::<kvm_msr_list>(256, rng.random());
    // Xsave's maximum (4 Gi entries) is too large to fill in a test.
    assert_eq!(kvm_xsave2::max_len(), u32::MAX as usize);
    assert!(matches!(
        Xsave::new(u32::MAX as usize + 1),
        Err(Error::SizeLimitExceeded)
    ));
}

#[test]
fn cpuid_equality_compares_header_and_entries() {
    let rng = &mut test_rng();
    let mut cpuid = CpuId::from_entries(&random_list(rng, random_cpuid_entry)).unwrap();
    let mut other = cpuid.clone();
    assert!(cpuid == other);
    other.as_mut_slice()[0].eax ^= 1;
    assert!(cpuid != other);
    other.as_mut_slice()[0].eax ^= 1;
    assert!(cpuid == other);
    // SAFETY: `padding` is not the length field.
    unsafe { other.as_mut_fam_struct().padding ^= 1 };
    assert!(cpuid != other);
    // SAFETY: as above.
    unsafe { cpuid.as_mut_fam_struct().padding ^= 1 };
    assert!(cpuid == other);
    // One entry more is a different table, though the entries both have are equal.
    other.push(random_cpuid_entry(rng)).unwrap();
    assert!(cpuid != other);
}

#[test]
fn msrs_equality_compares_header_and_entries() {
    let rng = &mut test_rng();
    let msrs = Msrs::from_entries(&random_list(rng, random_msr_entry)).unwrap();
    let mut other = msrs.clone();
    assert!(msrs == other);
    other.as_mut_slice()[0].data ^= 1 << 63;
    assert!(msrs != other);
    other.as_mut_slice()[0].data ^= 1 << 63;
    assert!(msrs == other);
    // SAFETY: `pad` is not the length field.
    unsafe { other.as_mut_fam_struct().pad ^= 1 };
    assert!(msrs != other);
}

#[test]
fn msr_list_equality_compares_header_and_entries() {
    let rng = &mut test_rng();
    let list = MsrList::from_entries(&random_list(rng, random_u32)).unwrap();
    let mut other = list.clone();
    assert!(list == other);
    *other.as_mut_slice().last_mut().unwrap() ^= 1;
    assert!(list != other);
    let shorter = MsrList::from_entries(&list.as_slice()[1..]).unwrap();
    assert!(list != shorter);
}

#[test]
fn xsave_equality_compares_header_and_entries() {
    let rng = &mut test_rng();
    let xsave = Xsave::from_entries(&random_list(rng, random_u32)).unwrap();
    let mut other = xsave.clone();
    assert!(xsave == other);
    other.as_mut_slice()[0] ^= 1;
    assert!(xsave != other);
    other.as_mut_slice()[0] ^= 1;
    assert!(xsave == other);
    // SAFETY: `xsave.region` is not the length field.
    unsafe { other.as_mut_fam_struct().xsave.region[1023] ^= 1 };
    assert!(xsave != other);
}

#[cfg(feature = "serde")]
mod with_serde {
    use test_support::fam::{check_length_lies, check_rejected, check_round_trip};

    use super::*;

    #[test]
    fn wrappers_round_trip_with_random_headers_and_entries() {
        let rng = &mut test_rng();
        let mut cpuid = CpuId::from_entries(&random_list(rng, random_cpuid_entry)).unwrap();
        // SAFETY: `padding` is not the length field.
        unsafe { cpuid.as_mut_fam_struct().padding = rng.random() };
        check_round_trip(crate::byte_order::SNAPSHOT_BYTE_ORDER, &cpuid);
        let mut msrs = Msrs::from_entries(&random_list(rng, random_msr_entry)).unwrap();
        // SAFETY: `pad` is not the length field.
        unsafe { msrs.as_mut_fam_struct().pad = rng.random() };
        check_round_trip(crate::byte_order::SNAPSHOT_BYTE_ORDER, &msrs);
        check_round_trip(
            crate::byte_order::SNAPSHOT_BYTE_ORDER,
            &MsrList::from_entries(&random_list(rng, random_u32)).unwrap(),
        );
        let mut xsave = Xsave::from_entries(&random_list(rng, random_u32)).unwrap();
        // SAFETY: `xsave.region` is not the length field.
        unsafe { xsave.as_mut_fam_struct().xsave.region = rng.random() };
        check_round_trip(crate::byte_order::SNAPSHOT_BYTE_ORDER, &xsave);
        check_round_trip(crate::byte_order::SNAPSHOT_BYTE_ORDER, &CpuId::new(0).unwrap());
    }

    #[test]
    fn a_length_field_that_lies_is_an_error() {
        let rng = &mut test_rng();
        let entries = random_list(rng, random_cpuid_entry);
        check_length_lies::<kvm_cpuid2>(
            crate::byte_order::SNAPSHOT_BYTE_ORDER,
            &entries,
            256,
            |header, length| header.nent = length,
        );
        let entries = random_list(rng, random_msr_entry);
        check_length_lies::<kvm_msrs>(
            crate::byte_order::SNAPSHOT_BYTE_ORDER,
            &entries,
            256,
            |header, length| header.nmsrs = length,
        );
        let indices = random_list(rng, random_u32);
        check_length_lies::<kvm_msr_list>(
            crate::byte_order::SNAPSHOT_BYTE_ORDER,
            &indices,
            256,
            |header, length| header.nmsrs = length,
        );
        // Xsave's maximum (4 Gi entries) is too large to exceed in a test; a mismatch is still rejected.
        let extra = random_list(rng, random_u32);
        for claimed in [extra.len() + 1, extra.len() - 1, usize::MAX] {
            check_rejected(
                &kvm_xsave2 {
                    len: claimed,
                    ..Default::default()
                },
                &extra,
            );
        }
    }
}

// `KvmIrqRouting` is defined once for every arch (`kvm_irq_routing_wrapper!`), and so are its tests.
test_support::kvm_irq_routing_tests!();
