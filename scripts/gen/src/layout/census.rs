//! What an arch crate's generated files define, counted from the files themselves: the layout program is generated
//! from the same files by another parser, so a printer that skips items (or finds none) shows up as a shortfall.

use std::fs;
use std::path::Path;

use syn::Item;

/// The generated source files whose items the layout and constants checks must cover.
const GENERATED_SOURCES: &[&str] = &["bindings.rs", "ioctls.rs", "evaluated.rs"];

/// The numbers of structs, unions and constants an arch crate's generated files define.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Census {
    pub structs: usize,
    pub unions: usize,
    pub constants: usize,
}

/// Counts the items of `crate_dir/src`'s generated files (a file the generator does not write for this crate is
/// skipped; `bindings.rs` must exist).
pub fn count_generated_items(crate_dir: &Path) -> Result<Census, String> {
    let mut census = Census::default();
    for name in GENERATED_SOURCES {
        let path = crate_dir.join("src").join(name);
        if !path.exists() && *name != "bindings.rs" {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file = syn::parse_file(&text).map_err(|e| format!("{} does not parse: {e}", path.display()))?;
        for item in &file.items {
            match item {
                Item::Struct(_) => census.structs += 1,
                Item::Union(_) => census.unions += 1,
                // `const _: () = …` holds layout assertions, not a constant.
                Item::Const(c) if c.ident != "_" => census.constants += 1,
                _ => {}
            }
        }
    }
    Ok(census)
}

/// The shortfalls of what the layout program `printed` against what the crate `defines`, one sentence each; empty
/// when it printed every item. A printer that finds nothing is a shortfall like any other.
pub fn shortfalls(arch: &str, defines: &Census, printed: &Census) -> Vec<String> {
    [
        ("structs", defines.structs, printed.structs),
        ("unions", defines.unions, printed.unions),
        ("constants", defines.constants, printed.constants),
    ]
    .into_iter()
    .filter(|(_, defined, found)| found != defined || *defined == 0)
    .map(|(what, defined, found)| {
        format!("{arch}: the layout program covered {found} {what}, but the crate's generated files define {defined}")
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFINED: Census = Census {
        structs: 3,
        unions: 1,
        constants: 10,
    };

    #[test]
    fn a_printer_that_covers_everything_passes() {
        assert!(shortfalls("x", &DEFINED, &DEFINED).is_empty());
    }

    #[test]
    fn a_printer_that_found_nothing_fails() {
        let found = shortfalls("x", &DEFINED, &Census::default());
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(
            found[0],
            "x: the layout program covered 0 structs, but the crate's generated files define 3"
        );
    }

    #[test]
    fn one_skipped_constant_fails() {
        let printed = Census {
            constants: 9,
            ..DEFINED
        };
        assert_eq!(shortfalls("x", &DEFINED, &printed).len(), 1);
    }

    #[test]
    fn a_crate_without_items_fails() {
        assert_eq!(shortfalls("x", &Census::default(), &Census::default()).len(), 3);
    }

    #[test]
    fn counts_a_crates_generated_files() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kvm-bindings-x86_64");
        let census = count_generated_items(&root).unwrap();
        assert!(
            census.structs > 100 && census.unions > 10 && census.constants > 700,
            "{census:?}"
        );
    }
}
