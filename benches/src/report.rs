//! The results of one run: the ratio tables (markdown) and the goals.

use std::fmt::Write;

/// Ratios within this much of 1 count as "not slower": on this shared 2-CPU machine, two measurements of identical
/// code (the control column) land up to about 10% apart. Where ours and 0.14.2 run the same code (every encode:
/// both write `serialize_bytes(as_bytes())`), a stricter bound would report noise.
pub const TOLERANCE: f64 = 0.10;

/// Flat-struct decode must be at least this many times faster than 0.14.2's (geometric mean).
pub const FLAT_SPEEDUP_GOAL: f64 = 2.0;

/// Flat-struct decode must take at most this many times (format floor + one memcpy), for every type and format.
pub const FLAT_OVERHEAD_GOAL: f64 = 1.5;

/// Whether a type is a plain struct or a FAM wrapper (header and entries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A struct of fixed size, serialized as one byte string.
    Flat,
    /// vmm-sys-util's `FamStructWrapper`: the header's bytes, then a sequence of entries.
    Fam,
}

/// One operation timed for ours and for 0.14.2, in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair {
    /// kvm-bindings (this workspace).
    pub ours: f64,
    /// kvm-bindings 0.14.2.
    pub v014: f64,
}

impl Pair {
    /// ours ÷ 0.14.2: below 1 is faster.
    pub fn ratio(&self) -> f64 {
        self.ours / self.v014
    }
}

/// A type's times in one format, in nanoseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct FormatTimes {
    /// The format's name.
    pub format: &'static str,
    /// Decoding.
    pub decode: Pair,
    /// The format's floor on the same input (see [`crate::floor`]).
    pub floor: f64,
    /// Ours decoding again, as a separate candidate: ours ÷ control shows the harness's noise.
    pub control: f64,
    /// Encoding into a preallocated buffer, if the format can.
    pub encode_into: Option<Pair>,
    /// Encoding into a new `Vec`.
    pub encode_vec: Pair,
}

/// All the times of one type.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeTimes {
    /// The type's name in the tables.
    pub name: String,
    /// Flat struct or FAM wrapper.
    pub kind: Kind,
    /// The bytes the value occupies in memory (header and entries for a FAM wrapper): what the memcpy copies.
    pub bytes: usize,
    /// A memcpy of `bytes` between page-aligned buffers.
    pub memcpy: f64,
    /// One entry per format.
    pub formats: Vec<FormatTimes>,
}

/// The decode table: per type and format, ours against 0.14.2, memcpy and the format's floor.
pub fn decode_table(types: &[TypeTimes]) -> String {
    let mut out = String::new();
    out.push_str("| type | bytes | format | ours | ours ÷ 0.14.2 | ours ÷ memcpy | floor ÷ memcpy | ours ÷ (floor + memcpy) | control |\n");
    out.push_str("|---|--:|---|--:|--:|--:|--:|--:|--:|\n");
    for ty in types {
        for f in &ty.formats {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                ty.name,
                ty.bytes,
                f.format,
                duration(f.decode.ours),
                ratio(f.decode.ratio()),
                ratio(f.decode.ours / ty.memcpy),
                ratio(f.floor / ty.memcpy),
                ratio(f.decode.ours / (f.floor + ty.memcpy)),
                ratio(f.decode.ours / f.control),
            );
        }
    }
    out
}

