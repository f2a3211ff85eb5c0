"""The `slimlint` command: a warm run is replayed (replay.py) before click or the engine is imported."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    from slimlint import replay

    try:
        code = replay.replay(args)
    except (OSError, ValueError):  # no working directory, say: the full run says what is wrong
        code = None
    if code is not None:
        raise SystemExit(code)
    replay.begin(args)
    from slimlint.cli import main as cli

    try:
        cli.main(args=args)
    finally:
        replay.end()  # an in-process caller's next command must not be recorded under these arguments
