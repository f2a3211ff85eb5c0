"""Every fixture is the truth: exact findings, exact fixed text, idempotent fixes, re-lint clean, and the
full report pinned by its snapshot (slimlint/testing.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slimlint import python2
from slimlint.lint import findings_of, fix_tree, lint_tree
from slimlint.notebook import program_of
from slimlint.harness.fixtures import Fixture, collect_fixtures
from slimlint.testing import snapshot_path, stale_snapshot

FIXTURES = collect_fixtures([Path(__file__).resolve().parent.parent / "fixtures"])


def _found(root: Path, config) -> list:
    return [f"{Path(f.path).resolve().relative_to(root.resolve()).as_posix()}:{f.start.line}:{f.start.column} {f.code}" for f in findings_of(lint_tree(root, config))]


def _parses_like(original: Path, text: str, rel: str) -> None:
    """A fixed file parses in its original's language: Python 3, or Python 2 for a Python 2 program; a
    notebook, cell by cell (its cells that parsed before still parse)."""
    if rel.endswith(".ipynb"):
        before, after = (program_of(original.read_bytes()), program_of(text.encode("utf-8")))
        assert {p.cell for p in after.problems} <= {p.cell for p in before.problems}, f"a cell of {rel} no longer parses"
        return
    try:
        compile(original.read_text(encoding="utf-8"), rel, "exec")
    except SyntaxError:
        assert python2.parses(text), f"fixed {rel} is no longer Python 2"
        return
    compile(text, rel, "exec")


def test_there_are_fixtures():
    assert len(FIXTURES) >= 5


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_findings_are_exact(fixture: Fixture, tmp_path: Path):
    root = fixture.copy_program(tmp_path / fixture.name)
    assert sorted(_found(root, fixture.config)) == sorted(fixture.findings)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_fix_matches_expected_and_is_idempotent(fixture: Fixture, tmp_path: Path):
    config = fixture.config
    root = fixture.copy_program(tmp_path / fixture.name)
    expected = fixture.expected_files()
    fixed = fix_tree(root, config)
    assert sorted(fixed) == sorted(expected), "the set of files --fix changes"
    for rel, text in fixed.items():
        assert text == expected[rel], f"fixed {rel} differs from expected/{rel}"
        _parses_like(fixture.path / rel, text, rel)
        (root / rel).write_text(text)
    # Idempotent, and the fixed tree is clean of every fixable finding.
    assert fix_tree(root, config) == {}
    remaining = [f for f in findings_of(lint_tree(root, config)) if f.fix is not None]
    assert remaining == []


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_prefilter_is_loss_free(fixture: Fixture):
    with_filter = findings_of(lint_tree(fixture.path, fixture.config))
    without = findings_of(lint_tree(fixture.path, fixture.config, use_prefilter=False))
    assert [(f.path, f.start, f.code) for f in with_filter] == [(f.path, f.start, f.code) for f in without]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_report_matches_its_snapshot(fixture: Fixture):
    """Messages, ranges, fix titles and behaviour notes are pinned, not only codes and lines."""
    assert snapshot_path(fixture).exists(), "no report.snap: run `python -m slimlint.testing --update`"
    diff = stale_snapshot(fixture)
    assert diff is None, f"report.snap is stale (if the change is meant, run `python -m slimlint.testing --update`):\n{diff}"
