"""The paths a git repository tracks, read from its index file (no git binary needed).

.gitignore only hides untracked files: a file committed under an ignored name (`model.py` below a
`**/model.*` meant for saved models, a `models/` package below a `models/` rule meant for checkpoints) is
still part of the repository, and git keeps showing its changes. Discovery walks such files too.

The index format (https://git-scm.com/docs/index-format), versions 2 to 4: a 12-byte header (`DIRC`, the
version, the entry count), then the entries in path order. Versions 2 and 3 pad each entry to 8 bytes and
store its whole path; version 3 may add 2 bytes of extended flags; version 4 stores each path as the
number of bytes to drop from the previous path plus the new suffix, without padding.
"""

from __future__ import annotations

from pathlib import Path
from typing import FrozenSet, Optional

_SIGNATURE = b"DIRC"
_FIXED = 62  # ctime, mtime, dev, ino, mode, uid, gid, size (4 bytes each but the times: 8), sha-1 (20), flags (2)
_EXTENDED = 0x4000


def tracked_paths(index_file: Path) -> Optional[FrozenSet[str]]:
    """The paths (relative, `/`-separated) of the index's entries; None when there is no readable index or
    it is not one slimlint can read (another hash than SHA-1, a damaged file)."""
    try:
        data = index_file.read_bytes()
    except (OSError, ValueError):
        return None
    try:
        return _parse(data)
    except (IndexError, ValueError):
        return None


def _parse(data: bytes) -> Optional[FrozenSet[str]]:
    if len(data) < 12 or data[:4] != _SIGNATURE:
        return None
    version = int.from_bytes(data[4:8], "big")
    count = int.from_bytes(data[8:12], "big")
    if version not in (2, 3, 4):
        return None
    paths = []
    at, previous = 12, b""
    for _ in range(count):
        start = at
        flags = int.from_bytes(data[at + 60:at + 62], "big")
        at += _FIXED
        if version >= 3 and flags & _EXTENDED:
            at += 2
        if version == 4:
            dropped, at = _varint(data, at)
            end = data.index(b"\0", at)
            if dropped > len(previous):
                raise ValueError("prefix longer than the previous path")
            path = previous[:len(previous) - dropped] + data[at:end]
            at = end + 1
        else:
            end = data.index(b"\0", at)
            path = data[at:end]
            at = start + ((end - start + 8) & ~7)  # the path's NUL and padding to a multiple of 8
        if at > len(data):
            raise ValueError("entry past the end of the index")
        paths.append(path.decode("utf-8", errors="surrogateescape"))
        previous = path
    return frozenset(paths)


def _varint(data: bytes, at: int):
    """Git's offset encoding (index v4): 7 bits a byte, each continuation adding one before the shift."""
    byte = data[at]
    value = byte & 0x7F
    at += 1
    while byte & 0x80:
        byte = data[at]
        value = ((value + 1) << 7) | (byte & 0x7F)
        at += 1
    return value, at
