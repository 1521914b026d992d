//! Unit tests of the arm64 FAM wrappers: building from entries, the maximum, equality and, with `serde`, encoding
//! and the rejection of a length field that lies.
extern crate std;

use std::vec::Vec;

use rand::Rng;
use test_support::random::{random_list, test_rng};
use vmm_sys_util::fam::Error;

use super::*;

fn random_u64(rng: &mut impl Rng) -> u64 {
    rng.random()
}

#[test]
fn reg_list_from_entries_holds_them() {
    let rng = &mut test_rng();
    let ids = random_list(rng, random_u64);
    let list = RegList::from_entries(&ids).unwrap();
    assert_eq!(list.as_fam_struct_ref().n as usize, ids.len());
    assert_eq!(list.as_slice(), &ids[..]);
}

#[test]
fn pushing_beyond_the_maximum_is_an_error() {
    let rng = &mut test_rng();
    assert_eq!(kvm_reg_list::max_len(), 500);
    let mut list = RegList::new(499).unwrap();
    list.push(rng.random()).unwrap();
    assert_eq!(list.push(rng.random()), Err(Error::SizeLimitExceeded));
    assert_eq!(list.as_slice().len(), 500);
    assert!(matches!(RegList::new(501), Err(Error::SizeLimitExceeded)));
    assert!(matches!(
        RegList::from_entries(&(0..501).map(|_| random_u64(rng)).collect::<Vec<_>>()),
        Err(Error::SizeLimitExceeded)
    ));
}

#[test]
fn reg_list_equality_compares_header_and_entries() {
    let rng = &mut test_rng();
    let list = RegList::from_entries(&random_list(rng, random_u64)).unwrap();
    let mut other = list.clone();
    assert!(list == other);
    *other.as_mut_slice().last_mut().unwrap() ^= 1 << 63;
    assert!(list != other);
    *other.as_mut_slice().last_mut().unwrap() ^= 1 << 63;
    assert!(list == other);
    // One register fewer is a different list, though the registers both have are equal.
    let shorter = RegList::from_entries(&list.as_slice()[..list.as_slice().len() - 1]).unwrap();
    assert!(list != shorter);
}

#[cfg(feature = "serde")]
mod with_serde {
    use test_support::fam::{check_length_lies, check_round_trip};

    use super::*;

    #[test]
    fn wrappers_round_trip_with_random_headers_and_entries() {
        let rng = &mut test_rng();
        check_round_trip(&RegList::from_entries(&random_list(rng, random_u64)).unwrap());
        check_round_trip(&RegList::new(0).unwrap());
    }

    #[test]
    fn a_length_field_that_lies_is_an_error() {
        let rng = &mut test_rng();
        let ids = random_list(rng, random_u64);
        check_length_lies::<kvm_reg_list>(&ids, 500, |header, length| header.n = length.into());
    }
}

// `KvmIrqRouting` is defined once for every arch (`kvm_irq_routing_wrapper!`), and so are its tests.
test_support::kvm_irq_routing_tests!();
