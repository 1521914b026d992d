//! Every candidate for one type — ours and 0.14.2 in each format, the floor, memcpy — checked, then measured
//! together.

use std::hint::black_box;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::aligned::AlignedBuf;
use crate::formats::{Bincode, Bitcode, Format, Json, Scratch};
use crate::report::{FormatTimes, Kind, Pair, TypeTimes};
use crate::timing::{Settings, Timer, measure, timer};

/// How many separately allocated copies of its buffers and values each candidate cycles through (see [`timer`]).
pub const PLACEMENTS: usize = 5;

/// One type to measure: the same value as ours and as 0.14.2's, and its bytes in memory.
pub struct Subject<'a, O, V> {
    /// The name in the tables.
    pub name: &'a str,
    /// Flat struct or FAM wrapper.
    pub kind: Kind,
    /// Our value: [`PLACEMENTS`] copies, each allocated on its own.
    pub ours: Vec<&'a O>,
    /// 0.14.2's value, with the same bytes: [`PLACEMENTS`] copies.
    pub v014: Vec<&'a V>,
    /// The value's bytes in memory (header and entries for a FAM wrapper): the memcpy baseline copies as many.
    pub memory: &'a [u8],
}

/// The timers of one format, in this order.
const DECODE_OURS: usize = 0;
const DECODE_V014: usize = 1;
const DECODE_FLOOR: usize = 2;
const DECODE_CONTROL: usize = 3;
const ENCODE_VEC_OURS: usize = 4;
const ENCODE_VEC_V014: usize = 5;
const ENCODE_INTO_OURS: usize = 6;
const ENCODE_INTO_V014: usize = 7;

/// What one format's timers read and write, [`PLACEMENTS`] of each: the encoded input (ours, 0.14.2 and the floor
/// decode the same copies), and a destination for each encoder.
struct Buffers {
    inputs: Vec<AlignedBuf>,
    ours: Vec<Scratch>,
    v014: Vec<Scratch>,
}

/// Checks every candidate on `subject`, then measures them all in one interleaved run. `Floor` is the format's floor
/// for this type (see [`crate::floor`]).
///
/// Panics if ours and 0.14.2 encode differently, or if a decoder does not give back the value it was given: the
/// comparison would be meaningless.
pub fn measure_subject<O, V, Floor>(settings: Settings, subject: &Subject<O, V>) -> TypeTimes
where
    O: Serialize + DeserializeOwned,
    V: Serialize + DeserializeOwned,
    Floor: DeserializeOwned,
{
    let mut buffers = [
        prepare::<Bincode, O, V, Floor>(subject),
        prepare::<Json, O, V, Floor>(subject),
        prepare::<Bitcode, O, V, Floor>(subject),
    ];
    let [bincode, json, bitcode] = &mut buffers;
    let mut timers = Vec::new();
    let starts = [
        push_timers::<Bincode, O, V, Floor>(&mut timers, subject, bincode),
        push_timers::<Json, O, V, Floor>(&mut timers, subject, json),
        push_timers::<Bitcode, O, V, Floor>(&mut timers, subject, bitcode),
    ];
    let copies = (0..PLACEMENTS)
        .map(|_| {
            (
                AlignedBuf::from_bytes(subject.memory),
                AlignedBuf::zeroed(subject.memory.len()),
            )
        })
        .collect();
    let memcpy = timers.len();
    timers.push(timer(copies, |(source, destination)| {
        black_box(destination.as_mut_slice()).copy_from_slice(black_box(source.as_slice()));
    }));

    let times = measure(settings, &mut timers);
    let names = [Bincode::NAME, Json::NAME, Bitcode::NAME];
    let encodes_into = [Bincode::ENCODES_INTO, Json::ENCODES_INTO, Bitcode::ENCODES_INTO];
    let formats = (0..3)
        .map(|index| {
            let at = |offset: usize| times[starts[index] + offset];
            let pair = |ours: usize, v014: usize| Pair {
                ours: at(ours),
                v014: at(v014),
            };
            FormatTimes {
                format: names[index],
                decode: pair(DECODE_OURS, DECODE_V014),
                floor: at(DECODE_FLOOR),
                control: at(DECODE_CONTROL),
                encode_into: encodes_into[index].then(|| pair(ENCODE_INTO_OURS, ENCODE_INTO_V014)),
                encode_vec: pair(ENCODE_VEC_OURS, ENCODE_VEC_V014),
            }
        })
        .collect();
    TypeTimes {
        name: subject.name.to_string(),
        kind: subject.kind,
        bytes: subject.memory.len(),
        memcpy: times[memcpy],
        formats,
    }
}

