"""A notebook's code cells as ONE Python program (what the engine checks), and the way back.

The program is the code cells in order, each ending in a newline, with IPython syntax replaced line for
line (magics.py), so a program line maps to one line of one cell and columns are unchanged. Jupyter compiles
each cell on its own: when the program does not parse, each cell is tried alone, and one that does not parse
is replaced by placeholder comments and reported (SL900 on that cell) while the others are still checked.

A fixed program goes back into the cells by a line diff against the program: unchanged lines keep their
cell, changed lines go to the cell of the lines they replace, and lines inserted between two cells go to
the later one (a statement added before the one it is about), except imports, which extend the earlier
cell's imports. Placeholders are restored to the original IPython lines.
"""

from __future__ import annotations

import ast
import bisect
import difflib
import re
import warnings
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from slimlint.notebook import magics
from slimlint.notebook.document import Cell, Document, NotebookError

_IMPORT = re.compile(r"(?:import|from)\s")
_FLAGS = ast.PyCF_ONLY_AST | getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)  # IPython runs top-level await


@dataclass(frozen=True)
class CellProblem:
    """A code cell that does not parse on its own: where (in the cell) and why."""

    cell: int
    line: int
    column: int
    reason: str


class Program:
    def __init__(self, document: Document) -> None:
        self.document = document
        self._marker = _unused_marker(document.text)
        self._originals: List[Tuple[str, str]] = []  # placeholder number -> (original line, placeholder's indent)
        self.problems: List[CellProblem] = []
        self.python2_cells: List[int] = []  # cells in Python 2 syntax: left out of the program, not reported
        code = [c for c in document.cells if c.kind == "code"] if document.python else []
        pieces = {c.number: self._cell_lines(c) for c in code}
        if not _parses("".join(line for lines in pieces.values() for line in lines)):
            for cell in code:
                problem = _problem(cell.number, "".join(pieces[cell.number]))
                if problem is None:
                    continue
                if document.python_major != 3 and _python2(pieces[cell.number]):
                    # `print x` in a Python 2 kernel's notebook (or one that does not say) runs as written.
                    self.python2_cells.append(cell.number)
                else:
                    self.problems.append(problem)
                pieces[cell.number] = self._blanked(cell)
        self.lines: List[str] = []
        self._owner: List[int] = []  # program line index -> cell number
        self._first: Dict[int, int] = {}  # cell number -> index of its first program line
        for cell in code:
            self._first[cell.number] = len(self.lines)
            self.lines += pieces[cell.number]
            self._owner += [cell.number] * len(pieces[cell.number])
        self._starts = sorted(self._first[c.number] for c in code if pieces[c.number])
        self._start_cell = {self._first[c.number]: c.number for c in code if pieces[c.number]}
        self.text = "".join(self.lines)

    # --- building ------------------------------------------------------------------------------

    def _hide(self, original: str, code: str) -> str:
        number = len(self._originals)
        indent = code[:len(code) - len(code.lstrip())]
        self._originals.append((original, indent))
        return f"{code}#{self._marker}{number}"

    def _cell_lines(self, cell: Cell) -> List[str]:
        lines = _lines_of(cell.text)
        out, _ = magics.neutralize(lines, self._hide)
        return out

    def _blanked(self, cell: Cell) -> List[str]:
        """A cell that does not parse: comments only (its text shown after the marker, `noqa` defused, so the
        prefilter still sees what it holds and the SL900 on it is reported)."""
        out = []
        for line in _lines_of(cell.text):
            body, ending = magics.split_ending(line)
            shown = re.sub("noqa", "no-qa", body, flags=re.IGNORECASE)
            out.append(self._hide(body, "") + " " + shown + ending)
        return out

    # --- positions -----------------------------------------------------------------------------

    def cell_position(self, line: int) -> Tuple[int, int]:
        """(cell number, line in the cell) of a 1-based program line."""
        if not self._starts:
            return 1, line
        i = max(bisect.bisect_right(self._starts, line - 1) - 1, 0)
        start = self._starts[i]
        return self._start_cell[start], line - start

    def program_line(self, cell: Optional[int], line: int) -> int:
        """The program line of a line in a cell (the reverse of cell_position)."""
        return line if cell is None or cell not in self._first else self._first[cell] + line

    def cell_lines(self, cell: int) -> List[str]:
        """The cell's own source lines (no endings), IPython syntax and all: what a report quotes."""
        return [magics.split_ending(line)[0] for line in magics.python_lines(self.document.cells[cell - 1].text)] if 0 < cell <= len(self.document.cells) else []

    def broken_cells(self, before: "Program") -> List[int]:
        """Code cells whose source differs from `before`'s and that do not parse on their own (Jupyter compiles
        each cell alone: a fix that splits a block across two cells breaks both, though their join parses)."""
        old = {c.number: c.text for c in before.document.cells}
        out = []
        for cell in self.document.cells:
            if cell.kind == "code" and old.get(cell.number) != cell.text:
                lines, _ = magics.neutralize(_lines_of(cell.text), lambda original, code: code)
                if _problem(cell.number, "".join(lines)) is not None:
                    out.append(cell.number)
        return out

    # --- the way back ----------------------------------------------------------------------------

    def restore(self, line: str) -> str:
        """A program line as the cell has it: a placeholder becomes its IPython line again (re-indented
        when a fix moved it)."""
        m = re.search(f"#{self._marker}(\\d+)", line)
        if m is None or int(m.group(1)) >= len(self._originals):
            return line
        original, indent = self._originals[int(m.group(1))]
        body, ending = magics.split_ending(line)
        now = body[:len(body) - len(body.lstrip())]
        if now != indent and original.startswith(indent):
            original = now + original[len(indent):]
        return original + ending

    def cell_sources(self, fixed: str) -> Dict[int, str]:
        """Each code cell's source in the fixed program; NotebookError when a change spans two cells."""
        new = magics.python_lines(fixed)
        out: Dict[int, List[str]] = {number: [] for number in self._first}
        ops = difflib.SequenceMatcher(None, self.lines, new, autojunk=False).get_opcodes()
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                for k in range(i2 - i1):
                    out[self._owner[i1 + k]].append(new[j1 + k])
                continue
            cells = set(self._owner[i1:i2])
            if len(cells) > 1:
                for cell, block in self._split(i1, i2, new[j1:j2]):
                    out[cell].extend(block)
            elif cells:
                out[cells.pop()].extend(new[j1:j2])
            else:
                cell, block = self._insertion(i1, new[j1:j2])
                out[cell].extend(block)
        sources = {}
        for cell in self.document.cells:
            if cell.number in out:
                text = "".join(self.restore(line) for line in out[cell.number])
                if text.endswith("\n") and not cell.text.endswith("\n"):
                    text = text[:-1]  # the program's newline after the cell's last line is not the cell's
                sources[cell.number] = text
        return sources

    def _split(self, i1: int, i2: int, block: List[str]) -> List[Tuple[int, List[str]]]:
        """A changed run of program lines that covers several cells (difflib joins adjacent edits, e.g. fixes
        of two one-line cells), split back by cell: each new line goes to the cell of the old line it most
        resembles, and a new line like none (a `with` line a fix put around a statement) to the cell of the
        next line that has one, as insertions do. NotebookError when the lines would cross cells out of order."""
        old = [line.strip() for line in self.lines[i1:i2]]
        matched: List[Optional[int]] = []
        for line in block:
            if _opens_block(line):
                matched.append(None)  # a `with ...:` a fix added goes with the statements it holds
                continue
            scores = [_kept(candidate, line.strip()) for candidate in old]
            best = max(range(len(old)), key=scores.__getitem__)
            unique = scores.count(scores[best]) == 1
            matched.append(self._owner[i1 + best] if unique and scores[best] >= 0.5 else None)
        cells = set(self._owner[i1:i2])
        following = None
        for k in range(len(matched) - 1, -1, -1):  # an unmatched line joins the next matched line's cell
            if matched[k] is None:
                matched[k] = following
            following = matched[k]
        # Refused: a line like no old one at the end, a cell none of the new lines resembles (lines merged
        # across cells), or lines that would cross cells out of order.
        if None in matched or set(matched) != cells or matched != sorted(matched):
            raise NotebookError(f"a fix changes cells {min(cells)} to {max(cells)} at once; not written")
        owners: List[int] = [m for m in matched if m is not None]
        parts: List[Tuple[int, List[str]]] = []
        for owner, line in zip(owners, block):
            if parts and parts[-1][0] == owner:
                parts[-1][1].append(line)
            else:
                parts.append((owner, [line]))
        return parts

    def _insertion(self, i: int, block: List[str]) -> Tuple[int, List[str]]:
        """The cell that takes lines inserted before program line index i, and the lines it takes: the next
        cell (a statement added before the one it is about), unless the insertion is at the very end, or is
        imports added after the previous cell's imports (LibCST adds them below the last import): those
        extend the earlier cell, without the blank line that separated them from the next statement."""
        if not self._owner:
            if not self._first:
                raise NotebookError("the notebook has no code cell to hold the fix")
            return min(self._first), block
        if i >= len(self._owner):
            return self._owner[-1], block
        if i > 0 and self._owner[i - 1] != self._owner[i] and _IMPORT.match(next((b for b in block if b.strip()), "")):
            while block and not block[-1].strip():
                block = block[:-1]
            return self._owner[i - 1], block
        return self._owner[i], block

    def rewrite(self, fixed: str) -> bytes:
        """The notebook's bytes with the fixed program written back into its cells."""
        return self.document.rewritten(self.cell_sources(fixed))


