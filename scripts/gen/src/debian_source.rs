//! Obtaining the pinned Debian kernel source package without touching the machine's apt configuration: a private
//! sources list and lists directory for the package's suite, `apt-get download` of the exact version, and
//! `dpkg-deb` to take the tarball out, all under the git-ignored cache.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::process::run_checked;

/// The kernel source the committed bindings are generated from, pinned exactly like bindgen: moving it is a
/// deliberate regeneration commit (see CONTRIBUTING, "Move to a newer kernel").
pub const PACKAGE: &str = "linux-source-7.3";
/// The exact Debian version of [`PACKAGE`].
pub const VERSION: &str = "7.3.4-1~bpo13+1";
/// The Debian suite that publishes [`VERSION`].
pub const SUITE: &str = "trixie-backports";

/// The keyring Debian's own packages are signed with (package `debian-archive-keyring`, on every Debian machine).
const KEYRING: &str = "/usr/share/keyrings/debian-archive-keyring.gpg";
/// Where the machine's apt sources are; the mirror is taken from there, so no host is named in this project.
const APT_SOURCES: &[&str] = &["/etc/apt/sources.list.d", "/etc/apt/sources.list"];

/// Why the pinned source could not be had: `Unavailable` when apt says the version cannot be downloaded (Debian
/// dropped it), `Failed` for everything else.
#[derive(Debug)]
pub enum FetchError {
    Unavailable(String),
    Failed(String),
}

/// `deb` URIs of the machine's Debian archive, from one-line (`deb URI suite …`) and deb822 (`URIs:`) sources.
/// Security and other special archives are skipped: the backports suites live on the main archive.
pub fn debian_mirrors(sources: &[(PathBuf, String)]) -> Vec<String> {
    let mut mirrors = Vec::new();
    for (path, text) in sources {
        let deb822 = path.extension().is_some_and(|e| e == "sources");
        for paragraph in text.split("\n\n") {
            let field = |name: &str| {
                paragraph.lines().find_map(|line| {
                    let (key, value) = line.split_once(':')?;
                    (key.trim().eq_ignore_ascii_case(name)).then(|| value.trim().to_string())
                })
            };
            let uris: Vec<String> = if deb822 {
                let is_deb = field("Types").is_some_and(|types| types.split_whitespace().any(|t| t == "deb"));
                if !is_deb {
                    continue;
                }
                field("URIs")
                    .map(|u| u.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default()
            } else {
                paragraph
                    .lines()
                    .filter_map(|line| {
                        let mut words = line.split_whitespace().filter(|w| !w.starts_with('['));
                        (words.next() == Some("deb"))
                            .then(|| words.next().map(str::to_string))
                            .flatten()
                    })
                    .collect()
            };
            mirrors.extend(
                uris.into_iter()
                    .filter(|uri| uri.ends_with("/debian") || uri.ends_with("/debian/")),
            );
        }
    }
    mirrors.dedup();
    mirrors
}

fn read_apt_sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for place in APT_SOURCES {
        let path = Path::new(place);
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = fs::read_dir(path)
                .into_iter()
                .flatten()
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "list" || e == "sources"))
                .collect();
            entries.sort();
            files.extend(entries);
        } else if path.is_file() {
            files.push(path.to_path_buf());
        }
    }
    files
        .into_iter()
        .filter_map(|path| fs::read_to_string(&path).ok().map(|text| (path, text)))
        .collect()
}

/// The apt options that point apt at the private configuration in `dir` instead of the machine's.
fn private_apt(dir: &Path) -> Command {
    let mut apt = Command::new("apt-get");
    apt.arg("-q")
        .arg("-o")
        .arg(format!("Dir::Etc::sourcelist={}", dir.join("sources.list").display()))
        .args(["-o", "Dir::Etc::sourceparts=-"])
        .arg("-o")
        .arg(format!("Dir::State::Lists={}", dir.join("lists").display()))
        .args(["-o", "APT::Get::List-Cleanup=0"])
        // The download goes to a directory the sandbox user `_apt` may not write; the package is verified by
        // its hash from the signed lists either way.
        .args(["-o", "APT::Sandbox::User=root"]);
    apt
}

/// The file name `apt-get download` gives the package (`:` in a version is escaped as `%3a`).
fn deb_file_name() -> String {
    format!("{PACKAGE}_{}_all.deb", VERSION.replace(':', "%3a"))
}

