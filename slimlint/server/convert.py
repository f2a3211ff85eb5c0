"""slimlint's findings as LSP diagnostics and code actions (lsprotocol types), for one buffer text."""

from __future__ import annotations

from typing import List, Optional, Sequence

from lsprotocol import types as lsp

from slimlint.findings import SAFE, Finding
from slimlint.server import positions
from slimlint.server.session import Result

SOURCE = "slimlint"
FIX_ALL_KIND = "source.fixAll.slimlint"
_INFORMATIONAL = {"SL901"}  # a noqa comment that silences nothing: untidy, not a model bug


class Text:
    """A buffer text with its line starts, turning slimlint positions and offsets into LSP ranges."""

    def __init__(self, text: str, encoding: str) -> None:
        self.text = text
        self.starts = positions.line_starts(text)
        self.encoding = encoding

    def offset(self, pos) -> int:
        return positions.offset_of(self.text, self.starts, pos.line, pos.column)

    def position(self, offset: int) -> lsp.Position:
        line, character = positions.lsp_position(self.text, self.starts, offset, self.encoding)
        return lsp.Position(line=line, character=character)

    def range(self, start: int, end: int) -> lsp.Range:
        return lsp.Range(start=self.position(start), end=self.position(max(start, end)))

    def edit_to(self, new: str) -> lsp.TextEdit:
        """The one edit that turns this text into `new`."""
        start, end, content = positions.changed_span(self.text, new)
        return lsp.TextEdit(range=self.range(start, end), new_text=content)


def diagnostics(result: Result, text: Text) -> List[lsp.Diagnostic]:
    out = [diagnostic(f, text) for f in result.findings]
    if result.error is not None:  # unreadable buffer or bad configuration: said where the user looks
        out.insert(0, lsp.Diagnostic(range=text.range(0, 0), message=f"slimlint: {result.error}", source=SOURCE,
                                     severity=lsp.DiagnosticSeverity.Error))
    return out


def diagnostic(finding: Finding, text: Text) -> lsp.Diagnostic:
    informational = finding.code in _INFORMATIONAL
    return lsp.Diagnostic(
        range=text.range(text.offset(finding.start), text.offset(finding.end)),
        message=finding.message,
        severity=lsp.DiagnosticSeverity.Warning if informational else lsp.DiagnosticSeverity.Error,
        code=finding.code,
        code_description=lsp.CodeDescription(href=finding.url),
        source=SOURCE,
        tags=[lsp.DiagnosticTag.Unnecessary] if informational else None,
    )


def overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    key = lambda p: (p.line, p.character)  # noqa: E731
    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def fixable_at(result: Result, text: Text, wanted: lsp.Range) -> List[int]:
    """The indices of the findings with a fix whose range meets `wanted`."""
    return [i for i, f in enumerate(result.findings)
            if f.fix is not None and overlaps(diagnostic(f, text).range, wanted)]


def quick_fix(finding: Finding, text: Text) -> lsp.CodeAction:
    """A finding's fix as a quick fix, without its edit yet: safe ones preferred, unsafe ones say so."""
    safe = finding.fix.applicability == SAFE
    title = f"{finding.fix.message} ({finding.code})" if safe else \
        f"Unsafe fix: {finding.fix.message} ({finding.code}; review it: {finding.fix.behaviour_change})"
    return lsp.CodeAction(title=title, kind=lsp.CodeActionKind.QuickFix, diagnostics=[diagnostic(finding, text)],
                          is_preferred=safe)


def fix_edit(finding: Finding, text: Text) -> lsp.TextEdit:
    """The edit of a finding whose fix carries its edits (Result.with_edits)."""
    return text.edit_to(positions.apply_line_edits(text.text, finding.fix.edits))


def applicable_fixes(result: Result) -> int:
    """How many findings `slimlint --fix` would fix, as configured (what "fix all" promises)."""
    return sum(1 for f in result.findings if f.fix_applies(result.unsafe_fixes))


def fix_all(result: Result) -> lsp.CodeAction:
    """The "fix all" action, without its edit yet."""
    title = ("Fix all slimlint problems (unsafe fixes included: `unsafe-fixes = true`)" if result.unsafe_fixes
             else "Fix all safe slimlint problems")
    return lsp.CodeAction(title=title, kind=FIX_ALL_KIND)


def kind_wanted(kind: str, only: Optional[Sequence[str]]) -> bool:
    """LSP's filter: `only` names kinds or their parents (`source` asks for `source.fixAll.slimlint`)."""
    return not only or any(kind == k or kind.startswith(k + ".") for k in only)
