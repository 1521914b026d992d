//! The older kernel lines' side of the since data: each line's inventory per arch, read from its installed uapi
//! headers through the same bindgen as the newest (so a constant's value is clang's, even one only the macro fallback
//! evaluates), or, for a line Debian no longer publishes, from the committed `since.tsv` (history does not change).

use std::fs;
use std::path::Path;
use std::time::Instant;

use crate::arch::Arch;
use crate::kernel::{self, KernelTree};
use crate::raw_bindings;
use crate::since::{self, Inventory};

/// Where one older line's data comes from this run.
#[derive(Debug)]
pub enum LineSource {
    /// Its kernel source, as published (or the newest of the line when the pinned version is gone).
    Tree { line: String, tree: KernelTree },
    /// Debian publishes no version of the line: its committed data.
    Committed { line: String },
}

impl LineSource {
    pub fn line(&self) -> &str {
        match self {
            LineSource::Tree { line, .. } | LineSource::Committed { line } => line,
        }
    }
}

/// One arch's inventory of one line from its tree: headers installed into the cache once, then bindgen.
/// An arch whose KVM the line did not have yet (riscv64 before 5.16) gets no `linux/kvm.h`: it has nothing; nor has
/// an arch the line does not have at all (loongarch before 5.19).
fn inventory_from_tree(tree: &KernelTree, arch: &Arch, scratch: &Path) -> Result<Inventory, String> {
    if !tree.root.join("arch").join(arch.kernel_arch).join("Makefile").exists() {
        return Ok(Inventory::default());
    }
    let headers = kernel::install_headers_cached(tree, arch, scratch)?;
    if !headers.join("linux/kvm.h").exists() {
        return Ok(Inventory::default());
    }
    since::inventory_of(&raw_bindings::generate_raw_bindings(arch, &headers, false)?)
}

/// One arch's inventory of `line` read back from its committed table.
fn inventory_from_committed(root: &Path, arch: &Arch, line: &str) -> Result<Inventory, String> {
    let path = root.join(&arch.crate_dir).join(since::TABLE_FILE);
    let table = fs::read_to_string(&path).map_err(|e| {
        format!(
            "Linux {line} is no longer published and {} cannot be read: {e}",
            path.display()
        )
    })?;
    since::inventory_from_table(&table, line).ok_or_else(|| {
        format!(
            "Linux {line} is no longer published and {} has no data for it",
            path.display()
        )
    })
}

/// Every arch's inventory of every older line: `[arch][line]`, lines in the order given. Trees are read in parallel
/// (bindgen and `make` each take one core).
pub fn older_inventories(
    root: &Path,
    sources: &[LineSource],
    arches: &[&'static Arch],
) -> Result<Vec<Vec<Inventory>>, String> {
    let started = Instant::now();
    let scratch = kernel::scratch_dir("since");
    let scratch = &scratch;
    let jobs: Vec<(usize, usize)> = (0..arches.len())
        .flat_map(|a| (0..sources.len()).map(move |l| (a, l)))
        .collect();
    let results: Vec<Result<Inventory, String>> = std::thread::scope(|scope| {
        let mut results = Vec::new();
        // Two at a time: the machine's cores, and libclang's memory.
        for chunk in jobs.chunks(2) {
            let running: Vec<_> = chunk
                .iter()
                .map(|&(a, l)| {
                    scope.spawn(move || match &sources[l] {
                        LineSource::Tree { tree, line } => {
                            inventory_from_tree(tree, arches[a], &scratch.join(format!("{line}-{}", arches[a].name)))
                        }
                        LineSource::Committed { line } => inventory_from_committed(root, arches[a], line),
                    })
                })
                .collect();
            for job in running {
                results.push(job.join().expect("reading a line does not panic"));
            }
        }
        results
    });
    let _ = fs::remove_dir_all(scratch);
    let mut by_arch: Vec<Vec<Inventory>> = vec![Vec::new(); arches.len()];
    for ((a, l), result) in jobs.into_iter().zip(results) {
        let inventory = result.map_err(|e| format!("{} in Linux {}: {e}", arches[a].name, sources[l].line()))?;
        by_arch[a].push(inventory);
    }
    eprintln!(
        "time: older lines' since data ({} line(s) x {} arch(es)): {:.1} s",
        sources.len(),
        arches.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(by_arch)
}
