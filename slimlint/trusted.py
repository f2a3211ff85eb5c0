"""Reading and writing slimlint's own cache files safely.

A cache folder can sit in a cloned repository or in a folder others can write. What slimlint reads back
from it is data only (JSON, never pickle or marshal), and only from a regular file, opened without
following links, owned by the user running slimlint and writable by nobody else. Anything else is ignored,
and the run checks afresh. The pruner deletes only regular files it wrote (never through a link).

Owner and mode are not enough: `git clone` makes a committed `.slimlint_cache/` the user's own, and the
cache key no longer depends on where the project sits. So every entry is sealed with an HMAC whose secret
never lives in the project: `$SLIMLINT_CACHE_SECRET` when set (a CI that restores its cache sets it from a
CI secret), else a random key in the user's cache folder (`$XDG_CACHE_HOME/slimlint/secret`, mode 0600).
An entry that someone else wrote, on another machine or in a commit, fails the seal and is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
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


_SEAL = b"slimlint-hmac-sha256 "
_SECRET_BYTES = 32
_secret_cache: list = []  # [secret or None], once per process


def _secret_path() -> Optional[str]:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "slimlint", "secret") if os.path.isabs(base) else None


def _load_or_make_secret() -> Optional[bytes]:
    from_env = os.environ.get("SLIMLINT_CACHE_SECRET")
    if from_env:
        return from_env.encode("utf-8", "surrogateescape")
    path = _secret_path()
    if path is None:
        return None
    for _ in range(2):  # a second try reads the key another process made in between
        data = read_private(path, limit=4096)
        if data is not None and len(data) >= _SECRET_BYTES:
            return data
        try:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            if not folder_is_private(os.path.dirname(path)):
                return None
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        except FileExistsError:
            continue
        except (OSError, ValueError):
            return None
        secret = os.urandom(_SECRET_BYTES)
        with os.fdopen(fd, "wb") as f:
            f.write(secret)
        return secret
    return None


def secret() -> Optional[bytes]:
    """The key that seals cache entries; None when there is none (then nothing is cached)."""
    if not _secret_cache:
        _secret_cache.append(_load_or_make_secret())
    return _secret_cache[0]


def seal(data: bytes) -> Optional[bytes]:
    """`data` with a first line that proves this user's slimlint wrote it; None without a secret."""
    key = secret()
    if key is None:
        return None
    return _SEAL + hmac.new(key, data, hashlib.sha256).hexdigest().encode("ascii") + b"\n" + data


def unseal(blob: Optional[bytes]) -> Optional[bytes]:
    """The data of a sealed entry, or None when the seal is missing or was made with another secret."""
    key = secret()
    if blob is None or key is None or not blob.startswith(_SEAL):
        return None
    mac, _, data = blob[len(_SEAL):].partition(b"\n")
    expected = hmac.new(key, data, hashlib.sha256).hexdigest().encode("ascii")
    return data if hmac.compare_digest(mac, expected) else None


def read_sealed(path: str, limit: int = MAX_ENTRY_BYTES) -> Optional[bytes]:
    """The data of a private, sealed cache file, or None."""
    return unseal(read_private(path, limit))


def write_sealed(directory: str, name: str, data: bytes) -> None:
    """Seal and write atomically; without a secret nothing is written. Raises OSError."""
    blob = seal(data)
    if blob is not None:
        write_private(directory, name, blob)


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
