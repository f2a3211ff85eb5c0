"""File-system helpers for the cache tests."""

from __future__ import annotations

import os
import time
from pathlib import Path


def settle(tree: Path, seconds: float = 30) -> None:
    """Backdate every mtime under `tree` (itself included; or one file) as if it had been written `seconds` ago.

    A cache does not trust a file modified just before a run (its stat could stay the same through a
    second write in the same timestamp tick); tests that want a cache entry written settle the tree first.
    """
    past = time.time_ns() - int(seconds * 1e9)
    if not Path(tree).is_dir():
        os.utime(tree, ns=(past, past))
        return
    for directory, dirnames, filenames in os.walk(tree):
        for name in filenames:
            os.utime(os.path.join(directory, name), ns=(past, past), follow_symlinks=False)
    for directory, _, _ in os.walk(tree, topdown=False):
        os.utime(directory, ns=(past, past))
