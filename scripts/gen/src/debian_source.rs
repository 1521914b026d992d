//! Obtaining the pinned Debian kernel source packages without touching the machine's apt configuration: a private
//! sources list and lists directory for the packages' suites, `apt-get download` of the exact version, and
//! `dpkg-deb` to take the tarball out, all under the git-ignored cache.
//!
//! The pins are data (`scripts/gen/kernels.tsv`): one kernel the bindings are generated from and the older lines
//! that only answer "since which Linux". What happens when Debian stops publishing a pinned version is decided here,
//! in [`choose_version`], so that it can be tested without a network.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::REGENERATE_COMMAND;
use crate::process::{output_of, run_checked};

/// The table of pinned kernel sources, relative to the repository root.
pub const PINS_PATH: &str = "scripts/gen/kernels.tsv";

/// The keyring Debian's own packages are signed with (package `debian-archive-keyring`, on every Debian machine).
const KEYRING: &str = "/usr/share/keyrings/debian-archive-keyring.gpg";
/// Where the machine's apt sources are; the mirror is taken from there, so no host is named in this project.
const APT_SOURCES: &[&str] = &["/etc/apt/sources.list.d", "/etc/apt/sources.list"];

/// What a pinned kernel source is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The kernel the arch crates are generated from.
    Bindings,
    /// An older line, read only for the since data.
    Since,
}

/// One row of [`PINS_PATH`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub role: Role,
    /// `linux-source-6.1`.
    pub package: String,
    /// The exact Debian version: `6.1.176-1`.
    pub version: String,
    /// The suite that publishes it: `bookworm`.
    pub suite: String,
}

impl Pin {
    /// The kernel line: `6.1` for `linux-source-6.1`.
    pub fn line(&self) -> &str {
        self.package.strip_prefix("linux-source-").unwrap_or(&self.package)
    }

    /// The kernel version a Debian version packages: `6.1.176` for `6.1.176-1`, `7.3.4` for `7.3.4-1~bpo13+1`.
    pub fn upstream_version(version: &str) -> &str {
        let version = version.split_once(':').map_or(version, |(_, v)| v);
        version.rsplit_once('-').map_or(version, |(upstream, _)| upstream)
    }

    /// The tarball inside the package, and its name in the cache.
    pub fn tarball_name(&self) -> String {
        format!("{}.tar.xz", self.package)
    }
}

/// Parses [`PINS_PATH`]: `role package version suite` per line, `#` comments; exactly one `bindings` row.
pub fn parse_pins(text: &str) -> Result<Vec<Pin>, String> {
    let mut pins = Vec::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let columns: Vec<&str> = line.split_whitespace().collect();
        let [role, package, version, suite] = columns.as_slice() else {
            return Err(format!("{PINS_PATH}: expected 4 columns: {line}"));
        };
        let role = match *role {
            "bindings" => Role::Bindings,
            "since" => Role::Since,
            other => return Err(format!("{PINS_PATH}: unknown role {other:?}: {line}")),
        };
        if !package.starts_with("linux-source-") {
            return Err(format!("{PINS_PATH}: {package} is not a linux-source-<line> package"));
        }
        pins.push(Pin {
            role,
            package: package.to_string(),
            version: version.to_string(),
            suite: suite.to_string(),
        });
    }
    match pins.iter().filter(|p| p.role == Role::Bindings).count() {
        1 => Ok(pins),
        n => Err(format!("{PINS_PATH}: expected one `bindings` row, found {n}")),
    }
}

/// Reads the pins of the checkout at `root`.
pub fn read_pins(root: &Path) -> Result<Vec<Pin>, String> {
    let path = root.join(PINS_PATH);
    let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_pins(&text)
}

/// The command that moves `package`'s pin to `version` and regenerates.
pub fn move_pin_command(package: &str, version: &str) -> String {
    format!("{REGENERATE_COMMAND} --move-pin {package}={version}")
}

