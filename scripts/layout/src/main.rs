//! Prints rustc's layout of every C struct and union in one arch crate (`kvm-bindings-layout ARCH`), one fact a
//! line: `type KIND NAME SIZE ALIGN`, `offset NAME C.PATH OFFSET`, `size NAME C.PATH SIZE`. The numbers are our
//! types' layouts as this compiler lays them out, never bindgen's text; check-layout compares them with gcc's.

mod layouts {
    include!(concat!(env!("OUT_DIR"), "/layouts.rs"));
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
