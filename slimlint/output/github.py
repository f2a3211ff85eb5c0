"""GitHub Actions workflow commands: one `::error ...::...` annotation per finding.

Escaping follows @actions/core (toolkit `command.ts`): in the message `%`, CR and LF are
percent-encoded; in property values `:` and `,` are too.
"""

from __future__ import annotations

from collections.abc import Sequence

from slimlint.findings import Finding


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}" if props else f"::{name}::{escape_data(message)}"


def format_finding(finding: Finding) -> str:
    message = f"{finding.code} {finding.message}"
    if finding.cell is not None:  # a notebook: line and col are inside the cell (as ruff), which the text names
        message = f"cell {finding.cell}: {message}"
    if finding.fix is not None:
        # A multi-line annotation: the fix and how it changes behaviour, as ruff adds its "help:".
        message += f"\n  fix: {finding.fix.message}"
        if finding.fix.behaviour_change:
            message += f" (behaviour change: {finding.fix.behaviour_change})"
    # The property order DESIGN.md documents: file, line, col (then the end), title = the code.
    properties = {
        "file": _posix(finding.path),
        "line": finding.start.line,
        "col": finding.start.column,
        "endLine": finding.end.line,
        "endColumn": finding.end.column,
        "title": finding.code,
    }
    return command("error", properties, message)


def render(findings: Sequence[Finding], *, errors: Sequence[tuple[str, str]] = ()) -> str:
    lines = [format_finding(f) for f in findings]
    lines += [command("error", {"file": _posix(p), "title": "slimlint"}, m) for p, m in errors]
    return "".join(line + "\n" for line in lines)


def _posix(path: str) -> str:
    return path.replace("\\", "/")
