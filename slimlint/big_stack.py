"""Running LibCST on deeply nested code without crashing the process."""

from __future__ import annotations

import sys
import threading

_BIG_STACK = 512 * 1024 * 1024
_DEEP_RECURSION = 20000


def on_big_stack(fn, *args):
    """Run fn in a thread with a large stack and recursion limit.

    LibCST's native parser overflows the C stack (a segfault, which no except clause catches) on
    about 1,500 nested parentheses, and its visitors recurse once per nesting level.
    """
    result: list = []

    def target() -> None:
        try:
            result.append((True, fn(*args)))
        except BaseException as exc:  # handed back to the caller's thread
            result.append((False, exc))

    old_limit = sys.getrecursionlimit()
    old_size = threading.stack_size(_BIG_STACK)
    sys.setrecursionlimit(max(old_limit, _DEEP_RECURSION))
    try:
        thread = threading.Thread(target=target, name="slimlint-parse")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    ok, value = result[0]
    if not ok:
        raise value
    return value