/// The tarball inside the package.
pub fn tarball_name() -> String {
    format!("{PACKAGE}.tar.xz")
}

/// Returns the pinned kernel source tarball, downloading and unpacking the package into `cache_dir` unless the
/// cache already holds this very version.
pub fn fetch_pinned_tarball(cache_dir: &Path) -> Result<PathBuf, FetchError> {
    let failed = |what: String| FetchError::Failed(what);
    let tarball = cache_dir.join(tarball_name());
    let stamp = cache_dir.join(format!("{PACKAGE}.version"));
    if tarball.exists() && fs::read_to_string(&stamp).ok().as_deref() == Some(VERSION) {
        return Ok(tarball);
    }
    let apt_dir = cache_dir.join("apt");
    fs::create_dir_all(apt_dir.join("lists/partial"))
        .map_err(|e| failed(format!("cannot create {}: {e}", apt_dir.display())))?;
    let mirrors = debian_mirrors(&read_apt_sources());
    let Some(mirror) = mirrors.first() else {
        return Err(failed(format!(
            "no Debian archive in the machine's apt sources ({}) to download {PACKAGE} from; pass --kernel PATH",
            APT_SOURCES.join(", ")
        )));
    };
    let sources = format!("deb [signed-by={KEYRING}] {mirror} {SUITE} main\n");
    fs::write(apt_dir.join("sources.list"), sources).map_err(|e| failed(format!("cannot write sources.list: {e}")))?;

    eprintln!(
        "downloading {PACKAGE} {VERSION} from {SUITE} (private apt configuration in {})",
        apt_dir.display()
    );
    run_checked(private_apt(&apt_dir).arg("update").stdout(Stdio::null())).map_err(failed)?;
    let deb = cache_dir.join(deb_file_name());
    let download = private_apt(&apt_dir)
        .arg("download")
        .arg(format!("{PACKAGE}={VERSION}"))
        .current_dir(cache_dir)
        .stdout(Stdio::null())
        .output()
        .map_err(|e| failed(format!("cannot run apt-get: {e}")))?;
    if !download.status.success() || !deb.exists() {
        return Err(FetchError::Unavailable(format!(
            "the pinned kernel source {PACKAGE} {VERSION} can no longer be downloaded from {SUITE}: {}",
            String::from_utf8_lossy(&download.stderr).trim()
        )));
    }

    // The package holds one file of interest: /usr/src/<package>.tar.xz.
    let member = format!("./usr/src/{}", tarball_name());
    // A pipe, so the 160 MB tarball is written once, straight into the cache.
    let script = r#"dpkg-deb --fsys-tarfile "$1" | tar -xO "$2" > "$3.partial" && mv "$3.partial" "$3""#;
    run_checked(
        Command::new("sh")
            .args(["-c", script, "sh"])
            .arg(&deb)
            .arg(&member)
            .arg(&tarball),
    )
    .map_err(failed)?;
    fs::remove_file(&deb).map_err(|e| failed(format!("cannot remove {}: {e}", deb.display())))?;
    fs::write(&stamp, VERSION).map_err(|e| failed(format!("cannot write {}: {e}", stamp.display())))?;
    Ok(tarball)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, text: &str) -> (PathBuf, String) {
        (PathBuf::from(name), text.to_string())
    }

    #[test]
    fn mirrors_come_from_both_source_formats_and_skip_security() {
        let sources = [
            source(
                "/etc/apt/sources.list.d/debian.sources",
                "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n\n\
                 Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n",
            ),
            source(
                "/etc/apt/sources.list",
                "# comment\ndeb [arch=amd64] http://other.example/debian/ bookworm main\ndeb-src http://x/debian b main\n",
            ),
        ];
        assert_eq!(
            debian_mirrors(&sources),
            ["http://mirror.example/debian", "http://other.example/debian/"]
        );
    }

    #[test]
    fn deb822_source_paragraphs_are_skipped() {
        let sources = [source(
            "/etc/apt/sources.list.d/src.sources",
            "Types: deb-src\nURIs: http://mirror.example/debian\n",
        )];
        assert!(debian_mirrors(&sources).is_empty());
    }

    #[test]
    fn the_pinned_file_names() {
        assert_eq!(deb_file_name(), "linux-source-7.3_7.3.4-1~bpo13+1_all.deb");
        assert_eq!(tarball_name(), "linux-source-7.3.tar.xz");
    }
}
