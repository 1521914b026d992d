# shellcheck shell=bash
# The one bash reader of arches.tsv (the table of architectures; its header names the columns). Source it:
#   source "$root/scripts/lib/arches.sh"
#   arch_names                  every arch, in the table's order, one per line
#   arch_field NAME COLUMN      one cell: arch_field arm64 rust -> aarch64-unknown-linux-gnu
#   arch_target_arch NAME       Rust's cfg(target_arch) of the arch (its rust triple's first part; riscv64gc -> riscv64)
#   arch_exists NAME            status 0 when the table has NAME
# The table is parsed once, when sourced; a row without exactly the header's columns stops the sourcing script with
# the row quoted, so no script works from half a table. KVM_BINDINGS_ARCHES names another table (the self-tests').

ARCH_COLUMNS=(name kernel clang libclang rust gcc packages runner std endian)
ARCHES_TABLE=${KVM_BINDINGS_ARCHES:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/arches.tsv}
ARCH_NAMES=()
declare -A ARCH_CELLS=()

read_arches_table() {
  local line number=0 cells column
  [ -r "$ARCHES_TABLE" ] || { echo "arches.sh: cannot read $ARCHES_TABLE" >&2; return 1; }
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    read -r -a cells <<<"$line"
    if [ ${#cells[@]} -ne ${#ARCH_COLUMNS[@]} ]; then
      echo "arches.sh: $ARCHES_TABLE:$number: expected ${#ARCH_COLUMNS[@]} columns (${ARCH_COLUMNS[*]})," \
        "found ${#cells[@]}: $line" >&2
      return 1
    fi
    if [ -n "${ARCH_CELLS[${cells[0]}:name]+set}" ]; then
      echo "arches.sh: $ARCHES_TABLE:$number: ${cells[0]} is listed twice" >&2
      return 1
    fi
    ARCH_NAMES+=("${cells[0]}")
    for column in "${!ARCH_COLUMNS[@]}"; do
      ARCH_CELLS[${cells[0]}:${ARCH_COLUMNS[$column]}]=${cells[$column]}
    done
  done <"$ARCHES_TABLE"
  if [ ${#ARCH_NAMES[@]} -eq 0 ]; then
    echo "arches.sh: $ARCHES_TABLE lists no architecture" >&2
    return 1
  fi
}

arch_names() {
  printf '%s\n' "${ARCH_NAMES[@]}"
}

arch_exists() { # name
  [ -n "${ARCH_CELLS[$1:name]+set}" ]
}

arch_field() { # name column
  if ! arch_exists "$1"; then
    echo "no architecture '$1' in $ARCHES_TABLE (it has: ${ARCH_NAMES[*]})" >&2
    return 1
  fi
  if [ -z "${ARCH_CELLS[$1:$2]+set}" ]; then
    echo "arches.sh: no column '$2' (the columns: ${ARCH_COLUMNS[*]})" >&2
    return 1
  fi
  printf '%s\n' "${ARCH_CELLS[$1:$2]}"
}

arch_target_arch() { # name
  local triple
  triple=$(arch_field "$1" rust) || return 1
  triple=${triple%%-*}
  # Rust's riscv64 triples spell the ISA extensions into the arch part (riscv64gc); target_arch is riscv64.
  case $triple in riscv64*) triple=riscv64 ;; esac
  printf '%s\n' "$triple"
}

read_arches_table || exit 1
