//! The x86_64 types measured: the vCPU state a snapshot holds.

use kvm_bindings as ours;
use kvm_bindings_benches::aligned::PageAligned;
use kvm_bindings_benches::floor;
use kvm_bindings_benches::report::{Kind, TypeTimes};
use kvm_bindings_benches::subject::{PLACEMENTS, Subject, measure_subject};
use kvm_bindings_benches::timing::Settings;
use kvm_bindings_v014 as v014;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde::Serialize;
use serde::de::DeserializeOwned;
use test_support::random::random_value;
use vmm_sys_util::fam::{FamStruct, FamStructWrapper};
use zerocopy::{FromBytes, Immutable, IntoBytes};

/// A fixed seed: every run measures the same values.
const SEED: u64 = 0x6b76_6d5f_6265_6e63;

/// MSRs in a `Msrs`: the wrapper's maximum, about what a VMM saves per vCPU.
const MSRS: usize = 256;

/// CPUID leaves in a `CpuId`: about what `KVM_GET_SUPPORTED_CPUID` returns on a current CPU.
const CPUID_ENTRIES: usize = 80;

/// `u32`s past the 4 KiB region in an `Xsave`: an 11008-byte XSAVE area (`KVM_CAP_XSAVE2` with AMX tile data).
const XSAVE_EXTRA: usize = (11008 - 4096) / 4;

/// Measures one type, named in the tables by its second argument, on values drawn from the generator.
type Measure = fn(Settings, &str, &mut StdRng) -> TypeTimes;

/// The types, in the order of the tables, with the function that measures each.
const TYPES: [(&str, Measure); 8] = [
    ("kvm_regs", flat::<ours::kvm_regs, v014::kvm_regs>),
    ("kvm_sregs", flat::<ours::kvm_sregs, v014::kvm_sregs>),
    ("kvm_xsave", flat::<ours::kvm_xsave, v014::kvm_xsave>),
    ("kvm_lapic_state", flat::<ours::kvm_lapic_state, v014::kvm_lapic_state>),
    ("kvm_vcpu_events", flat::<ours::kvm_vcpu_events, v014::kvm_vcpu_events>),
    ("Msrs (256)", msrs),
    ("CpuId (80)", cpuid),
    ("Xsave (11 KiB)", xsave),
];

/// Measures every type whose name contains `filter` (all of them without one). Each type draws its values from its
/// own generator, so a filtered run measures the same values as a full one.
pub fn measure_all(settings: Settings, filter: Option<&str>) -> Vec<TypeTimes> {
    TYPES
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| filter.is_none_or(|filter| name.contains(filter)))
        .map(|(index, (name, measure))| measure(settings, name, &mut StdRng::seed_from_u64(SEED + index as u64)))
        .collect()
}

/// A flat struct with every byte random; 0.14.2's value has the same bytes.
fn flat<O, V>(settings: Settings, name: &str, rng: &mut StdRng) -> TypeTimes
where
    O: FromBytes + IntoBytes + Immutable + Serialize + DeserializeOwned,
    V: FromBytes + Serialize + DeserializeOwned,
{
    // Every copy starts on a page, so encoding ours or 0.14.2's copies from the same offset within a page.
    let value = random_value::<O>(rng);
    let ours: Vec<Box<PageAligned<O>>> = (0..PLACEMENTS)
        .map(|_| Box::new(PageAligned(same_bytes(&value))))
        .collect();
    let v014: Vec<Box<PageAligned<V>>> = (0..PLACEMENTS)
        .map(|_| Box::new(PageAligned(same_bytes(&value))))
        .collect();
    let subject = Subject {
        name,
        kind: Kind::Flat,
        ours: ours.iter().map(|copy| &copy.0).collect(),
        v014: v014.iter().map(|copy| &copy.0).collect(),
        memory: value.as_bytes(),
    };
    measure_subject::<_, _, floor::Bytes>(settings, &subject)
}

