"""A budget on how deeply one expression nests, checked before LibCST parses a file.

LibCST's parser slows down faster than linearly with the depth of one expression: a generated chain of 3,000
method calls (`a.f(1).f(1)...`, about 6,000 levels) takes about two minutes to parse, 1,000 calls four seconds. Python's own parser
(C) reads such a file in milliseconds, so the depth is measured on its tree first and a file over the budget
becomes one SL900 notice at the expression instead of a hang. Real model code nests a few dozen levels.
"""

from __future__ import annotations

import ast
import io
import tokenize
from typing import Optional, Tuple

MAX_DEPTH = 1500
# Files smaller than this cannot hold an expression nested MAX_DEPTH levels (each level takes a few characters).
_MIN_SIZE = 2 * MAX_DEPTH


def too_deep(text: str) -> Optional[Tuple[int, int]]:
    """(line, depth) of the first expression nested deeper than MAX_DEPTH, else None (also when Python's parser
    refuses the file: the other front ends report that)."""
    if len(text) < _MIN_SIZE:
        return None
    try:
        tree = ast.parse(text)
    except RecursionError:  # too deep even for CPython's parser (about 1,000 levels)
        return _largest_statement_line(text), MAX_DEPTH + 1
    except (SyntaxError, ValueError, MemoryError):
        return None
    stack = [(tree, 0, 1)]
    while stack:
        node, depth, line = stack.pop()
        line = getattr(node, "lineno", line)  # operators and contexts have none: their expression's line
        if depth > MAX_DEPTH:
            return line, depth
        stack.extend((child, depth + 1, line) for child in ast.iter_child_nodes(node))
    return None


def _largest_statement_line(text: str) -> int:
    """The first line of the statement with the most tokens (where the deep expression is)."""
    best_line, best_count, start, count = 1, -1, 1, 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if count == 0:
                start = tok.start[0]
            count += 1
            if tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if count > best_count:
                    best_line, best_count = start, count
                count = 0
    except (tokenize.TokenError, SyntaxError):
        pass
    return best_line
