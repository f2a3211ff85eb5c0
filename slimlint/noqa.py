"""Suppression comments: `# noqa`, `# noqa: SL101,SL102` on the reported line; for a whole file, `# slimlint: noqa`
on a line of its own (every code) or `# slimlint: noqa: SL101,SL102` (only those codes), as Ruff's `ruff: noqa`.
A listed code may be a prefix (`# noqa: SL1` silences SL101 ... SL106), as in `--select`. A map remembers which
of its SL codes silenced something, so the engine can report those that silence nothing (SL901)."""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

_CODES = r"[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*"
LINE_DIRECTIVE = re.compile(rf"#\s*noqa(?::\s*(?P<codes>{_CODES}))?", re.IGNORECASE)
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
        self._used: Set[Tuple[int, str]] = set()  # (line, listed code) that silenced a finding; line 0: the file's
        self._has_noqa = "noqa" in text.lower()

    def codes(self, line: int) -> Optional[FrozenSet[str]]:
        if line not in self._cache:
            found = None
            if 0 < line <= len(self._lines):
                m = LINE_DIRECTIVE.search(self._lines[line - 1])
                if m is not None:
                    codes = m.group("codes")
                    found = ALL if not codes else _codes(codes)
            self._cache[line] = found
        return self._cache[line]

    def suppressed(self, line: int, code: str) -> bool:
        if self._file is ALL:
            return True
        listed = [c for c in self._file if code.startswith(c)]
        if listed:
            self._used.update((0, c) for c in listed)
            return True
        codes = self.codes(line)
        if codes is None:
            return False
        if codes is ALL:
            return True
        listed = [c for c in codes if code.startswith(c)]
        self._used.update((line, c) for c in listed)
        return bool(listed)

    def unused(self, enabled) -> List[Tuple[int, int, List[str]]]:
        """(line, column of the `#`, codes) for each noqa comment whose SL codes silenced nothing in this run.

        Only slimlint's codes, and only those `enabled(code)` says were checked: a bare `# noqa` or another
        tool's codes (`# noqa: E501`) are never reported, nor a code that was switched off.
        """
        if not self._has_noqa:
            return []
        out = []
        for number, text in enumerate(self._lines, start=1):
            match = LINE_DIRECTIVE.search(text) if "noqa" in text.lower() else None
            file_match = _FILE.match(text) if "slimlint" in text.lower() else None
            if file_match is not None:
                codes = _FILE_CODES.match(file_match.group("rest"))
                listed, key, column = (_codes(codes.group("codes")) if codes else frozenset()), 0, text.index("#") + 1
            elif match is not None and match.group("codes"):
                listed, key, column = _codes(match.group("codes")), number, match.start() + 1
            else:
                continue
            if any(c.startswith("SL901") for c in listed):
                continue  # the comment silences this very report
            idle = sorted(c for c in listed if c.startswith("SL") and (key, c) not in self._used and enabled(c))
            if idle:
                out.append((number, column, idle))
        return out
