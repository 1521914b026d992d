# shellcheck shell=bash
# The one apt helper of the scripts. Source it:
#   source "$root/scripts/lib/apt.sh"
#   apt_install PACKAGE...           installs the missing ones; PACKAGE:ARCH adds that dpkg architecture first
#   apt_download DIR PACKAGE=VERSION...   downloads the .debs into DIR, installing nothing (the machine's own suites)
#   apt_update                       refreshes the package lists
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
