"""Locate the benchmark trees (installed packages) and copy their .py files.

The trees are located with ``importlib.util.find_spec`` *without importing* the
packages (importing tensorflow takes seconds and gigabytes).

Every tool is run on a *copy* of the .py files in a temporary folder, not on
site-packages itself, because:

* fixit (through trailrunner) finds the "project root" by walking up to the
  nearest ``.git``/``pyproject.toml`` and obeys that root's ``.gitignore``. With
  pyenv, site-packages lives inside the pyenv git checkout whose ``.gitignore``
  lists ``/versions``, so ``fixit lint`` on the installed tree silently lints
  0 files and reports success;
* ruff excludes ``site-packages`` by default and lints ``.pyi`` stubs too;
  a copy of only the ``.py`` files gives every tool the same file set;
* no tool can write caches or ``__pycache__`` into the installed package.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

# name shown in the table -> importable package name
TREES = {"tensorflow": "tensorflow", "tf_slim": "tf_slim"}


@dataclass
class Tree:
    name: str
    source: Path  # installed package directory
    path: Path  # the copy every tool is run on
    files: int
    lines: int


def locate(package: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def copy_py_tree(source: Path, dest: Path) -> tuple[int, int]:
    """Copy every .py file under source to dest (same layout); return (files, lines)."""
    files = lines = 0
    for dirpath, dirnames, filenames in os.walk(source):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        rel = Path(dirpath).relative_to(source)
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            target = dest / rel / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(dirpath) / name, target)
            files += 1
            with open(target, "rb") as fh:
                lines += fh.read().count(b"\n")
    return files, lines


def prepare(names: list[str], workdir: Path) -> tuple[dict[str, Tree], dict[str, str]]:
    """Copy the named trees under workdir/trees; return (trees, {name: why skipped})."""
    trees: dict[str, Tree] = {}
    missing: dict[str, str] = {}
    for name in names:
        source = locate(TREES.get(name, name))
        if source is None or not source.is_dir():
            missing[name] = f"package {TREES.get(name, name)!r} not installed"
            continue
        dest = workdir / "trees" / name
        files, lines = copy_py_tree(source, dest)
        trees[name] = Tree(name, source, dest, files, lines)
    return trees, missing
