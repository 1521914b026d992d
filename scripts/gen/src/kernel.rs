//! Finding a kernel tree and installing its uapi headers.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::arch::{Arch, arches};
use crate::debian_source::{self, Obtained, Pin, PrivateApt};
use crate::process::run_checked;

/// A kernel source tree and the version its top Makefile declares.
#[derive(Debug)]
pub struct KernelTree {
    pub root: PathBuf,
    pub version: String,
}

/// The kernel tree at `root` (a path given on the command line).
pub fn tree_at(root: PathBuf) -> Result<KernelTree, String> {
    let version = read_kernel_version(&root)?;
    Ok(KernelTree { root, version })
}

/// A pinned kernel line as found for this run.
#[derive(Debug)]
pub enum Resolved {
    /// The pinned version's tree.
    Pinned(KernelTree),
    /// The pinned version is no longer published: the tree of the newest published version of the line (its
    /// Debian version given), to compare with.
    Substitute { tree: KernelTree, version: String },
    /// No version of the line is published; the message says so in one line.
    Gone(String),
}

/// Obtains `pin`'s Debian kernel source (see `debian_source::fetch_tarball`), extracted into `cache_dir` once per
/// version.
pub fn resolve_pinned_tree(pin: &Pin, cache_dir: &Path, apt: &mut PrivateApt) -> Result<Resolved, String> {
    match debian_source::fetch_tarball(pin, cache_dir, apt)? {
        Obtained::NoneOfLine(message) => Ok(Resolved::Gone(message)),
        Obtained::Tarball { path, version, pinned } => {
            let tree = tree_at(extract_debian_source(&path, cache_dir)?)?;
            Ok(if pinned {
                Resolved::Pinned(tree)
            } else {
                Resolved::Substitute { tree, version }
            })
        }
    }
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
    // The KVM API document feeds the generated documentation (its facts); nothing else of Documentation/ is read.
    let mut patterns: Vec<String> = [
        "Makefile",
        "scripts/*",
        "include/uapi/*",
        "usr/*",
        "tools/include/*",
        "Documentation/virt/kvm/api.rst",
    ]
    .iter()
    .map(|part| format!("{top}/{part}"))
    .collect();
    for arch in arches() {
        let dir = format!("{top}/arch/{}", arch.kernel_arch);
        // Syscall tables feed the generated unistd headers; `tools` holds the host programs arch Makefiles build.
        // `Kbuild*` and `*/Platform`: mips's Makefile includes Kbuild.platforms, which includes each board's
        // Platform file. `boot/tools`: mips's archscripts build its relocation tool before installing headers.
        for part in [
            "Makefile*",
            "include/*",
            "tools/*",
            "boot/tools/*",
            "*syscall*",
            "Kbuild*",
            "*/Platform",
        ] {
            patterns.push(format!("{dir}/{part}"));
        }
    }
    patterns
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
    tar.args(inputs);
    // Older lines lack some of the directories newer ones have (5.10 has no arch/arm64/tools): a pattern that
    // matches nothing is no failure, anything else tar complains about is.
    let output = tar.output().map_err(|e| format!("cannot run tar: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let real_errors: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.ends_with("Not found in archive") && !l.contains("Exiting with failure status"))
        .collect();
    if !output.status.success() && (!real_errors.is_empty() || !stderr.contains("Not found in archive")) {
        return Err(format!("extracting {} failed: {}", tarball.display(), stderr.trim()));
    }
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

/// `install_headers` into the cache, once per extracted tree: an older kernel line's headers never change, so its
/// installs are kept beside its tree (`<tree>.headers/<arch>`) and redone only when the tree was extracted anew.
///
/// A tree not extracted by the generator (a path given on the command line, perhaps the user's own checkout) has no
/// stamp and is installed into `scratch` every time.
pub fn install_headers_cached(tree: &KernelTree, arch: &Arch, scratch: &Path) -> Result<PathBuf, String> {
    let name = tree
        .root
        .file_name()
        .ok_or_else(|| format!("{} has no name", tree.root.display()))?
        .to_string_lossy()
        .to_string();
    let tree_stamp = tree.root.with_file_name(format!("{name}.stamp"));
    let Ok(identity) = fs::read_to_string(&tree_stamp) else {
        return install_headers(tree, arch, scratch);
    };
    let place = tree.root.with_file_name(format!("{name}.headers"));
    let stamp = place.join(format!("{}.stamp", arch.name));
    let include = place.join(format!("headers-{}", arch.name)).join("include");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(identity.as_str()) && include.join("linux").is_dir() {
        return Ok(include);
    }
    remove_if_present(&place.join(format!("headers-{}", arch.name)))?;
    let include = install_headers(tree, arch, &place)?;
    remove_if_present(&place.join(format!("build-{}", arch.name)))?;
    fs::write(&stamp, identity).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    Ok(include)
}

/// A fresh scratch directory for one run, under the system's temporary directory.
pub fn scratch_dir(purpose: &str) -> PathBuf {
    std::env::temp_dir().join(format!("kvm-bindings-{purpose}-{}", std::process::id()))
}

/// Installs every architecture's headers in parallel (into the cache, see [`install_headers_cached`]) (`make` spends most of its time building host tools, one
/// core each), returning each arch's include directory in the order of `arches`.
pub fn install_all_headers(
    tree: &KernelTree,
    arches: &[&'static Arch],
    scratch: &Path,
) -> Result<Vec<PathBuf>, String> {
    std::thread::scope(|scope| {
        let installs: Vec<_> = arches
            .iter()
            .map(|arch| scope.spawn(move || install_headers_cached(tree, arch, scratch)))
            .collect();
        installs
            .into_iter()
            .map(|install| install.join().expect("make does not panic"))
            .collect()
    })
}
