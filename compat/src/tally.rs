//! What the comparison checked, and what did not match.

use rand::rngs::StdRng;

/// The random source of a comparison run, counts of comparisons by kind in the order first seen, and a description
/// of each mismatch.
pub struct Tally {
    /// Draws the random values; its seed is printed when the tally is made.
    pub rng: StdRng,
    /// Names of the types compared.
    pub types: Vec<String>,
    /// What the report must say besides the counts: the types compared as grown since 0.14.2, with their sizes.
    pub notes: Vec<String>,
    counts: Vec<(String, usize)>,
    mismatches: Vec<String>,
}

impl Tally {
    /// An empty tally, with a generator from [`test_support::random::test_rng`].
    pub fn new() -> Self {
        Tally {
            rng: test_support::random::test_rng(),
            types: Vec::new(),
            notes: Vec::new(),
            counts: Vec::new(),
            mismatches: Vec::new(),
        }
    }

    /// Records one comparison of `kind`; `matched` false records a mismatch described by `describe`.
    pub fn record(&mut self, kind: &str, matched: bool, describe: impl FnOnce() -> String) {
        match self.counts.iter_mut().find(|(known, _)| known == kind) {
            Some((_, count)) => *count += 1,
            None => self.counts.push((kind.to_string(), 1)),
        }
        if !matched {
            self.mismatches.push(describe());
        }
    }

    /// Records a mismatch that stopped the comparison of a type before it started (differing sizes).
    pub fn fail(&mut self, description: String) {
        self.mismatches.push(description);
    }

    /// Every comparison made.
    pub fn comparisons(&self) -> usize {
        self.counts.iter().map(|(_, count)| count).sum()
    }

    /// The mismatches found.
    pub fn mismatches(&self) -> &[String] {
        &self.mismatches
    }

    /// The comparisons by kind, one line each.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.counts.iter().map(|(kind, count)| format!("  {count:6}  {kind}"))
    }
}

impl Default for Tally {
    fn default() -> Self {
        Self::new()
    }
}