/// `text` (the pins table) with `package`'s version replaced by `version`, everything else as it was.
pub fn move_pin_in(text: &str, package: &str, version: &str) -> Result<String, String> {
    let mut found = false;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let columns: Vec<&str> = line.split_whitespace().collect();
        if !line.trim_start().starts_with('#') && columns.len() == 4 && columns[1] == package {
            found = true;
            let at = line.find(columns[2]).expect("a column is in its line");
            let next = at + line[at..].find(columns[3]).expect("the suite follows the version");
            out.push_str(&line[..at]);
            // The suite stays in its column when the new version fits.
            out.push_str(&format!("{version:<w$}", w = next - at - 1));
            out.push(' ');
            out.push_str(&line[next..]);
        } else {
            out.push_str(line);
        }
    }
    if found {
        Ok(out)
    } else {
        Err(format!("{PINS_PATH} has no row for {package}"))
    }
}

/// Rewrites `package`'s pin in the checkout at `root`.
pub fn move_pin(root: &Path, package: &str, version: &str) -> Result<(), String> {
    let path = root.join(PINS_PATH);
    let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let moved = move_pin_in(&text, package, version)?;
    fs::write(&path, moved).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("pinned {package} {version} in {PINS_PATH}");
    Ok(())
}

/// What to compare with, given the versions of a pinned package that its suite publishes (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The pinned version is published.
    Pinned,
    /// The pinned version is gone; this is the newest published version of the same line.
    Newer(String),
    /// No version of the line is published any more.
    NoneOfLine,
}

/// Decides which version of `pin`'s line to use: the pinned one while it is published, else the newest published.
pub fn choose_version(pin: &Pin, published_newest_first: &[String]) -> Choice {
    if published_newest_first.contains(&pin.version) {
        Choice::Pinned
    } else if let Some(newest) = published_newest_first.first() {
        Choice::Newer(newest.clone())
    } else {
        Choice::NoneOfLine
    }
}

