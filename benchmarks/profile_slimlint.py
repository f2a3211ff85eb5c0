#!/usr/bin/env python
"""Profile slimlint in-process with cProfile: where does the time go?

    python benchmarks/profile_slimlint.py [--tree tf_slim|tensorflow|PATH] [--warm] [--top 30]
                                 [--output FILE.prof]

Runs ``slimlint --no-cache --jobs 1 TREE`` (or, with ``--warm``, a second run
against a cache filled by an unprofiled first run) inside this process under
cProfile, with its report sent to /dev/null, then prints

* the time per area (libcst native parser, libcst Python side, each slimlint
  sub-package, other) by *self* time, which adds up to the total;
* the top functions by cumulative time and by self time.

``--jobs 1`` keeps all the work in this process; with more jobs cProfile would
only see the parent. Named trees are copied (their .py files) into a temp
folder first, as run.py does, because slimlint honours the .gitignore of the
git checkout that may contain site-packages (pyenv's ignores /versions).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import _trees


def run_slimlint(args: list[str]) -> int:
    """Call the `slimlint` command's entry point in this process (a warm run replays); return its exit code."""
    from slimlint.entry import main

    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        try:
            rv = main(args)
        except SystemExit as exc:
            rv = exc.code
    return rv if isinstance(rv, int) else 0


# Where the main thread blocks while a helper thread works (no time of its own).
WAITS = {"<method 'acquire' of '_thread.lock' objects>"}


def subcommand() -> list[str]:
    """["check"] when the CLI is a group with a `check` command, else []."""
    from slimlint import cli

    commands = getattr(cli.main, "commands", None)
    return ["check"] if commands and "check" in commands else []


def area(filename: str, funcname: str) -> str:
    path = filename.replace(os.sep, "/")
    if filename == "~":  # C functions: name them by what they are
        if (
            "libcst_native" in funcname
            or "parse_module" in funcname
            and "native" in funcname
        ):
            return "libcst native parser (Rust)"
        return "builtins / C functions"
    if "/slimlint/" in path:
        rest = path.rsplit("/slimlint/", 1)[1]
        sub = rest.split("/", 1)[0] if "/" in rest else rest.removesuffix(".py")
        return f"slimlint.{sub}"
    if "/libcst/_parser/" in path:
        # libcst_native.parse_module is called from _parser/entrypoints.py:_parse and does not
        # show up as a C function of its own: the Rust parser's time is _parse's self time.
        return "libcst parser (Rust parser + glue)"
    if "/libcst/_nodes/" in path:
        return "libcst nodes (construct+validate in parse, visit)"
    if "/libcst/metadata/" in path:
        return "libcst metadata"
    if "/libcst/" in path:
        return "libcst other (visitors, matchers, ...)"
    if "/click/" in path:
        return "click"
    return "stdlib / other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Profile slimlint in-process with cProfile."
    )
    parser.add_argument(
        "--tree",
        default="tf_slim",
        help="tf_slim, tensorflow, or a path (default tf_slim)",
    )
    parser.add_argument(
        "--warm", action="store_true", help="profile a warm run (cache filled first)"
    )
    parser.add_argument(
        "--top", type=int, default=30, help="functions to list (default 30)"
    )
    parser.add_argument(
        "--output", metavar="FILE", help="also dump the raw stats (for snakeviz/pstats)"
    )
    parser.add_argument(
        "--extra", nargs=argparse.REMAINDER, default=[], help="more slimlint arguments"
    )
    args = parser.parse_args(argv)

    if not (REPO / "slimlint" / "cli.py").is_file():
        print("slimlint/cli.py does not exist yet: nothing to profile", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="slimlint-profile-"))
    try:
        if args.tree in _trees.TREES:
            trees, missing = _trees.prepare([args.tree], workdir)
            if missing:
                print(f"tree {args.tree}: {missing[args.tree]}", file=sys.stderr)
                return 2
            target = trees[args.tree].path
            print(
                f"tree {args.tree}: {trees[args.tree].files} files, {trees[args.tree].lines:,} lines"
            )
        else:
            target = Path(args.tree).resolve()
        os.chdir(workdir)  # no pyproject.toml of the caller is picked up

        base = subcommand() + ["--jobs", "1"]
        if args.warm:
            base += ["--cache-dir", str(workdir / "cache")]
            time.sleep(2.5)  # slimlint caches nothing for files modified in the last 2 s (replay.RACY_NS)
            start = time.perf_counter()
            rc = run_slimlint(base + args.extra + [str(target)])
            print(
                f"cache fill (unprofiled): {time.perf_counter() - start:.2f}s, exit {rc}"
            )
        else:
            base += ["--no-cache"]
        cli_args = base + args.extra + [str(target)]

        # slimlint parses on a helper thread (big stack for deep nesting); cProfile only sees
        # the thread that enabled it, so give every new thread its own profiler and merge.
        thread_profilers: list[cProfile.Profile] = []

        def start_thread_profiler(*_args) -> None:
            prof = cProfile.Profile()
            thread_profilers.append(prof)
            prof.enable()  # replaces this hook for the rest of the thread

        profiler = cProfile.Profile()
        start = time.perf_counter()
        threading.setprofile(start_thread_profiler)
        profiler.enable()
        try:
            rc = run_slimlint(cli_args)
        finally:
            profiler.disable()
            threading.setprofile(None)  # type: ignore[arg-type]
        wall = time.perf_counter() - start
        print(
            f"slimlint {' '.join(cli_args)}\n  exit {rc}, {wall:.2f}s under cProfile "
            "(cProfile roughly doubles pure-Python time; compare areas, not absolutes)"
        )
        if rc not in (0, 1):
            print(
                "  warning: slimlint exited with an error; the profile may be of a failed run"
            )

        stats = pstats.Stats(profiler)
        for prof in thread_profilers:
            with contextlib.suppress(TypeError):  # a thread that recorded nothing
                stats.add(prof)
        if thread_profilers:
            print(
                f"  merged the profiles of {len(thread_profilers)} helper threads; the main"
                " thread's waits for them are left out of the areas below"
            )
        if args.output:
            stats.dump_stats(args.output)
            print(f"  raw stats written to {args.output}")

        totals: dict[str, float] = {}
        grand = 0.0
        for (filename, _line, funcname), (
            _cc,
            _nc,
            tt,
            _ct,
            _callers,
        ) in stats.stats.items():  # type: ignore[attr-defined]
            if thread_profilers and funcname in WAITS:
                continue
            key = area(filename, funcname)
            totals[key] = totals.get(key, 0.0) + tt
            grand += tt
        print("\ntime by area (self time):")
        for key, tt in sorted(totals.items(), key=lambda kv: -kv[1]):
            print(f"  {tt:8.2f}s  {100 * tt / grand if grand else 0:5.1f}%  {key}")

        for order, title in (("cumulative", "cumulative"), ("tottime", "self")):
            buf = io.StringIO()
            stats.stream = buf  # type: ignore[attr-defined]
            stats.strip_dirs().sort_stats(order).print_stats(args.top)
            text = buf.getvalue()
            body = text[text.find("   ncalls") :] if "   ncalls" in text else text
            print(f"\ntop {args.top} by {title} time:")
            print(body.rstrip())
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
