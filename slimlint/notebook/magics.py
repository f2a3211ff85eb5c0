"""IPython syntax in a code cell, turned into Python that parses, line for line (ruff does the same job).

Each line that is IPython's own (`%matplotlib inline`, `!pip install ...`, `files = !ls`, `obj?`, `??obj`,
the `,;/` autocall escapes, and a `\\`-continued line of one of them) becomes a placeholder of the same
indentation, `pass  # <marker>N` (or `files = None  # <marker>N`), which the notebook restores to the original
line when it writes a fix. A cell that starts with a cell magic (after comment lines, if any) is Python only for the magics that run their
body as Python (`%%time`, `%%capture`, ...): the magic line becomes a placeholder comment; any other cell
magic (`%%bash`, `%%writefile`) makes the whole cell placeholders, so it is not checked.

Only lines that start a statement count: a line inside a triple-quoted string or inside brackets is code
(or text), whatever its first character.
"""

from __future__ import annotations

import re
from typing import Callable, List, Tuple

# Cell magics whose body IPython runs as Python (ruff's list).
PYTHON_CELL_MAGICS = frozenset({"capture", "debug", "prun", "pypy", "python", "python3", "time", "timeit"})

_ESCAPES = ("%", "!", "?", ",", ";", "/")
_ASSIGNED = re.compile(r"(?P<targets>[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*[%!]")
_ENDING = re.compile(r"\r?\n\Z|\r\Z")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")

# hide(original line without its ending, Python to put before the placeholder comment) -> the placeholder
Hide = Callable[[str, str], str]


def python_lines(text: str) -> List[str]:
    """The lines Python counts (ends: \\n, \\r\\n, \\r; not str.splitlines' form feeds and separators), ends kept."""
    return _LINE.findall(text)


def split_ending(line: str) -> Tuple[str, str]:
    m = _ENDING.search(line)
    return (line[:m.start()], m.group()) if m else (line, "")


def neutralize(lines: List[str], hide: Hide) -> Tuple[List[str], bool]:
    """The cell's lines (endings kept) with IPython syntax replaced; and whether the cell is Python at all."""
    # Comment lines may come first (Colab's `#@title` forms, a note on what the cell does): IPython in Colab
    # still runs the cell under its magic, and ruff reads it the same way.
    first = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].lstrip()[2:].split(maxsplit=1)
        if not name or name[0] not in PYTHON_CELL_MAGICS:
            return [_placeholder(line, "", hide, comment=True) for line in lines], False
        lines = list(lines)
        lines[first] = _placeholder(lines[first], "", hide, comment=True)
    out: List[str] = []
    scanner = _LineScanner()
    continued_magic = None  # the indentation of a magic whose line ends with a backslash
    for line in lines:
        body, _ = split_ending(line)
        if continued_magic is not None:
            out.append(_placeholder(line, continued_magic + "pass", hide))
            continued_magic = continued_magic if body.endswith("\\") else None
            continue
        if scanner.at_statement_start() and _is_magic(body, scanner):
            indent = body[:len(body) - len(body.lstrip())]
            assigned = _ASSIGNED.match(body.lstrip())
            code = f"{indent}{assigned.group('targets')} = None" if assigned else f"{indent}pass"
            out.append(_placeholder(line, code, hide))
            continued_magic = indent if body.endswith("\\") else None
            continue
        scanner.feed(body)
        out.append(line)
    return out, True


def _is_magic(body: str, scanner: "_LineScanner") -> bool:
    stripped = body.lstrip()
    if not stripped or stripped.startswith("#"):
        return False
    if stripped.startswith(_ESCAPES) or _ASSIGNED.match(stripped):
        return True
    code = scanner.code_part(body).rstrip()
    return code.endswith("?")  # `obj?`, `obj??`: help; no Python statement ends with `?` outside a string


def _placeholder(line: str, code: str, hide: Hide, comment: bool = False) -> str:
    body, ending = split_ending(line)
    return hide(body, "" if comment else code + "  ") + ending


class _LineScanner:
    """Just enough of Python's tokenizer to know whether a line starts a statement: open strings
    (triple-quoted ones span lines), bracket depth and backslash continuation."""

    def __init__(self) -> None:
        self.quote = None
        self.depth = 0
        self.continued = False

    def at_statement_start(self) -> bool:
        return self.quote is None and self.depth == 0 and not self.continued

    def code_part(self, body: str) -> str:
        """The line up to its comment, read from a statement start (the state is not changed)."""
        saved = (self.quote, self.depth, self.continued)
        end = self._scan(body)
        self.quote, self.depth, self.continued = saved
        return body[:end]

    def feed(self, body: str) -> None:
        end = self._scan(body)
        if self.quote in ("'", '"'):
            self.quote = None  # a one-line string left open: a syntax error the parser will report
        self.continued = self.quote is None and end == len(body) and body.endswith("\\")

    def _scan(self, body: str) -> int:
        """Advance over one line; return where its comment starts (or its length)."""
        i, n = 0, len(body)
        while i < n:
            c = body[i]
            if self.quote is not None:
                if c == "\\":
                    i += 2
                elif body.startswith(self.quote, i):
                    i += len(self.quote)
                    self.quote = None
                else:
                    i += 1
                continue
            if c == "#":
                return i
            if c in "'\"":
                self.quote = body[i:i + 3] if body[i:i + 3] in ('"""', "'''") else c
                i += len(self.quote)
                continue
            if c in "([{":
                self.depth += 1
            elif c in ")]}":
                self.depth = max(self.depth - 1, 0)
            i += 1
        return n
