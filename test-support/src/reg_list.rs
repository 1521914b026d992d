//! The tests of `RegList`, the wrapper `kvm_bindings_common::kvm_reg_list_wrapper!` defines in the arch crates that
//! have `KVM_GET_REG_LIST`: written once, expanded in each arch crate's FAM wrapper tests with its own maximum.

/// Expands to a `kvm_reg_list` test module for a `RegList` holding at most `$max` registers. The invoking module
/// must have the arch crate's `kvm_reg_list` and `RegList` in scope (its `super::*`), and `std`.
// `crate::byte_order` on purpose: the snapshot byte order of the arch crate whose unit tests invoke it.
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! kvm_reg_list_tests {
    ($max:expr) => {
        mod kvm_reg_list_tests {
            use std::vec::Vec;

            use vmm_sys_util::fam::{Error, FamStruct};
            use $crate::__rand::Rng;
            use $crate::random::{random_list, test_rng};

            use super::*;

            const MAX: usize = $max;

            fn random_u64(rng: &mut impl Rng) -> u64 {
                rng.random()
            }

            #[test]
            fn from_entries_holds_them() {
                let rng = &mut test_rng();
                let ids = random_list(rng, random_u64);
                let list = RegList::from_entries(&ids).unwrap();
                assert_eq!(list.as_fam_struct_ref().n as usize, ids.len());
                assert_eq!(list.as_slice(), &ids[..]);
            }

            #[test]
            fn pushing_beyond_the_maximum_is_an_error() {
                let rng = &mut test_rng();
                assert_eq!(kvm_reg_list::max_len(), MAX);
                let mut list = RegList::new(MAX - 1).unwrap();
                list.push(rng.random()).unwrap();
                assert_eq!(list.push(rng.random()), Err(Error::SizeLimitExceeded));
                assert_eq!(list.as_slice().len(), MAX);
                assert!(matches!(RegList::new(MAX + 1), Err(Error::SizeLimitExceeded)));
                assert!(matches!(
                    RegList::from_entries(&(0..=MAX).map(|_| random_u64(rng)).collect::<Vec<_>>()),
                    Err(Error::SizeLimitExceeded)
                ));
            }

            #[test]
            fn equality_compares_header_and_entries() {
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
                use $crate::fam::{check_length_lies, check_round_trip};

                use super::*;

                #[test]
                fn round_trips_with_random_headers_and_entries() {
                    let rng = &mut test_rng();
                    check_round_trip(
                        crate::byte_order::SNAPSHOT_BYTE_ORDER,
                        &RegList::from_entries(&random_list(rng, random_u64)).unwrap(),
                    );
                    check_round_trip(crate::byte_order::SNAPSHOT_BYTE_ORDER, &RegList::new(0).unwrap());
                }

                #[test]
                fn a_length_field_that_lies_is_an_error() {
                    let rng = &mut test_rng();
                    let ids = random_list(rng, random_u64);
                    check_length_lies::<kvm_reg_list>(
                        crate::byte_order::SNAPSHOT_BYTE_ORDER,
                        &ids,
                        MAX,
                        |header, length| header.n = length.into(),
                    );
                }
            }
        }
    };
}
