"""Reading fixtures (fixtures/README.md): fixture.toml, the program files, expected/."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from slimlint.harness.claims import CLAIMS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SUPPORT_DIR = "_support"
_NOT_PROGRAM = ("expected", "fixture.toml", "report.snap", "__pycache__", "*.pyc")


class FixtureError(Exception):
    pass


@dataclass
class Fixture:
    name: str
    path: Path
    summary: str = ""
    findings: List[str] = field(default_factory=list)
    config: Optional[dict] = None
    steps: List[str] = field(default_factory=list)
    buggy_fails: List[str] = field(default_factory=list)
    claims: List[str] = field(default_factory=lambda: list(CLAIMS))  # the claims judged ([run] claims)
    not_run: str = ""  # fixture.toml's `not_run`: why the harness does not run it
    has_run_section: Optional[bool] = None  # None: not read from a fixture.toml (built in code)

    @property
    def runnable(self) -> bool:
        return bool(self.steps)

    @property
    def not_run_reason(self) -> Optional[str]:
        """Why `slimlint verify` does not run this fixture (None when it does): fixture.toml's `not_run`,
        else what the fixture itself shows."""
        if self.runnable:
            return None
        if self.not_run:
            return self.not_run
        if self.has_run_section:
            return "its [run] section has no steps"
        if not self.buggy and not self.findings:
            reason = "no [run] section: a clean, lint-only fixture (the lint tests check slimlint stays silent)"
        elif not self.buggy:
            reason = "no [run] section, and slimlint offers no fix here (no expected/): no fixed program to compare"
        else:
            reason = "no [run] section: a lint-only fixture (the lint tests check its findings and fixed text)"
        if not self.uses_support():
            reason += "; its program does not import fixture_support"
        return reason

    def uses_support(self) -> bool:
        """Whether a file of the program imports fixture_support (the harness's data set and evaluate)."""
        for source in sorted(self.path.rglob("*.py")):
            if self.expected_dir in source.parents:
                continue
            try:
                if "fixture_support" in source.read_text(encoding="utf-8", errors="replace"):
                    return True
            except OSError:
                continue
        return False

    @property
    def expected_dir(self) -> Path:
        return self.path / "expected"

    @property
    def buggy(self) -> bool:
        """A buggy fixture has an expected/ fixed form; a clean one has none."""
        return self.expected_dir.is_dir()

    def expected_files(self) -> Dict[str, str]:
        if not self.buggy:
            return {}
        root = self.expected_dir
        return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted(root.rglob("*")) if p.suffix in (".py", ".ipynb")}

    @property
    def support_dir(self) -> Optional[Path]:
        # Absolute: the child process runs in a temporary working directory.
        candidate = (self.path.parent / SUPPORT_DIR).resolve()
        return candidate if candidate.is_dir() else None

    def copy_program(self, dest: Path) -> Path:
        """The user's program alone, as a user's tree would be."""
        shutil.copytree(self.path, dest, ignore=shutil.ignore_patterns(*_NOT_PROGRAM))
        return dest


def load_fixture(path: Path) -> Fixture:
    path = Path(path)
    try:
        meta = tomllib.loads((path / "fixture.toml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FixtureError(f"{path}: no fixture.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise FixtureError(f"{path}/fixture.toml: {exc}") from None
    run = meta.get("run") or {}
    fixture = Fixture(
        name=path.name,
        path=path,
        summary=meta.get("summary", ""),
        findings=list(meta.get("findings", [])),
        config=meta.get("config"),
        steps=list(run.get("steps", [])),
        buggy_fails=list(run.get("buggy_fails", [])),
        claims=list(run.get("claims", CLAIMS)),
        not_run=str(meta.get("not_run", "")).strip(),
        has_run_section="run" in meta,
    )
    if "not_run" in meta and not isinstance(meta["not_run"], str):
        raise FixtureError(f"{path}/fixture.toml: not_run must be a string (why the harness does not run it)")
    if fixture.not_run and fixture.runnable:
        raise FixtureError(f"{path}/fixture.toml: not_run is set, but [run] has steps (the harness runs it)")
    unknown = [c for c in fixture.claims + fixture.buggy_fails if c not in CLAIMS]
    if unknown:
        raise FixtureError(f"{path}/fixture.toml: unknown claim {unknown[0]!r} (known: {', '.join(CLAIMS)})")
    if not fixture.claims:
        raise FixtureError(f"{path}/fixture.toml: [run] claims is empty")
    for claim in fixture.buggy_fails:
        if claim not in fixture.claims:
            raise FixtureError(f"{path}/fixture.toml: buggy_fails lists {claim!r}, which [run] claims leaves out")
    for step in fixture.steps:
        if not (path / step).is_file():
            raise FixtureError(f"{path}/fixture.toml: step {step!r} is not a file of the fixture")
    return fixture


def collect_fixtures(paths: Sequence[Path]) -> List[Fixture]:
    """Each path is a fixture directory or a directory of fixtures (like fixtures/)."""
    found: List[Fixture] = []
    for path in paths:
        path = Path(path)
        if (path / "fixture.toml").is_file():
            found.append(load_fixture(path))
            continue
        children = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
        found.extend(load_fixture(p) for p in children if (p / "fixture.toml").is_file())
    return found


def default_fixtures_dir(cwd: Optional[Path] = None) -> Optional[Path]:
    """./fixtures when run from a checkout, else the fixtures beside the installed package."""
    for candidate in (Path(cwd or Path.cwd()) / "fixtures", Path(__file__).resolve().parents[2] / "fixtures"):
        if candidate.is_dir():
            return candidate
    return None
