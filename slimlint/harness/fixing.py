"""Lint and fix a fixture with slimlint itself, and compare with what fixture.toml and expected/ say."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from slimlint.harness.fixtures import Fixture


@dataclass
class FixCheck:
    files: Dict[str, str]  # relative path -> text of the fixed program's changed files
    source: str  # "slimlint" or "expected/" (fallback while slimlint.lint is missing)
    problems: List[str] = field(default_factory=list)  # each one makes the fixture unproved
    warning: Optional[str] = None
    findings: Optional[List[str]] = None  # what the linter reported, when it could be asked

    @property
    def ok(self) -> bool:
        return not self.problems


def _api():
    try:
        from slimlint import lint as api
    except Exception as exc:  # the lead's API may not exist yet, or fail to import mid-work
        return None, f"{type(exc).__name__}: {exc}"
    if not hasattr(api, "fix_tree"):
        return None, "slimlint.lint has no fix_tree"
    return api, None


def _findings(api, root: Path, config) -> Optional[List[str]]:
    if not (hasattr(api, "lint_tree") and hasattr(api, "findings_of")):
        return None
    out = []
    for f in api.findings_of(api.lint_tree(root, config)):
        rel = Path(f.path).resolve().relative_to(root.resolve()).as_posix()
        out.append(f"{rel}:{f.start.line}:{f.start.column} {f.code}")
    return sorted(out)


def check_fix(fixture: Fixture, program_copy: Path) -> FixCheck:
    """program_copy: a pristine copy of the fixture's program (not modified here)."""
    expected = fixture.expected_files()
    api, why = _api()
    if api is None:
        return FixCheck(
            files=expected,
            source="expected/",
            warning=f"slimlint.lint.fix_tree unavailable ({why}): running expected/ as the fixed program; the fix itself is NOT checked",
        )
    check = FixCheck(files={}, source="slimlint")
    try:
        check.findings = _findings(api, program_copy, fixture.config)
        check.files = dict(api.fix_tree(program_copy, fixture.config))
    except Exception as exc:  # a linter crash is this fixture's failure, not the harness's
        check.problems.append(f"slimlint crashed on the fixture: {type(exc).__name__}: {exc}")
        check.files = expected
        return check
    if check.findings is not None and check.findings != sorted(fixture.findings):
        check.problems.append(f"findings {check.findings} != fixture.toml {sorted(fixture.findings)}")
    if sorted(check.files) != sorted(expected):
        check.problems.append(f"files changed by the fix {sorted(check.files)} != expected/ {sorted(expected)}")
    for rel in sorted(set(check.files) & set(expected)):
        if check.files[rel] != expected[rel]:
            check.problems.append(f"fixed {rel} differs from expected/{rel}")
    return check
