//! Our serde encodings against kvm-bindings 0.14.2's, for every type both serialize (see the crate documentation).
//!
//! 0.14.2 compiles only its host's bindings, so this compares the arch crate that matches the host: x86_64 here,
//! arm64 on aarch64, riscv64 on riscv64 (`scripts/test-cross` runs those two under qemu-user). It prints what it
//! compared and ends with "N passed, M failed"; any mismatch makes it fail.

#[cfg(target_arch = "aarch64")]
mod arm64;
#[cfg(target_arch = "aarch64")]
use arm64 as host;
#[cfg(target_arch = "riscv64")]
mod riscv64;
#[cfg(target_arch = "riscv64")]
use riscv64 as host;
#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
use x86_64 as host;

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "riscv64"))]
fn main() {
    use kvm_bindings_compat::{Format, Tally};
    use test_support::serde_list::serde_list_names;

    let mut tally = Tally::new();
    host::compare(&mut tally);

    // Every type both crates serialize, and no other, must have been compared.
    let ours = serde_list_names(host::OUR_SERDE_LIST);
    let mut shared: Vec<&str> = host::V014_SERDE_LIST
        .iter()
        .copied()
        .filter(|name| ours.iter().any(|our| our == name))
        .collect();
    shared.sort_unstable();
    let mut compared: Vec<&str> = tally
        .types
        .iter()
        .map(|path| path.rsplit("::").next().unwrap_or(path).trim())
        .collect();
    compared.sort_unstable();
    let covered = compared == shared;

    let formats: Vec<&str> = Format::ALL.iter().map(|format| format.name()).collect();
    println!(
        "kvm-bindings 0.14.2 wire compatibility, {}: {} types x {} formats ({}) x 2 directions",
        host::ARCH,
        tally.types.len(),
        formats.len(),
        formats.join(", ")
    );
    tally.lines().for_each(|line| println!("{line}"));
    tally.notes.iter().for_each(|note| println!("{note}"));
    if !covered {
        println!(
            "the types compared are not those both crates serialize:\n  compared {compared:?}\n  shared   {shared:?}"
        );
    }
    for mismatch in tally.mismatches() {
        println!("MISMATCH {mismatch}");
    }
    println!("{} mismatches", tally.mismatches().len());
    let failed = tally.mismatches().len() + usize::from(!covered);
    println!(
        "{} passed, {failed} failed",
        tally.comparisons() - tally.mismatches().len()
    );
    if failed > 0 {
        std::process::exit(1);
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "riscv64")))]
fn main() {
    println!(
        "kvm-bindings 0.14.2 wire compatibility: nothing to compare on this host (only x86_64, aarch64 and riscv64)"
    );
}
