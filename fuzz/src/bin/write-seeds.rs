//! Writes the seed corpus of every fuzz target: `write-seeds <dir>` fills `<dir>/<target>/` with valid encodings of
//! random values of every case (drawn as the test suite draws them, from a fixed seed so that runs are repeatable),
//! each checked against its target's property first.

use rand::SeedableRng;
use rand::rngs::StdRng;

/// Random values per case and target: two give the fuzzer different lengths (FAM entries) to splice.
const PER_CASE: usize = 2;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args_os().nth(1).expect("usage: write-seeds <corpus dir>"));
    let mut rng = StdRng::seed_from_u64(13);
    for (target, cases, format) in kvm_bindings_fuzz::targets() {
        let target_dir = dir.join(&target);
        std::fs::create_dir_all(&target_dir).unwrap();
        let seeds = kvm_bindings_fuzz::seeds(cases, format, &mut rng, PER_CASE);
        for (name, input) in &seeds {
            let (case, rest) = kvm_bindings_fuzz::select(cases, input).unwrap();
            // A seed that fails its own property would be reported as the fuzzer's first finding, and one that does
            // not decode would not reach the property at all.
            assert!((case.check)(format, rest), "{target}: seed {name} does not decode");
            std::fs::write(target_dir.join(name), input).unwrap();
        }
        println!("{target}: {} seeds ({} cases)", seeds.len(), cases.len());
    }
}
