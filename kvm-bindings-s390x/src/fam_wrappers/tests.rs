//! Unit tests of the s390x FAM wrappers: building from entries, the maximum, equality and, with `serde`, encoding
//! and the rejection of a length field that lies. Both wrappers are defined once for every arch, and so are their
//! tests.

extern crate std;

use super::*;

test_support::kvm_reg_list_tests!(500);
test_support::kvm_irq_routing_tests!();
