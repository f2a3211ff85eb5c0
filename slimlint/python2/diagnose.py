"""SL900 for a file that neither LibCST (Python 3) nor the Python 2 grammar parses.

Each parser stops at its first error. The file's real error is where the parser that got furthest
stopped: a Python 2 file stops LibCST at its first print statement, but the Python 2 grammar reads on
to the real mistake; a Python 3 file's error is LibCST's own. A file whose Python 2 parse stops at
Python 3-only syntax while its print-function parse stops at Python 2-only syntax mixes the two, and
the message says so.
"""

from __future__ import annotations

import re
from typing import List, Sequence

from slimlint.python2.grammar import Failure
from slimlint.source import ParseProblem, is_probably_python2

# Python 3-only constructs, checked on the failing line only.
_PY3_ONLY = re.compile(
    r"\bprint\s*\(.*\b(?:end|file|sep|flush)\s*="  # print() with keyword arguments
    r"|(?<![\w.])[fF][rRbB]?['\"]"  # f-strings
    r"|\bnonlocal\b|\basync\s+(?:def|with|for)\b|\bawait\b|\byield\s+from\b|:="
    r"|^\s*raise\b.*\bfrom\b"
)


def _code(lines: Sequence[str], line: int) -> str:
    code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return code[:77] + "..." if len(code) > 80 else code


def problem(text: str, libcst: ParseProblem, failures: List[Failure]) -> ParseProblem:
    """The SL900 problem of a file no grammar takes (`libcst`: LibCST's, already described)."""
    lines = text.splitlines()
    furthest = max(failures, key=lambda f: (f.line, f.column), default=None)
    # On one line the Python 2 grammar's column wins: LibCST's may point past the offending token.
    if furthest is None or libcst.line > furthest.line:
        line, column = libcst.line, libcst.column
        message = libcst.message.replace("; Python 2 syntax?", "")
    else:
        line, column = furthest.line, furthest.column
        message = f"cannot parse line {line}: `{_code(lines, line)}` ({furthest.reason})"
    py2_lines = [f.line for f in failures if f.grammar != "python2" and is_probably_python2(lines[f.line - 1] if 0 < f.line <= len(lines) else "")]
    py3_lines = [f.line for f in failures if f.grammar == "python2" and 0 < f.line <= len(lines) and _PY3_ONLY.search(lines[f.line - 1])]
    if py2_lines and py3_lines:
        message += (f"; the file mixes Python 2 syntax (line {py2_lines[0]}) and Python 3 syntax "
                    f"(line {py3_lines[0]}), which neither grammar accepts")
    else:
        message += "; neither the Python 3 nor the Python 2 grammar accepts it"
    return ParseProblem(line, column, message)
