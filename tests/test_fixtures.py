"""Every fixture is the truth: exact findings, exact fixed text, idempotent fixes, re-lint clean."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from slimlint.api import findings_of, fix_tree, lint_tree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_") and (p / "fixture.toml").exists())


def _meta(case: Path) -> dict:
    return tomllib.loads((case / "fixture.toml").read_text())


def _program_copy(case: Path, dest: Path) -> Path:
    """The user's program alone (no expected/, no fixture.toml), as a user's tree would be."""
    shutil.copytree(case, dest, ignore=shutil.ignore_patterns("expected", "fixture.toml", "__pycache__"))
    return dest


def _found(root: Path, config) -> list:
    return [f"{Path(f.path).resolve().relative_to(root.resolve()).as_posix()}:{f.start.line}:{f.start.column} {f.code}" for f in findings_of(lint_tree(root, config))]


def test_there_are_fixtures():
    assert len(CASES) >= 5


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_findings_are_exact(case: Path, tmp_path: Path):
    meta = _meta(case)
    root = _program_copy(case, tmp_path / case.name)
    assert sorted(_found(root, meta.get("config"))) == sorted(meta["findings"])


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fix_matches_expected_and_is_idempotent(case: Path, tmp_path: Path):
    meta = _meta(case)
    config = meta.get("config")
    root = _program_copy(case, tmp_path / case.name)
    expected_dir = case / "expected"
    expected = {p.relative_to(expected_dir).as_posix(): p.read_text() for p in expected_dir.rglob("*.py")} if expected_dir.exists() else {}
    fixed = fix_tree(root, config)
    assert sorted(fixed) == sorted(expected), "the set of files --fix changes"
    for rel, text in fixed.items():
        assert text == expected[rel], f"fixed {rel} differs from expected/{rel}"
        compile(text, rel, "exec")
        (root / rel).write_text(text)
    # Idempotent, and the fixed tree is clean of every fixable finding.
    assert fix_tree(root, config) == {}
    remaining = [f for f in findings_of(lint_tree(root, config)) if f.fix is not None]
    assert remaining == []


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_prefilter_is_loss_free(case: Path):
    meta = _meta(case)
    with_filter = findings_of(lint_tree(case, meta.get("config")))
    without = findings_of(lint_tree(case, meta.get("config"), use_prefilter=False))
    assert [(f.path, f.start, f.code) for f in with_filter] == [(f.path, f.start, f.code) for f in without]
