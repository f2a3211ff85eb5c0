"""A named buffer (standard input, an editor's unsaved text) checked with the project around it.

One path for `slimlint - --stdin-filename train.py` and `slimlint server`: the buffer is a unit of its own,
and every other file of the project is read as context (never reported), as `slimlint train.py` would read
it, so a train script is judged with the model module it imports.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from slimlint.file_units import Outcome, Unit, relpath_for
from slimlint.source import Source, SourceError, source_from_bytes

MAX_CONTEXT_FILES = 10_000
STDIN_RELPATH = "stdin.py"  # an unnamed buffer: no project, no role from its path


def buffer_unit(filename: Optional[str], settings, source: Optional[Source] = None, error: Optional[str] = None) -> Unit:
    """The unit for a buffer named `filename` (None: unnamed), holding its source or why it has none."""
    relpath = relpath_for(Path(filename), settings.root) if filename else STDIN_RELPATH
    return Unit(display=filename or "-", relpath=relpath, source=source, error=error)


def source_from_text(text: str, display: str) -> Source:
    """An editor's decoded text as a Source, encoded the way its coding cookie says (a latin-1 file's
    positions and fixes must be those of its own text); SourceError when that encoding cannot hold it."""
    source = source_from_bytes(text.encode("utf-8", "surrogatepass"), display)
    if source.text == text:
        return source
    try:
        return source_from_bytes(text.encode(source.encoding.replace("-sig", "")), display)
    except UnicodeEncodeError as exc:
        raise SourceError(f"holds {text[exc.start]!r}, which its declared encoding ({source.encoding}) cannot "
                          "hold", display) from None


def project_context(files: Sequence[Path], settings) -> Tuple[List[Unit], List[str]]:
    """Every other file of the project (settings.root) as unread context units, none past MAX_CONTEXT_FILES;
    and the files skipped for being over max-context-file-size (the caller says so)."""
    from slimlint.discovery import discover
    from slimlint.lint import units_for

    if settings.root is None:
        return [], []
    named = {Path(f).resolve() for f in files}
    others = [f for f in discover([settings.root], settings).files if Path(f).resolve() not in named]
    if len(others) > MAX_CONTEXT_FILES:
        return [], []
    others, too_big = _within_context_size(others, settings.max_context_file_size)
    return units_for(others, settings, read=False, context=True), too_big


def too_big_note(too_big: Sequence[str], settings) -> str:
    return (f"{len(too_big)} context file(s) over max-context-file-size ({settings.max_context_file_size} bytes) "
            f"not read, e.g. {too_big[0]}")


def _within_context_size(paths, limit: int):
    """(paths at most `limit` bytes, paths over it); a path that cannot be stat'ed is kept (reading it reports why)."""
    kept, too_big = [], []
    for path in paths:
        try:
            big = os.stat(path).st_size > limit
        except OSError:
            big = False
        (too_big if big else kept).append(path)
    return kept, too_big


def check_buffer(unit: Unit, context: Sequence[Unit], settings, fix: bool = False, need_edits: bool = False,
                 engine=None) -> Outcome:
    """The buffer's outcome, its context files read for cross-file facts (`engine`: the server's, which keeps
    the files it parsed between runs)."""
    from slimlint.lint import run

    [(_, outcome), *_] = run([unit, *context], settings, fix=fix, need_edits=need_edits, engine=engine)
    return outcome
