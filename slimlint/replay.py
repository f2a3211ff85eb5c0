"""Replay of a warm run: when nothing a check depended on has changed, print what it printed.

A check (no --fix, --diff or stdin; cache on) records every path whose state decided its result while it
runs: the pyproject.toml files looked for (found or not), the directories listed, the .gitignore and
pyvenv.cfg files looked at, the files checked and slimlint's own code. Its report and exit code are stored
with them in one entry named by the command line and the working directory. The next identical command
stats those paths before click, the configuration, LibCST or the engine are imported; when every one is
as recorded it prints the stored report, otherwise it runs as usual (and the per-run outcome cache in
scheduler.py may still answer).

A path's signature is its (mtime, ctime, size, inode, mode), as in ruff's cache: nothing is read. A
directory's mtime changes when an entry is added, removed or renamed in it, so new files are seen.
Timestamps have a granularity (a few milliseconds on ext4, two seconds on FAT, a clock apart on NFS): a
file written again within the same tick after it was looked at would keep its signature. As git does with
"racily clean" entries, a run that saw a path modified less than RACY_NS before it started stores no
entry; the next run stores one. Entries are looked for in the cache folders above the paths given, so an
entry written by another user, or one that does not watch this very code, is refused.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zlib

from slimlint import __version__, trusted

__all__ = ["abandon", "begin", "code_digest", "end", "finish", "is_racy", "record", "replay", "watch"]

_FORMAT = 2  # 2: JSON (1 was marshal)
_CACHE_NAME = ".slimlint_cache"  # the default cache folder's name (cli._default_cache_dir)
_SUBDIR = "replay"
_ENTRIES_KEPT = 64
RACY_NS = 2_000_000_000  # modified this close to a run's start: its signature is not trusted yet


class _Session:
    def __init__(self, argv: list[str]) -> None:
        self.argv = argv
        self.recording = False
        self.started = 0
        self.watched: dict[tuple[str, bool], tuple | None] = {}


_session: _Session | None = None


def signature(path: str, follow: bool = True) -> tuple | None:
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except (OSError, ValueError):  # missing, unreadable, or a name the OS refuses
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_mode)


_SELF = os.path.abspath(__file__)
_PACKAGE = os.path.dirname(_SELF)


def _key(argv: list[str]) -> tuple:
    """What besides the files decides the printed report: the command line, where it runs, how it prints,
    and which copy of slimlint runs (two checkouts on PYTHONPATH must not answer for each other)."""
    stream = sys.stdout
    return (tuple(argv), os.getcwd(), getattr(stream, "encoding", None), getattr(stream, "errors", None),
            sys.version, sys.executable, _PACKAGE)


def _entry_name(key: tuple) -> str:
    blob = repr(key).encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(blob):08x}{zlib.adler32(blob):08x}.json"


# --- recording (the ordinary run) ------------------------------------------------------------------


def begin(argv: list[str]) -> None:
    """Called by the entry point with the command line; recording starts only if the run qualifies."""
    global _session
    _session = _Session(list(argv))


def end() -> None:
    """The entry point's command is over: nothing recorded may be stored under its command line later."""
    global _session
    _session = None


def record() -> None:
    """The command turned out to be a replayable check: watch what it looks at from now on."""
    if _session is not None:
        _session.recording = True
        _session.started = time.time_ns()
        _session.watched.clear()
        for path in own_code():  # before the code runs: an upgrade during the run must not be missed
            watch(path)


def watch(path: os.PathLike | str, follow: bool = True) -> None:
    """Note the current state of `path` (which may not exist) as an input of this run."""
    if _session is None or not _session.recording:
        return
    name = os.fspath(path)
    name = os.path.join(os.getcwd(), name)  # not normalised: `link/../x` is what the OS resolves, and so are we
    if (name, follow) not in _session.watched:
        _session.watched[(name, follow)] = signature(name, follow)


def abandon() -> None:
    """The run will not be stored (an error was reported, or it turned out not to qualify)."""
    if _session is not None:
        _session.recording = False
        _session.watched.clear()


def finish(cache_dir: os.PathLike | str, text: str, code: int) -> None:
    """Store this run's report and exit code with everything it depended on."""
    global _session
    session, _session = _session, None
    if session is None or not session.recording:
        return
    # The cache's own entries change at every run: not inputs (the folder itself stays one: it may be the project).
    ours = os.path.join(os.path.abspath(cache_dir), __version__, "")
    watched = [(p, f, s) for (p, f), s in session.watched.items() if not os.path.normpath(p).startswith(ours)]
    if any(is_racy(s, session.started) for _, _, s in watched if s is not None):
        return
    key = _key(session.argv)
    entry = [_FORMAT, __version__, key, watched, text, code]
    directory = os.path.join(os.fspath(cache_dir), __version__, _SUBDIR)
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if not trusted.folder_is_private(directory):
            return
        trusted.write_sealed(directory, _entry_name(key), json.dumps(entry).encode("ascii"))
        trusted.prune(directory, ".json", _ENTRIES_KEPT)
    except (OSError, ValueError):
        pass  # a cache that cannot be written only costs time