/// The versions of `package` that `suite` publishes, from `apt-cache madison` output (`pkg | version | uri
/// suite/main arch Packages`), in the order given.
pub fn parse_madison(text: &str, package: &str, suite: &str) -> Vec<String> {
    let mut versions: Vec<String> = Vec::new();
    for line in text.lines() {
        let columns: Vec<&str> = line.split('|').map(str::trim).collect();
        let [name, version, source] = columns.as_slice() else {
            continue;
        };
        let in_suite = source.split_whitespace().any(|w| w.split('/').next() == Some(suite));
        if *name == package && in_suite && !versions.iter().any(|v| v == version) {
            versions.push(version.to_string());
        }
    }
    versions
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

/// apt with a private configuration under the cache: one sources list for every pinned suite, updated once per run
/// and only when something must be looked up or downloaded.
pub struct PrivateApt {
    dir: PathBuf,
    suites: Vec<String>,
    /// Where `apt-get`, `apt-cache` and `dpkg` are looked up (tests put fakes there); `None`: `PATH`.
    programs: Option<PathBuf>,
    updated: bool,
}

impl PrivateApt {
    pub fn new(cache_dir: &Path, pins: &[Pin]) -> Self {
        let mut suites: Vec<String> = pins.iter().map(|p| p.suite.clone()).collect();
        suites.sort();
        suites.dedup();
        PrivateApt {
            dir: cache_dir.join("apt"),
            suites,
            programs: None,
            updated: false,
        }
    }

    /// Uses the programs in `dir` instead of the machine's (the tests' fake apt).
    #[cfg(test)]
    pub fn with_programs(mut self, dir: &Path) -> Self {
        self.programs = Some(dir.to_path_buf());
        self
    }

    fn program(&self, name: &str) -> Command {
        match &self.programs {
            Some(dir) => Command::new(dir.join(name)),
            None => Command::new(name),
        }
    }

    /// An apt program with the options that point it at the private configuration instead of the machine's.
    fn apt(&self, name: &str) -> Command {
        let mut apt = self.program(name);
        apt.arg("-q")
            .arg("-o")
            .arg(format!(
                "Dir::Etc::sourcelist={}",
                self.dir.join("sources.list").display()
            ))
            .args(["-o", "Dir::Etc::sourceparts=-"])
            .arg("-o")
            .arg(format!("Dir::State::Lists={}", self.dir.join("lists").display()))
            .args(["-o", "APT::Get::List-Cleanup=0"])
            // The download goes to a directory the sandbox user `_apt` may not write; the package is verified by
            // its hash from the signed lists either way.
            .args(["-o", "APT::Sandbox::User=root"]);
        apt
    }

    /// Writes the sources list and runs `apt-get update`, once. A list that cannot be fetched is an error (apt
    /// itself only warns), so a network failure never reads as "no longer published".
    fn update(&mut self) -> Result<(), String> {
        if self.updated {
            return Ok(());
        }
        fs::create_dir_all(self.dir.join("lists/partial"))
            .map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        let mirrors = debian_mirrors(&read_apt_sources());
        let Some(mirror) = mirrors.first() else {
            return Err(format!(
                "no Debian archive in the machine's apt sources ({}) to download the kernel sources from; pass \
                 --kernel PATH",
                APT_SOURCES.join(", ")
            ));
        };
        let sources: String = self
            .suites
            .iter()
            .map(|suite| format!("deb [signed-by={KEYRING}] {mirror} {suite} main\n"))
            .collect();
        fs::write(self.dir.join("sources.list"), sources).map_err(|e| format!("cannot write sources.list: {e}"))?;
        eprintln!(
            "updating the private apt lists of {} (in {})",
            self.suites.join(", "),
            self.dir.display()
        );
        run_checked(
            self.apt("apt-get")
                .args(["--error-on=any", "update"])
                .stdout(Stdio::null()),
        )
        .map_err(|e| format!("cannot update the private apt lists: {e}"))?;
        self.updated = true;
        Ok(())
    }

    /// Whether Debian version `a` is newer than `b`, by dpkg's own comparison.
    fn newer(&self, a: &str, b: &str) -> Result<bool, String> {
        self.program("dpkg")
            .args(["--compare-versions", a, "gt", b])
            .status()
            .map(|s| s.success())
            .map_err(|e| format!("cannot run dpkg --compare-versions: {e}"))
    }

    /// The versions of `pin`'s package that its suite publishes, newest first.
    pub fn published_versions(&mut self, pin: &Pin) -> Result<Vec<String>, String> {
        self.update()?;
        let madison = output_of(self.apt("apt-cache").args(["madison", &pin.package]))?;
        let listed = parse_madison(&madison, &pin.package, &pin.suite);
        // Insertion sort by dpkg's comparison: the lists hold a handful of versions.
        let mut sorted: Vec<String> = Vec::with_capacity(listed.len());
        for version in listed {
            let mut at = sorted.len();
            for (i, other) in sorted.iter().enumerate() {
                if self.newer(&version, other)? {
                    at = i;
                    break;
                }
            }
            sorted.insert(at, version);
        }
        Ok(sorted)
    }

    /// Downloads `package=version` into `into` and returns the file. Any failure is an error: the version was
    /// listed as published.
    fn download(&mut self, package: &str, version: &str, into: &Path) -> Result<PathBuf, String> {
        self.update()?;
        let deb = into.join(deb_file_name(package, version));
        run_checked(
            self.apt("apt-get")
                .arg("download")
                .arg(format!("{package}={version}"))
                .current_dir(into)
                .stdout(Stdio::null()),
        )
        .map_err(|e| format!("cannot download {package} {version}: {e}"))?;
        if !deb.exists() {
            return Err(format!("apt-get download left no {}", deb.display()));
        }
        Ok(deb)
    }
}

/// The file name `apt-get download` gives a package (`:` in a version is escaped as `%3a`).
fn deb_file_name(package: &str, version: &str) -> String {
    format!("{package}_{}_all.deb", version.replace(':', "%3a"))
}

/// A pinned kernel source as obtained.
#[derive(Debug, PartialEq, Eq)]
pub enum Obtained {
    /// The tarball of Debian version `version`: the pinned one (`pinned`), or the newest of the line when the pinned
    /// one is gone.
    Tarball {
        path: PathBuf,
        version: String,
        pinned: bool,
    },
    /// No version of the line is published: the message says so in one line.
    NoneOfLine(String),
}

/// Returns `pin`'s kernel source tarball, downloading and unpacking the package into `cache_dir` unless the cache
/// already holds this very version. When the pinned version is no longer published, the newest published version
/// of the same line is taken instead (the caller decides what that means); a failed download is an error.
pub fn fetch_tarball(pin: &Pin, cache_dir: &Path, apt: &mut PrivateApt) -> Result<Obtained, String> {
    let tarball = cache_dir.join(pin.tarball_name());
    let stamp = cache_dir.join(format!("{}.version", pin.package));
    let cached = fs::read_to_string(&stamp).ok().filter(|_| tarball.exists());
    if cached.as_deref() == Some(pin.version.as_str()) {
        return Ok(Obtained::Tarball {
            path: tarball,
            version: pin.version.clone(),
            pinned: true,
        });
    }
    let published = apt.published_versions(pin)?;
    let version = match choose_version(pin, &published) {
        Choice::Pinned => pin.version.clone(),
        Choice::Newer(newest) => newest,
        Choice::NoneOfLine => {
            return Ok(Obtained::NoneOfLine(format!(
                "no version of {} is published in {} any more (pinned: {})",
                pin.package, pin.suite, pin.version
            )));
        }
    };
    let pinned = version == pin.version;
    if cached.as_deref() != Some(version.as_str()) {
        fs::create_dir_all(cache_dir).map_err(|e| format!("cannot create {}: {e}", cache_dir.display()))?;
        eprintln!("downloading {} {version} from {}", pin.package, pin.suite);
        let deb = apt.download(&pin.package, &version, cache_dir)?;
        // The package holds one file of interest: /usr/src/<package>.tar.xz. A pipe, so the tarball is written
        // once, straight into the cache; `pipefail`, so a broken archive fails here rather than later.
        let member = format!("./usr/src/{}", pin.tarball_name());
        let script =
            r#"set -o pipefail; dpkg-deb --fsys-tarfile "$1" | tar -xO "$2" > "$3.partial" && mv "$3.partial" "$3""#;
        run_checked(
            Command::new("bash")
                .args(["-c", script, "bash"])
                .arg(&deb)
                .arg(&member)
                .arg(&tarball),
        )
        .map_err(|e| format!("{} is not a usable kernel source package: {e}", deb.display()))?;
        fs::remove_file(&deb).map_err(|e| format!("cannot remove {}: {e}", deb.display()))?;
        fs::write(&stamp, &version).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    }
    Ok(Obtained::Tarball {
        path: tarball,
        version,
        pinned,
    })
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

    fn pin(version: &str) -> Pin {
        Pin {
            role: Role::Bindings,
            package: "linux-source-7.3".into(),
            version: version.into(),
            suite: "trixie-backports".into(),
        }
    }

    #[test]
    fn the_committed_pins_parse() {
        let pins = parse_pins(include_str!("../kernels.tsv")).unwrap();
        let lines: Vec<&str> = pins.iter().map(Pin::line).collect();
        assert_eq!(lines, ["5.10", "6.1", "6.12", "7.2", "7.3"]);
        assert_eq!(pins[4].tarball_name(), "linux-source-7.3.tar.xz");
        assert_eq!(Pin::upstream_version(&pins[4].version), "7.3.4");
        assert_eq!(
            deb_file_name("linux-source-7.3", "1:7.3.4-1"),
            "linux-source-7.3_1%3a7.3.4-1_all.deb"
        );
        assert!(
            parse_pins("since linux-source-6.1 6.1.1-1 bookworm\n").is_err(),
            "no bindings row"
        );
    }

    #[test]
    fn a_gone_pin_takes_the_newest_of_its_line_and_an_empty_line_says_so() {
        let listed = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            choose_version(&pin("7.3.4-1"), &listed(&["7.3.5-1", "7.3.4-1"])),
            Choice::Pinned
        );
        assert_eq!(
            choose_version(&pin("7.3.4-1"), &listed(&["7.3.6-1", "7.3.5-1"])),
            Choice::Newer("7.3.6-1".into())
        );
        assert_eq!(choose_version(&pin("7.3.4-1"), &[]), Choice::NoneOfLine);
    }

    #[test]
    fn madison_lines_of_other_suites_and_packages_are_left_out() {
        let madison = "linux-source-7.2 | 7.2.13-1 | http://m/debian sid/main amd64 Packages\n\
                       linux-source-7.2 | 7.2.12-1 | http://m/debian forky/main amd64 Packages\n\
                       linux-source-7.20 | 7.20.1-1 | http://m/debian sid/main amd64 Packages\n";
        assert_eq!(parse_madison(madison, "linux-source-7.2", "sid"), ["7.2.13-1"]);
        assert!(parse_madison(madison, "linux-source-7.2", "trixie").is_empty());
    }

    #[test]
    fn moving_a_pin_changes_its_version_only() {
        let table = "# c\nsince     linux-source-6.1   6.1.176-1         bookworm\n\
                     bindings  linux-source-7.3   7.3.4-1~bpo13+1   trixie-backports\n";
        let moved = move_pin_in(table, "linux-source-7.3", "7.3.5-1~bpo13+1").unwrap();
        assert_eq!(
            moved,
            "# c\nsince     linux-source-6.1   6.1.176-1         bookworm\n\
             bindings  linux-source-7.3   7.3.5-1~bpo13+1   trixie-backports\n"
        );
        assert_eq!(parse_pins(&moved).unwrap()[1].version, "7.3.5-1~bpo13+1");
        assert!(move_pin_in(table, "linux-source-9.9", "9.9.1-1").is_err());
    }

    /// Fake `apt-get` and `apt-cache` in a scratch directory (shell scripts with the given bodies), with the real
    /// `dpkg` beside them.
    fn fake_programs(name: &str, apt_get: &str, apt_cache: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("kvm-bindings-fake-apt-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        for (program, body) in [
            ("apt-get", apt_get),
            ("apt-cache", apt_cache),
            ("dpkg", "exec dpkg \"$@\""),
        ] {
            let path = dir.join(program);
            fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    }

    fn fetch_with(name: &str, apt_get: &str, apt_cache: &str) -> Result<Obtained, String> {
        let programs = fake_programs(name, apt_get, apt_cache);
        let cache = programs.join("cache");
        let pin = pin("7.3.4-1");
        let mut apt = PrivateApt::new(&cache, std::slice::from_ref(&pin)).with_programs(&programs);
        let result = fetch_tarball(&pin, &cache, &mut apt);
        let _ = fs::remove_dir_all(&programs);
        result
    }

    const LISTED: &str = "echo 'linux-source-7.3 | 7.3.4-1 | http://m/debian trixie-backports/main amd64 Packages'";

    #[test]
    fn a_failed_update_is_a_failure() {
        let error = fetch_with("update", "echo 'E: network unreachable' >&2; exit 100", "exit 0").unwrap_err();
        assert!(error.contains("cannot update the private apt lists"), "{error}");
    }

    #[test]
    fn a_failed_download_of_a_listed_version_is_a_failure() {
        let apt_get = r#"case "$*" in *" download "*) exit 100;; esac; exit 0"#;
        let error = fetch_with("dl", apt_get, LISTED).unwrap_err();
        assert!(error.contains("cannot download linux-source-7.3 7.3.4-1"), "{error}");
    }

    #[test]
    fn a_broken_archive_is_a_failure() {
        let apt_get = r#"case "$*" in *" download "*) echo garbage > linux-source-7.3_7.3.4-1_all.deb;; esac; exit 0"#;
        let error = fetch_with("broken", apt_get, LISTED).unwrap_err();
        assert!(error.contains("is not a usable kernel source package"), "{error}");
    }

    #[test]
    fn a_line_nobody_publishes_is_said_in_one_line() {
        match fetch_with("gone", "exit 0", "exit 0").unwrap() {
            Obtained::NoneOfLine(message) => {
                assert_eq!(message.lines().count(), 1);
                assert!(
                    message.starts_with("no version of linux-source-7.3 is published"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
