"""What the Python 2 front end costs: files read by each front end, and the time the fallback adds.

The fallback (slimlint/python2) runs only on files LibCST rejects, so on Python 3 trees it should cost
nothing. For each tree this reads every .py file the way the engine does (LibCST first; the Python 2
view when LibCST raises a syntax error) and prints, per tree: files parsed by LibCST, by the Python 2
view, by neither (SL900), the time of all LibCST parses, and the time added by the fallback (the
Python 2 grammar and the view, on top of LibCST's failed attempt). Not a test: times on a shared
machine are noise, the ratio is what to read.

    python benchmarks/python2_fallback.py TREE [TREE ...]
    python benchmarks/python2_fallback.py --each-subdir /tmp/rw     # one row per repository
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import libcst as cst

from slimlint import nesting_budget, python2
from slimlint.big_stack import on_big_stack
from slimlint.source import SourceError, read_source


def measure(tree: Path) -> dict:
    row = {"libcst": 0, "python2": 0, "neither": 0, "unread": 0, "parse_s": 0.0, "fallback_s": 0.0}
    for path in sorted(tree.rglob("*.py")):
        try:
            source = read_source(path)
        except SourceError:
            row["unread"] += 1
            continue
        if nesting_budget.too_deep(source.text) is not None:
            row["neither"] += 1
            continue
        start = time.perf_counter()
        try:
            on_big_stack(cst.parse_module, source.for_libcst())
            row["libcst"] += 1
            row["parse_s"] += time.perf_counter() - start
            continue
        except cst.ParserSyntaxError as exc:
            row["parse_s"] += time.perf_counter() - start
            error = exc
        start = time.perf_counter()
        module, _view, _problem = on_big_stack(python2.read, source, error)
        row["fallback_s"] += time.perf_counter() - start
        row["python2" if module is not None else "neither"] += 1
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--each-subdir", action="store_true", help="one row per sub-folder (the dev set's export)")
    args = parser.parse_args(argv)
    trees = [d for t in args.trees for d in sorted(t.iterdir()) if d.is_dir()] if args.each_subdir else args.trees
    header = f"{'tree':48} {'files':>6} {'LibCST':>7} {'py2':>5} {'neither':>7} {'parse s':>8} {'fallback s':>10}"
    print(header)
    total = {"libcst": 0, "python2": 0, "neither": 0, "unread": 0, "parse_s": 0.0, "fallback_s": 0.0}
    for tree in trees:
        row = measure(tree)
        for key in total:
            total[key] += row[key]
        files = row["libcst"] + row["python2"] + row["neither"]
        if args.each_subdir and not (row["python2"] or row["neither"]):
            continue  # only the repositories the fallback touches
        print(f"{tree.name[:48]:48} {files:6d} {row['libcst']:7d} {row['python2']:5d} {row['neither']:7d} "
              f"{row['parse_s']:8.2f} {row['fallback_s']:10.2f}")
    files = total["libcst"] + total["python2"] + total["neither"]
    share = total["fallback_s"] / total["parse_s"] if total["parse_s"] else 0.0
    print(f"{'total':48} {files:6d} {total['libcst']:7d} {total['python2']:5d} {total['neither']:7d} "
          f"{total['parse_s']:8.2f} {total['fallback_s']:10.2f}")
    print(f"fallback time / LibCST parse time: {share:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
