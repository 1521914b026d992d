# shellcheck shell=bash
# The one apt helper of the scripts. Source it:
#   source "$root/scripts/lib/apt.sh"
#   apt_install PACKAGE...           installs the missing ones; PACKAGE:ARCH adds that dpkg architecture first
#   apt_download DIR PACKAGE=VERSION...   downloads the .debs into DIR, installing nothing (the machine's own suites)
#   apt_update                       refreshes the package lists
#   apt_private_update, apt_private_cache, apt_private_download   other suites of the mirror, privately (below)
# As root, or through sudo. Every apt-get call waits up to 5 minutes for another apt/dpkg user's lock (scripts run
# side by side in CI) instead of failing on it, and runs under a timeout. What apt prints goes to stderr: callers
# may be printing their own result on stdout (scripts/api/rustdoc-json prints directories).

if [ "$(id -u)" -eq 0 ]; then APT_SUDO=(); else APT_SUDO=(sudo); fi
APT_GET=("${APT_SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=300)

apt_update() {
  timeout 600 "${APT_GET[@]}" update >&2
}

# Whether dpkg has PACKAGE installed. (grep without -q: -q exits at the first match, and the writer's SIGPIPE would
# fail the pipeline under pipefail.)
apt_is_installed() { # package
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep 'ok installed' >/dev/null
}

apt_install() { # package...
  local missing=() update=false package foreign
  for package in "$@"; do
    if [[ $package == *:* ]]; then
      foreign=${package##*:}
      if ! dpkg --print-foreign-architectures | grep -x "$foreign" >/dev/null; then
        echo "adding the $foreign dpkg architecture" >&2
        timeout 60 "${APT_SUDO[@]}" dpkg --add-architecture "$foreign" >&2
        update=true
      fi
    fi
    apt_is_installed "$package" || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    # A new dpkg architecture needs its package lists even when nothing is missing yet.
    if $update; then apt_update; fi
    return 0
  fi
  echo "installing ${missing[*]}" >&2
  apt_update
  timeout 1200 "${APT_GET[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
}

apt_download() { # dir package=version...
  local dir=$1
  shift
  mkdir -p "$dir"
  # APT::Sandbox::User=root: the _apt user may not write into a directory under the checkout.
  (cd "$dir" && timeout 600 apt-get download -qq -o APT::Sandbox::User=root "$@" >&2)
}

# --- A private apt configuration: other suites of the machine's own mirror, the machine's apt left unchanged ------
# Debian 12 lacks some packages as packages of this system (loongarch64's cross libc is in forky only): a sources
# list of our own over the same mirror reaches them, and apt's lists go under DIR, so the machine's sources, lists
# and dpkg status are never read or changed (Dir::State::status=/dev/null: the candidates are the suites', not
# what this system has installed).
#   apt_private_update DIR SUITE...             writes DIR/sources.list for the suites (main), refreshes DIR/lists
#   apt_private_cache DIR ARG...                apt-cache over that configuration (policy, madison, pkgnames)
#   apt_private_download DIR DEST PACKAGE=VERSION...   downloads the .debs into DEST, installing nothing
# (The generator's Rust kernel-source download, scripts/gen/src/debian_source.rs, does the same on its own.)

# The machine's Debian mirror: the first URI ending in /debian in its apt sources (deb822 or one-line form).
apt_mirror() {
  local mirror
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
    grep -oE '(https?|file)://[^ ]*/debian/?( |$)' | head -n 1 | tr -d ' ' || true)
  if [ -z "$mirror" ]; then
    echo "apt.sh: no Debian mirror in the machine's apt sources" >&2
    return 1
  fi
  printf '%s\n' "$mirror"
}

# The options that point apt at DIR's configuration instead of the machine's.
apt_private_options() { # dir
  printf '%s\n' -o "Dir::Etc::sourcelist=$1/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$1/lists" \
    -o Dir::State::status=/dev/null -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root
}

apt_private_update() { # dir suite...
  local dir=$1 mirror suite options
  shift
  [ $# -gt 0 ] || { echo "apt.sh: apt_private_update: no suite given" >&2; return 1; }
  mirror=$(apt_mirror) || return 1
  mkdir -p "$dir/lists/partial"
  for suite in "$@"; do
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main"
  done >"$dir/sources.list"
  mapfile -t options < <(apt_private_options "$dir")
  timeout 300 apt-get -qq "${options[@]}" update >&2
}

apt_private_cache() { # dir arg...
  local dir=$1 options
  shift
  mapfile -t options < <(apt_private_options "$dir")
  apt-cache "${options[@]}" "$@"
}

apt_private_download() { # dir dest package=version...
  local dir=$1 dest=$2 options
  shift 2
  mapfile -t options < <(apt_private_options "$dir")
  mkdir -p "$dest"
  (cd "$dest" && timeout 600 apt-get -qq "${options[@]}" download "$@" >&2)
}
