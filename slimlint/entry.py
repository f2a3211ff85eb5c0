"""The `slimlint` command: a warm run is replayed (replay.py) before click or the engine is imported."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    from slimlint import replay

    code = replay.replay(args)
    if code is not None:
        raise SystemExit(code)
    replay.begin(args)
    from slimlint.cli import main as cli

    cli.main(args=args)
