"""Run the engine over a set of files: in worker processes, and from the cache when nothing changed.

Workers keep the files they parsed for the whole run (each file is parsed once): stage one sends them
files to parse and asks for summaries until the project index is complete, stage two sends the index
and gets outcomes back. Output order does not depend on which worker did what.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from slimlint import __version__
from slimlint import outcome_codec, trusted
from slimlint.replay import code_digest
from slimlint.file_units import Outcome, Unit, read_unit

# Fewer files than this per worker are not worth a process.
_MIN_FILES_PER_WORKER = 4
_CACHE_ENTRIES_KEPT = 16


def run_units(units: Sequence[Unit], settings, fix: bool = False, need_edits: bool = False, jobs: Optional[int] = None,
              cache_dir: Optional[Path] = None, use_prefilter: bool = True, engine=None) -> List[Tuple[Unit, Outcome]]:
    """`engine`: one made by the caller (the editor server's keeps parsed files between runs), run in this process."""
    # Every file is read now: the cache key hashes them all, and a miss checks them all.
    units = [read_unit(replace(unit, key=key)) for key, unit in enumerate(units)]
    cache = RunCache(cache_dir, settings, need_edits, use_prefilter) if cache_dir is not None and not fix else None
    key = cache.key(units) if cache is not None else None
    if key is not None:
        cached = cache.load(key, len(units))
        if cached is not None:
            return list(zip(units, cached))
    from slimlint.engine import Engine, LocalBackend  # LibCST and the model: only when the cache cannot answer

    if engine is None:
        engine = Engine(settings, use_prefilter=use_prefilter)
        wanted = sum(1 for u in units if engine.wants(u))
        jobs = min(jobs or os.cpu_count() or 1, max(wanted // _MIN_FILES_PER_WORKER, 1))
    else:
        jobs = 1
    backend = WorkerBackend(engine, jobs) if jobs > 1 else LocalBackend(engine)
    try:
        index = engine.analyse(units, backend)
        outcomes = backend.check(index, fix, need_edits)
    finally:
        if isinstance(backend, WorkerBackend):
            backend.close()
    results = [(u, outcomes.get(u.key) or Outcome(error=u.error)) for u in units]
    if key is not None:
        cache.store(key, [o for _, o in results])
    return results


# --- workers -----------------------------------------------------------------------------------


def _serve(conn, settings, use_prefilter: bool) -> None:
    from slimlint.engine import Engine, LocalBackend

    backend = LocalBackend(Engine(settings, use_prefilter=use_prefilter))
    while True:
        command, args = conn.recv()
        if command == "stop":
            return
        try:
            if command == "parse":
                backend.parse(args)
                reply = None
            else:
                reply = getattr(backend, command)(*args)
        except BaseException:  # reported by the parent as an internal error, with the worker's traceback
            conn.send(("error", traceback.format_exc()))
            continue
        conn.send(("ok", reply))


class WorkerError(RuntimeError):
    pass


class WorkerBackend:
    """The same interface as LocalBackend, over `jobs` worker processes with a fixed share of the files each."""

    def __init__(self, engine, jobs: int) -> None:
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        self.conns = []
        self.procs = []
        self.load = [0] * jobs
        self.parsed_keys: set = set()  # the units parsed in some worker
        for _ in range(jobs):
            parent, child = context.Pipe()
            proc = context.Process(target=_serve, args=(child, engine.settings, engine.use_prefilter), daemon=True)
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)

    def _ask_all(self, command: str, args_per_worker) -> list:
        for conn, args in zip(self.conns, args_per_worker):
            conn.send((command, args))
        replies = []
        for conn in self.conns:
            status, reply = conn.recv()
            if status == "error":
                raise WorkerError(reply.strip().splitlines()[-1])
            replies.append(reply)
        return replies

    def parse(self, units: Sequence[Unit]) -> None:
        shares: List[List[Unit]] = [[] for _ in self.conns]
        for unit in sorted(units, key=lambda u: -len(u.source.raw) if u.source else 0):
            i = self.load.index(min(self.load))  # biggest first, to the least loaded worker
            shares[i].append(unit)
            self.load[i] += len(unit.source.raw) if unit.source else 0
        self._ask_all("parse", shares)
        self.parsed_keys.update(u.key for u in units)

    def summaries(self, index) -> Dict[str, dict]:
        merged: Dict[str, dict] = {}
        for reply in self._ask_all("summaries", [(index,)] * len(self.conns)):
            merged.update(reply)
        return merged

    def instance_param_bases(self) -> List[str]:
        return [base for reply in self._ask_all("instance_param_bases", [()] * len(self.conns)) for base in reply]

    def class_constants(self) -> Dict[str, dict]:
        merged: Dict[str, dict] = {}
        for reply in self._ask_all("class_constants", [()] * len(self.conns)):
            merged.update(reply)
        return merged

    def reexports(self) -> Dict[str, Dict[str, str]]:
        merged: Dict[str, Dict[str, str]] = {}
        for reply in self._ask_all("reexports", [()] * len(self.conns)):
            merged.update(reply)
        return merged

    def referenced_names(self) -> set:
        return {name for reply in self._ask_all("referenced_names", [()] * len(self.conns)) for name in reply}

    def config_fraction_names(self) -> set:
        return {name for reply in self._ask_all("config_fraction_names", [()] * len(self.conns)) for name in reply}

    def keys_written(self) -> dict:
        merged: dict = {}
        for reply in self._ask_all("keys_written", [()] * len(self.conns)):
            for key, callees in reply.items():
                merged.setdefault(key, set()).update(callees)
        return merged

    def mode_kinds(self, index) -> list:
        return [part for reply in self._ask_all("mode_kinds", [(index,)] * len(self.conns)) for part in reply]

    def cross_facts(self, index):
        merged: tuple = ([], [], [], [], [], [])
        for reply in self._ask_all("cross_facts", [(index,)] * len(self.conns)):
            for into, part in zip(merged, reply):
                into.extend(part)
        return merged

    def check(self, index, fix: bool, need_edits: bool) -> Dict[int, Outcome]:
        merged: Dict[int, Outcome] = {}
        for reply in self._ask_all("check", [(index, fix, need_edits)] * len(self.conns)):
            merged.update(reply)
        return merged

    def close(self) -> None:
        for conn in self.conns:
            try:
                conn.send(("stop", None))
            except (BrokenPipeError, OSError):
                pass
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()


# --- cache -------------------------------------------------------------------------------------


def prepare_cache_dir(directory: Path) -> None:
    """Create the cache folder (before the walk: created later, it would change the project folder's mtime
    and spoil the replay). Only a folder created here is marked as a cache: `--cache-dir .` must not put a
    `.gitignore` of `*` into the user's project."""
    try:
        directory.mkdir(mode=0o700, parents=True)  # private whatever the umask: a group-writable one is refused
    except OSError:
        return  # it exists already, or cannot be made (then nothing is cached)
    for name, text in (("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"), (".gitignore", "*\n")):
        try:
            (directory / name).write_text(text)
        except OSError:
            pass


class RunCache:
    """Outcomes of a whole run, keyed by every file's path and content, the settings and slimlint's code.

    Findings in one file depend on other files (a model module's summaries), so the key covers the whole
    tree: editing any file re-checks, and nothing stale is answered. The unchanged rerun is replay.py's job
    (it reads nothing); this cache answers what the replay cannot vouch for by stat alone: a rerun with
    other output options, files touched or checked out again with the same content, or a fresh CI clone
    with a restored cache folder. Its cost is reading and hashing the files, which a full run reads anyway.
    """

    def __init__(self, directory: Path, settings, need_edits: bool, use_prefilter: bool) -> None:
        self.directory = Path(directory) / __version__
        # The code's content too (an edited checkout keeps its version number), not where or when it was
        # installed: a cache folder restored on a fresh CI runner still answers.
        self.salt = f"{__version__}|{code_digest()}|{settings.digest()}|{need_edits}|{use_prefilter}"

    def key(self, units: Sequence[Unit]) -> Optional[str]:
        """Every file's path and the sha256 of its bytes (a file that cannot be read: its error).

        None when a unit came from stdin: such a run is not cached.
        """
        h = hashlib.sha256(self.salt.encode())
        for u in units:
            if u.path is None:
                return None
            content = hashlib.sha256(u.source.raw).hexdigest() if u.source is not None else f"error {u.error}"
            h.update(f"\0{u.relpath}\0{u.display}\0{u.context}\0{content}".encode())
        return h.hexdigest()

    def load(self, key: str, count: int) -> Optional[List[Outcome]]:
        path = self.directory / f"{key}.json"
        # A regular file of ours, not a link, nobody else can write, sealed with our secret (not committed by anyone).
        data = trusted.read_sealed(str(path))
        outcomes = outcome_codec.decode(data, count) if data is not None else None
        if outcomes is None:
            return None  # no entry, a damaged or foreign one: check afresh
        try:
            os.utime(path)  # recently used: kept when old entries are pruned
        except OSError:
            pass  # a read-only or shared cache still answers
        return outcomes

    def store(self, key: str, outcomes: List[Outcome]) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not trusted.folder_is_private(str(self.directory)):
                return
            trusted.write_sealed(str(self.directory), f"{key}.json", outcome_codec.encode(outcomes))
            trusted.prune(str(self.directory), ".json", _CACHE_ENTRIES_KEPT)
        except OSError:
            pass  # a cache that cannot be written only costs time
