use std::collections::BTreeSet;

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::*;

#[test]
fn every_seed_selects_its_case_and_passes_the_property() {
    let mut rng = StdRng::seed_from_u64(1);
    for (target, cases, format) in targets() {
        for (name, input) in seeds::seeds(cases, format, &mut rng, 1) {
            let (case, rest) = select(cases, &input).unwrap();
            assert!(
                name.starts_with(&case.name.replace("::", "-")),
                "{target}: {name} selects {}",
                case.name
            );
            // A successful decode is what makes the seed useful: the property is checked past the decode. (A type
            // that cannot convert to this host's byte order is rightly rejected.)
            assert_eq!((case.check)(format, rest), Ok((case.converts)()), "{target}: {name}");
        }
    }
}

#[test]
fn every_arch_crate_is_fuzzed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let crates: BTreeSet<String> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(|entry| {
            let path = entry.unwrap().path();
            let arch = path.file_name()?.to_str()?.strip_prefix("kvm-bindings-")?.to_string();
            path.join("src/bindings.rs").exists().then_some(arch)
        })
        .collect();
    let arches = |cases: &[Case]| -> BTreeSet<String> {
        cases
            .iter()
            .map(|case| case.name.split("::").next().unwrap().to_string())
            .collect()
    };
    assert_eq!(arches(SERDE_CASES), crates);
    assert_eq!(arches(FAM_CASES), crates);
    // The list: every FAM wrapper and the nested state buffer.
    let names: Vec<&str> = SERDE_CASES.iter().chain(FAM_CASES).map(|case| case.name).collect();
    for expected in [
        "x86_64::CpuId",
        "x86_64::Msrs",
        "x86_64::MsrList",
        "x86_64::KvmIrqRouting",
        "x86_64::Xsave",
        "x86_64::KvmNestedStateBuffer",
        "arm64::RegList",
        "arm64::KvmIrqRouting",
        "riscv64::RegList",
        "riscv64::KvmIrqRouting",
    ] {
        assert!(names.contains(&expected), "{expected} is not fuzzed");
    }
}

/// The negative test of the property: in every target and case, a decoder that rotates the decoded bytes by one
/// fails it (the self-test scripts/fuzz runs in each fuzz binary before fuzzing).
#[test]
fn a_decoder_that_shifts_a_byte_fails_the_property() {
    for (target, cases, format) in targets() {
        let failures = self_test::run(cases, format).unwrap_or_else(|error| panic!("{target}: {error}"));
        assert_eq!(failures.len(), cases.len(), "{target}");
        println!("{target}: {}", failures[0]);
    }
}

/// The payload is read by the format, not by the decoder: short input is zero-padded, long input truncated, and a
/// JSON string (not a byte array) is rejected by both.
#[test]
fn the_payload_is_the_formats_byte_string() {
    use kvm_bindings_x86_64::kvm_xcr;
    assert_eq!(
        check_value::<kvm_xcr>(
            kvm_bindings_x86_64::byte_order::SNAPSHOT_BYTE_ORDER,
            Format::Json,
            b"[1,2,3]"
        ),
        Ok(true)
    );
    let long: Vec<String> = (0..20).map(|byte| byte.to_string()).collect();
    let long = format!("[{}]", long.join(","));
    assert_eq!(
        check_value::<kvm_xcr>(
            kvm_bindings_x86_64::byte_order::SNAPSHOT_BYTE_ORDER,
            Format::Json,
            long.as_bytes()
        ),
        Ok(true)
    );
    assert_eq!(
        check_value::<kvm_xcr>(
            kvm_bindings_x86_64::byte_order::SNAPSHOT_BYTE_ORDER,
            Format::Json,
            b"\"xcr0\""
        ),
        Ok(false)
    );
    assert_eq!(
        check_value::<kvm_xcr>(
            kvm_bindings_x86_64::byte_order::SNAPSHOT_BYTE_ORDER,
            Format::Json,
            b"[256]"
        ),
        Ok(false)
    );
    // A decoder that zero-pads where it should have copied fails.
    let zeroed = property::value_property(
        kvm_bindings_x86_64::byte_order::SNAPSHOT_BYTE_ORDER,
        Format::Json,
        b"[1,2,3]",
        Ok(kvm_xcr::default()),
    );
    let message = zeroed.unwrap_err();
    assert!(
        message.contains("byte 0 of the decoded value is 0x00, the payload's 0x01"),
        "{message}"
    );
    // So does one that accepts what the format does not read as a byte string.
    let accepted = property::value_property(
        kvm_bindings_x86_64::byte_order::SNAPSHOT_BYTE_ORDER,
        Format::Json,
        b"\"xcr0\"",
        Ok(kvm_xcr::default()),
    );
    assert!(accepted.unwrap_err().contains("not a byte string"));
}

/// A header whose count is not the number of entries is rejected, and a decoder that accepted it fails the
/// property.
#[test]
fn a_lying_header_must_be_rejected() {
    use kvm_bindings_x86_64::{MsrList, kvm_msr_list};
    let header = kvm_msr_list {
        nmsrs: 3,
        ..Default::default()
    };
    for format in Format::ALL {
        let input = format.encode(&(&header, vec![7u32, 8]));
        assert_eq!(
            check_wrapper::<kvm_msr_list>(kvm_bindings_x86_64::byte_order::SNAPSHOT_BYTE_ORDER, format, &input),
            Ok(false),
            "{}",
            format.name()
        );
        let wrapper = MsrList::from_entries(&[7, 8]).unwrap();
        let message = property::wrapper_property(
            kvm_bindings_x86_64::byte_order::SNAPSHOT_BYTE_ORDER,
            format,
            &input,
            Ok(wrapper),
        )
        .unwrap_err();
        assert!(message.contains("claiming 3 entries, with 2 entries"), "{message}");
    }
}

/// The example VMM's files become seeds of the target whose case they name; a file naming no case, or a directory
/// with no state for a target, is an error rather than a silently smaller corpus.
#[test]
fn kvm_state_files_map_to_their_cases() {
    let dir = std::env::temp_dir().join(format!("kvm-bindings-fuzz-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let regs = kvm_bindings_x86_64::kvm_regs {
        rip: 0x1000,
        ..Default::default()
    };
    std::fs::write(dir.join("kvm_regs-paused.bincode"), Format::Bincode.encode(&regs)).unwrap();
    let found = seeds::kvm_state_seeds(SERDE_CASES, Format::Json, &dir).unwrap();
    assert_eq!(found.len(), 1);
    let (name, input) = &found[0];
    assert_eq!(name, "kvm-kvm_regs-paused");
    let (case, rest) = select(SERDE_CASES, input).unwrap();
    assert_eq!(case.name, "x86_64::kvm_regs");
    assert_eq!((case.check)(Format::Json, rest), Ok(true));
    // No wrapper among the files: the FAM targets would start without state.
    let none = seeds::kvm_state_seeds(FAM_CASES, Format::Json, &dir).unwrap_err();
    assert!(none.contains("no state of any of this target's cases"), "{none}");
    std::fs::write(dir.join("kvm_renamed-paused.bincode"), [0]).unwrap();
    let unknown = seeds::kvm_state_seeds(SERDE_CASES, Format::Json, &dir).unwrap_err();
    assert!(
        unknown.contains("no fuzz case is named x86_64::kvm_renamed"),
        "{unknown}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
