"""What a run is made of: the files (units) and what the engine says about each (outcomes).

Kept free of LibCST imports: a warm run answered from the cache loads these and nothing heavier.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from slimlint.findings import Finding
from slimlint.source import Source, SourceError, read_source


@dataclass
class Unit:
    """One file of a run."""

    display: str
    relpath: str  # relative to the project root, with forward slashes: roles and module names
    source: Optional[Source] = None
    path: Optional[Path] = None
    error: Optional[str] = None
    module: Optional[object] = None  # libcst.Module once parsed
    model: Optional[object] = None  # semantic.FileModel once parsed
    syntax: Optional[Finding] = None
    parsed: bool = False
    key: int = 0  # position in the run: outcomes come back from workers keyed by it
    context: bool = False  # read for cross-file facts only: never reported or fixed
    candidate: Optional[bool] = None  # the prefilter's verdict, computed once
    view: Optional[object] = None  # python2.View: a Python 2 file, checked through its Python 3 view

    @property
    def module_name(self) -> str:
        name = self.relpath[:-3] if self.relpath.endswith(".py") else self.relpath
        parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
        if parts and parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts) or "__main__"


@dataclass
class Outcome:
    findings: List[Finding] = field(default_factory=list)
    fixed: Optional[bytes] = None
    fixes_applied: int = 0
    unfixed_findings: List[Finding] = field(default_factory=list)  # --fix: the findings before fixing
    error: Optional[str] = None



def _under(absolute: str, base: str) -> Optional[str]:
    """`absolute` relative to `base` with forward slashes, or None when it lies elsewhere.

    String arithmetic on purpose: Path objects cost more than the rest of a warm run on a big tree.
    """
    base = base.rstrip(os.sep)
    if absolute.startswith(base + os.sep):
        return absolute[len(base) + 1:].replace(os.sep, "/")
    return None


def relpath_for(path: Path, root: Optional[Path]) -> str:
    absolute = os.path.abspath(path)
    for base in (root, os.getcwd()):
        if base is not None:
            rel = _under(absolute, os.path.abspath(base))
            if rel is not None:
                return rel
    return absolute.replace(os.sep, "/").lstrip("/")


def display_path(path: Path) -> str:
    rel = _under(os.path.abspath(path), os.getcwd())
    return rel if rel is not None else str(path)


def read_unit(unit: Unit) -> None:
    """Read a unit's source; a file that cannot be read or decoded keeps the reason instead."""
    try:
        unit.source = read_source(unit.path)
    except SourceError as exc:
        unit.error = exc.reason
