"""Writing a fix made on the view back into the Python 2 file, in the file's own syntax.

The engine fixes the view (LibCST edits, as for any file). The fix is then a set of line
replacements: a line diff between the view before and after it. When none of the replaced lines is
one the view rewrote, the same replacements are made in the original text, which stays untouched
elsewhere (print statements, newline style, indentation); the result must parse with the Python 2
grammar, and its own view must be exactly the fixed view, so that checking it again finds nothing
more to fix (idempotent). Otherwise the fix is refused with a one-line reason and the finding is
offered without it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Optional

from slimlint.python2 import grammar
from slimlint.python2.view import View, derive, split_lines


@dataclass(frozen=True)
class Mapped:
    view: Optional[View]  # the view of the fixed original (its .original is the text to write), or None
    reason: str = ""  # why not, when view is None


def map_fix(view: View, fixed_view_text: str) -> Mapped:
    before, after = split_lines(view.text), split_lines(fixed_view_text)
    original = split_lines(view.original)
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(original[i1:i2])
            continue
        touched = sorted(n + 1 for n in range(i1, i2) if n + 1 in view.rewritten)
        if touched:
            return Mapped(None, f"the fix would edit line {touched[0]}, which is Python 2 syntax that slimlint reads "
                                "through a Python 3 view, so it cannot be written in the file's own syntax")
        out.extend(after[j1:j2])
    text = "".join(out)
    tree, _failures = grammar.parse(text)
    if tree is None:
        return Mapped(None, "the fixed file would not parse as Python 2")
    fixed = derive(text, tree)
    if fixed.text != fixed_view_text:
        return Mapped(None, "the fix cannot be written back to the Python 2 file exactly")
    return Mapped(fixed)
