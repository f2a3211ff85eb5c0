"""`[tool.slimlint]` settings: find the nearest pyproject.toml, validate it, merge command-line overrides.

Rule selection follows ruff: `select` replaces the default set, `extend-select` adds to it, `ignore`
removes from it, and for any one code the most specific (longest) matching prefix decides; at equal
specificity `ignore` wins.  Path globs (`exclude`, `per-file-ignores`, `eval-paths`, ...) are relative
to the project root, the directory of the pyproject.toml that configured us.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slimlint import replay

if sys.version_info >= (3, 11):
    import tomllib
else:  # pyproject.toml supports 3.10 through the tomli backport
    import tomli as tomllib

__all__ = [
    "ConfigError",
    "GlobSet",
    "DEFAULT_EXCLUDE",
    "DEFAULT_SELECT",
    "Settings",
    "TRAIN_OP_FIXES",
    "find_pyproject",
    "glob_to_regex",
    "load_settings",
    "path_matches",
]

# Directories never worth linting: ruff's default `exclude`.  Setting `exclude` replaces this list
# (as in ruff); `extend-exclude` adds to it.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)
DEFAULT_SELECT: tuple[str, ...] = ("SL",)
TRAIN_OP_FIXES: tuple[str, ...] = ("create-train-op", "control-dependencies")

# Selects every rule, as in ruff; a prefix of specificity 0.
_ALL = "ALL"
_CODE_SYNTAX = re.compile(r"[A-Z]+[0-9]*")
_SETTINGS_VERSION = "1"  # bump when the meaning of a field changes, so caches keyed on digest() expire

_LIST_KEYS = ("select", "extend-select", "ignore", "exclude", "extend-exclude", "eval-paths", "train-paths")
_CODE_KEYS = ("select", "extend-select", "ignore")
_KNOWN_KEYS = _LIST_KEYS + ("per-file-ignores", "train-op-fix", "max-context-file-size", "unsafe-fixes")


class ConfigError(Exception):
    """A configuration problem; the message names the file (or the command line) and the key."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = DEFAULT_SELECT
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # (glob, codes) pairs in file order; a tuple so Settings stays hashable.
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    eval_paths: tuple[str, ...] = ()
    train_paths: tuple[str, ...] = ()
    train_op_fix: str = "create-train-op"
    unsafe_fixes: bool = False  # --fix applies unsafe fixes too (ruff's `unsafe-fixes`)
    # Files of the project read only as context (not named on the command line) larger than this are skipped:
    # a generated multi-megabyte module must not cost a parse when the user asked about one small file.
    max_context_file_size: int = 1_000_000
    # Globs are relative to this directory (the pyproject.toml's, else the start directory).
    root: Path | None = None

    # -- rule selection -------------------------------------------------------------------------

    def is_selected(self, code: str) -> bool:
        """Ruff semantics: the longest matching prefix decides; `ignore` wins a tie."""
        best: tuple[int, int] | None = None  # (specificity, 1 if ignore else 0)
        for prefixes, ignored in ((self.select + self.extend_select, 0), (self.ignore, 1)):
            for prefix in prefixes:
                spec = _specificity(prefix, code)
                if spec is not None and (best is None or (spec, ignored) > best):
                    best = (spec, ignored)
        return best is not None and best[1] == 0

    def ignored_for(self, path: os.PathLike | str) -> set[str]:
        """Codes and prefixes that per-file-ignores switch off for `path`."""
        ignored: set[str] = set()
        for pattern, codes in self.per_file_ignores:
            if path_matches(path, (pattern,), self.root, ancestors=True):
                ignored.update(codes)
        return ignored

    def is_enabled_for(self, code: str, path: os.PathLike | str) -> bool:
        """Selected, and not switched off for this file by per-file-ignores."""
        return self.is_selected(code) and not any(_specificity(p, code) is not None for p in self.ignored_for(path))

    # -- file roles and exclusion ---------------------------------------------------------------

    def is_eval_path(self, path: os.PathLike | str) -> bool:
        return path_matches(path, self.eval_paths, self.root, ancestors=True)

    def is_train_path(self, path: os.PathLike | str) -> bool:
        return path_matches(path, self.train_paths, self.root, ancestors=True)

    @property
    def all_excludes(self) -> tuple[str, ...]:
        return self.exclude + self.extend_exclude

    # -- caching --------------------------------------------------------------------------------

    def digest(self) -> str:
        """A stable hash of everything that can change a result (for the result cache key)."""
        data = dataclasses.asdict(self)
        # Where the project sits does not change a result (every file's path relative to it is in the key):
        # a cache restored into another checkout folder (a fresh CI runner) still answers.
        data["root"] = self.root is not None
        blob = json.dumps([_SETTINGS_VERSION, data], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def _specificity(prefix: str, code: str) -> int | None:
    if prefix == _ALL:
        return 0
    return len(prefix) if code.startswith(prefix) else None


# -- path globs -----------------------------------------------------------------------------------


def glob_to_regex(pattern: str) -> str:
    """Translate a glob to a regex body (gitignore flavour, matched against '/'-separated paths).

    `*` and `?` stay inside one path component, `**` spans components (`**/x`, `a/**/b`, `a/**`),
    `[...]` / `[!...]` are character classes, a backslash escapes the next character.  The stdlib has
    no such translator before Python 3.13 (fnmatch lets `*` cross `/`).
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            whole_component = (i == 0 or pattern[i - 1] == "/") and (j == n or pattern[j] == "/")
            if j - i >= 2 and whole_component:
                if j == n:
                    out.append(".*")
                else:
                    out.append("(?:[^/]*/)*")  # `**/`: zero or more directories
                    j += 1
            else:
                out.append("[^/]*")
            i = j
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = i + 1
            if j < n and pattern[j] in "!^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:  # no closing bracket: a literal '['
                out.append(re.escape(c))
                i += 1
                continue
            body = pattern[i + 1 : j]
            negate = body[:1] in ("!", "^")
            if negate:
                body = body[1:]
            body = body.replace("\\", "\\\\").replace("[", "\\[")
            out.append(f"[^/{body}]" if negate else f"[{body}]")
            i = j + 1
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


class GlobSet:
    """Compiled path globs, anchored at `root` (default: the working directory).

    A pattern without a '/' matches a file or directory name; one with a '/' matches the path
    relative to `root`; an absolute pattern matches the absolute path.  Each kind is joined into one
    regex, so a check costs three matches however many patterns there are.
    """

    def __init__(self, patterns: Iterable[str], root: Path | None = None):
        self.root = Path(os.path.abspath(root if root is not None else os.getcwd()))
        kinds: dict[str, list[str]] = {"name": [], "relative": [], "absolute": []}
        for pattern in patterns:
            pattern = pattern.strip()
            while pattern.startswith("./"):
                pattern = pattern[2:]
            pattern = pattern.rstrip("/") or pattern
            if os.path.isabs(pattern):
                kinds["absolute"].append(glob_to_regex(Path(pattern).as_posix()))
            else:
                kinds["name" if "/" not in pattern else "relative"].append(glob_to_regex(pattern))
        self._regexes = {
            kind: re.compile("|".join(f"(?:{body})" for body in bodies), re.DOTALL) if bodies else None
            for kind, bodies in kinds.items()
        }
        self.empty = not any(self._regexes.values())
        # Name-only globs (ruff's default exclude list is all names) need no path arithmetic.
        self._names_only = self._regexes["relative"] is None and self._regexes["absolute"] is None

    def matches(self, path: os.PathLike | str, *, ancestors: bool = False) -> bool:
        """Whether `path` (or, with `ancestors`, a directory between the root and it) matches."""
        if self.empty:
            return False
        if self._names_only and not ancestors:
            return self._regexes["name"].fullmatch(os.path.basename(os.fspath(path))) is not None
        abs_path = Path(os.path.abspath(path))
        try:
            rel_parts = abs_path.relative_to(self.root).parts
        except ValueError:
            rel_parts = ()  # outside the project: only absolute patterns and the bare name can match
        if ancestors and rel_parts:
            candidates = {
                "name": list(rel_parts),
                "relative": ["/".join(rel_parts[:k]) for k in range(len(rel_parts), 0, -1)],
                "absolute": [p.as_posix() for p in (abs_path, *abs_path.parents)],
            }
        else:
            candidates = {
                "name": [abs_path.name],
                "relative": ["/".join(rel_parts)] if rel_parts else [],
                "absolute": [abs_path.as_posix()],
            }
        for kind, regex in self._regexes.items():
            if regex is not None and any(regex.fullmatch(c) for c in candidates[kind]):
                return True
        return False


@functools.lru_cache(maxsize=256)
def _globset(patterns: tuple[str, ...], root: Path | None) -> GlobSet:
    return GlobSet(patterns, root)


def path_matches(
    path: os.PathLike | str,
    patterns: Iterable[str],
    root: Path | None = None,
    *,
    ancestors: bool = False,
) -> bool:
    """Whether any glob in `patterns` matches `path`; see GlobSet."""
    patterns = tuple(patterns)
    if not patterns:
        return False
    # Resolve the default root now: a cached GlobSet must not remember an old working directory.
    root = Path(os.path.abspath(root if root is not None else os.getcwd()))
    return _globset(patterns, root).matches(path, ancestors=ancestors)


# -- loading --------------------------------------------------------------------------------------


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.slimlint] table.

    As in ruff, a pyproject.toml without our table (a sub-package's, say) does not hide the one above.
    """
    directory = Path(os.path.abspath(start))
    if not directory.is_dir():
        directory = directory.parent
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / "pyproject.toml"
        replay.watch(candidate)
        if candidate.is_file() and _slimlint_table(candidate) is not None:
            return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:  # the message carries "(at line L, column C)"
        raise ConfigError(f"{_display(path)}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{_display(path)}: cannot read: {exc}") from None


def _slimlint_table(path: Path) -> Mapping[str, Any] | None:
    tool = _read_toml(path).get("tool")
    if not isinstance(tool, dict) or "slimlint" not in tool:
        return None
    table = tool["slimlint"]
    if not isinstance(table, dict):
        raise ConfigError(f"{_display(path)}: [tool.slimlint] must be a table")
    return table


def load_settings(
    start: Path,
    overrides: Mapping[str, Any] | None = None,
    known_codes: Iterable[str] | None = None,
    config_file: Path | None = None,
) -> tuple[Settings, Path | None]:
    """Settings for a run started in `start`, and the pyproject.toml they came from (None: defaults).

    `config_file` (`--config`) is used instead of looking for the nearest pyproject.toml; it must have a
    [tool.slimlint] table, and its folder is the project root.

    `overrides` come from the command line, keyed like the TOML (`extend-select`; `extend_select`
    works too); None values mean "not given".  Code lists may be lists or comma-separated strings.
    `known_codes` (the rule registry) lets unknown codes be rejected; without it only the syntax is
    checked.  Merging follows ruff: a command-line `select` starts selection afresh (the file's
    `extend-select` and `ignore` are dropped), `extend-*` and `ignore` add to the file's lists,
    every other key replaces the file's value.
    """
    known = sorted(set(known_codes)) if known_codes is not None else None
    pyproject = config_file if config_file is not None else find_pyproject(start)
    file_values: dict[str, Any] = {}
    if pyproject is not None:
        table = _slimlint_table(pyproject)
        if table is None:  # only a file named with --config can lack it
            raise ConfigError(f"{_display(pyproject)}: no [tool.slimlint] table")
        file_values = _validate(table, f"{_display(pyproject)}: [tool.slimlint]", known, strict=True)
        root = pyproject.parent
    else:
        start_abs = Path(os.path.abspath(start))
        root = start_abs if start_abs.is_dir() else start_abs.parent

    cli_values: dict[str, Any] = {}
    if overrides:
        given = {k.replace("_", "-"): v for k, v in overrides.items() if v is not None}
        cli_values = _validate(given, "command line:", known, strict=False)

    merged = dict(file_values)
    if "select" in cli_values:
        merged.pop("extend-select", None)
        merged.pop("ignore", None)
    for key, value in cli_values.items():
        if key in ("extend-select", "ignore", "extend-exclude"):
            merged[key] = tuple(merged.get(key, ())) + tuple(value)
        else:
            merged[key] = value

    kwargs = {key.replace("-", "_"): value for key, value in merged.items()}
    return Settings(root=root, **kwargs), pyproject


def _validate(table: Mapping[str, Any], where: str, known: list[str] | None, *, strict: bool) -> dict[str, Any]:
    """Check keys, types and values; return them normalised to tuples.  `where` prefixes messages."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KNOWN_KEYS:
            close = difflib.get_close_matches(key, _KNOWN_KEYS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(f"{where} unknown key '{key}'{hint}")
        if key in _LIST_KEYS:
            items = _string_list(value, f"{where} '{key}'", strict=strict)
            if key in _CODE_KEYS:
                items = tuple(_check_code(c, f"{where} '{key}'", known) for c in items)
            values[key] = items
        elif key == "per-file-ignores":
            if not isinstance(value, Mapping):
                raise ConfigError(f"{where} 'per-file-ignores' must be a table of glob = [codes]")
            pairs = []
            for pattern, codes in value.items():
                label = f"{where} 'per-file-ignores' entry '{pattern}'"
                codes = _string_list(codes, label, strict=strict)
                pairs.append((pattern, tuple(_check_code(c, label, known) for c in codes)))
            values[key] = tuple(pairs)
        elif key == "max-context-file-size":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{where} 'max-context-file-size' must be a number of bytes (got {value!r})")
            values[key] = value
        elif key == "unsafe-fixes":
            if not isinstance(value, bool):
                raise ConfigError(f"{where} 'unsafe-fixes' must be true or false (got {value!r})")
            values[key] = value
        elif key == "train-op-fix":
            if value not in TRAIN_OP_FIXES:
                choices = ", ".join(f"'{c}'" for c in TRAIN_OP_FIXES)
                raise ConfigError(f"{where} 'train-op-fix' must be one of {choices} (got {value!r})")
            values[key] = value
    return values


def _string_list(value: Any, label: str, *, strict: bool) -> tuple[str, ...]:
    # The command line may hand us "SL101,SL2" or ("SL101", "SL2,SL3"); the file must use a list.
    if not strict:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return tuple(p.strip() for v in value for p in v.split(",") if p.strip())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{label} must be a list of strings (got {_toml_type(value)})")
    return tuple(value)


def _check_code(code: str, label: str, known: list[str] | None) -> str:
    if code == _ALL:
        return code
    valid_syntax = _CODE_SYNTAX.fullmatch(code) is not None
    if valid_syntax and (known is None or any(k.startswith(code) for k in known)):
        return code
    hint = ""
    if known:
        close = difflib.get_close_matches(code.upper(), known, n=1)
        if close:
            hint = f" (did you mean '{close[0]}'?)"
    raise ConfigError(f"{label}: unknown rule code or prefix '{code}'{hint}")


def _toml_type(value: Any) -> str:
    return {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        dict: "a table",
        list: "a list with non-string items",
    }.get(type(value), type(value).__name__)


def _display(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)