/// Encodes the subject in format `F` and checks every candidate on it; returns the buffers its timers use.
fn prepare<F, O, V, Floor>(subject: &Subject<O, V>) -> Buffers
where
    F: Format,
    O: Serialize + DeserializeOwned,
    V: Serialize + DeserializeOwned,
    Floor: DeserializeOwned,
{
    assert!(
        subject.ours.len() == PLACEMENTS && subject.v014.len() == PLACEMENTS,
        "{}: {PLACEMENTS} copies of each value",
        subject.name
    );
    let what = format!("{} in {}", subject.name, F::NAME);
    let encoded = F::encode_vec(subject.ours[0]);
    for (ours, v014) in subject.ours.iter().zip(&subject.v014) {
        assert!(
            F::encode_vec(*ours) == encoded && F::encode_vec(*v014) == encoded,
            "{what}: ours and 0.14.2 (or two copies) encode differently"
        );
    }
    // A decoder that loses or invents bytes would re-encode differently.
    assert!(
        F::encode_vec(&F::decode_checked::<O>(&encoded)) == encoded,
        "{what}: ours does not decode its own encoding"
    );
    assert!(
        F::encode_vec(&F::decode_checked::<V>(&encoded)) == encoded,
        "{what}: 0.14.2 does not decode the encoding"
    );
    F::decode_checked::<Floor>(&encoded);
    let scratches = || (0..PLACEMENTS).map(|_| Scratch::new(encoded.len())).collect::<Vec<_>>();
    let mut buffers = Buffers {
        inputs: (0..PLACEMENTS).map(|_| AlignedBuf::from_bytes(&encoded)).collect(),
        ours: scratches(),
        v014: scratches(),
    };
    if F::ENCODES_INTO {
        for scratch in &mut buffers.ours {
            assert_eq!(F::encode_into(subject.ours[0], scratch), encoded.len(), "{what}");
        }
        for scratch in &mut buffers.v014 {
            assert_eq!(F::encode_into(subject.v014[0], scratch), encoded.len(), "{what}");
        }
    }
    buffers
}

/// Appends format `F`'s timers (in the order of the constants above) and returns the index of the first.
fn push_timers<'a, F, O, V, Floor>(
    timers: &mut Vec<Timer<'a>>,
    subject: &'a Subject<O, V>,
    buffers: &'a mut Buffers,
) -> usize
where
    F: Format,
    O: Serialize + DeserializeOwned,
    V: Serialize + DeserializeOwned,
    Floor: DeserializeOwned,
{
    let start = timers.len();
    let inputs: Vec<&[u8]> = buffers.inputs.iter().map(AlignedBuf::as_slice).collect();
    timers.push(timer(inputs.clone(), |input| F::decode::<O>(black_box(*input))));
    timers.push(timer(inputs.clone(), |input| F::decode::<V>(black_box(*input))));
    timers.push(timer(inputs.clone(), |input| F::decode::<Floor>(black_box(*input))));
    // The same code as the first timer, as a separate candidate: how far apart two measurements of one thing land.
    timers.push(timer(inputs, |input| F::decode::<O>(black_box(*input))));
    timers.push(timer(subject.ours.clone(), |ours| F::encode_vec(black_box(*ours))));
    timers.push(timer(subject.v014.clone(), |v014| F::encode_vec(black_box(*v014))));
    if F::ENCODES_INTO {
        let ours: Vec<(&O, &mut Scratch)> = subject.ours.iter().copied().zip(&mut buffers.ours).collect();
        let v014: Vec<(&V, &mut Scratch)> = subject.v014.iter().copied().zip(&mut buffers.v014).collect();
        timers.push(timer(ours, |(ours, scratch)| F::encode_into(black_box(*ours), scratch)));
        timers.push(timer(v014, |(v014, scratch)| F::encode_into(black_box(*v014), scratch)));
    }
    start
}
