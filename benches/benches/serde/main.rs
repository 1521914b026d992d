//! The serde benchmark: kvm-bindings against kvm-bindings 0.14.2, memcpy and the format's floor, in one run.
//!
//! `cargo bench -p kvm-bindings-benches --bench serde` (add `-- --quick` for a smoke run, `-- --only kvm_xsave` for the types whose name contains `kvm_xsave`); `scripts/bench-summary`
//! wraps it. Prints markdown: the decode and encode ratio tables, the memcpy baselines and the goals.

#[cfg(target_arch = "x86_64")]
mod x86_64;

use kvm_bindings_benches::report;
use kvm_bindings_benches::timing::Settings;

fn main() {
    // `cargo bench` passes `--bench`, which is ignored like any other argument but `--quick` and `--only NAME`.
    let arguments: Vec<String> = std::env::args().collect();
    let quick = arguments.iter().any(|argument| argument == "--quick");
    let only = arguments
        .iter()
        .position(|argument| argument == "--only")
        .map(|index| arguments.get(index + 1).expect("--only takes a type name").as_str());
    let settings = if quick { Settings::QUICK } else { Settings::FULL };
    run(settings, quick, only);
}

#[cfg(target_arch = "x86_64")]
fn run(settings: Settings, quick: bool, only: Option<&str>) {
    let types = x86_64::measure_all(settings, only);
    println!(
        "{} rounds of {:?} per candidate, interleaved; medians{}.\n",
        settings.rounds,
        settings.sample,
        if quick { " (--quick: rough numbers)" } else { "" }
    );
    println!(
        "Ratios below 1: ours is faster. floor: the format reading the same input and keeping nothing. memcpy: the \
         value's bytes copied between page-aligned buffers. control: ours ÷ ours, the same decode timed as a second \
         candidate (this run's resolution). Encoding into a buffer is bincode's `encode_into_slice` and serde_json's \
         `to_writer` into a reused `Vec`; bitcode's serde path has neither.\n"
    );
    println!("### Decode\n\n{}", report::decode_table(&types));
    println!("### Encode\n\n{}", report::encode_table(&types));
    println!(
        "### memcpy baselines (page-aligned source and destination)\n\n{}",
        report::memcpy_table(&types)
    );
    let (low, high) = report::control_range(&types);
    let caveat = if quick {
        " (--quick: too few rounds for the verdicts to mean anything)"
    } else {
        ""
    };
    println!("### Goals{caveat}\n\n{}", report::goals_list(&report::goals(&types)));
    println!(
        "Control (ours ÷ ours, the same decode compiled and timed as two candidates): {low:.2}–{high:.2}; \
         \"not slower\" allows {:.0}%.",
        report::TOLERANCE * 100.0
    );
}

#[cfg(not(target_arch = "x86_64"))]
fn run(_settings: Settings, _quick: bool, _only: Option<&str>) {
    // kvm-bindings 0.14.2 only compiles its host's bindings, and the benchmark's types are x86_64's.
    println!("The serde benchmark runs on x86_64 hosts only.");
}
