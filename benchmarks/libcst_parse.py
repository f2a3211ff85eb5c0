"""Parse-only baseline: read and ``libcst.parse_module`` every .py file under PATHS.

This is the floor for any LibCST-based linter: slimlint cannot be faster than
building the CST of each file. ``--jobs 1`` parses in this process; ``--jobs N``
uses a ``multiprocessing`` pool of N worker processes (fork where available).

Prints one line: ``parsed N files (M failed) in S s``.

Usage: python benchmarks/libcst_parse.py [--jobs N] PATHS...
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

import libcst


def iter_py_files(paths: list[str]) -> list[str]:
    files: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            files.append(str(path))
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames.sort()
            files.extend(
                os.path.join(dirpath, name)
                for name in sorted(filenames)
                if name.endswith(".py")
            )
    return files


def parse_one(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            libcst.parse_module(fh.read())
    except (libcst.ParserSyntaxError, UnicodeDecodeError, OSError):
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", "-j", type=int, default=1)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    files = iter_py_files(args.paths)
    if args.jobs <= 1:
        results = [parse_one(f) for f in files]
    else:
        # Small chunks balance the very uneven file sizes of the TF tree.
        with multiprocessing.Pool(args.jobs) as pool:
            results = pool.map(parse_one, files, chunksize=4)
    failed = results.count(False)
    elapsed = time.perf_counter() - start
    print(f"parsed {len(files)} files ({failed} failed) in {elapsed:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