/// The encode table: per type and format, ours against 0.14.2 and memcpy, into a buffer and into a new `Vec`.
pub fn encode_table(types: &[TypeTimes]) -> String {
    let mut out = String::new();
    out.push_str("| type | format | into buffer: ours | ÷ 0.14.2 | ÷ memcpy | to Vec: ours | ÷ 0.14.2 | ÷ memcpy |\n");
    out.push_str("|---|---|--:|--:|--:|--:|--:|--:|\n");
    for ty in types {
        for f in &ty.formats {
            let into = match f.encode_into {
                Some(pair) => format!(
                    "{} | {} | {}",
                    duration(pair.ours),
                    ratio(pair.ratio()),
                    ratio(pair.ours / ty.memcpy)
                ),
                None => "n/a | n/a | n/a".to_string(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                ty.name,
                f.format,
                into,
                duration(f.encode_vec.ours),
                ratio(f.encode_vec.ratio()),
                ratio(f.encode_vec.ours / ty.memcpy),
            );
        }
    }
    out
}

/// The memcpy baseline of each type.
pub fn memcpy_table(types: &[TypeTimes]) -> String {
    let mut out = String::from("| type | bytes | memcpy |\n|---|--:|--:|\n");
    for ty in types {
        let _ = writeln!(out, "| {} | {} | {} |", ty.name, ty.bytes, duration(ty.memcpy));
    }
    out
}

/// A goal and how this run did against it.
#[derive(Clone, Debug, PartialEq)]
pub struct Goal {
    /// What the goal asks.
    pub text: String,
    /// Whether this run met it.
    pub met: bool,
    /// The measured value, and by how much it misses.
    pub detail: String,
}

/// Evaluates the goals on one run's times.
pub fn goals(types: &[TypeTimes]) -> Vec<Goal> {
    let flat: Vec<(&TypeTimes, &FormatTimes)> = rows(types, Kind::Flat).collect();
    let fam: Vec<(&TypeTimes, &FormatTimes)> = rows(types, Kind::Fam).collect();
    let not_slower = 1.0 + TOLERANCE;
    let mut goals = Vec::new();

    if !flat.is_empty() {
        let speedups: Vec<f64> = flat.iter().map(|(_, f)| 1.0 / f.decode.ratio()).collect();
        let speedup = geometric_mean(&speedups);
        let mut detail = format!("{speedup:.2}× (geometric mean of {} type × format rows", speedups.len());
        for format in formats(types) {
            let of_format: Vec<f64> = flat
                .iter()
                .filter(|(_, f)| f.format == format)
                .map(|(_, f)| 1.0 / f.decode.ratio())
                .collect();
            let _ = write!(detail, "; {format} {:.2}×", geometric_mean(&of_format));
        }
        detail.push(')');
        let met = speedup >= FLAT_SPEEDUP_GOAL;
        if !met {
            let _ = write!(
                detail,
                "; misses by {:.2}×: ours would need to be {:.0}% faster",
                FLAT_SPEEDUP_GOAL - speedup,
                (1.0 - speedup / FLAT_SPEEDUP_GOAL) * 100.0,
            );
        }
        // The best any decoder could do is the format's floor plus one copy into the value.
        let ceiling = |format: Option<&str>| {
            let of_format: Vec<f64> = flat
                .iter()
                .filter(|(_, f)| format.is_none_or(|format| f.format == format))
                .map(|(ty, f)| f.decode.v014 / (f.floor + ty.memcpy))
                .collect();
            geometric_mean(&of_format)
        };
        let _ = write!(
            detail,
            ". A decoder costing only floor + one memcpy would be {:.2}× faster than 0.14.2 (",
            ceiling(None)
        );
        let per_format: Vec<String> = formats(types)
            .into_iter()
            .map(|format| format!("{format} {:.2}×", ceiling(Some(format))))
            .collect();
        let _ = write!(detail, "{})", per_format.join("; "));
        goals.push(Goal {
            text: format!("flat-struct decode ≥ {FLAT_SPEEDUP_GOAL}× faster than 0.14.2 (geometric mean)"),
            met,
            detail,
        });

        goals.push(worst_of(
            format!("flat-struct decode ≤ {FLAT_OVERHEAD_GOAL}× (floor + one memcpy), every type and format"),
            &flat,
            FLAT_OVERHEAD_GOAL,
            |ty, f| vec![f.decode.ours / (f.floor + ty.memcpy)],
        ));
    }
    if !fam.is_empty() {
        goals.push(worst_of(
            format!("FAM wrapper decode never slower than 0.14.2 (ours ÷ 0.14.2 ≤ {not_slower:.2})"),
            &fam,
            not_slower,
            |_, f| vec![f.decode.ratio()],
        ));
    }
    let all: Vec<(&TypeTimes, &FormatTimes)> = rows(types, Kind::Flat).chain(rows(types, Kind::Fam)).collect();
    goals.push(worst_of(
        format!("every encode never slower than 0.14.2 (ours ÷ 0.14.2 ≤ {not_slower:.2})"),
        &all,
        not_slower,
        |_, f| f.encode_into.iter().chain([&f.encode_vec]).map(Pair::ratio).collect(),
    ));
    goals
}

/// A goal that every row's values stay at or under `limit`: met or not, the worst row, and every row that misses.
fn worst_of(
    text: String,
    rows: &[(&TypeTimes, &FormatTimes)],
    limit: f64,
    values: impl Fn(&TypeTimes, &FormatTimes) -> Vec<f64>,
) -> Goal {
    let mut worst: Option<(f64, String)> = None;
    let mut misses = Vec::new();
    for (ty, f) in rows {
        for value in values(ty, f) {
            let row = format!("{} {}", ty.name, f.format);
            if value > limit {
                misses.push(format!("{row} {value:.2} (+{:.1}%)", (value / limit - 1.0) * 100.0));
            }
            if worst.as_ref().is_none_or(|(worst, _)| value > *worst) {
                worst = Some((value, row));
            }
        }
    }
    let (value, row) = worst.unwrap_or((0.0, "no rows".to_string()));
    let mut detail = format!("worst {value:.2} ({row})");
    if !misses.is_empty() {
        let _ = write!(detail, "; missed by: {}", misses.join(", "));
    }
    Goal {
        text,
        met: misses.is_empty(),
        detail,
    }
}

/// The goals as a markdown list.
pub fn goals_list(goals: &[Goal]) -> String {
    let mut out = String::new();
    for goal in goals {
        let verdict = if goal.met { "met" } else { "MISSED" };
        let _ = writeln!(out, "- **{verdict}**: {} — {}", goal.text, goal.detail);
    }
    out
}

/// The A/A control's range over the whole run: ours ÷ ours, the same code timed as two candidates.
pub fn control_range(types: &[TypeTimes]) -> (f64, f64) {
    types
        .iter()
        .flat_map(|ty| &ty.formats)
        .map(|f| f.decode.ours / f.control)
        .fold((f64::INFINITY, 0.0), |(low, high), value| {
            (low.min(value), high.max(value))
        })
}

fn rows(types: &[TypeTimes], kind: Kind) -> impl Iterator<Item = (&TypeTimes, &FormatTimes)> {
    types
        .iter()
        .filter(move |ty| ty.kind == kind)
        .flat_map(|ty| ty.formats.iter().map(move |f| (ty, f)))
}

fn formats(types: &[TypeTimes]) -> Vec<&'static str> {
    let mut names = Vec::new();
    for f in types.iter().flat_map(|ty| &ty.formats) {
        if !names.contains(&f.format) {
            names.push(f.format);
        }
    }
    names
}

