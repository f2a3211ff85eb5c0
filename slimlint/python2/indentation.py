"""Tab / space mixes that Python 2 accepted and Python 3 refuses (TabError).

Python 2 read a tab as "up to the next multiple of 8"; Python 3 (and LibCST) also require the
indentation to compare the same when a tab counts as one column, and reject the file otherwise. When
a file's indentation is ambiguous that way, the view expands the tabs of every logical line's
indentation to spaces (Python 2's own reading), which leaves Python 3 nothing to disagree about. Only
indentation is touched, never a tab inside a line or a string, and only in files that need it.
"""

from __future__ import annotations

from typing import Dict, Iterable, List


def _widths(indent: str):
    eight = one = 0
    for ch in indent:
        if ch == "\t":
            eight = (eight // 8 + 1) * 8
            one += 1
        else:  # space (a form feed resets nothing that matters here)
            eight += 1
            one += 1
    return eight, one


def ambiguous(indents: Iterable[str]) -> bool:
    """CPython's check: each indentation must compare to the enclosing ones the same way whether a
    tab is 8 columns or 1. `indents` are the logical lines' leading whitespace, in order."""
    stack = [(0, 0)]
    for indent in indents:
        eight, one = _widths(indent)
        top8, top1 = stack[-1]
        if eight == top8:
            if one != top1:
                return True
        elif eight > top8:
            if one <= top1:
                return True
            stack.append((eight, one))
        else:
            while len(stack) > 1 and eight < stack[-1][0]:
                stack.pop()
            if (eight, one) != stack[-1] and eight == stack[-1][0]:
                return True
    return False


def expansions(lines: List[str], logical_starts: Iterable[int], always: bool = False) -> Dict[int, tuple]:
    """{0-based line: (0, old indent length, spaces)} for the logical lines whose indentation holds a
    tab, when the file's indentation is ambiguous (or `always`: LibCST's tokenizer also rejects some mixes
    CPython reads unambiguously, `4 spaces + TAB + 4 spaces` under 8 spaces); {} when Python 3 reads it as
    Python 2 did."""
    starts = sorted(set(logical_starts))
    indents = {n: lines[n][: len(lines[n]) - len(lines[n].lstrip(" \t\f"))] for n in starts if n < len(lines)}
    if not any("\t" in i for i in indents.values()):
        return {}
    if not always and not ambiguous(indents[n] for n in sorted(indents)):
        return {}
    return {n: (0, len(i), " " * _widths(i)[0]) for n, i in indents.items() if "\t" in i}
