//! The tests of `KvmIrqRouting`, the wrapper `kvm_bindings_common::kvm_irq_routing_wrapper!` defines in every arch
//! crate: written once, expanded in each arch crate's FAM wrapper tests against its own bindings.

/// Expands to a `kvm_irq_routing` test module. The invoking module must have the arch crate's
/// `kvm_irq_routing`, `kvm_irq_routing_entry` and `KvmIrqRouting` in scope (its `super::*`).
// `crate::byte_order` on purpose: the snapshot byte order of the arch crate whose unit tests invoke it.
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! kvm_irq_routing_tests {
    () => {
        mod kvm_irq_routing_tests {
            use vmm_sys_util::fam::{Error, FamStruct};
            use $crate::__rand::Rng;
            use $crate::random::{random_list, test_rng};

            use super::*;

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

            #[test]
            fn from_entries_holds_them() {
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
                    // SAFETY: `random_irq_route` wrote `pad`, the largest field, so every byte of both unions is
                    // initialized.
                    assert_eq!(unsafe { held.u.pad }, unsafe { route.u.pad });
                }
            }

            #[test]
            fn pushing_beyond_the_maximum_is_an_error() {
                let rng = &mut test_rng();
                assert_eq!(kvm_irq_routing::max_len(), 4096);
                assert_eq!(KVM_MAX_IRQ_ROUTES, 4096);
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
            fn header_equality_compares_nr_and_flags() {
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
            #[test]
            fn round_trips_with_random_header_and_entries() {
                let rng = &mut test_rng();
                let mut routing = KvmIrqRouting::from_entries(&random_list(rng, random_irq_route)).unwrap();
                // SAFETY: `flags` is not the length field.
                unsafe { routing.as_mut_fam_struct().flags = rng.random() };
                $crate::fam::check_round_trip(crate::byte_order::SNAPSHOT_BYTE_ORDER, &routing);
            }

            #[cfg(feature = "serde")]
            #[test]
            fn a_length_field_that_lies_is_an_error() {
                let rng = &mut test_rng();
                let routes = random_list(rng, random_irq_route);
                $crate::fam::check_length_lies::<kvm_irq_routing>(
                    crate::byte_order::SNAPSHOT_BYTE_ORDER,
                    &routes, 4096, |header, length| header.nr = length);
            }
        }
    };
}