/// The geometric mean: the mean of ratios that neither favours large nor small ones.
pub fn geometric_mean(values: &[f64]) -> f64 {
    let logs: f64 = values.iter().map(|value| value.ln()).sum();
    (logs / values.len() as f64).exp()
}

/// A ratio with three significant digits at most: `0.52`, `37.1`, `412`.
pub fn ratio(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.2}")
    } else if value < 100.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    }
}

/// A time in ns or µs.
pub fn duration(nanoseconds: f64) -> String {
    if nanoseconds < 1000.0 {
        format!("{nanoseconds:.0} ns")
    } else {
        format!("{:.1} µs", nanoseconds / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(name: &str, decode: Pair, floor: f64, memcpy: f64, encode: Pair) -> TypeTimes {
        TypeTimes {
            name: name.to_string(),
            kind: Kind::Flat,
            bytes: 144,
            memcpy,
            formats: vec![FormatTimes {
                format: "bincode",
                decode,
                floor,
                control: decode.ours,
                encode_into: Some(encode),
                encode_vec: encode,
            }],
        }
    }

    #[test]
    fn geometric_mean_of_known_values() {
        assert!((geometric_mean(&[1.0, 4.0]) - 2.0).abs() < 1e-12);
        assert!((geometric_mean(&[2.0, 8.0, 4.0]) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn ratios_and_durations_print_three_digits() {
        assert_eq!(ratio(0.5234), "0.52");
        assert_eq!(ratio(37.14), "37.1");
        assert_eq!(ratio(412.4), "412");
        assert_eq!(duration(41.4), "41 ns");
        assert_eq!(duration(12_345.0), "12.3 µs");
    }

    #[test]
    fn goals_met_when_twice_as_fast_and_near_the_floor() {
        let same = Pair { ours: 10.0, v014: 10.0 };
        // 4× and 1× faster: geometric mean 2×. ours ÷ (floor + memcpy) = 10 ÷ 8 and 10 ÷ 10.
        let types = [
            flat("a", Pair { ours: 10.0, v014: 40.0 }, 6.0, 2.0, same),
            flat("b", Pair { ours: 10.0, v014: 10.0 }, 5.0, 5.0, same),
        ];
        let goals = goals(&types);
        assert_eq!(goals.len(), 3, "no FAM rows: no FAM goal");
        assert!(goals.iter().all(|goal| goal.met), "{goals:?}");
        assert!(goals[0].detail.starts_with("2.00× "), "{}", goals[0].detail);
        assert_eq!(goals[1].detail, "worst 1.25 (a bincode)");
    }

    #[test]
    fn goals_missed_say_by_how_much() {
        let slower = Pair { ours: 12.0, v014: 10.0 };
        // 1.25× faster; 2× (floor + memcpy); encode 20% slower, over the 10% tolerance.
        let types = [flat("a", Pair { ours: 8.0, v014: 10.0 }, 2.0, 2.0, slower)];
        let goals = goals(&types);
        assert!(goals.iter().all(|goal| !goal.met), "{goals:?}");
        assert!(goals[0].detail.contains("misses by 0.75×"), "{}", goals[0].detail);
        assert!(
            goals[1].detail.contains("a bincode 2.00 (+33.3%)"),
            "{}",
            goals[1].detail
        );
        assert!(
            goals[2].detail.contains("a bincode 1.20 (+9.1%)"),
            "{}",
            goals[2].detail
        );
        // 0.14.2 ÷ (floor + memcpy) = 10 ÷ 4.
        assert!(
            goals[0]
                .detail
                .ends_with("would be 2.50× faster than 0.14.2 (bincode 2.50×)"),
            "{}",
            goals[0].detail
        );
        let list = goals_list(&goals);
        assert_eq!(list.matches("**MISSED**").count(), 3, "{list}");
    }

    #[test]
    fn tables_have_one_row_per_type_and_format() {
        let pair = Pair { ours: 30.0, v014: 60.0 };
        let types = [flat("kvm_regs", pair, 10.0, 5.0, pair)];
        let decode = decode_table(&types);
        assert!(
            decode.contains("| kvm_regs | 144 | bincode | 30 ns | 0.50 | 6.00 | 2.00 | 2.00 | 1.00 |"),
            "{decode}"
        );
        let encode = encode_table(&types);
        assert!(
            encode.contains("| kvm_regs | bincode | 30 ns | 0.50 | 6.00 | 30 ns | 0.50 | 6.00 |"),
            "{encode}"
        );
    }
}
