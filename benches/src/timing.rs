//! Timing: every candidate sampled in interleaved rounds, the median of each.
//!
//! A shared 2-core machine's speed drifts over seconds (other jobs, frequency changes), so candidates are never timed
//! one after the other: each round samples every candidate once, and a candidate's time is the median of its rounds.
//! A ratio between two candidates then compares samples taken under the same conditions. The order is shuffled
//! every round: what ran just before (its allocations, what it left in the caches) changes a candidate's time by up
//! to 20%, so no candidate may always follow the same one.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// How long to measure.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// The wall time of one sample: the iteration count is calibrated to it.
    pub sample: Duration,
    /// Samples per candidate (odd, so the median is one of them).
    pub rounds: usize,
}

impl Settings {
    /// The full benchmark: about 15 s for every type and format. Short samples are rarely interrupted by another
    /// process, so on a busy machine the median still comes from undisturbed ones.
    pub const FULL: Settings = Settings {
        sample: Duration::from_micros(250),
        rounds: 101,
    };
    /// A smoke run (CI): every candidate runs and is checked, the numbers are rough.
    pub const QUICK: Settings = Settings {
        sample: Duration::from_micros(100),
        rounds: 3,
    };
}

/// A candidate: runs its operation a given number of times and returns the elapsed time.
pub type Timer<'a> = Box<dyn FnMut(u64) -> Duration + 'a>;

/// Wraps `operation` in a timed loop over one of `states` (its input and output buffers), the next one each sample.
///
/// Where the buffers sit in memory can change a copy's speed several times over (see [`crate::aligned`]), and in a
/// process that allocates them once, by chance. With a few separately allocated states, one per sample in turn, a
/// candidate's median is its time at a typical placement, not at one drawn once.
///
/// The loop is monomorphic (one dynamic call per sample, not per iteration), and `black_box` on the result keeps the
/// compiler from skipping the work. The result is dropped inside the loop: a decoded FAM wrapper's deallocation
/// counts, as it would in a VMM.
pub fn timer<'a, S: 'a, R>(mut states: Vec<S>, mut operation: impl FnMut(&mut S) -> R + 'a) -> Timer<'a> {
    assert!(!states.is_empty(), "a timer needs a state");
    let mut samples = 0;
    Box::new(move |iterations| {
        let count = states.len();
        let state = &mut states[samples % count];
        samples += 1;
        let start = Instant::now();
        for _ in 0..iterations {
            // By reference: passing a 4 KiB value to `black_box` by value could add a copy that is not the
            // operation's.
            black_box(&operation(state));
        }
        start.elapsed()
    })
}

/// Samples every timer `settings.rounds` times, interleaved, and returns each one's median time per operation, in
/// nanoseconds.
pub fn measure(settings: Settings, timers: &mut [Timer<'_>]) -> Vec<f64> {
    let iterations: Vec<u64> = timers
        .iter_mut()
        .map(|timer| calibrate(timer, settings.sample))
        .collect();
    let mut samples = vec![Vec::with_capacity(settings.rounds); timers.len()];
    let mut order: Vec<usize> = (0..timers.len()).collect();
    let mut random = Xorshift(0x9e37_79b9_7f4a_7c15);
    for _ in 0..settings.rounds {
        random.shuffle(&mut order);
        for &index in &order {
            let elapsed = timers[index](iterations[index]);
            samples[index].push(elapsed.as_nanos() as f64 / iterations[index] as f64);
        }
    }
    samples.into_iter().map(median).collect()
}

/// A fixed-seed xorshift generator: the rounds' orders, the same in every run.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Fisher–Yates.
    fn shuffle(&mut self, items: &mut [usize]) {
        for last in (1..items.len()).rev() {
            let pick = (self.next() % (last as u64 + 1)) as usize;
            items.swap(last, pick);
        }
    }
}

/// The iteration count that makes one sample last about `sample` (at least one). Doubling from one also warms the
/// caches and the allocator up.
fn calibrate(timer: &mut Timer<'_>, sample: Duration) -> u64 {
    let mut iterations = 1u64;
    loop {
        let elapsed = timer(iterations);
        if elapsed >= sample / 8 || iterations >= 1 << 40 {
            let per_iteration = elapsed.as_secs_f64() / iterations as f64;
            return ((sample.as_secs_f64() / per_iteration) as u64).max(1);
        }
        iterations *= 2;
    }
}

/// The median: the middle value, or the mean of the two middle ones.
pub fn median(mut values: Vec<f64>) -> f64 {
    assert!(!values.is_empty(), "median of no samples");
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn shuffles_are_permutations_in_varying_orders() {
        let mut random = Xorshift(1);
        let mut orders = Vec::new();
        for _ in 0..4 {
            let mut order: Vec<usize> = (0..6).collect();
            random.shuffle(&mut order);
            let mut sorted = order.clone();
            sorted.sort();
            assert_eq!(sorted, [0, 1, 2, 3, 4, 5]);
            orders.push(order);
        }
        orders.dedup();
        assert_eq!(orders.len(), 4, "four rounds, four different orders: {orders:?}");
    }

    #[test]
    fn timers_cycle_through_their_states() {
        let mut seen = Vec::new();
        let mut timer = timer(vec![10, 20, 30], |state: &mut i32| seen.push(*state));
        for iterations in [1, 2, 1, 1] {
            timer(iterations);
        }
        drop(timer);
        assert_eq!(seen, [10, 20, 20, 30, 10]);
    }

    #[test]
    fn median_is_the_middle() {
        assert_eq!(median(vec![5.0, 1.0, 3.0]), 3.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(vec![7.0]), 7.0);
    }

    #[test]
    fn every_timer_runs_every_round_with_its_calibrated_count() {
        // Two timers that count their iterations: after calibration, each round adds the same count to each.
        let calls = [Cell::new(0u64), Cell::new(0u64)];
        let mut timers: Vec<Timer> = calls
            .iter()
            .map(|count| {
                Box::new(move |iterations| {
                    count.set(count.get() + iterations);
                    // A fixed 1 µs per iteration, whatever the machine: calibration must aim at 10 iterations.
                    Duration::from_micros(iterations)
                }) as Timer
            })
            .collect();
        let settings = Settings {
            sample: Duration::from_micros(10),
            rounds: 5,
        };
        let times = measure(settings, &mut timers);
        assert_eq!(times, [1000.0, 1000.0]);
        // Calibration ran 1 + 2 (the second reaches 10 µs / 8), then 5 rounds of 10.
        assert_eq!(calls[0].get(), 1 + 2 + 5 * 10);
        assert_eq!(calls[1].get(), calls[0].get());
    }
}
