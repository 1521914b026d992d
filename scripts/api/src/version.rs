//! Whether a crate's version agrees with cargo-semver-checks' verdict on its API, by Cargo's rules: a version is
//! compatible with an older one when their leftmost non-zero component is the same (`^0.14.2` takes 0.14.9, not
//! 0.15.0), so a semver-major change needs the version that component names to move, and nothing else may move it.

use std::cmp::Ordering;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
}

impl Version {
    /// Reads `x.y.z` (a pre-release or build suffix is refused: no crate of ours has one).
    pub fn parse(text: &str) -> Result<Version, String> {
        let parts: Vec<&str> = text.trim().split('.').collect();
        let number = |s: &str| s.parse::<u64>().map_err(|_| format!("`{text}` is not a version x.y.z"));
        match parts.as_slice() {
            [a, b, c] => Ok(Version {
                major: number(a)?,
                minor: number(b)?,
                patch: number(c)?,
            }),
            _ => Err(format!("`{text}` is not a version x.y.z")),
        }
    }

    /// Whether `^self` in a Cargo.toml accepts `newer`.
    fn accepts(self, newer: Version) -> bool {
        match (self.major, self.minor) {
            (0, 0) => newer == self,
            (0, minor) => newer.major == 0 && newer.minor == minor,
            (major, _) => newer.major == major,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// What the version is compared with: a published release, or the API recorded for a first release not yet
/// published (a git revision; the version then stays the first release's until it is published).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Baseline {
    Release,
    Recorded,
}

/// The verdict line when the version agrees with `majors` semver-major findings against `base`, else the reason it
/// does not.
pub fn judge(krate: &str, base: Version, current: Version, majors: usize, kind: Baseline) -> Result<String, String> {
    let against = match kind {
        Baseline::Release => format!("{krate} {current} against its release {base}"),
        Baseline::Recorded => format!("{krate} {current} against the API recorded for its first release {base}"),
    };
    if current.cmp(&base) == Ordering::Less {
        return Err(format!("{against}: the version goes backwards"));
    }
    match (majors, base.accepts(current)) {
        (0, true) => Ok(format!(
            "{against}: nothing semver-major, and `^{base}` accepts {current}: agree"
        )),
        (n, false) if n > 0 => Ok(format!(
            "{against}: {n} semver-major findings, and {current} is a major bump: agree"
        )),
        (0, false) => Err(format!(
            "{against}: nothing is semver-major, but {current} is a major bump (`^{base}` users would not get it): \
             use a version `^{base}` accepts"
        )),
        (n, _) if kind == Baseline::Recorded => Err(format!(
            "{against}: {n} semver-major findings since the recorded API: the first release's API broke before \
             its publication; say so by moving the recorded revision (its file says how) or bump the version"
        )),
        (n, _) => Err(format!(
            "{against}: {n} semver-major findings, but `^{base}` accepts {current}: a major bump is required"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn versions_must_match_the_verdict() {
        let judge = |cur, majors, kind| judge("c", v("0.14.2"), v(cur), majors, kind);
        assert!(judge("0.15.0", 3, Baseline::Release).is_ok());
        assert!(judge("0.14.3", 0, Baseline::Release).is_ok());
        assert!(
            judge("0.14.3", 3, Baseline::Release)
                .unwrap_err()
                .contains("a major bump is required")
        );
        assert!(
            judge("0.15.0", 0, Baseline::Release)
                .unwrap_err()
                .contains("nothing is semver-major")
        );
        assert!(judge("0.14.1", 0, Baseline::Release).unwrap_err().contains("backwards"));
        assert!(
            judge("0.14.2", 1, Baseline::Recorded)
                .unwrap_err()
                .contains("broke before its publication")
        );
        assert!(judge("1.0.0", 1, Baseline::Release).is_ok());
        assert!(Version::parse("0.15").is_err() && Version::parse("0.15.0-rc.1").is_err());
    }
}
