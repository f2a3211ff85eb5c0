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


@dataclass(frozen=True)
class Fix:
    # Every slimlint fix changes what the model computes, so it is "unsafe" in ruff's vocabulary;
    # `behaviour_change` says how, in one line, in every output format.
    message: str
    behaviour_change: str
    edits: Tuple[Edit, ...] = ()
    applicability: str = "unsafe"


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

    @property
    def url(self) -> str:
        return RULE_DOCS_URL.format(code=self.code)

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def sort_key(self):
        return (self.path, self.start.line, self.start.column, self.code)
