//! The harness behind `cargo bench -p kvm-bindings-benches` (unpublished).
//!
//! The benchmark compares, in one run and interleaved, kvm-bindings' serde impls with kvm-bindings 0.14.2's, with a
//! plain memcpy of the same bytes, and with the format's floor (a decoder that reads the same input and keeps
//! nothing). Only ratios between candidates measured side by side are reported: absolute times on a shared machine
//! are noise.
//!
//! - [`aligned`]: page-aligned buffers and values, so a copy's speed does not depend on where malloc put it.
//! - [`formats`]: bincode 2, serde_json and bitcode, behind one interface.
//! - [`floor`]: the decoders that read the input and discard it.
//! - [`timing`]: interleaved rounds, medians.
//! - [`subject`]: every candidate for one type, measured together.
//! - [`report`]: the ratio tables and the goals.

pub mod aligned;
pub mod floor;
pub mod formats;
pub mod report;
pub mod subject;
pub mod timing;
