//! Measured differences against the CHANGELOG's bullets: each difference needs the one bullet that states it
//! exactly, and each bullet the one difference it states.

use crate::changelog::Bullet;
use crate::diff::Difference;

/// The outcome for one comparison.
#[derive(Debug, Default)]
pub struct Verdict<'a> {
    /// Differences with the bullet that states them.
    pub excused: Vec<(&'a Difference, &'a Bullet)>,
    /// Differences no bullet states.
    pub unexcused: Vec<&'a Difference>,
    /// Bullets whose path and kind match a difference whose values are not the bullet's.
    pub wrong: Vec<(&'a Bullet, Vec<&'a Difference>)>,
    /// Bullets that state no measured difference at all.
    pub stale: Vec<&'a Bullet>,
    /// Bullets stating a difference another bullet already states.
    pub duplicate: Vec<&'a Bullet>,
}

impl Verdict<'_> {
    pub fn ok(&self) -> bool {
        self.unexcused.is_empty() && self.wrong.is_empty() && self.stale.is_empty() && self.duplicate.is_empty()
    }
}

/// Whether a bullet states a difference exactly: one of its paths, its kind, its old and new value.
fn states(bullet: &Bullet, d: &Difference) -> bool {
    names(bullet, d) && bullet.old == d.old && bullet.new == d.new
}

fn names(bullet: &Bullet, d: &Difference) -> bool {
    bullet.kind == d.kind && (bullet.path == d.path || d.also.contains(&bullet.path))
}

/// Pairs differences with bullets.
pub fn judge<'a>(differences: &'a [Difference], bullets: &'a [Bullet]) -> Verdict<'a> {
    let mut v = Verdict::default();
    let mut used = vec![false; differences.len()];
    for bullet in bullets {
        match differences.iter().position(|d| states(bullet, d)) {
            Some(i) if used[i] => v.duplicate.push(bullet),
            Some(i) => {
                used[i] = true;
                v.excused.push((&differences[i], bullet));
            }
            None => {
                let near: Vec<&Difference> = differences.iter().filter(|d| names(bullet, d)).collect();
                if near.is_empty() {
                    v.stale.push(bullet)
                } else {
                    v.wrong.push((bullet, near))
                }
            }
        }
    }
    v.unexcused = differences
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(d, _)| d)
        .collect();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Change;

    fn diff(path: &str, kind: Change, old: Option<&str>, new: Option<&str>) -> Difference {
        let also = vec![format!("bindings::{path}")];
        Difference {
            path: path.into(),
            also,
            kind,
            old: old.map(Into::into),
            new: new.map(Into::into),
        }
    }

    fn bullet(path: &str, kind: Change, old: Option<&str>, new: Option<&str>) -> Bullet {
        let (old, new) = (old.map(Into::into), new.map(Into::into));
        Bullet {
            line: 1,
            path: path.into(),
            kind,
            old,
            new,
            text: String::new(),
        }
    }

    #[test]
    fn a_bullet_excuses_only_its_own_values() {
        let d = [
            diff("A", Change::Value, Some("15u32"), Some("17u32")),
            diff("A", Change::Type, Some("u32"), Some("u64")),
        ];
        let exact = [bullet("bindings::A", Change::Value, Some("15u32"), Some("17u32"))];
        let v = judge(&d, &exact);
        assert_eq!(
            (v.excused.len(), v.unexcused.len()),
            (1, 1),
            "the type change stays unexcused"
        );
        let wide = [bullet("A", Change::Value, Some("15u32"), Some("18u32"))];
        let v = judge(&d, &wide);
        assert_eq!((v.wrong.len(), v.unexcused.len()), (1, 2));
        let stale = [bullet("B", Change::Value, Some("1"), Some("2"))];
        assert_eq!(judge(&d, &stale).stale.len(), 1);
        let twice = [exact[0].clone(), exact[0].clone()];
        assert_eq!(judge(&d, &twice).duplicate.len(), 1);
    }
}
