"""Which files to lint: walk the given paths, skipping what ruff skips and what .gitignore ignores.

Choices (kept deliberately close to ruff):
- Paths named on the command line are always used: a named file is linted whatever its suffix and
  whatever `exclude` or .gitignore say; a named directory is walked even if it would be skipped.
- Inside a walk only `*.py` / `*.pyi` files and Jupyter notebooks (`*.ipynb`) are taken; a directory
  called `x.py` is walked, not read.
- Skipped while walking: hidden directories, `__pycache__`, virtual environments (any directory holding
  a `pyvenv.cfg`), the `exclude` + `extend-exclude` globs, .gitignore'd paths, and macOS AppleDouble
  companions (`._model.py`: the resource fork an archive or a copy to a non-Mac disk writes beside each
  file, binary metadata that model repositories often commit by accident; never Python source).
- Directory symlinks met during a walk are not followed (ruff does the same): a target inside the tree
  is walked under its own name anyway, and one outside it is usually a venv or a dependency.  Symlinks
  named on the command line and symlinks to files are followed.  Visited real directories are tracked
  as well, so overlapping arguments (`. src`) are walked once.
- .gitignore matching is done here rather than by `git check-ignore`, so it needs no git binary, works
  outside a work tree (an exported tarball) and prunes ignored directories without listing them.
  Inside a work tree the .gitignore files of the parents up to the repository root and
  `.git/info/exclude` (the main repository's, in a linked worktree) apply too; the user's global excludes
  file (core.excludesFile) is not read. There, as in git, they hide untracked files only: a file the
  index tracks (git_index.py) is walked whatever they say (`model.py` committed below a `**/model.*` rule
  written for saved models).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from slimlint import replay
from slimlint.git_index import tracked_paths
from slimlint.config import GlobSet, Settings, glob_to_regex

__all__ = ["Discovery", "GitIgnore", "discover", "PYTHON_SUFFIXES"]

PYTHON_SUFFIXES = (".py", ".pyi", ".ipynb")  # notebooks too, as ruff since 0.6 (slimlint/notebook)
# Skipped whatever the configuration says; everything else configurable lives in Settings.exclude.
_ALWAYS_SKIPPED_DIRS = frozenset({"__pycache__"})


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)  # absolute, sorted, one per real file
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path as given, message)
    stdin: bool = False  # "-" was among the paths: the caller reads standard input


# -- .gitignore ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


@dataclass(frozen=True)
class _RuleFile:
    base: str  # absolute posix directory the patterns are relative to
    rules: tuple[_Rule, ...]


def _parse_gitignore(text: str, base: Path) -> _RuleFile:
    """Parse .gitignore text per gitignore(5)."""
    rules = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        # Trailing spaces are dropped unless escaped with a backslash.
        while line.endswith(" ") and not line.endswith("\\ "):
            line = line[:-1]
        negate = line.startswith("!")
        if negate:
            line = line[1:]
        dir_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        # A slash at the start or in the middle anchors the pattern to the .gitignore's directory;
        # otherwise it matches a name at any depth.
        anchored = "/" in line
        body = glob_to_regex(line.lstrip("/"))
        regex = re.compile(body if anchored else f"(?:.*/)?{body}", re.DOTALL)
        rules.append(_Rule(regex, negate, dir_only))
    return _RuleFile(base.as_posix(), tuple(rules))


def _read_rules(path: Path, base: Path) -> _RuleFile | None:
    replay.watch(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):  # ValueError: a NUL in a path read from a `.git` file
        return None  # unreadable or absent: git ignores it too
    parsed = _parse_gitignore(text, base)
    return parsed if parsed.rules else None


def _find_git_root(directory: Path) -> Path | None:
    for candidate in (directory, *directory.parents):
        replay.watch(candidate / ".git")
        if (candidate / ".git").exists():  # a directory, or a file in worktrees and submodules
            return candidate
    return None


def _git_dir(git_root: Path) -> Path:
    """The repository's git directory: `.git` itself, or for a linked worktree or a submodule (where `.git` is
    a file saying `gitdir: ...`) the folder it names (which holds that worktree's own index)."""
    dot_git = git_root / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        replay.watch(dot_git)
        first = dot_git.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    except (OSError, IndexError):
        return dot_git
    if "\0" in first or not first.startswith("gitdir:"):
        return dot_git  # not a path git wrote
    return git_root / first[len("gitdir:"):].strip()  # an absolute path stays absolute


def _git_common_dir(git_root: Path) -> Path:
    """The folder holding info/exclude: the git directory, or the main repository's when it names a `commondir`."""
    git_dir = _git_dir(git_root)
    if git_dir == git_root / ".git":
        return git_dir
    try:
        replay.watch(git_dir / "commondir")
        common = (git_dir / "commondir").read_text(encoding="utf-8", errors="replace").strip()
    except (OSError, ValueError):
        return git_dir
    return git_dir / common if common and "\0" not in common else git_dir


class GitIgnore:
    """The .gitignore rules in force for one walk; rule files are added as directories are entered."""

    def __init__(self, root: Path):
        self._chains: dict[Path, tuple[_RuleFile, ...]] = {}
        chain: list[_RuleFile] = []
        self._tracked: frozenset[str] = frozenset()  # absolute `/` paths of tracked files and their folders
        self._ignored_dirs: set[Path] = set()  # ignored folders walked only for the tracked files they hold
        git_root = _find_git_root(root)
        if git_root is not None:
            self._tracked = _tracked(git_root)
            # Lowest priority first: info/exclude, then .gitignore files from the top down.
            exclude = _read_rules(_git_common_dir(git_root) / "info" / "exclude", git_root)
            if exclude:
                chain.append(exclude)
            above = [root.parent, *root.parent.parents] if root != git_root else []
            for directory in reversed([d for d in above if _is_within(d, git_root)]):
                rules = _read_rules(directory / ".gitignore", directory)
                if rules:
                    chain.append(rules)
        self._above_root = tuple(chain)

    def enter(self, directory: Path, parent_chain: tuple[_RuleFile, ...] | None = None) -> None:
        """Register `directory` (whose .gitignore applies from now on) below `parent_chain`."""
        chain = self._above_root if parent_chain is None else parent_chain
        own = _read_rules(directory / ".gitignore", directory)
        self._chains[directory] = chain + (own,) if own else chain

    def chain(self, directory: Path) -> tuple[_RuleFile, ...]:
        return self._chains[directory]

    def is_ignored(self, path: Path, is_dir: bool) -> bool:
        """Whether `path`, an entry of an entered directory, is ignored (last matching rule wins). A tracked
        file, or a folder holding one, never is: .gitignore hides untracked files only."""
        target = path.as_posix()
        # Inside an ignored folder walked for its tracked files, only those count (git cannot re-include).
        ignored = path.parent in self._ignored_dirs or self._matches(path, target, is_dir)
        if target in self._tracked:
            if ignored and is_dir:
                self._ignored_dirs.add(path)
            return False
        return ignored

    def _matches(self, path: Path, target: str, is_dir: bool) -> bool:
        """Do the rules in force ignore the entry (last matching rule wins)?"""
        ignored = False
        for rule_file in self._chains[path.parent]:
            rel = target[len(rule_file.base) :].lstrip("/")
            for rule in rule_file.rules:
                if rule.dir_only and not is_dir:
                    continue
                if rule.regex.fullmatch(rel):
                    ignored = not rule.negate
        return ignored


def _tracked(git_root: Path) -> frozenset[str]:
    """Absolute `/` paths of the files the repository's index tracks and of the folders above them."""
    index_file = _git_dir(git_root) / "index"
    replay.watch(index_file)  # `git add` / `git rm` change what is tracked
    paths = tracked_paths(index_file)
    if not paths:
        return frozenset()
    base = git_root.as_posix().rstrip("/")
    out = set()
    for rel in paths:
        parts = rel.split("/")
        for i in range(1, len(parts) + 1):
            out.add(base + "/" + "/".join(parts[:i]))
    return frozenset(out)


def _is_within(path: Path, ancestor: Path) -> bool:
    return path == ancestor or ancestor in path.parents


# -- the walk -------------------------------------------------------------------------------------


def discover(paths: Sequence[os.PathLike | str] | None, settings: Settings | None = None) -> Discovery:
    """The files to lint under `paths` (default: the working directory)."""
    settings = settings or Settings()
    excludes = GlobSet(settings.all_excludes, settings.root)
    result = Discovery()
    found: dict[Path, str] = {}  # path -> its real path, for de-duplication
    visited: set[Path] = set()
    for given in paths or [Path(".")]:
        if str(given) == "-":
            result.stdin = True
            continue
        path = Path(given)
        replay.watch(path, follow=False)  # a symbolic link given by name may be pointed elsewhere
        try:
            is_dir = path.is_dir()
            if not is_dir:
                path.stat()  # raises for a missing path, a broken link or a link loop
        except OSError as exc:
            result.errors.append((str(given), _describe(exc)))
            continue
        if is_dir:
            _walk(path.resolve(), excludes, found, visited, result.errors)
        else:
            # Resolve the directory but keep the name, so a symlinked file keeps the name the user gave.
            named = path.absolute().parent.resolve() / path.name
            found[named] = os.path.realpath(named)
    result.files = _unique(found)
    return result


def _walk(
    root: Path, excludes: GlobSet, found: dict[Path, str], visited: set[Path], errors: list[tuple[str, str]]
) -> None:
    # `root` is resolved and directory symlinks are not followed, so every directory reached here is
    # its own real path: `visited` needs no realpath() calls, which dominate the cost on big trees.
    gitignore = GitIgnore(root)
    gitignore.enter(root)
    stack = [root]
    while stack:
        directory = stack.pop()
        if directory in visited:
            continue
        visited.add(directory)
        replay.watch(directory)  # before listing it: an entry added meanwhile is seen next time
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            errors.append((str(directory), f"cannot read directory: {_describe(exc)}"))
            continue
        chain = gitignore.chain(directory)
        for entry in entries:
            try:
                is_link = entry.is_symlink()
                is_dir = not is_link and entry.is_dir(follow_symlinks=False)  # directory links: not followed
                if not is_dir and not entry.name.endswith(PYTHON_SUFFIXES):
                    continue  # most entries of a big tree: skip them before building a Path
                is_file = not is_dir and entry.is_file()  # follows file links; False when broken
            except OSError:
                continue
            path = directory / entry.name
            if is_link:
                replay.watch(path)  # its target may live outside every folder walked here, or not exist yet
            if is_dir:
                if _skip_directory(path) or excludes.matches(path) or gitignore.is_ignored(path, is_dir=True):
                    continue
                gitignore.enter(path, chain)
                stack.append(path)
            elif is_file and entry.name.endswith(PYTHON_SUFFIXES):
                if entry.name.startswith(_APPLEDOUBLE_PREFIX) or excludes.matches(path) or gitignore.is_ignored(path, is_dir=False):
                    continue
                found[path] = os.path.realpath(path) if is_link else str(path)


_APPLEDOUBLE_PREFIX = "._"


def _skip_directory(path: Path) -> bool:
    name = path.name
    if name.startswith(".") or name in _ALWAYS_SKIPPED_DIRS:
        return True
    # A virtual environment, whatever it is called (venv, env, .venv, py311, ...).
    replay.watch(path / "pyvenv.cfg")
    try:
        return (path / "pyvenv.cfg").is_file()
    except OSError:  # a path the OS refuses (ENAMETOOLONG): listing the folder reports it, per path
        return False


def _unique(found: dict[Path, str]) -> list[Path]:
    """Sorted, one path per real file (a file reached twice, e.g. through a symlink, is linted once)."""
    seen: set[str] = set()
    unique = []
    for path in sorted(found):
        if found[path] not in seen:
            seen.add(found[path])
            unique.append(path)
    return unique


def _describe(exc: OSError) -> str:
    return exc.strerror or str(exc)
