"""Run the engine over many files (in-process for now; workers and cache come next)."""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from slimlint.engine import Engine, Outcome, Unit


def run_units(units: Sequence[Unit], settings, fix: bool = False, need_edits: bool = False, jobs: Optional[int] = None,
              cache_dir=None, use_prefilter: bool = True) -> List[Tuple[Unit, Outcome]]:
    engine = Engine(settings, use_prefilter=use_prefilter)
    index = engine.analyse(units)
    return [(u, engine.check(u, index, fix=fix, need_edits=need_edits)) for u in units]
