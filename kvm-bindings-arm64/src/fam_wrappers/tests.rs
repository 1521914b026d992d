//! Unit tests of the arm64 FAM wrappers: building from entries, the maximum, equality and, with `serde`, encoding
//! and the rejection of a length field that lies.
extern crate std;

use std::vec::Vec;

use rand::Rng;
use test_support::random::test_rng;
use vmm_sys_util::fam::Error;

use super::*;

fn random_u64(rng: &mut impl Rng) -> u64 {
    rng.random()
}

fn random_irq_route(rng: &mut impl Rng) -> kvm_irq_routing_entry {
    let mut route = kvm_irq_routing_entry {
        gsi: rng.random(),
        type_: rng.random(),
        flags: rng.random(),
        pad: rng.random(),
        ..Default::default()
    };
    // The largest field: writing it initializes every byte of the union.
    route.u.pad = rng.random();
    route
}

/// Between 2 and 32 random entries: well below every maximum, and enough to drop one.
fn random_list<R: Rng, E>(rng: &mut R, mut entry: impl FnMut(&mut R) -> E) -> Vec<E> {
    let count = rng.random_range(2..=32);
    (0..count).map(|_| entry(rng)).collect()
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
fn irq_routing_from_entries_holds_them() {
    let rng = &mut test_rng();
    let routes = random_list(rng, random_irq_route);
    let routing = KvmIrqRouting::from_entries(&routes).unwrap();
    assert_eq!(routing.as_fam_struct_ref().nr as usize, routes.len());
    assert_eq!(routing.as_slice().len(), routes.len());
    for (held, route) in routing.as_slice().iter().zip(&routes) {
        assert_eq!(
            (held.gsi, held.type_, held.flags, held.pad),
            (route.gsi, route.type_, route.flags, route.pad)
        );
        // SAFETY: `random_irq_route` wrote `pad`, the largest field, so every byte of both unions is initialized.
        assert_eq!(unsafe { held.u.pad }, unsafe { route.u.pad });
    }
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

    assert_eq!(kvm_irq_routing::max_len(), 4096);
    let mut routing = KvmIrqRouting::new(4095).unwrap();
    routing.push(random_irq_route(rng)).unwrap();
    assert_eq!(routing.push(random_irq_route(rng)), Err(Error::SizeLimitExceeded));
    assert_eq!(routing.as_slice().len(), 4096);
    assert!(matches!(KvmIrqRouting::new(4097), Err(Error::SizeLimitExceeded)));
    assert!(matches!(
        KvmIrqRouting::from_entries(&std::vec![random_irq_route(rng); 4097]),
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

#[test]
fn irq_routing_header_equality_compares_nr_and_flags() {
    let rng = &mut test_rng();
    let routing = KvmIrqRouting::from_entries(&random_list(rng, random_irq_route)).unwrap();
    let mut other = routing.clone();
    assert!(routing.as_fam_struct_ref() == other.as_fam_struct_ref());
    // SAFETY: `flags` is not the length field.
    unsafe { other.as_mut_fam_struct().flags ^= 1 };
    assert!(routing.as_fam_struct_ref() != other.as_fam_struct_ref());
    other.push(random_irq_route(rng)).unwrap();
    // SAFETY: as above.
    unsafe { other.as_mut_fam_struct().flags ^= 1 };
    assert!(routing.as_fam_struct_ref() != other.as_fam_struct_ref());
}

#[cfg(feature = "serde")]
mod with_serde {
    use test_support::fam::{check_length_lies, check_round_trip};

    use super::*;

    #[test]
    fn wrappers_round_trip_with_random_headers_and_entries() {
        let rng = &mut test_rng();
        check_round_trip(&RegList::from_entries(&random_list(rng, random_u64)).unwrap());
        let mut routing = KvmIrqRouting::from_entries(&random_list(rng, random_irq_route)).unwrap();
        // SAFETY: `flags` is not the length field.
        unsafe { routing.as_mut_fam_struct().flags = rng.random() };
        check_round_trip(&routing);
        check_round_trip(&RegList::new(0).unwrap());
    }

    #[test]
    fn a_length_field_that_lies_is_an_error() {
        let rng = &mut test_rng();
        let ids = random_list(rng, random_u64);
        check_length_lies::<kvm_reg_list>(&ids, 500, |header, length| header.n = length.into());
        let routes = random_list(rng, random_irq_route);
        check_length_lies::<kvm_irq_routing>(&routes, 4096, |header, length| header.nr = length);
    }
}
