//! Hand-written items kvm-bindings 0.14.2 had that the generated bindings no longer yield, kept so that code written
//! against 0.14.2 still compiles. Never generated: `scripts/generate` does not touch this file.

/// The compiler's unsigned 128-bit integer, as kvm-bindings 0.14.2 named it for arm64.
///
/// bindgen emitted this alias while arm64's uapi headers declared `__uint128_t vregs[32];`; since they declare
/// `__u128 vregs[32];` ([`user_fpsimd_state`](crate::user_fpsimd_state)), no header uses the compiler's type and
/// bindgen emits no alias. It is kept here, at the crate root where 0.14.2 had it (0.14.2 also had it under
/// `bindings::`, which is generated and has it no more).
#[allow(non_camel_case_types)]
pub type __uint128_t = u128;