def _lines_of(text: str) -> List[str]:
    lines = magics.python_lines(text)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    return lines


def _opens_block(line: str) -> bool:
    """A compound statement's header line (`with tf.control_dependencies(update_ops):`)."""
    try:
        tokens = [t for t in ast.parse(line.strip() + "\n    pass\n").body]
    except SyntaxError:
        return False
    return len(tokens) == 1 and isinstance(tokens[0], (ast.With, ast.If, ast.For, ast.While, ast.Try, ast.FunctionDef))


def _kept(old: str, new: str) -> float:
    """How much of an old line survives in a new one (the share of its characters in common blocks)."""
    if not old or not new:
        return 0.0
    blocks = difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks) / len(old)


def _unused_marker(text: str) -> str:
    marker = " slimlint-ipython-"
    while marker in text:
        marker = marker.rstrip("-") + "x-"
    return marker


def _parses(code: str) -> bool:
    return _problem(0, code) is None


def _python2(lines: List[str]) -> bool:
    """Does the Python 2 grammar take the cell (its IPython syntax already neutralised)?"""
    from slimlint.python2 import parses  # the Python 2 front end, loaded only for such a cell

    return parses("".join(lines))


def _problem(cell: int, code: str) -> Optional[CellProblem]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning (invalid escapes) is the user's business, not ours
        try:
            compile(code, f"<cell {cell}>", "exec", _FLAGS, dont_inherit=True)
        except (SyntaxError, ValueError) as exc:  # ValueError: a NUL in the source
            from slimlint.source import describe_parse_error

            problem = describe_parse_error(_Text(code), exc)
            return CellProblem(cell, problem.line, problem.column, problem.message)
        except (RecursionError, MemoryError):
            return CellProblem(cell, 1, 1, "cannot parse: nested too deeply")
    return None


@dataclass(frozen=True)
class _Text:
    text: str  # what describe_parse_error reads of a Source
