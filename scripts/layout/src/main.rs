//! Prints what the gcc checks compare, for one arch crate (`kvm-bindings-layout ARCH`), one fact a line:
//!
//! - rustc's layout of every C struct and union: `type KIND NAME SIZE ALIGN`, `offset NAME C.PATH OFFSET`,
//!   `member NAME C.PATH SIZE ALIGN ANONYMOUS-TYPE`, `total STRUCTS UNIONS`;
//! - the value of every generated constant: `const MODULE NAME C-NAME VALUE SIZE SIGNEDNESS` (`MODULE` is `-` for
//!   the crate root, `ioctls` for the request codes; `SIGNEDNESS` is `i` or `u`);
//! - the results of the hand-written `const fn`s that mirror C function-like macros:
//!   `call MODULE FUNCTION LABEL=ARGUMENT ARG-SIZE ARG-SIGNEDNESS RESULT SIZE SIGNEDNESS` (`LABEL` is the literal or
//!   the constant the argument was written as).
//!
//! The numbers are what this compiler computes from our items, never bindgen's text; check-layout compares them
//! with gcc's.

mod layouts {
    include!(concat!(env!("OUT_DIR"), "/layouts.rs"));
}

/// The primitive integer types, with what C needs to spell one.
trait Integer: Copy + std::fmt::Display {
    const SIGNED: bool;
}

macro_rules! integers {
    ($($signed:ty),* ; $($unsigned:ty),*) => {
        $(impl Integer for $signed { const SIGNED: bool = true; })*
        $(impl Integer for $unsigned { const SIGNED: bool = false; })*
    };
}
integers!(i8, i16, i32, i64, i128, isize; u8, u16, u32, u64, u128, usize);

/// `SIZE SIGNEDNESS` of an integer type.
fn describe<T: Integer>() -> String {
    format!("{} {}", size_of::<T>(), if T::SIGNED { "i" } else { "u" })
}

/// Prints one constant (the type is the constant's own, whatever alias the bindings spell it with).
fn constant<T: Integer>(module: &str, name: &str, c_name: &str, value: T) {
    println!("const {module} {name} {c_name} {value} {}", describe::<T>());
}

/// Prints one call of a `const fn` mirroring a C function-like macro (the arch crates without one do not call it).
#[allow(dead_code)]
fn call<A: Integer, R: Integer>(module: &str, function: &str, label: &str, argument: A, result: R) {
    // The argument's value is for people reading the table; gcc is given `label`, a literal or the constant's name.
    println!(
        "call {module} {function} {label}={argument} {} {result} {}",
        describe::<A>(),
        describe::<R>()
    );
}

fn main() -> std::process::ExitCode {
    let arch = std::env::args().nth(1).unwrap_or_default();
    if layouts::print(&arch) {
        std::process::ExitCode::SUCCESS
    } else {
        eprintln!("usage: kvm-bindings-layout ARCH (a name in arches.tsv)");
        std::process::ExitCode::from(2)
    }
}
