//! Every FAM wrapper of every arch crate, decoded from arbitrary serde_json input (see the crate docs).
#![no_main]

libfuzzer_sys::fuzz_target!(init: kvm_bindings_fuzz::init("fam_json"), |data: &[u8]| {
    kvm_bindings_fuzz::check_fam(test_support::Format::Json, data);
});
