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

/// Compares `Ours` with 0.14.2's `Theirs` for a type the kernel grew at the end since 0.14.2 (a field appended, as
/// Linux does), recording every comparison in `tally`. The encodings cannot be equal, since each crate writes all
/// of its type's bytes, so this checks what a VMM relies on instead: both write the same kind of byte string (at
/// their own size), a snapshot 0.14.2 wrote restores here with the new field zero, and 0.14.2 reads ours the way it
/// reads any longer input (truncated in bincode and bitcode, rejected by serde_json). Listing a type here is a
/// deliberate act in the arch's file: any other size difference fails [`compare`].
pub fn compare_grown<Ours: Binding, Theirs: Binding>(name: &str, tally: &mut Tally) {
    tally.types.push(name.to_string());
    let (ours, theirs) = (size_of::<Ours>(), size_of::<Theirs>());
    if ours <= theirs {
        tally.fail(format!(
            "{name}: listed as grown since 0.14.2, but it is {ours} bytes here and {theirs} in 0.14.2"
        ));
        return;
    }
    tally.notes.push(format!(
        "{name}: grown at the end since 0.14.2, {theirs} -> {ours} bytes"
    ));
    for format in Format::ALL {
        grown_values::<Ours, Theirs>(name, format, tally);
    }
}

/// One format's checks of [`compare_grown`], on random values of each size.
fn grown_values<Ours: Binding, Theirs: Binding>(name: &str, format: Format, tally: &mut Tally) {
    let f = format.name();
    let (size, old_size) = (size_of::<Ours>(), size_of::<Theirs>());
    for _ in 0..VALUES {
        // 0.14.2's value: each crate writes its value's bytes as the format's own byte string.
        let old_bytes = random_bytes(&mut tally.rng, old_size);
        let theirs = Theirs::read_from_bytes(&old_bytes).expect("the size is Theirs'");
        let theirs_encoded = format.encode(&theirs);
        tally.record(
            "grown: 0.14.2 encodes its bytes as a byte string",
            theirs_encoded == format.encode_bytes(&old_bytes),
            || format!("{name}, {f}: 0.14.2's encoding is not the byte string of its bytes"),
        );
        let bytes = random_bytes(&mut tally.rng, size);
        let ours = Ours::read_from_bytes(&bytes).expect("the size is Ours'");
        let ours_encoded = format.encode(&ours);
        tally.record(
            "grown: ours encodes its bytes as a byte string",
            ours_encoded == format.encode_bytes(&bytes),
            || format!("{name}, {f}: our encoding is not the byte string of our bytes"),
        );

        // An old snapshot restores here: 0.14.2's bytes, the appended field zero.
        let mut expected = old_bytes.clone();
        expected.resize(size, 0);
        let here = decoded_bytes::<Ours>(format, &theirs_encoded);
        tally.record(
            "grown: 0.14.2's encoding -> ours: zero-padded",
            here.as_ref() == Ok(&expected),
            || format!("{name}, {f}: 0.14.2's encoding decodes here to {here:?}"),
        );

        // Ours read by 0.14.2: as any longer input (see long_input).
        let there = decoded_bytes::<Theirs>(format, &ours_encoded);
        if format == Format::Json {
            let rejected = there
                .as_ref()
                .is_err_and(|error| error.starts_with("trailing characters"));
            tally.record(
                "grown: our encoding -> 0.14.2, serde_json: rejected (as longer input)",
                rejected,
                || format!("{name}, {f}: 0.14.2 was expected to reject our longer JSON, got {there:?}"),
            );
        } else {
            tally.record(
                "grown: our encoding -> 0.14.2, bincode and bitcode: truncated",
                there.as_deref() == Ok(&bytes[..old_size]),
                || format!("{name}, {f}: our encoding decodes in 0.14.2 to {there:?}"),
            );
        }
    }
}
