"""What a run is made of: the files (units) and what the engine says about each (outcomes).

Kept free of LibCST imports: a warm run answered from the cache loads these and nothing heavier.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import List, Optional, Tuple

from slimlint.findings import Finding
from slimlint.source import Source, SourceError, read_source


@dataclass(frozen=True)
class Unit:
    """One file of a run: an input. The stages that parse and check it keep what they learn elsewhere
    (engine.ParsedFile); reading its bytes makes a new Unit (read_unit)."""

    display: str
    relpath: str  # relative to the project root, with forward slashes: roles and module names
    path: Optional[Path] = None
    source: Optional[Source] = None  # set by read_unit
    error: Optional[str] = None  # why it could not be read
    key: int = 0  # position in the run: outcomes come back from workers keyed by it
    context: bool = False  # read for cross-file facts only: never reported or fixed
    # TF names star-imported project modules bind here ((local, qualified), model/star_aliases.py)
    star_aliases: Tuple[Tuple[str, str], ...] = ()

    @property
    def code_relpath(self) -> str:
        """The relpath as a .py file's (a notebook `eval.ipynb` is named like `eval.py`: roles read the name)."""
        return self.relpath[:-6] + ".py" if self.relpath.lower().endswith(".ipynb") else self.relpath

    @property
    def module_name(self) -> str:
        name = self.code_relpath[:-3] if self.code_relpath.endswith(".py") else self.relpath
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


def read_unit(unit: Unit) -> Unit:
    """The unit with its source read; a file that cannot be read or decoded carries the reason instead."""
    if unit.source is not None or unit.error is not None or unit.path is None:
        return unit
    try:
        return replace(unit, source=read_source(unit.path))
    except SourceError as exc:
        return replace(unit, error=exc.reason)
