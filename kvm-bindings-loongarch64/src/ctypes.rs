//! The C types of loongarch64 Linux (LP64, signed `char`), whatever the host: the generated bindings name C types
//! only through this module, so they mean loongarch64's types on every machine the crate is built on.
#![allow(non_camel_case_types)]
pub use core::ffi::c_void;

/// C `char`: signed on loongarch64 (the LoongArch psABI: `char` is signed).
pub type c_char = i8;
/// C `signed char`.
pub type c_schar = i8;
/// C `unsigned char`.
pub type c_uchar = u8;
/// C `short`.
pub type c_short = i16;
/// C `unsigned short`.
pub type c_ushort = u16;
/// C `int`.
pub type c_int = i32;
/// C `unsigned int`.
pub type c_uint = u32;
/// C `long`: 64 bits (LP64).
pub type c_long = i64;
/// C `unsigned long`: 64 bits (LP64).
pub type c_ulong = u64;
/// C `long long`.
pub type c_longlong = i64;
/// C `unsigned long long`.
pub type c_ulonglong = u64;
