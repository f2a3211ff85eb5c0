"""Plain data types shared by the engine, the rules, the outputs and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

RULE_DOCS_URL = "https://github.com/slimlint/slimlint/blob/main/rules/{code}.md"

# Exit codes (documented in the README and `slimlint --help`).
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it; SIGTERM gives 143


@dataclass(frozen=True, order=True)
class Position:
    """A place in a file: line and column both 1-based (as ruff prints them)."""

    line: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between start (inclusive) and end (exclusive) with content."""

    content: str
    start: Position
    end: Position


SAFE, UNSAFE = "safe", "unsafe"


@dataclass(frozen=True)
class Fix:
    # Every slimlint fix changes what the model computes; `behaviour_change` says how, in one line, in
    # every output format. Ruff's meaning of `applicability`: "safe" when the fix restores what the code
    # evidently intended (the rule's "Fix safety" says when), applied by --fix; "unsafe" otherwise,
    # applied only with --unsafe-fixes.
    message: str
    behaviour_change: str
    edits: Tuple[Edit, ...] = ()
    applicability: str = UNSAFE


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    message: str
    path: str  # as shown to the user (relative to the working directory when possible)
    start: Position
    end: Position
    fix: Optional[Fix] = None
    noqa_row: Optional[int] = None
    cell: Optional[int] = None  # a notebook's cell (1-based, all cells counted); start, end and noqa_row are then in it

    @property
    def url(self) -> str:
        return RULE_DOCS_URL.format(code=self.code)

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def fix_applies(self, unsafe_fixes: bool) -> bool:
        """Would `--fix` apply this finding's fix (with `--unsafe-fixes` when `unsafe_fixes`)?"""
        return self.fix is not None and (unsafe_fixes or self.fix.applicability == SAFE)

    def sort_key(self):
        return (self.path, self.cell or 0, self.start.line, self.start.column, self.code)
