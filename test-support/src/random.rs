//! Values with every byte random.
//!
//! Each test draws from its own generator, seeded from the environment variable [`SEED_VARIABLE`] when it is set
//! (to repeat a failure) and from the OS otherwise. The seed goes to stderr, which the test harness shows when the
//! test fails.

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use zerocopy::{FromBytes, IntoBytes};

/// Set it to a seed a failing test printed to draw the same values again.
pub const SEED_VARIABLE: &str = "KVM_BINDINGS_TEST_SEED";

/// A random generator for one test, its seed printed to stderr.
pub fn test_rng() -> StdRng {
    let seed = match std::env::var(SEED_VARIABLE) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{SEED_VARIABLE}={text} is not a u64")),
        Err(_) => rand::rng().random(),
    };
    eprintln!("random seed: {seed} (set {SEED_VARIABLE}={seed} to repeat)");
    StdRng::seed_from_u64(seed)
}

/// A `T` with every byte random, padding and reserved fields included.
pub fn random_value<T: FromBytes + IntoBytes>(rng: &mut impl RngCore) -> T {
    let mut value = T::new_zeroed();
    rng.fill_bytes(value.as_mut_bytes());
    value
}

/// `length` random bytes.
pub fn random_bytes(rng: &mut impl RngCore, length: usize) -> Vec<u8> {
    let mut bytes = vec![0; length];
    rng.fill_bytes(&mut bytes);
    bytes
}

/// Between 2 and 32 entries drawn by `entry`: well below every FAM wrapper's maximum, and enough to drop one.
pub fn random_list<R: Rng, E>(rng: &mut R, mut entry: impl FnMut(&mut R) -> E) -> Vec<E> {
    let count = rng.random_range(2..=32);
    (0..count).map(|_| entry(rng)).collect()
}
