"""ruff-style text: `path:line:col: SL101 [*] message`, then a summary."""

from __future__ import annotations

from collections.abc import Sequence

from slimlint.findings import Finding


def format_finding(finding: Finding, unsafe_fixes: bool = False) -> str:
    """One line per finding; `[*]` when --fix would apply its fix (as ruff marks it); a finding with a fix
    also says how the fix changes the model's behaviour."""
    marker = "[*] " if finding.fix_applies(unsafe_fixes) else ""
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
    unsafe_fixes: bool = False,
) -> str:
    lines = [format_finding(f, unsafe_fixes) for f in findings]
    return _join(lines) + render_summary(
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
        lines.append(
            f"[*] {fixable} fixable with the `--fix` option{hint} "
            "(fixes change the model's runtime behaviour; review them with `--diff`)."
        )
    elif hidden:
        lines.append(f"No fixes available{hint}.")
    return _join(lines)


def _plural(count: int, noun: str, nouns: str = "") -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {nouns or noun + 's'}"


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


def _join(lines: Sequence[str]) -> str:
    return "".join(line + "\n" for line in lines)
