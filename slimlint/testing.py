"""Pinning rule output: a snapshot per fixture, as Ruff pins each rule's with `.snap` files.

A fixture's `report.snap` holds what slimlint says about it (every finding's range, code, message, fix
title and behaviour-change note) and the diff `--fix` makes. `tests/test_fixtures.py` checks it; after a
deliberate change, regenerate every snapshot with one command and review the diff in git:

    python -m slimlint.testing --update [FIXTURE_DIR ...]
"""

from __future__ import annotations

import difflib
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence

from slimlint.lint import findings_of, fix_tree, lint_tree
from slimlint.findings import Finding
from slimlint.harness.fixtures import Fixture, collect_fixtures, default_fixtures_dir

SNAPSHOT_NAME = "report.snap"
_HEADER = "# slimlint's output on this fixture; regenerate with `python -m slimlint.testing --update`\n"


def render_snapshot(fixture: Fixture) -> str:
    """The report and the fix diff, computed on a copy of the fixture's program (paths relative to it)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = fixture.copy_program(Path(tmp) / fixture.name).resolve()
        findings = findings_of(lint_tree(root, fixture.config))
        fixed = fix_tree(root, fixture.config)
        lines = [_HEADER]
        lines += [_finding(f, root) for f in findings] or ["(no findings)\n"]
        for rel in sorted(fixed):
            old = (root / rel).read_text(encoding="utf-8")
            lines.append("\n")
            lines += difflib.unified_diff(old.splitlines(True), fixed[rel].splitlines(True), f"a/{rel}", f"b/{rel}")
        return "".join(lines)


def _finding(f: Finding, root: Path) -> str:
    rel = Path(f.path).resolve().relative_to(root).as_posix()
    out = f"{rel}:{f.start.line}:{f.start.column}-{f.end.line}:{f.end.column} {f.code} {f.name}\n  message: {f.message}\n"
    if f.fix is not None:
        out += f"  fix ({f.fix.applicability}): {f.fix.message}\n  behaviour change: {f.fix.behaviour_change}\n"
    return out


def snapshot_path(fixture: Fixture) -> Path:
    return fixture.path / SNAPSHOT_NAME


def stale_snapshot(fixture: Fixture) -> Optional[str]:
    """None when the stored snapshot matches; else a unified diff from the stored one to today's output."""
    path = snapshot_path(fixture)
    stored = path.read_text(encoding="utf-8") if path.exists() else ""
    now = render_snapshot(fixture)
    if stored == now:
        return None
    return "".join(difflib.unified_diff(stored.splitlines(True), now.splitlines(True), f"stored/{path.name}", "now"))


def update(paths: Sequence[Path]) -> List[Path]:
    """Rewrite the snapshots that changed; return them."""
    written = []
    for fixture in collect_fixtures(paths):
        now = render_snapshot(fixture)
        path = snapshot_path(fixture)
        if not path.exists() or path.read_text(encoding="utf-8") != now:
            path.write_text(now, encoding="utf-8")
            written.append(path)
    return written


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] != "--update":
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    paths = [Path(p) for p in argv[1:]] or [default_fixtures_dir()]
    for path in update(paths):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
