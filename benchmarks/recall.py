#!/usr/bin/env python
"""Precision and recall on the evaluation sets in benchmarks/recall/ (not part of the test suite).

    python benchmarks/recall.py [SET ...]

Every folder of a set is a small repository modelled on a real one, with a TRUTH.md that lists the
expected findings as lines `relative/path.py:LINE CODE` (or `none`), decided from the rule docs and
what the code does to the model. slimlint is run on each folder (`--no-cache`, JSON output) and every
finding is matched against the truth:

* found: same file, line and code;
* found at another line: same file and code, a different line (TRUTH.md may name the anchor as a
  judgement call); counted as found, listed so it can be read;
* missed: expected, not reported; false positive: reported, not expected.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETS = HERE / "recall"
_TRUTH_LINE = re.compile(r"^([\w./-]+\.py):(\d+) (SL\d{3})\s*$")


def truth(repo: Path) -> list[tuple[str, int, str]]:
    text = (repo / "TRUTH.md").read_text(encoding="utf-8")
    return sorted({(m[1], int(m[2]), m[3]) for m in map(_TRUTH_LINE.match, text.splitlines()) if m})


def reported(repo: Path) -> list[tuple[str, int, str]]:
    proc = subprocess.run([sys.executable, "-m", "slimlint", "--no-cache", "--output-format", "json", "."],
                          cwd=repo, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{repo}: slimlint exited {proc.returncode}: {proc.stderr.strip()}")
    return sorted((Path(f["filename"]).resolve().relative_to(repo.resolve()).as_posix(), f["location"]["row"], f["code"])
                  for f in json.loads(proc.stdout))


def main(argv: list[str]) -> int:
    sets = [SETS / name for name in argv] if argv else sorted(p for p in SETS.iterdir() if p.is_dir())
    totals = {"expected": 0, "found": 0, "elsewhere": 0, "missed": 0, "false positives": 0, "clean repos": 0,
              "clean repos silent": 0}
    for group in sets:
        for repo in sorted(p for p in group.iterdir() if (p / "TRUTH.md").is_file()):
            want, got = truth(repo), reported(repo)
            exact = [w for w in want if w in got]
            rest_want = [w for w in want if w not in got]
            rest_got = [g for g in got if g not in want]
            elsewhere = []
            for w in list(rest_want):
                match = next((g for g in rest_got if (g[0], g[2]) == (w[0], w[2])), None)
                if match is not None:
                    elsewhere.append((w, match))
                    rest_want.remove(w)
                    rest_got.remove(match)
            totals["expected"] += len(want)
            totals["found"] += len(exact) + len(elsewhere)
            totals["elsewhere"] += len(elsewhere)
            totals["missed"] += len(rest_want)
            totals["false positives"] += len(rest_got)
            if not want:
                totals["clean repos"] += 1
                totals["clean repos silent"] += not got
            status = "ok" if not rest_want and not rest_got else "MISMATCH"
            print(f"{status:<8} {group.name}/{repo.name}: expected {len(want)}, found {len(exact) + len(elsewhere)}")
            for w, g in elsewhere:
                print(f"           at another line: expected {w[0]}:{w[1]} {w[2]}, reported line {g[1]}")
            for w in rest_want:
                print(f"           missed: {w[0]}:{w[1]} {w[2]}")
            for g in rest_got:
                print(f"           false positive: {g[0]}:{g[1]} {g[2]}")
    found, fp = totals["found"], totals["false positives"]
    precision = found / (found + fp) if found + fp else 1.0
    recall = found / totals["expected"] if totals["expected"] else 1.0
    print(f"\nexpected {totals['expected']}, found {found} ({totals['elsewhere']} at another line), missed "
          f"{totals['missed']}, false positives {fp}; clean repos silent {totals['clean repos silent']}/"
          f"{totals['clean repos']}; precision {precision:.2f}, recall {recall:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
