"""The Python 2 front end: files that LibCST rejects are read through a Python 3 view.

Much TF1 / slim code that still trains was written for Python 2. LibCST parses only Python 3, so such a
file would be an SL900 and nothing in it would be checked. Here it is parsed with the Python 2 grammar
(grammar.py) and a Python 3 view with the same lines is derived from it (view.py); LibCST parses the
view and the semantic model and rules run on it unchanged. Findings keep their lines and map their
columns back (View.original_position); fixes are written in the file's own syntax (mapping.py). Only a
file that neither grammar parses is an SL900 (diagnose.py).

This package costs nothing on files LibCST parses: the engine calls it only after a ParserSyntaxError.
"""

from __future__ import annotations

from typing import Optional, Tuple

from slimlint.python2.grammar import parses
from slimlint.python2.mapping import Mapped, map_fix
from slimlint.python2.view import View

__all__ = ["View", "Mapped", "map_fix", "parses", "read", "parses_as_python2"]


class _Text:
    """What describe_parse_error reads from a Source: its text."""

    def __init__(self, text: str) -> None:
        self.text = text


def read(source, libcst_error) -> Tuple[Optional[object], Optional[View], Optional[object]]:
    """(LibCST module of the view, the view, None), or (None, None, SL900 ParseProblem).

    `libcst_error` is the ParserSyntaxError LibCST raised on the file itself.
    """
    import libcst as cst

    from slimlint.python2 import diagnose, grammar
    from slimlint.python2.view import derive
    from slimlint.source import ParseProblem, describe_parse_error

    try:
        tree, failures = grammar.parse(source.text)
        if tree is None:
            return None, None, diagnose.problem(source.text, describe_parse_error(source, libcst_error), failures)
        view = derive(source.text, tree)
        try:
            module = cst.parse_module(view.text)
        except cst.ParserSyntaxError:
            if "\t" not in view.text:
                raise
            # LibCST's tokenizer rejects some tab / space mixes CPython accepts: expand every indenting tab.
            view = derive(source.text, tree, expand_tabs=True)
            module = cst.parse_module(view.text)
    except cst.ParserSyntaxError as exc:
        where = describe_parse_error(_Text(view.text), exc)
        line = source.text.splitlines()[where.line - 1].strip() if where.line <= len(source.text.splitlines()) else ""
        return None, None, ParseProblem(where.line, 1, f"cannot parse line {where.line}: `{line[:77]}` (Python 2 syntax "
                                                       "that slimlint's Python 3 view does not translate)")
    except (RecursionError, MemoryError):
        return None, None, ParseProblem(1, 1, "cannot parse: nested too deeply")
    return module, view, None


def parses_as_python2(data: bytes) -> bool:
    """For the writer's last check on a fixed Python 2 file (bytes as they will be written)."""
    from slimlint.source import SourceError, source_from_bytes

    try:
        return parses(source_from_bytes(data, "").text)
    except SourceError:
        return False
