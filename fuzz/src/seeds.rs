//! The seed corpora: valid encodings the fuzzer starts from, each prefixed with its case's selector byte.
//!
//! - Random values of every case, drawn as the test suite draws them, from a fixed seed so that runs repeat.
//! - Real state from `/dev/kvm`: the files the `snapshot_guest` example writes with `--export-seeds DIR` (one
//!   bincode file per piece of vCPU and VM state it snapshots, named `<type>-<label>.bincode`), re-encoded in the
//!   target's format.

use std::path::Path;

use rand::RngCore;
use serde::Serialize;
use serde::de::DeserializeOwned;
use test_support::random::{random_list, random_value};
use test_support::{Format, RawBytes};
use vmm_sys_util::fam::{FamStruct, FamStructWrapper};
use zerocopy::{FromBytes, Immutable, IntoBytes};

use crate::{Case, FAM_CASES, SERDE_CASES};

/// Names the directory of the example VMM's exported state (scripts/fuzz sets it): see [`kvm_state_seeds`].
pub const KVM_STATE_VARIABLE: &str = "KVM_BINDINGS_FUZZ_KVM_STATE";

/// The arch crate whose types the example VMM's state is made of (it runs an x86_64 guest).
const KVM_STATE_ARCH: &str = "x86_64";

/// The random seed corpus of one target: for every case, the selector byte and the encodings of `per_case` random
/// values.
pub fn seeds(cases: &'static [Case], format: Format, rng: &mut dyn RngCore, per_case: usize) -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        for number in 0..per_case {
            let mut input = vec![selector(index)];
            input.extend((case.seed)(rng, format));
            seeds.push((format!("{}-{number}", case.name.replace("::", "-")), input));
        }
    }
    seeds
}

/// The seeds of one target from the state the example VMM exported to `dir`: every file whose type is one of
/// `cases`, re-encoded in `format`, named `kvm-<file stem>`. A file naming no case of any target is an error (a
/// type renamed on one side only), and so is a directory with no seed for these cases at all.
pub fn kvm_state_seeds(cases: &'static [Case], format: Format, dir: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let listing = std::fs::read_dir(dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    let mut paths: Vec<_> = listing
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .map_err(|error| format!("{}: {error}", dir.display()))?;
    paths.sort();
    let mut seeds = Vec::new();
    for path in paths {
        let file = path.display();
        let stem = path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_suffix(".bincode"))
            .ok_or_else(|| format!("{file}: not a <type>-<label>.bincode file"))?;
        let type_name = stem.split('-').next().unwrap_or(stem);
        let case_name = format!("{KVM_STATE_ARCH}::{type_name}");
        let Some(index) = cases.iter().position(|case| case.name == case_name) else {
            if SERDE_CASES.iter().chain(FAM_CASES).any(|case| case.name == case_name) {
                continue; // Another target's case.
            }
            return Err(format!("{file}: no fuzz case is named {case_name}"));
        };
        let bincode = std::fs::read(&path).map_err(|error| format!("{file}: {error}"))?;
        let encoded = (cases[index].transcode)(&bincode, format).map_err(|error| format!("{file}: {error}"))?;
        let mut input = vec![selector(index)];
        input.extend(encoded);
        seeds.push((format!("kvm-{stem}"), input));
    }
    if seeds.is_empty() {
        return Err(format!("{}: no state of any of this target's cases", dir.display()));
    }
    Ok(seeds)
}

/// The selector byte of the case at `index`.
fn selector(index: usize) -> u8 {
    u8::try_from(index).expect("at most 256 cases per target: the selector is one byte")
}

/// A value the example VMM exported (bincode, standard configuration), encoded in `format`.
pub fn transcode<T: Serialize + DeserializeOwned>(bincode: &[u8], format: Format) -> Result<Vec<u8>, String> {
    let value: T = Format::Bincode.decode(bincode)?;
    Ok(format.encode(&value))
}

/// A random value of a serde-list type, every byte random (as the serde tests draw them), encoded.
pub fn seed_value<T: Serialize + FromBytes + IntoBytes + Immutable>(
    mut rng: &mut dyn RngCore,
    format: Format,
) -> Vec<u8> {
    // The byte string of the value's bytes: what the type's own encoder writes on a host of its arch's order, and
    // an input also for a type that cannot convert on this one.
    format.encode_bytes(random_value::<T>(&mut rng).as_bytes())
}

/// A wrapper with 2 to 32 random entries (as the FAM tests draw them), encoded.
pub fn seed_wrapper<W: RandomWrapper + Serialize>(rng: &mut dyn RngCore, format: Format) -> Vec<u8> {
    let wrapper = W::random(rng);
    // A wrapper whose entries cannot convert on this host (another arch's byte order) encodes as its raw bytes.
    format
        .try_encode(&wrapper)
        .unwrap_or_else(|_| wrapper.raw_encoding(format))
}

/// A FAM wrapper that can be filled with random entries.
pub trait RandomWrapper {
    /// A wrapper with 2 to 32 entries, every byte of them random.
    fn random(rng: &mut dyn RngCore) -> Self;
    /// The (header, entries) pair of its bytes as byte strings, as a host of its arch's byte order writes it.
    fn raw_encoding(&self, format: Format) -> Vec<u8>;
}

impl<T> RandomWrapper for FamStructWrapper<T>
where
    T: Default + FamStruct + IntoBytes + Immutable,
    T::Entry: FromBytes + IntoBytes + Immutable,
{
    fn random(mut rng: &mut dyn RngCore) -> Self {
        let entries = random_list(&mut rng, random_value::<T::Entry>);
        FamStructWrapper::from_entries(&entries).expect("32 entries fit every wrapper")
    }

    fn raw_encoding(&self, format: Format) -> Vec<u8> {
        let entries: Vec<RawBytes> = self.as_slice().iter().map(|entry| RawBytes(entry.as_bytes())).collect();
        format.encode(&(RawBytes(self.as_fam_struct_ref().as_bytes()), entries))
    }
}
