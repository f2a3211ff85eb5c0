"""Positions between slimlint (1-based lines, 1-based code-point columns) and LSP (0-based lines, columns in
the negotiated unit: UTF-16 code units unless the client chose UTF-8 or UTF-32).

Lines end at \\r\\n, \\r or \\n, as in LSP and in LibCST's tokenizer; str.splitlines would also break at a
form feed or U+2028, which Python source may hold and LSP does not count as a line end. No LSP library
here: pure functions, tested on their own.
"""

from __future__ import annotations

import re
from typing import List, Sequence, Tuple

_LINE_END = re.compile(r"\r\n|\r|\n")

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def line_starts(text: str) -> List[int]:
    """The offset at which each line begins (a text ending in a newline has an empty last line)."""
    return [0] + [m.end() for m in _LINE_END.finditer(text)]


def units(s: str, encoding: str = UTF16) -> int:
    """The length of `s` in the client's position unit."""
    if encoding == UTF32:
        return len(s)
    if encoding == UTF8:
        return len(s.encode("utf-8", "surrogatepass"))
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def offset_of(text: str, starts: Sequence[int], line: int, column: int) -> int:
    """The offset of slimlint's (line, column), 1-based, clamped to the text (and to its line's end)."""
    if line < 1:
        return 0
    if line > len(starts):
        return len(text)
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text)
    content_end = _content_end(text, start, end)
    return min(start + max(column - 1, 0), content_end)


def lsp_position(text: str, starts: Sequence[int], offset: int, encoding: str = UTF16) -> Tuple[int, int]:
    """(line, character) of an offset, 0-based, the character in the client's unit."""
    offset = max(0, min(offset, len(text)))
    line = _line_index(starts, offset)
    return line, units(text[starts[line]:offset], encoding)


def _line_index(starts: Sequence[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:  # the last line starting at or before offset
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _content_end(text: str, start: int, end: int) -> int:
    """Where the line's text ends, before its line break."""
    while end > start and text[end - 1] in "\r\n":
        end -= 1
    return end


def changed_span(old: str, new: str) -> Tuple[int, int, str]:
    """The one replacement that turns `old` into `new`: (start, end) in old and the text to put there;
    the common head and tail are kept, so a client's cursor and folds outside the fix stay put."""
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]:
        tail += 1
    # An end between \r and \n has no LSP position (the \r\n is one line end): take in the whole pair.
    if 0 < head < len(old) and old[head - 1] == "\r" and old[head] == "\n":
        head -= 1
    end = len(old) - tail
    if 0 < end < len(old) and old[end - 1] == "\r" and old[end] == "\n":
        tail -= 1
    return head, len(old) - tail, new[head:len(new) - tail]


def apply_line_edits(text: str, edits) -> str:
    """`text` with a Finding's fix edits applied. Their positions come from the engine, which numbers the
    lines of the text with str.splitlines (engine._edits), so they are read the same way here."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def at(pos) -> int:
        if pos.line - 1 >= len(starts) - 1:
            return len(text)
        return starts[pos.line - 1] + pos.column - 1

    out = text
    for edit in sorted(edits, key=lambda e: (e.start.line, e.start.column), reverse=True):
        out = out[:at(edit.start)] + edit.content + out[at(edit.end):]
    return out
