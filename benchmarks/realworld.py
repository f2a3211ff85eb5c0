#!/usr/bin/env python
"""slimlint on the real-code development set (benchmarks/realworld/; not part of the test suite).

    python benchmarks/realworld.py --snapshots DIR [--work DIR] [--repo OWNER/NAME ...] [--diffs]

Every repository of `realworld/repos.tsv` is exported at its pinned commit from a git snapshot found under
DIR (or $SLIMLINT_SNAPSHOTS): `DIR/OWNER+NAME`, `DIR/OWNER+NAME/repo` or `DIR/OWNER/NAME`, a bare git directory
or a checkout. slimlint checks the whole exported tree (`--no-cache`, JSON), and every finding is printed with
its verdict from `realworld/verdicts.tsv` (matched on repository, path, line and code):

* precision = TP / (TP + FP) over every SL1xx/SL2xx finding (SL900, "could not parse", is counted apart);
* a finding with no verdict is listed as UNVERDICTED: read the code behind it and add a row;
* fixes offered are counted with their verdict's fix_ok (ok / not-ok);
* the known bugs of `realworld/known_bugs.tsv` are listed as found or missed.

`--diffs` also writes slimlint's `--diff` for each tree next to the export (WORK/OWNER+NAME.diff), to read the
fixes. Nothing of a snapshot is kept in the repository: only pointers and verdicts.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent / "realworld"
ROOT = HERE.parent.parent


def read_tsv(name: str) -> list[dict[str, str]]:
    with open(HERE / name, encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if not row[next(iter(row))].startswith("#")]


def _places(known: dict[str, str]) -> list[tuple[str, int, str]]:
    """Where a known bug may be reported, and by which rule: its pointer, and the places its `also` column lists
    (`path:line`, or `path:line:CODE` when another rule reports it there; comma-separated) when the same bug shows
    at its cause and at its symptom (the batch norm, the test run)."""
    places = [(known["path"], int(known["line"]), known["code"])]
    for entry in filter(None, (p.strip() for p in (known.get("also") or "").split(","))):
        code = known["code"]
        if entry.rsplit(":", 1)[-1].startswith("SL"):
            entry, code = entry.rsplit(":", 1)
        path, line = entry.rsplit(":", 1)
        places.append((path, int(line), code))
    return places


def git_dir(snapshots: Path, repo: str) -> Path | None:
    owner, name = repo.split("/")
    for base in (snapshots / f"{owner}+{name}", snapshots / f"{owner}+{name}" / "repo", snapshots / owner / name):
        for candidate in (base / ".git", base):
            if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
                return candidate
    return None


KEPT_SUFFIXES = (".py", ".pyi", ".ipynb", ".toml", ".cfg", ".ini", ".gitignore")


def export(git: Path, commit: str, dest: Path) -> None:
    """Write the source files of `commit` into dest, read with git cat-file (no checkout: the snapshot stays
    untouched). Only what slimlint reads is kept: snapshots lack large data files, so a whole archive can fail.
    A tree with no such file is an empty folder (slimlint then has nothing to check)."""
    dest.mkdir(parents=True, exist_ok=True)
    listing = subprocess.run(["git", "--git-dir", str(git), "ls-tree", "-r", "-z", commit],
                             capture_output=True, check=True).stdout.split(b"\0")
    entries = []
    for entry in filter(None, listing):
        meta, path = entry.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode != b"120000" and path.decode("utf-8", "replace").endswith(KEPT_SUFFIXES):
            entries.append((sha, path.decode("utf-8", "surrogateescape")))
    batch = subprocess.run(["git", "--git-dir", str(git), "cat-file", "--batch"], capture_output=True, check=True,
                           input=b"".join(sha + b"\n" for sha, _ in entries)).stdout
    offset = 0
    for _, path in entries:
        header_end = batch.index(b"\n", offset)
        header = batch[offset:header_end].split()
        if header[-1] == b"missing":
            offset = header_end + 1
            continue
        size = int(header[2])
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(batch[header_end + 1:header_end + 1 + size])
        offset = header_end + 1 + size + 1


def slimlint(tree: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "slimlint", "--no-cache", *args, "."], cwd=tree, env=env,
                          capture_output=True, text=True, check=False)


def findings(tree: Path) -> list[dict]:
    proc = slimlint(tree, "--output-format", "json")
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"slimlint exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshots", type=Path, default=os.environ.get("SLIMLINT_SNAPSHOTS"),
                        help="folder holding the git snapshots (or $SLIMLINT_SNAPSHOTS)")
    parser.add_argument("--work", type=Path, help="export the trees here (default: a temporary folder)")
    parser.add_argument("--repo", action="append", default=[], help="only this repository (repeatable)")
    parser.add_argument("--diffs", action="store_true", help="write each tree's --diff next to it")
    parser.add_argument("--json", type=Path, help="also write every finding with its verdict as JSON")
    args = parser.parse_args(argv)
    if args.snapshots is None:
        parser.error("give --snapshots DIR or set SLIMLINT_SNAPSHOTS")
    repos = [r for r in read_tsv("repos.tsv") if not args.repo or r["repo"] in args.repo]
    verdicts = {(v["repo"], v["path"], int(v["line"]), v["code"]): v for v in read_tsv("verdicts.tsv")}
    known = read_tsv("known_bugs.tsv")
    work = args.work or Path(tempfile.mkdtemp(prefix="slimlint-realworld-"))
    totals: Counter = Counter()
    rows: list[dict] = []
    found_keys: set[tuple] = set()
    for repo in repos:
        git = git_dir(args.snapshots, repo["repo"])
        if git is None:
            print(f"SKIPPED  {repo['repo']}: no snapshot under {args.snapshots}")
            totals["repos skipped"] += 1
            continue
        tree = work / repo["repo"].replace("/", "+")
        if not tree.is_dir():
            export(git, repo["commit"], tree)
        totals["repos"] += 1
        totals["files"] += sum(1 for _ in tree.rglob("*.py"))
        for finding in findings(tree):
            path = Path(finding["filename"]).resolve().relative_to(tree.resolve()).as_posix()
            key = (repo["repo"], path, finding["location"]["row"], finding["code"])
            found_keys.add(key)
            verdict = verdicts.get(key)
            has_fix = finding.get("fix") is not None
            row = {"repo": key[0], "path": path, "line": key[2], "col": finding["location"]["column"],
                   "code": key[3], "fix": has_fix, "message": finding["message"],
                   "verdict": verdict["verdict"] if verdict else "UNVERDICTED",
                   "fix_ok": verdict["fix_ok"] if verdict else "", "reason": verdict["reason"] if verdict else ""}
            rows.append(row)
            if key[3] == "SL900":
                totals["SL900"] += 1
                continue
            totals["findings"] += 1
            totals[row["verdict"]] += 1
            if has_fix:
                totals["fixes"] += 1
                totals[f"fix {row['fix_ok'] or 'unjudged'}"] += 1
        if args.diffs:
            (work / f"{tree.name}.diff").write_text(slimlint(tree, "--diff", "--unsafe-fixes").stdout, encoding="utf-8")
    for row in rows:
        fix = f" fix={row['fix_ok'] or 'UNJUDGED'}" if row["fix"] else ""
        print(f"{row['verdict']:<11} {row['repo']}/{row['path']}:{row['line']}:{row['col']} {row['code']}{fix}"
              f"  {row['reason'] or row['message']}")
    known_here = [k for k in known if any(r["repo"] == k["repo"] for r in repos)]
    found = [k for k in known_here if any((k["repo"], path, line, code) in found_keys for path, line, code in _places(k))]
    print("\nknown bugs:")
    for k in known_here:
        state = "found " if k in found else "MISSED"
        print(f"  {state} {k['repo']}/{k['path']}:{k['line']} {k['code']}  {k['note']}")
    tp, fp = totals["TP"], totals["FP"]
    precision = f"{tp / (tp + fp):.2f}" if tp + fp else "n/a"
    print(f"\nrepos {totals['repos']} ({totals['repos skipped']} skipped), .py files {totals['files']}, "
          f"findings {totals['findings']} (+{totals['SL900']} SL900): TP {tp}, FP {fp}, "
          f"unverdicted {totals['UNVERDICTED']}; precision {precision}")
    print(f"fixes offered {totals['fixes']}: ok {totals['fix ok']}, not ok {totals['fix not-ok']}, "
          f"unjudged {totals['fix unjudged']}; known bugs found {len(found)}/{len(known_here)}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(f"(trees in {work})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