/// `Msrs` with [`MSRS`] random entries.
fn msrs(settings: Settings, name: &str, rng: &mut StdRng) -> TypeTimes {
    let entries: Vec<ours::kvm_msr_entry> = (0..MSRS).map(|_| random_value(rng)).collect();
    let ours = || ours::Msrs::from_entries(&entries).expect("Msrs");
    let v014 = || v014::Msrs::from_entries(&same_entries(&entries)).expect("0.14.2 Msrs");
    fam::<_, _, (floor::Bytes, floor::Seq<floor::Bytes>)>(settings, name, ours, v014)
}

/// `CpuId` with [`CPUID_ENTRIES`] random entries.
fn cpuid(settings: Settings, name: &str, rng: &mut StdRng) -> TypeTimes {
    let entries: Vec<ours::kvm_cpuid_entry2> = (0..CPUID_ENTRIES).map(|_| random_value(rng)).collect();
    let ours = || ours::CpuId::from_entries(&entries).expect("CpuId");
    let v014 = || v014::CpuId::from_entries(&same_entries(&entries)).expect("0.14.2 CpuId");
    fam::<_, _, (floor::Bytes, floor::Seq<floor::Bytes>)>(settings, name, ours, v014)
}

/// `Xsave` of an AMX-sized area: a random 4 KiB region and [`XSAVE_EXTRA`] random `u32`s past it.
fn xsave(settings: Settings, name: &str, rng: &mut StdRng) -> TypeTimes {
    let extra: Vec<u32> = (0..XSAVE_EXTRA).map(|_| rng.next_u32()).collect();
    let region: [u32; 1024] = random_value(rng);
    let ours = || {
        let mut xsave = ours::Xsave::from_entries(&extra).expect("Xsave");
        // SAFETY: only the region changes; the length, which the wrapper's allocation depends on, stays as it was.
        unsafe { xsave.as_mut_fam_struct().xsave.region = region };
        xsave
    };
    let v014 = || {
        let mut xsave = v014::Xsave::from_entries(&extra).expect("0.14.2 Xsave");
        // SAFETY: as above.
        unsafe { xsave.as_mut_fam_struct().xsave.region = region };
        xsave
    };
    fam::<_, _, (floor::Bytes, floor::Seq<u32>)>(settings, name, ours, v014)
}

/// A FAM wrapper, built [`PLACEMENTS`] times by `ours` and `v014`. Its memcpy baseline copies the header and the
/// entries.
fn fam<O, V, Floor>(
    settings: Settings,
    name: &str,
    ours: impl Fn() -> FamStructWrapper<O>,
    v014: impl Fn() -> FamStructWrapper<V>,
) -> TypeTimes
where
    O: FamStruct + Default + IntoBytes + Immutable,
    O::Entry: IntoBytes + Immutable,
    V: FamStruct + Default,
    FamStructWrapper<O>: Serialize + DeserializeOwned,
    FamStructWrapper<V>: Serialize + DeserializeOwned,
    Floor: DeserializeOwned,
{
    let ours: Vec<FamStructWrapper<O>> = (0..PLACEMENTS).map(|_| ours()).collect();
    let v014: Vec<FamStructWrapper<V>> = (0..PLACEMENTS).map(|_| v014()).collect();
    let mut memory = ours[0].as_fam_struct_ref().as_bytes().to_vec();
    memory.extend_from_slice(ours[0].as_slice().as_bytes());
    let subject = Subject {
        name,
        kind: Kind::Fam,
        ours: ours.iter().collect(),
        v014: v014.iter().collect(),
        memory: &memory,
    };
    measure_subject::<_, _, Floor>(settings, &subject)
}

/// 0.14.2's value with the bytes of ours.
fn same_bytes<O: IntoBytes + Immutable, V: FromBytes>(ours: &O) -> V {
    V::read_from_bytes(ours.as_bytes()).expect("ours and 0.14.2's types have the same size")
}

/// 0.14.2's entries with the bytes of ours.
fn same_entries<O: IntoBytes + Immutable, V: FromBytes>(entries: &[O]) -> Vec<V> {
    entries.iter().map(same_bytes).collect()
}
