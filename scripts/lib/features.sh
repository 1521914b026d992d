# shellcheck shell=bash
# The one enumeration of feature combinations: cargo-hack's --feature-powerset over the published crates (publish
# != false), which leaves out the sets another set already implies (the facade's fam-wrappers enables its
# vmm-sys-util, so {fam-wrappers, vmm-sys-util} is {fam-wrappers}). Source it:
#   source "$root/scripts/lib/features.sh"
#   feature_combinations [WORKSPACE]
#       one line per combination: "PACKAGE-DIR FEATURES", FEATURES "-" for none (comma-separated otherwise),
#       PACKAGE-DIR the crate's directory relative to WORKSPACE (default: this checkout, where each published crate's
#       directory is its name)
# Every script that runs "every combination" (test-features, check-msrv, build-musl, test-asan, test-cross) reads
# this, with --no-default-features and --features FEATURES. An empty list is an error: a loop over nothing passes.
# shellcheck source=scripts/lib/tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"

feature_combinations() {
  local root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)} hack list
  hack=$(cargo_tool hack) || return 1
  # --print-command-list: the cargo commands cargo-hack would run, one a line (its last line has no newline).
  # (Its "info: skipped running on private package" lines go to stderr; kept out of the list, shown on failure.)
  list=$(cd "$root" && "$hack" hack check --workspace --ignore-private --feature-powerset --locked \
    --print-command-list 2>&1) || {
    printf '%s\n' "$list" >&2
    echo "features.sh: cargo hack --feature-powerset failed" >&2
    return 1
  }
  printf '%s\n' "$list" | awk '
    /^cargo / {
      dir = "?"; features = "-"
      for (i = 1; i < NF; i++) {
        if ($i == "--manifest-path") { dir = $(i + 1); sub(/\/?Cargo\.toml$/, "", dir) }
        if ($i == "--features") features = $(i + 1)
      }
      print dir, features; n++
    }
    END { if (n == 0) { print "features.sh: cargo hack listed no feature combination" > "/dev/stderr"; exit 1 } }'
}
