"""What the server lints with: one buffer at a time, with its project as context, keeping what it can.

The buffer goes through the same path as `slimlint - --stdin-filename <path>` (buffers.py). Between runs
two things are kept, so a keystroke re-parses only the buffer:
- context files read from disk, while their stat signature is unchanged (replay.signature: the test the
  replay of a warm run uses, with its guard against a write in the same timestamp tick);
- what stage one made of each file it parsed (tree and semantic model), keyed by its name and bytes.
A fix's edits are computed only when a code action asks for them.
No LSP types here: this module is the linter's side, tested without a client.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from slimlint import replay
from slimlint.big_stack import on_big_stack
from slimlint.buffers import buffer_unit, check_buffer, project_context, source_from_text, too_big_note
from slimlint.codes import CODES
from slimlint.config import ConfigError, load_settings
from slimlint.file_units import Unit, read_unit
from slimlint.findings import Finding
from slimlint.source import SourceError


@dataclass
class Result:
    """One run over one buffer text: what the diagnostics and code actions of that text are made of."""

    text: str
    findings: List[Finding] = field(default_factory=list)
    error: Optional[str] = None  # the buffer, or the configuration, could not be checked: one line
    unsafe_fixes: bool = False  # the project's `unsafe-fixes`: what "fix all" applies
    fixed: Optional[str] = None  # with fix=True: the text `slimlint --fix` would write, when it changes any
    notes: List[str] = field(default_factory=list)  # for the client's log
    edits_later: List[Optional[Callable[[], Finding]]] = field(default_factory=list)  # per finding: with its edits

    def with_edits(self, index: int) -> Finding:
        """Finding `index` with its fix's edits (computed the first time it is asked for)."""
        finding = self.findings[index]
        make = self.edits_later[index] if index < len(self.edits_later) else None
        if make is not None and finding.fix is not None and not finding.fix.edits:
            finding = self.findings[index] = on_big_stack(make)  # it walks the tree as deep as it nests
            self.edits_later[index] = None
        return finding


class ContextFiles:
    """Context files kept as read while their stat signature holds: an unchanged model module is not read again."""

    def __init__(self) -> None:
        self._kept: Dict[str, Tuple[tuple, Unit]] = {}

    def read(self, units: Sequence[Unit]) -> List[Unit]:
        kept: Dict[str, Tuple[tuple, Unit]] = {}
        out = []
        for unit in units:
            name = str(unit.path)
            sig = replay.signature(name)
            held = self._kept.get(name)
            if held is not None and sig is not None and held[0] == sig:
                unit = replace(held[1], key=unit.key)
            else:
                read_at = time.time_ns()
                unit = read_unit(unit)
                if sig is None or replay.is_racy(sig, read_at):
                    out.append(unit)  # may still change within the tick it was read in: read it again next time
                    continue
            kept[name] = (sig, unit)
            out.append(unit)
        self._kept = kept  # files gone from the project are forgotten
        return out


class ParsedFiles:
    """Stage one's result per file (engine.ParsedFile) and the prefilter's verdict on it, kept between runs
    while the file's bytes are the same."""

    def __init__(self) -> None:
        self._kept: dict = {}
        self._used: dict = {}

    def parse(self, unit, parse):
        key = ("parsed", unit.display, unit.module_name, unit.source.raw if unit.source is not None else None, unit.error,
               unit.star_aliases)
        parsed = self._remember(key, lambda: parse(unit))
        return replace(parsed, unit=unit)  # the unit's key is its place in this run

    def wants(self, unit, wants) -> bool:
        key = ("wanted", unit.relpath, unit.source.raw if unit.source is not None else None, unit.error)
        return self._remember(key, lambda: wants(unit))

    def _remember(self, key, make):
        value = self._used[key] if key in self._used else self._kept[key] if key in self._kept else make()
        self._used[key] = value
        return value

    def end_run(self) -> None:
        """Keep what this run used; forget what it did not (an edited file's old tree)."""
        self._kept, self._used = self._used, {}


def _engine(settings, parsed: ParsedFiles, later: Dict[int, Callable[[], Finding]]):
    """An engine for one run: it parses through `parsed`, and leaves each fix's edits to be computed when a
    code action asks (`later`, by id of the finding): an edit costs a transform and a print of the whole
    tree, seconds for a file with a dozen findings, and most are never asked for."""
    from slimlint.engine import Engine

    class _ServerEngine(Engine):
        def parse(self, unit):
            return parsed.parse(unit, super().parse)

        def wants(self, unit):
            return parsed.wants(unit, super().wants)

        def _finding(self, unit, view, module, v, start, end, need_edits):
            finding = super()._finding(unit, view, module, v, start, end, False)
            if finding.fix is not None:
                # The same call with edits, as `--output-format json` makes them.
                later[id(finding)] = lambda: super(_ServerEngine, self)._finding(unit, view, module, v, start, end, True)
            return finding

    return _ServerEngine(settings)


class Linter:
    """Lints buffers; one run at a time (the server calls it from one thread)."""

    def __init__(self) -> None:
        self.context = ContextFiles()
        self.parsed = ParsedFiles()

    def lint(self, path: Optional[Path], text: str, fix: bool = False) -> Result:
        """Check `text` as the file at `path` (None: an unnamed buffer, checked alone); with `fix`, also fix
        it as `slimlint --fix` would (the findings are then those left after fixing)."""
        result = Result(text=text)
        filename = str(path) if path is not None else None
        try:
            # As `--stdin-filename`: the configuration found from the file's folder, command line overrides none.
            settings, _ = load_settings(path.parent if path is not None else Path.cwd(), overrides={}, known_codes=CODES)
        except (ConfigError, OSError) as exc:
            result.error = f"configuration error: {exc}"
            return result
        result.unsafe_fixes = settings.unsafe_fixes
        try:
            unit = buffer_unit(filename, settings, source=source_from_text(text, filename or "-"))
        except SourceError as exc:
            unit = buffer_unit(filename, settings, error=exc.reason)
        context: List[Unit] = []
        later: Dict[int, Callable[[], Finding]] = {}
        if path is not None:
            context, too_big = project_context([path], settings)
            context = self.context.read(context)
            if too_big:
                result.notes.append(too_big_note(too_big, settings))
        try:
            outcome = check_buffer(unit, context, settings, fix=fix, engine=_engine(settings, self.parsed, later))
        finally:
            self.parsed.end_run()
        result.findings = list(outcome.findings)
        result.error = outcome.error
        result.edits_later = [later.get(id(f)) for f in result.findings]
        if outcome.fixed is not None:
            result.fixed = outcome.fixed.decode(unit.source.encoding)
        return result
