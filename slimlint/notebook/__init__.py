"""Jupyter notebooks (`.ipynb`): their code cells checked as one program, findings reported per cell.

A notebook is read into a Source whose `raw` is the file's bytes (the cache keys on them, the writer compares
against them) and whose `text` is the program of its code cells (program.py); the engine checks that text
like any file. `place` then moves an outcome into the notebook's terms: each finding gets its cell number
(1-based over all cells, as Jupyter shows them and ruff reports them) and a line inside that cell, and the
fixed program is written back into the cells' sources with every other byte of the file kept (document.py).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from typing import List

from slimlint.findings import Edit, Finding, Position
from slimlint.noqa import NoqaMap
from slimlint.notebook.document import NotebookError, load
from slimlint.notebook.magics import python_lines
from slimlint.notebook.program import Program

__all__ = ["SUFFIX", "NotebookError", "Program", "diff", "is_notebook", "place", "program_of"]

SUFFIX = ".ipynb"


def is_notebook(name: str) -> bool:
    return name.lower().endswith(SUFFIX)


def program_of(raw: bytes) -> Program:
    """The notebook's program; NotebookError when the bytes are not an nbformat 4 notebook."""
    return Program(load(raw))


def place(outcome, unit, syntax_error: "tuple | None") -> None:
    """Turn an outcome of the unit's program into the notebook's: cell positions, SL900 for each cell that does
    not parse (`syntax_error`: (code, name) when SL900 is enabled, else None), the fixed program as notebook bytes."""
    program: Program = unit.source.notebook
    broken = [_cell_syntax_error(unit.display, p, syntax_error) for p in program.problems
              if syntax_error and not NoqaMap(program.document.cells[p.cell - 1].text).suppressed(p.line, syntax_error[0])]
    outcome.findings = sorted([_located(f, program) for f in outcome.findings] + broken, key=Finding.sort_key)
    if outcome.unfixed_findings:
        outcome.unfixed_findings = sorted([_located(f, program) for f in outcome.unfixed_findings] + broken,
                                          key=Finding.sort_key)
    if outcome.fixed is not None:
        try:
            outcome.fixed = program.rewrite(outcome.fixed.decode("utf-8"))
        except NotebookError as exc:
            outcome.error = f"not fixed: {exc}"
            outcome.fixed, outcome.fixes_applied = None, 0
            outcome.findings = outcome.unfixed_findings


def _cell_syntax_error(display: str, problem, syntax_error) -> Finding:
    code, name = syntax_error
    at = Position(problem.line, max(problem.column, 1))
    return Finding(code=code, name=name, path=display, start=at, end=at, noqa_row=problem.line, cell=problem.cell,
                   message=f"{problem.reason}; this cell is not checked (the notebook's other cells are)")


def _located(finding: Finding, program: Program) -> Finding:
    if finding.cell is not None:
        return finding
    cell, line = program.cell_position(finding.start.line)
    shift = finding.start.line - line  # program line = cell line + shift, for every line of this cell

    def at(position: Position) -> Position:
        return Position(position.line - shift, position.column)

    fix = finding.fix
    if fix is not None and fix.edits:
        edits = tuple(_edit_in_cell(e, program, cell, at) for e in fix.edits)
        fix = replace(fix, edits=edits if all(e is not None for e in edits) else ())
    return replace(finding, cell=cell, start=at(finding.start), end=at(finding.end), fix=fix,
                   noqa_row=program.cell_position(finding.noqa_row)[1] if finding.noqa_row is not None else None,
                   message=_LINE.sub(lambda m: _cell_line(program, cell, int(m.group(1))), finding.message))


# "the run at line 134", "(line 343)": a line of the program the cells make, which the reader cannot see.
_LINE = re.compile(r"\bline (\d+)\b")


def _cell_line(program: Program, cell: int, line: int) -> str:
    """A program line as the notebook shows it: "line 12" in the finding's own cell, "cell 9, line 12" elsewhere."""
    try:
        where, in_cell = program.cell_position(line)
    except (IndexError, ValueError):
        return f"line {line}"
    return f"line {in_cell}" if where == cell else f"cell {where}, line {in_cell}"


def _edit_in_cell(edit: Edit, program: Program, cell: int, at):
    """The edit in the cell's lines (placeholders back to IPython), or None when it reaches into another cell
    (then JSON / SARIF show the fix without edits: ruff's edits carry no cell either)."""
    last = max(edit.end.line - (1 if edit.end.column == 1 else 0), edit.start.line)
    if program.cell_position(edit.start.line)[0] != cell or program.cell_position(last)[0] != cell:
        return None
    content = "".join(program.restore(line) for line in python_lines(edit.content))
    return Edit(content=content, start=at(edit.start), end=at(edit.end))


def diff(display: str, source, fixed: bytes) -> str:
    """A unified diff per changed cell (`a/nb.ipynb:cell 3`), as ruff shows a notebook's fixes."""
    old = source.notebook.document.cells
    new = load(fixed).cells
    out: List[str] = []
    for before, after in zip(old, new):
        if before.text != after.text:
            for line in difflib.unified_diff(before.text.splitlines(True), after.text.splitlines(True),
                                             f"a/{display}:cell {before.number}", f"b/{display}:cell {after.number}"):
                out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of cell\n")
    return "".join(out)
