use std::collections::BTreeSet;

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::*;

#[test]
fn every_seed_selects_its_case_and_round_trips() {
    let mut rng = StdRng::seed_from_u64(1);
    for (target, cases, format) in targets() {
        for (name, input) in seeds(cases, format, &mut rng, 1) {
            let (case, rest) = select(cases, &input).unwrap();
            assert!(
                name.starts_with(&case.name.replace("::", "-")),
                "{target}: {name} selects {}",
                case.name
            );
            // A successful decode is what makes the seed useful: the property is checked past the decode.
            assert!((case.check)(format, rest), "{target}: {name} does not decode");
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