def is_racy(sig: tuple, started_ns: int) -> bool:
    """Whether a later write in the same timestamp tick could leave this signature unchanged.

    A write sets mtime to now, so a recent mtime is the risk. A write whose mtime is then put back (`cp -p`,
    `tar x`) changes ctime, which is part of the signature; only a second such restore within one tick of
    our look would go unseen, and ctime cannot be backdated, so guarding it would keep every fresh checkout
    or copy out of the cache for two seconds.
    """
    return sig[0] > started_ns - RACY_NS


_own_code: list[str] = []


def own_code() -> list[str]:
    """slimlint's own modules and LibCST's package file: a changed or upgraded linter must not replay.
    (Listed once per process: the recording and the outcome cache both ask.)"""
    if _own_code:
        return _own_code
    import importlib.util

    files = []
    for directory, dirnames, filenames in os.walk(_PACKAGE):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        files += [os.path.join(directory, n) for n in filenames if n.endswith(".py")]
    try:
        libcst = importlib.util.find_spec("libcst")
    except (ImportError, ValueError):
        libcst = None
    if libcst is not None and libcst.origin:
        files.append(os.path.abspath(libcst.origin))
    _own_code[:] = sorted(files)
    return _own_code


_code_digest: list[str] = []


def code_digest() -> str:
    """A hash of own_code()'s content, for caches that must expire when slimlint or LibCST changes (and only
    then: not when the same code is installed elsewhere or again)."""
    if not _code_digest:
        import hashlib

        h = hashlib.sha256()
        for path in own_code():
            try:
                with open(path, "rb") as f:
                    h.update(f"{os.path.basename(path)}\0".encode() + f.read() + b"\0")
            except OSError:
                h.update(f"{os.path.basename(path)}\0missing\0".encode())
        _code_digest.append(h.hexdigest())
    return _code_digest[0]


# --- replaying (before anything heavy is imported) ------------------------------------------------


def replay(argv: list[str]) -> int | None:
    """Print the stored report of this exact command and return its exit code; None to run it for real."""
    key = _key(argv)
    name = _entry_name(key)
    for directory in _candidate_dirs(argv):
        path = os.path.join(directory, __version__, _SUBDIR, name)
        # Data only (JSON), from a regular file of ours that nobody else can write, opened without following
        # links, sealed with this user's secret: a shared folder above the project or a committed entry is ignored.
        data = trusted.read_sealed(path)
        if data is None:
            continue
        try:
            entry = json.loads(data.decode("ascii"))
        except (ValueError, UnicodeError, RecursionError):
            entry = None
        if _valid(entry, key):
            _, _, _, _, text, code = entry
            try:
                os.utime(path)  # recently used: kept when old entries are pruned
            except OSError:
                pass
            return _print(text, code)
        try:
            os.unlink(path)  # stale: the next run stores a fresh one (perhaps in another cache folder)
        except OSError:
            pass
    return None


def _print(text: str, code: int) -> int | None:
    """Write the report as the full run would (cli._emit); None when only a full run can (no stdout, or one
    that cannot encode the text: click re-wraps such a stream)."""
    stream = sys.stdout
    if stream is None:
        return None
    try:
        text.encode(stream.encoding or "utf-8", stream.errors or "strict")
    except (UnicodeError, LookupError):
        return None
    try:
        if text:
            stream.write(text)
            stream.flush()
    except BrokenPipeError:  # `slimlint . | head`: the reader has gone, which is not an error of ours
        silence_stdout()
    except OSError as exc:
        silence_stdout()
        sys.stderr.write(f"slimlint: error: cannot write the report: {exc.strerror or exc}\n")
        return 2
    return code


def silence_stdout() -> None:
    """After a failed write: send what is left to /dev/null, so the interpreter's last flush stays quiet."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _valid(entry, key: tuple) -> bool:
    try:
        fmt, version, stored_key, watched, text, code = entry
        if fmt != _FORMAT or version != __version__ or stored_key != json.loads(json.dumps(key)):
            return False
        if not isinstance(text, str) or not isinstance(code, int) or isinstance(code, bool):
            return False
        if not any(path == _SELF for path, _, _ in watched):
            return False  # not recorded by this code (every real entry watches slimlint's own files)
        return all(isinstance(path, str) and signature(path, bool(follow)) == (tuple(sig) if sig is not None else None)
                   for path, follow, sig in watched)
    except (TypeError, ValueError, OSError):  # an entry of another shape
        return False


def _candidate_dirs(argv: list[str]) -> list[str]:
    """Cache folders the run may have used: --cache-dir, else `.slimlint_cache` in the folders above the
    paths given and the working directory (the project root is one of them)."""
    explicit = None
    for i, arg in enumerate(argv):  # the last one wins, as in click
        if arg == "--cache-dir" and i + 1 < len(argv):
            explicit = argv[i + 1]
        elif arg.startswith("--cache-dir="):
            explicit = arg.split("=", 1)[1]
    if explicit is not None:
        return [os.path.abspath(explicit)]
    # Paths given as such, and as option values (`--config=sub/pyproject.toml`); a wrong guess costs a stat.
    starts = [a for a in argv if not a.startswith("-")] + [a.split("=", 1)[1] for a in argv if a.startswith("--") and "=" in a]
    starts.append(".")
    dirs: list[str] = []
    seen = set()
    for start in starts:
        directory = os.path.abspath(start)
        while directory not in seen:
            seen.add(directory)
            dirs.append(os.path.join(directory, _CACHE_NAME))
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
    return dirs
