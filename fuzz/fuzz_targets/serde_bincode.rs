//! Every type of every arch crate's serde list, decoded from arbitrary bincode input (see the crate docs).
#![no_main]

libfuzzer_sys::fuzz_target!(init: kvm_bindings_fuzz::init("serde_bincode"), |data: &[u8]| {
    kvm_bindings_fuzz::check_serde(test_support::Format::Bincode, data);
});
