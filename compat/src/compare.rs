//! One type of ours against the same type of kvm-bindings 0.14.2.

use test_support::Format;
pub use test_support::checks::Binding;
use test_support::random::random_bytes;

use crate::Tally;

/// Random values per type and format.
const VALUES: usize = 4;

/// What decoding `encoded` as a `T` gives: the value's bytes, or the error.
fn decoded_bytes<T: Binding>(format: Format, encoded: &[u8]) -> Result<Vec<u8>, String> {
    format.decode::<T>(encoded).map(|value| value.as_bytes().to_vec())
}

/// Compares `Ours` with 0.14.2's `Theirs` (see the crate documentation), recording every comparison in `tally`.
pub fn compare<Ours: Binding, Theirs: Binding>(name: &str, tally: &mut Tally) {
    tally.types.push(name.to_string());
    let size = size_of::<Ours>();
    if size != size_of::<Theirs>() {
        tally.fail(format!("{name}: {size} bytes here, {} in 0.14.2", size_of::<Theirs>()));
        return;
    }
    for format in Format::ALL {
        same_values::<Ours, Theirs>(name, format, tally);
        short_input::<Ours, Theirs>(name, format, tally);
        long_input::<Ours, Theirs>(name, format, tally);
    }
    json_string::<Ours, Theirs>(name, tally);
}

/// The same bytes encode the same way in both crates, and each decodes the other's encoding to those bytes.
fn same_values<Ours: Binding, Theirs: Binding>(name: &str, format: Format, tally: &mut Tally) {
    let f = format.name();
    for _ in 0..VALUES {
        let bytes = random_bytes(&mut tally.rng, size_of::<Ours>());
        let ours = Ours::read_from_bytes(&bytes).expect("the sizes are equal");
        let theirs = Theirs::read_from_bytes(&bytes).expect("the sizes are equal");
        let ours_encoded = format.encode(&ours);
        let theirs_encoded = format.encode(&theirs);
        tally.record("encode: ours == 0.14.2's", ours_encoded == theirs_encoded, || {
            format!("{name}, {f}: the encodings differ")
        });
        let here = decoded_bytes::<Ours>(format, &theirs_encoded);
        tally.record("decode: 0.14.2's encoding -> ours", here.as_ref() == Ok(&bytes), || {
            format!("{name}, {f}: 0.14.2's encoding decodes here to {here:?}")
        });
        let there = decoded_bytes::<Theirs>(format, &ours_encoded);
        tally.record("decode: our encoding -> 0.14.2", there.as_ref() == Ok(&bytes), || {
            format!("{name}, {f}: our encoding decodes in 0.14.2 to {there:?}")
        });
    }
}

/// Input shorter than the type: both crates zero-pad it.
fn short_input<Ours: Binding, Theirs: Binding>(name: &str, format: Format, tally: &mut Tally) {
    let f = format.name();
    let size = size_of::<Ours>();
    for length in [0, size / 2, size - 1] {
        let bytes = random_bytes(&mut tally.rng, length);
        let encoded = format.encode_bytes(&bytes);
        let mut expected = bytes;
        expected.resize(size, 0);
        let here = decoded_bytes::<Ours>(format, &encoded);
        tally.record(
            "short input -> ours: zero-padded",
            here.as_ref() == Ok(&expected),
            || format!("{name}, {f}: {length} bytes decode here to {here:?}"),
        );
        let there = decoded_bytes::<Theirs>(format, &encoded);
        tally.record(
            "short input -> 0.14.2: zero-padded",
            there.as_ref() == Ok(&expected),
            || format!("{name}, {f}: {length} bytes decode in 0.14.2 to {there:?}"),
        );
    }
}

/// Input longer than the type: we truncate it; so does 0.14.2, except in serde_json, where it fails.
fn long_input<Ours: Binding, Theirs: Binding>(name: &str, format: Format, tally: &mut Tally) {
    let f = format.name();
    let size = size_of::<Ours>();
    let bytes = random_bytes(&mut tally.rng, size + 5);
    let encoded = format.encode_bytes(&bytes);
    let expected = &bytes[..size];
    let here = decoded_bytes::<Ours>(format, &encoded);
    tally.record("long input -> ours: truncated", here.as_deref() == Ok(expected), || {
        format!("{name}, {f}: {} bytes decode here to {here:?}", size + 5)
    });
    let there = decoded_bytes::<Theirs>(format, &encoded);
    if format == Format::Json {
        let rejected = there
            .as_ref()
            .is_err_and(|error| error.starts_with("trailing characters"));
        tally.record(
            "long input -> 0.14.2, serde_json: rejected (the documented difference)",
            rejected,
            || format!("{name}, {f}: 0.14.2 was expected to reject longer JSON, got {there:?}"),
        );
    } else {
        tally.record(
            "long input -> 0.14.2, bincode and bitcode: truncated",
            there.as_deref() == Ok(expected),
            || format!("{name}, {f}: {} bytes decode in 0.14.2 to {there:?}", size + 5),
        );
    }
}

/// A JSON string where the bytes belong: we reject it, 0.14.2 takes its text as the bytes.
fn json_string<Ours: Binding, Theirs: Binding>(name: &str, tally: &mut Tally) {
    let size = size_of::<Ours>();
    let text = "k".repeat(size);
    let encoded = Format::Json.encode(&text);
    let here = decoded_bytes::<Ours>(Format::Json, &encoded);
    let there = decoded_bytes::<Theirs>(Format::Json, &encoded);
    let as_documented = here.is_err() && there.as_deref() == Ok(text.as_bytes());
    tally.record(
        "JSON string -> ours rejects, 0.14.2 takes its text (the documented difference)",
        as_documented,
        || format!("{name}: a JSON string decodes here to {here:?}, in 0.14.2 to {there:?}"),
    );
}
