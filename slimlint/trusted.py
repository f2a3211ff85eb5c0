"""Reading and writing slimlint's own cache files safely.

A cache folder can sit in a cloned repository or in a folder others can write. What slimlint reads back
from it is data only (JSON, never pickle or marshal), and only from a regular file, opened without
following links, owned by the user running slimlint and writable by nobody else. Anything else is ignored,
and the run checks afresh. The pruner deletes only regular files it wrote (never through a link).
"""

from __future__ import annotations

import os
import stat
from typing import Optional

MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a cache entry larger than this is not ours
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _private(st: os.stat_result) -> bool:
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def folder_is_private(path: str) -> bool:
    """A real folder (not a link) owned by the user that no one else can write."""
    try:
        st = os.lstat(path)
    except (OSError, ValueError):
        return False
    return stat.S_ISDIR(st.st_mode) and _private(st)


def read_private(path: str, limit: int = MAX_ENTRY_BYTES) -> Optional[bytes]:
    """The bytes of a cache file we may trust, or None."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _private(st) or st.st_size > limit:
            return None
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)


def write_private(directory: str, name: str, data: bytes) -> None:
    """Write `directory/name` atomically through a fresh temp file (O_EXCL, mode 0600). Raises OSError."""
    import tempfile  # only a run that stores pays for it: a replayed one never writes

    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(directory, name))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def prune(directory: str, suffix: str, keep: int) -> None:
    """Delete all but the `keep` most recently used regular `*suffix` files (links and others are left)."""
    entries = []
    try:
        with os.scandir(directory) as it:
            for entry in it:
                if entry.name.endswith(suffix) and entry.is_file(follow_symlinks=False):
                    entries.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
    except OSError:
        return
    entries.sort(reverse=True)
    for _, path in entries[keep:]:
        try:
            os.unlink(path)  # unlink removes a name, never what a link points to
        except OSError:
            pass
