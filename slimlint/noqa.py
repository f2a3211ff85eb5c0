"""Suppression comments: `# noqa`, `# noqa: SL101,SL102` on the reported line; for a whole file, `# slimlint: noqa`
on a line of its own (every code) or `# slimlint: noqa: SL101,SL102` (only those codes), as Ruff's `ruff: noqa`."""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Optional

_CODES = r"[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*"
_LINE = re.compile(rf"#\s*noqa(?::\s*(?P<codes>{_CODES}))?", re.IGNORECASE)
# A file-level directive is a comment line of its own; with `: codes` it names what it silences.
_FILE = re.compile(r"^[ \t\f]*#\s*slimlint\s*:\s*noqa\b(?P<rest>.*)$", re.IGNORECASE | re.MULTILINE)
_FILE_CODES = re.compile(rf"\s*:\s*(?P<codes>{_CODES})", re.IGNORECASE)

ALL = frozenset({"*"})


def _codes(text: str) -> FrozenSet[str]:
    return frozenset(c.strip().upper() for c in text.split(","))


def file_codes(text: str) -> FrozenSet[str]:
    """The codes the file's `# slimlint: noqa` lines silence everywhere in it: ALL for the bare form."""
    if "slimlint" not in text:  # the substring test spares most files the regex
        return frozenset()
    found: set = set()
    for match in _FILE.finditer(text):
        rest = match.group("rest")
        if not rest.lstrip().startswith(":"):
            return ALL  # the bare form (anything but a colon may follow: `# slimlint: noqa  (generated)`)
        codes = _FILE_CODES.match(rest)
        if codes is not None:  # `noqa: <no codes>` silences nothing rather than everything
            found |= _codes(codes.group("codes"))
    return frozenset(found)


def file_exempt(text: str) -> bool:
    """The whole file is silenced (bare `# slimlint: noqa`): it is not even parsed."""
    return file_codes(text) is ALL


class NoqaMap:
    """Which codes each line suppresses (its own `# noqa` and the file's); read lazily, only for lines that have findings."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._file = file_codes(text)
        self._cache: Dict[int, Optional[FrozenSet[str]]] = {}

    def codes(self, line: int) -> Optional[FrozenSet[str]]:
        if line not in self._cache:
            found = None
            if 0 < line <= len(self._lines):
                m = _LINE.search(self._lines[line - 1])
                if m is not None:
                    codes = m.group("codes")
                    found = ALL if not codes else _codes(codes)
            self._cache[line] = found
        return self._cache[line]

    def suppressed(self, line: int, code: str) -> bool:
        if code in self._file or self._file is ALL:
            return True
        codes = self.codes(line)
        return codes is not None and (codes is ALL or code in codes)
