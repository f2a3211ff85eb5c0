"""Suppression comments: `# noqa`, `# noqa: SL101,SL102` on the reported line, `# slimlint: noqa` for a file."""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Optional

_LINE = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_FILE = re.compile(r"^\s*#\s*slimlint\s*:\s*noqa\b", re.IGNORECASE | re.MULTILINE)

ALL = frozenset({"*"})


def file_exempt(text: str) -> bool:
    return "slimlint" in text and _FILE.search(text) is not None  # the substring test spares most files the regex


class NoqaMap:
    """Which codes each line suppresses; read lazily, only for lines that have findings."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._cache: Dict[int, Optional[FrozenSet[str]]] = {}

    def codes(self, line: int) -> Optional[FrozenSet[str]]:
        if line not in self._cache:
            found = None
            if 0 < line <= len(self._lines):
                m = _LINE.search(self._lines[line - 1])
                if m is not None:
                    codes = m.group("codes")
                    found = ALL if not codes else frozenset(c.strip().upper() for c in codes.split(","))
            self._cache[line] = found
        return self._cache[line]

    def suppressed(self, line: int, code: str) -> bool:
        codes = self.codes(line)
        return codes is not None and (codes is ALL or code in codes)
