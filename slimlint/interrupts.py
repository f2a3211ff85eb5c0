"""Ctrl-C and SIGTERM while `--fix` writes files: the file being written is finished, then the run stops.

Each write is atomic on its own (slimlint/writer.py), but a KeyboardInterrupt raised between two files
would end the run without saying which files had already been rewritten. While `held()` is active, a
first SIGINT / SIGTERM is only noted; the write loop reads `received` between files, stops, and reports
what it wrote. A second signal raises KeyboardInterrupt at once: the file being written is then rolled
back (the writer removes its temporary file), never left half written.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator, Optional

HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Held:
    """The first signal received while held (its number), or None."""

    def __init__(self) -> None:
        self.received: Optional[int] = None

    def exit_code(self) -> int:
        """The shell's convention for a run stopped by a signal: 128 + its number (130 for Ctrl-C)."""
        return 128 + (self.received or signal.SIGINT)


@contextmanager
def held() -> Iterator[Held]:
    state = Held()
    if threading.current_thread() is not threading.main_thread():
        yield state  # signal handlers can only be set in the main thread (library use from a thread)
        return

    def note(signum, _frame) -> None:
        if state.received is not None:
            raise KeyboardInterrupt  # asked twice: stop now; the current write rolls back
        state.received = signum

    previous = {sig: signal.signal(sig, note) for sig in HELD_SIGNALS}
    try:
        yield state
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
