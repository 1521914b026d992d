#!/usr/bin/env python3
"""Per-crate line coverage from cargo-llvm-cov's JSON summary, compared with the floors the configuration records.

    coverage-scores.py compare MEASURED.json CONFIG.json   prints each crate's score; fails below a floor
    coverage-scores.py update MEASURED.json CONFIG.json    records the measured scores as the new floors

A crate is a file's first path component under ROOT (the checkout; cargo-llvm-cov reports absolute paths). The
comparison fails when a crate scores below its floor (0.05 of rounding allowed), when a measured crate has no floor
(a new crate must be recorded on purpose), and when a recorded crate measured no line at all: a score over nothing is
no score. Python because the input is JSON and the sums are three lines; nothing else needs it.
"""
import json
import os
import sys


def scores_by_crate(measured_path, root):
    """{crate: (covered lines, lines)} from cargo-llvm-cov's `--json --summary-only` export."""
    with open(measured_path) as handle:
        data = json.load(handle)["data"][0]
    totals = {}
    for entry in data["files"]:
        path = os.path.relpath(entry["filename"], root)
        if path.startswith(".."):
            continue
        crate = path.split(os.sep)[0]
        lines = entry["summary"]["lines"]
        covered, count = totals.get(crate, (0, 0))
        totals[crate] = (covered + lines["covered"], count + lines["count"])
    return totals


def percent(covered, count):
    return 100.0 * covered / count if count else 0.0


def compare(totals, config):
    floors = config.get("coverage_scores", {})
    failures = []
    if not floors:
        failures.append("the configuration records no coverage_scores: nothing to compare")
    for crate in sorted(set(totals) | set(floors)):
        covered, count = totals.get(crate, (0, 0))
        score = percent(covered, count)
        floor = floors.get(crate)
        line = f"  {crate:<22} {score:5.1f}% of {count:5} lines"
        if floor is None:
            failures.append(f"{crate}: measured ({score:.1f}%) but no floor recorded")
        elif count == 0:
            failures.append(f"{crate}: a floor of {floor}% is recorded but no line of it was measured")
        elif score + 0.05 < floor:
            failures.append(f"{crate}: coverage dropped to {score:.1f}%, below the recorded {floor}%")
        else:
            line += f"  (floor {floor}%)"
        print(line)
    return failures


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("compare", "update"):
        sys.exit(__doc__.split("\n\n")[1])
    mode, measured_path, config_path = sys.argv[1:]
    root = os.environ.get("COVERAGE_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        totals = scores_by_crate(measured_path, root)
        with open(config_path) as handle:
            config = json.load(handle)
    except (OSError, ValueError, KeyError, IndexError) as error:
        sys.exit(f"coverage-scores: cannot read the inputs: {error!r}")
    if mode == "update":
        config["coverage_scores"] = {crate: round(percent(*totals[crate]), 1) for crate in sorted(totals)}
        with open(config_path, "w") as handle:
            json.dump(config, handle, indent=2)
            handle.write("\n")
        print(f"recorded in {config_path}: {config['coverage_scores']}")
        return
    failures = compare(totals, config)
    for failure in failures:
        print(f"FAILED: {failure}")
    if failures:
        print("(add tests, or run scripts/coverage --update in a commit that says why)")
        sys.exit(1)
    print(f"every crate at or above its floor in {config_path}")


if __name__ == "__main__":
    main()
