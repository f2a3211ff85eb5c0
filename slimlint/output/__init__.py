"""Render findings in the formats `--output-format` offers (text, json, github, sarif).

`render()` returns the whole report as one string ending in a newline (print it with
`click.echo(out, nl=False)`), or "" when there is nothing to print.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from slimlint.findings import Finding
from slimlint.output import github, json_format, sarif, stats, text
from slimlint.output.sarif import RuleMeta

__all__ = ["FORMATS", "RuleMeta", "render"]


def _source_lines(base: Path):
    """(path, line, cell) -> the text of that line of the file as it is now (the fixed file after --fix), or None
    when it cannot be read (standard input, a file gone meanwhile). Each file is read once. In a notebook the
    line is one of the cell's own source (never a line of its JSON)."""
    from slimlint.source import SourceError, read_source

    cache: dict = {}

    def line_of(path: str, line: int, cell=None):
        if path not in cache:
            try:
                cache[path] = read_source(base / path)
            except (SourceError, OSError, ValueError):
                cache[path] = None
        source = cache[path]
        if source is None or (cell is None) != (source.notebook is None):
            return None
        lines = source.text.splitlines() if cell is None else source.notebook.cell_lines(cell)
        return lines[line - 1] if 0 < line <= len(lines) else None

    return line_of

FORMATS: tuple[str, ...] = ("text", "concise", "json", "github", "sarif")


def render(
    findings: Sequence[Finding],
    fmt: str,
    *,
    fixed_count: int = 0,
    remaining_fixable: int | None = None,
    statistics: bool = False,
    errors: Sequence[tuple[str, str]] = (),
    rules: Sequence[RuleMeta] = (),
    cwd: os.PathLike | str | None = None,
    unsafe_fixes: bool = False,
) -> str:
    """The report for `findings` (those left after fixing) in format `fmt`.

    fixed_count: how many findings --fix removed (text summary).
    remaining_fixable: fixable findings left; None counts the fixable ones in `findings`.
    statistics: per-code counts instead of one line per finding (JSON list in the json format).
    errors: (path, message) pairs for paths that could not be checked.  text, github and sarif
        include them; the json format is a bare list of findings (ruff's shape), so the caller
        should print them to stderr there (`text.format_error`).
    rules: rule metadata for the SARIF `tool.driver.rules` table.
    cwd: the directory SARIF URIs and JSON absolute paths are relative to (default: os.getcwd()).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r} (expected one of {', '.join(FORMATS)})")
    ordered = sorted(findings, key=Finding.sort_key)
    base = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    if statistics:
        if fmt == "json":
            return stats.render_json(ordered)
        return stats.render_text(ordered) + text.render_summary(
            ordered, fixed_count=fixed_count, remaining_fixable=remaining_fixable, errors=errors
        )
    if fmt in ("text", "concise"):
        return text.render(ordered, fixed_count=fixed_count, remaining_fixable=remaining_fixable, errors=errors,
                           unsafe_fixes=unsafe_fixes, full=fmt == "text", source_line=_source_lines(base))
    if fmt == "json":
        return json_format.render(ordered, cwd=base)
    if fmt == "github":
        return github.render(ordered, errors=errors)
    return sarif.render(ordered, rules=rules, errors=errors, cwd=base)
