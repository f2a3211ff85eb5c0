"""ruff-style text. `full` (the default `text` format): `path:line:col: SL101 [*] message`, the source line
with a caret under the finding, the fix (`= help:`) and how it changes the model (`= note:`). `concise`:
the first line alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Optional

from slimlint.findings import Finding

# (path, 1-based line, notebook cell or None) -> that line's text, or None
SourceLine = Callable[[str, int, Optional[int]], Optional[str]]


def format_finding(finding: Finding, unsafe_fixes: bool = False) -> str:
    """The finding's one line; `[*]` when --fix would apply its fix (as ruff marks it)."""
    marker = "[*] " if finding.fix_applies(unsafe_fixes) else ""
    return _one_line(f"{place(finding)}: {finding.code} {marker}{finding.message}")


def place(finding: Finding) -> str:
    """`path:line:col`, or in a notebook `path:cell N:line:col` (line and column inside the cell), as ruff."""
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{finding.path}:{cell}{finding.start.line}:{finding.start.column}"


def format_full(finding: Finding, unsafe_fixes: bool = False, source_line: Optional[SourceLine] = None) -> str:
    """The one line, then (as ruff's `full` format) the source line with a caret, the fix and its behaviour change."""
    lines = [format_finding(finding, unsafe_fixes)]
    code = source_line(finding.path, finding.start.line, finding.cell) if source_line is not None else None
    if code is not None:
        number = str(finding.start.line)
        pad = " " * len(number)
        start = max(finding.start.column - 1, 0)
        end = finding.end.column - 1 if finding.end.line == finding.start.line else len(code)
        code = _visible(code.rstrip("\r\n"))
        width = max(min(end, len(code)) - start, 1)
        lines += [f"{pad} |", f"{number} | {code}", f"{pad} | {' ' * start}{'^' * width} {finding.code}", f"{pad} |"]
    if finding.fix is not None:
        kind = "" if finding.fix_applies(False) else " (unsafe fix: --unsafe-fixes)"
        lines.append(_one_line(f"  = help: {finding.fix.message}{kind}"))
        if finding.fix.behaviour_change:
            lines.append(_one_line(f"  = note: behaviour change: {finding.fix.behaviour_change}"))
    return "\n".join(lines)


def format_error(path: str, message: str) -> str:
    return _one_line(f"{path}: error: {message}")


def render(
    findings: Sequence[Finding],
    *,
    fixed_count: int = 0,
    remaining_fixable: int | None = None,
    errors: Sequence[tuple[str, str]] = (),
    unsafe_fixes: bool = False,
    full: bool = True,
    source_line: Optional[SourceLine] = None,
) -> str:
    if full:
        blocks = [format_full(f, unsafe_fixes, source_line) for f in findings]
        body = "".join(block + "\n\n" for block in blocks)
    else:
        body = _join([format_finding(f, unsafe_fixes) for f in findings])
    return body + render_summary(
        findings, fixed_count=fixed_count, remaining_fixable=remaining_fixable, errors=errors,
        unsafe_fixes=unsafe_fixes,
    )


def render_summary(
    findings: Sequence[Finding],
    *,
    fixed_count: int = 0,
    remaining_fixable: int | None = None,
    errors: Sequence[tuple[str, str]] = (),
    unsafe_fixes: bool = False,
) -> str:
    """Error lines, then `Found N errors (F fixed, R remaining).` or `All checks passed!`, then what
    --fix would fix and, as ruff says it, how many unsafe fixes --unsafe-fixes would add."""
    lines = [format_error(path, message) for path, message in errors]
    remaining = len(findings)
    total = remaining + fixed_count
    if total == 0:
        # Saying "All checks passed!" when some paths were not checked would be a lie.
        if errors:
            lines.append(f"No errors found, but {_plural(len(errors), 'path')} could not be checked.")
        else:
            lines.append("All checks passed!")
    elif fixed_count:
        lines.append(f"Found {_plural(total, 'error')} ({fixed_count} fixed, {remaining} remaining).")
    else:
        lines.append(f"Found {_plural(total, 'error')}.")
    fixable = remaining_fixable if remaining_fixable is not None else sum(f.fix_applies(unsafe_fixes) for f in findings)
    hidden = 0 if unsafe_fixes else sum(f.fixable and not f.fix_applies(False) for f in findings)
    hint = (f" ({_plural(hidden, 'hidden fix', 'hidden fixes')} can be enabled with the `--unsafe-fixes` option)"
            if hidden else "")
    if fixable:
        why = hint or " (fixes change the model's runtime behaviour; review them with `--diff`)"
        lines.append(f"[*] {fixable} fixable with the `--fix` option{why}.")
    elif hidden:
        lines.append(f"No fixes available{hint}.")
    return _join(lines)


def _plural(count: int, noun: str, nouns: str = "") -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {nouns or noun + 's'}"


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


def _visible(text: str) -> str:
    """Source as printed: control characters (terminal escapes) shown as `\\x1b`, never sent raw."""
    return "".join(c if c.isprintable() or c == "\t" else repr(c)[1:-1] for c in text).replace("\t", " ")


def _join(lines: Sequence[str]) -> str:
    return "".join(line + "\n" for line in lines)
