//! Finding a kernel tree and installing its uapi headers.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::arch::{Arch, arches};
use crate::debian_source::{self, FetchError};
use crate::process::run_checked;

/// A kernel source tree and the version its top Makefile declares.
#[derive(Debug)]
pub struct KernelTree {
    pub root: PathBuf,
    pub version: String,
}

/// Uses the tree at `explicit` if given, otherwise the pinned Debian kernel source, downloaded and extracted into
/// `cache_dir` once per version.
pub fn resolve_kernel_tree(explicit: Option<PathBuf>, cache_dir: &Path) -> Result<KernelTree, FetchError> {
    let root = match explicit {
        Some(path) => path,
        None => {
            let tarball = debian_source::fetch_pinned_tarball(cache_dir)?;
            extract_debian_source(&tarball, cache_dir).map_err(FetchError::Failed)?
        }
    };
    let version = read_kernel_version(&root).map_err(FetchError::Failed)?;
    Ok(KernelTree { root, version })
}

/// Reads `VERSION.PATCHLEVEL.SUBLEVEL` (plus `EXTRAVERSION`) from the tree's top Makefile.
pub fn read_kernel_version(root: &Path) -> Result<String, String> {
    let makefile = root.join("Makefile");
    let text = fs::read_to_string(&makefile).map_err(|e| {
        format!(
            "{} is not a kernel tree: cannot read {}: {e}",
            root.display(),
            makefile.display()
        )
    })?;
    let variable = |name: &str| {
        text.lines()
            .find_map(|line| {
                let (key, value) = line.split_once('=')?;
                (key.trim() == name).then(|| value.trim().to_string())
            })
            .ok_or_else(|| format!("{} does not set {name}", makefile.display()))
    };
    let mut version = format!(
        "{}.{}.{}",
        variable("VERSION")?,
        variable("PATCHLEVEL")?,
        variable("SUBLEVEL")?
    );
    version.push_str(&variable("EXTRAVERSION")?);
    Ok(version)
}

/// The parts of the tree `make headers_install` reads, for every architecture in the table. Extracting only these
/// keeps the cache small and the extraction short.
fn headers_install_inputs(top: &str) -> Vec<String> {
    // The KVM API document feeds the generated documentation.
    let mut patterns: Vec<String> = [
        "Makefile",
        "scripts/*",
        "include/uapi/*",
        "usr/*",
        "tools/include/*",
        "Documentation/virt/kvm/*",
    ]
    .iter()
    .map(|part| format!("{top}/{part}"))
    .collect();
    for arch in arches() {
        let dir = format!("{top}/arch/{}", arch.kernel_arch);
        // Syscall tables feed the generated unistd headers; `tools` holds the host programs arch Makefiles build.
        // `Kbuild*` and `*/Platform`: mips's Makefile includes Kbuild.platforms, which includes each board's
        // Platform file.
        for part in [
            "Makefile*",
            "include/*",
            "tools/*",
            "*syscall*",
            "Kbuild*",
            "*/Platform",
        ] {
            patterns.push(format!("{dir}/{part}"));
        }
    }
    patterns
}

/// Runs `tar`, accepting one failure only: a pattern for what not every architecture has that matches nothing
/// (loongarch has no `arch/loongarch/tools/`, only mips has `*/Platform` files); tar has no option to make a pattern
/// optional.
/// Everything else the patterns match is extracted either way.
fn extract_allowing_optional(tar: &mut Command) -> Result<(), String> {
    let output = tar.output().map_err(|e| format!("cannot run tar: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let only_optional_missing = stderr.lines().all(|line| {
        (line.starts_with("tar: ")
            && (line.ends_with("/tools/*: Not found in archive")
                || line.ends_with("/*/Platform: Not found in archive")))
            || line == "tar: Exiting with failure status due to previous errors"
    });
    if only_optional_missing {
        Ok(())
    } else {
        Err(format!("{tar:?} failed: {}\n{stderr}", output.status))
    }
}

/// Extracts the Debian kernel tarball into `cache_dir`, unless the cache already holds this very tarball.
fn extract_debian_source(tarball: &Path, cache_dir: &Path) -> Result<PathBuf, String> {
    let metadata = fs::metadata(tarball).map_err(|e| format!("cannot read {}: {e}", tarball.display()))?;
    let mtime = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    let top = tarball
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(|name| name.strip_suffix(".tar.xz"))
        .ok_or_else(|| format!("{} is not a .tar.xz", tarball.display()))?;
    // What was extracted depends on the arch table too: a new arch needs its arch/ directory.
    let inputs = headers_install_inputs(top);
    let identity = format!(
        "{} {} {:?} {}\n",
        tarball.display(),
        metadata.len(),
        mtime,
        inputs.join(" ")
    );
    let tree = cache_dir.join(top);
    let stamp = cache_dir.join(format!("{top}.stamp"));
    if fs::read_to_string(&stamp).ok().as_deref() == Some(identity.as_str()) && tree.join("Makefile").exists() {
        return Ok(tree);
    }

    eprintln!("extracting {} into {}", tarball.display(), cache_dir.display());
    let staging = cache_dir.join(format!("{top}.partial"));
    remove_if_present(&staging)?;
    remove_if_present(&tree)?;
    fs::create_dir_all(&staging).map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
    let mut tar = Command::new("tar");
    tar.arg("-xJf").arg(tarball).arg("-C").arg(&staging).arg("--wildcards");
    tar.args(&inputs);
    extract_allowing_optional(&mut tar)?;
    fs::rename(staging.join(top), &tree).map_err(|e| format!("cannot move the extracted tree into place: {e}"))?;
    remove_if_present(&staging)?;
    fs::write(&stamp, identity).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    Ok(tree)
}

fn remove_if_present(path: &Path) -> Result<(), String> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("cannot remove {}: {e}", path.display())),
        _ => Ok(()),
    }
}

/// Runs `make headers_install` for `arch` into `destination`, building out of tree so the kernel tree (perhaps the
/// user's own checkout) is left untouched.
pub fn install_headers(tree: &KernelTree, arch: &Arch, scratch: &Path) -> Result<PathBuf, String> {
    let build = scratch.join(format!("build-{}", arch.name));
    let destination = scratch.join(format!("headers-{}", arch.name));
    fs::create_dir_all(&build).map_err(|e| format!("cannot create {}: {e}", build.display()))?;
    let mut make = Command::new("make");
    make.arg("-s")
        .arg("-C")
        .arg(&tree.root)
        .arg(format!("O={}", build.display()))
        .arg(format!("ARCH={}", arch.kernel_arch))
        .arg(format!("INSTALL_HDR_PATH={}", destination.display()))
        .arg("headers_install");
    run_checked(&mut make)?;
    Ok(destination.join("include"))
}

/// A fresh scratch directory for one run, under the system's temporary directory.
pub fn scratch_dir(purpose: &str) -> PathBuf {
    std::env::temp_dir().join(format!("kvm-bindings-{purpose}-{}", std::process::id()))
}

/// Installs every architecture's headers in parallel (`make` spends most of its time building host tools, one
/// core each), returning each arch's include directory in the order of `arches`.
pub fn install_all_headers(
    tree: &KernelTree,
    arches: &[&'static Arch],
    scratch: &Path,
) -> Result<Vec<PathBuf>, String> {
    std::thread::scope(|scope| {
        let installs: Vec<_> = arches
            .iter()
            .map(|arch| scope.spawn(move || install_headers(tree, arch, scratch)))
            .collect();
        installs
            .into_iter()
            .map(|install| install.join().expect("make does not panic"))
            .collect()
    })
}
