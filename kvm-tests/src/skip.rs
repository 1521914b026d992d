//! Skipping, visibly: where `/dev/kvm` or a capability is missing, a test prints why and returns early.
//!
//! A missing `/dev/kvm` is a failure instead when `KVM_BINDINGS_REQUIRE_KVM=1`: CI sets it, so that a machine whose
//! KVM broke cannot pass by skipping everything.

use std::io::Write;
use std::path::Path;

use crate::tiny_vmm::kvm::{KVM_PATH, Kvm};

/// The environment variable that turns a missing `/dev/kvm` into a failure.
pub const REQUIRE_KVM_VAR: &str = "KVM_BINDINGS_REQUIRE_KVM";

/// Prints a line to stderr even while the test harness captures output: it captures `eprintln!` and shows it for
/// failing tests only, while a skip must show in every run.
fn print_uncaptured(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// `/dev/kvm`, or `None` after printing why `test` skips. Panics if `KVM_BINDINGS_REQUIRE_KVM=1`.
pub fn kvm_or_skip(test: &str) -> Option<Kvm> {
    let required = std::env::var(REQUIRE_KVM_VAR).is_ok_and(|value| value == "1");
    open_or_skip(Path::new(KVM_PATH), required, test)
}

/// `kvm_or_skip` for the device at `path`, with the environment variable's verdict passed in.
fn open_or_skip(path: &Path, required: bool, test: &str) -> Option<Kvm> {
    match Kvm::open_path(path) {
        Ok(kvm) => Some(kvm),
        Err(e) if required => panic!(
            "{test}: cannot open {} ({e}), and {REQUIRE_KVM_VAR}=1 requires it",
            path.display()
        ),
        Err(e) => {
            let path = path.display();
            print_uncaptured(&format!(
                "SKIP {test}: cannot open {path} ({e}); {REQUIRE_KVM_VAR}=1 would fail instead"
            ));
            None
        }
    }
}

/// `KVM_CHECK_EXTENSION(cap)` if it is non-zero; otherwise prints why `check` skips and returns `None`.
pub fn cap_or_skip(kvm: &Kvm, cap: u32, cap_name: &str, check: &str) -> Option<i32> {
    match kvm.check_extension(cap).unwrap() {
        0 => {
            print_uncaptured(&format!("SKIP {check}: {cap_name} is 0"));
            None
        }
        value => Some(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MISSING: &str = "/nonexistent/kvm";

    #[test]
    fn a_missing_device_skips() {
        assert!(open_or_skip(Path::new(MISSING), false, "(self-test of the skip path)").is_none());
    }

    #[test]
    #[should_panic(
        expected = "cannot open /nonexistent/kvm (No such file or directory (os error 2)), and \
                               KVM_BINDINGS_REQUIRE_KVM=1 requires it"
    )]
    fn a_missing_device_fails_when_required() {
        open_or_skip(Path::new(MISSING), true, "a_missing_device_fails_when_required");
    }
}
