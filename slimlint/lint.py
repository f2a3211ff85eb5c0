"""The library entry points: lint or fix a tree of files (used by the CLI, the harness and the tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from slimlint.config import Settings, load_settings
from slimlint.discovery import discover
from slimlint.file_units import Outcome, Unit, display_path, read_unit, relpath_for
from slimlint.findings import Finding
from slimlint.codes import CODES
from slimlint.scheduler import run_units


def settings_for(start: Path, config: Optional[Mapping] = None) -> Settings:
    settings, _ = load_settings(start, overrides=dict(config or {}), known_codes=CODES)
    return settings


def units_for(files: Sequence[Path], settings: Settings, read: bool = True, context: bool = False) -> List[Unit]:
    """One unit per file (`context`: read for cross-file facts only, never reported); `read` reads them now."""
    units = [Unit(display=display_path(path), relpath=relpath_for(path, settings.root), path=path, context=context)
             for path in files]
    return [read_unit(u) for u in units] if read else units


def run(units: Sequence[Unit], settings: Settings, fix: bool = False, need_edits: bool = False, use_prefilter: bool = True,
        jobs: Optional[int] = 1, engine=None) -> List[Tuple[Unit, Outcome]]:
    return run_units(units, settings, fix=fix, need_edits=need_edits, jobs=jobs, use_prefilter=use_prefilter, engine=engine)


def lint_tree(root: Path, config: Optional[Mapping] = None, fix: bool = False, use_prefilter: bool = True) -> List[Tuple[Unit, Outcome]]:
    root = Path(root)
    settings = settings_for(root, config)
    # Roles and module names are relative to the tree being checked.
    settings = Settings(**{**settings.__dict__, "root": root.resolve()})
    found = discover([root], settings)
    return run(units_for(found.files, settings), settings, fix=fix, use_prefilter=use_prefilter)


def findings_of(results) -> List[Finding]:
    return sorted((f for _, o in results for f in o.findings), key=Finding.sort_key)


def fix_tree(root: Path, config: Optional[Mapping] = None) -> Dict[str, str]:
    """Relative path -> fixed text, for the files `slimlint --fix --unsafe-fixes` would change (nothing is
    written): every fix, unless `config` says `unsafe-fixes = false` (the harness proves them all)."""
    root = Path(root).resolve()
    config = {"unsafe-fixes": True, **dict(config or {})}
    out = {}
    for unit, outcome in lint_tree(root, config, fix=True):
        if outcome.fixed is not None and unit.path is not None:
            rel = Path(unit.path).resolve().relative_to(root).as_posix()
            out[rel] = outcome.fixed.decode(unit.source.encoding)
    return out
