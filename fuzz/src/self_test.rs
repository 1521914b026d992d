//! The property's negative test: a decoder that shifts a byte must fail it, for every case of a target.
//!
//! It runs in the fuzz binaries themselves (scripts/fuzz starts each with [`SELF_TEST_VARIABLE`] set before
//! fuzzing, which takes a second and no extra build) and in the crate's unit tests.

use rand::SeedableRng;
use rand::rngs::StdRng;
use test_support::Format;

use crate::Case;

/// Set, it makes a fuzz binary run [`run`] at start-up, print the result and exit instead of fuzzing.
pub const SELF_TEST_VARIABLE: &str = "KVM_BINDINGS_FUZZ_SELF_TEST";

/// For every case: the real decoder passes the property on a random seed, and a decoder that rotates the decoded
/// bytes by one fails it. The failures, one line per case; an error if any case's shifted decoder passes.
pub fn run(cases: &'static [Case], format: Format) -> Result<Vec<String>, String> {
    let mut rng = StdRng::seed_from_u64(7);
    let mut failures = Vec::new();
    for case in cases {
        let input = (case.seed)(&mut rng, format);
        match ((case.check)(format, &input), (case.converts)()) {
            (Ok(true), true) | (Ok(false), false) => {}
            (Ok(false), true) => return Err(format!("{}: its seed does not decode", case.name)),
            (Ok(true), false) => {
                return Err(format!("{}: decodes on a host of the other byte order", case.name));
            }
            (Err(message), _) => {
                return Err(format!("{}: the real decoder fails the property: {message}", case.name));
            }
        }
        match (case.check_shifted)(format, &input) {
            Err(message) => failures.push(format!("{}: {message}", case.name)),
            Ok(_) => {
                return Err(format!(
                    "{}: a decoder that shifts a byte passes the property",
                    case.name
                ));
            }
        }
    }
    if failures.is_empty() {
        return Err("no case to test".to_string());
    }
    Ok(failures)
}
