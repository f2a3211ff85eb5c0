"""ruff-style text: `path:line:col: SL101 [*] message`, then a summary."""

from __future__ import annotations

from collections.abc import Sequence

from slimlint.findings import Finding


def format_finding(finding: Finding) -> str:
    """One line per finding; a fixable one also says how its fix changes the model's behaviour."""
    marker = "[*] " if finding.fixable else ""
    line = f"{finding.path}:{finding.start.line}:{finding.start.column}: {finding.code} {marker}{finding.message}"
    if finding.fix is not None and finding.fix.behaviour_change:
        line += f" (behaviour change: {finding.fix.behaviour_change})"
    return _one_line(line)


def format_error(path: str, message: str) -> str:
    return _one_line(f"{path}: error: {message}")


def render(
    findings: Sequence[Finding],
    *,
    fixed_count: int = 0,
    remaining_fixable: int | None = None,
    errors: Sequence[tuple[str, str]] = (),
) -> str:
    lines = [format_finding(f) for f in findings]
    return _join(lines) + render_summary(
        findings, fixed_count=fixed_count, remaining_fixable=remaining_fixable, errors=errors
    )


def render_summary(
    findings: Sequence[Finding],
    *,
    fixed_count: int = 0,
    remaining_fixable: int | None = None,
    errors: Sequence[tuple[str, str]] = (),
) -> str:
    """Error lines, then `Found N errors (F fixed, R remaining).` or `All checks passed!`."""
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
    fixable = remaining_fixable if remaining_fixable is not None else sum(f.fixable for f in findings)
    if fixable:
        lines.append(
            f"[*] {fixable} fixable with the `--fix` option "
            "(fixes change the model's runtime behaviour; review them with `--diff`)."
        )
    return _join(lines)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


def _join(lines: Sequence[str]) -> str:
    return "".join(line + "\n" for line in lines)
