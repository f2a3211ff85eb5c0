"""Run one command and report its wall time and memory as one JSON line.

Used by ``run.py``: every timed command is started through a *fresh* Python
process running this file, so that ``getrusage(RUSAGE_CHILDREN)`` here covers
exactly that command and its descendants and nothing else.

Reported fields:

* ``wall``        seconds from spawn to exit of the command (this wrapper's own
                  start-up is not included);
* ``rc``          the command's exit code (``None`` when it timed out);
* ``timed_out``   whether it was killed after ``--timeout`` seconds;
* ``maxrss_kb``   ``ru_maxrss`` of RUSAGE_CHILDREN: the peak resident set of the
                  *largest single process* in the command's tree;
* ``tree_rss_kb`` the largest *sum* of resident sets of all processes in the
                  tree, sampled from /proc every ``--sample`` seconds (0 when
                  /proc is unavailable). It over-counts pages shared between
                  forked workers and can miss very short peaks.

Usage: python _measure.py [--timeout S] [--cwd DIR] [--stdout F] [--stderr F]
                          [--sample S] -- CMD ARGS...
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, rss_pages) for every process visible in /proc."""
    table: dict[int, tuple[int, int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return table
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        # comm may contain spaces/parens: split after the last ')'.
        rest = data[data.rfind(b")") + 2 :].split()
        try:
            table[int(name)] = (int(rest[1]), int(rest[21]))
        except (IndexError, ValueError):
            continue
    return table


def _tree_rss_kb(root: int) -> int:
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        if pid in table:
            total += table[pid][1]
        stack.extend(children.get(pid, ()))
    return total * PAGE_KB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--cwd", default=None)
    parser.add_argument("--stdout", default=os.devnull)
    parser.add_argument("--stderr", default=os.devnull)
    parser.add_argument("--sample", type=float, default=0.1)
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        parser.error("no command given")

    peak_tree = 0
    done = threading.Event()

    with open(args.stdout, "wb") as out, open(args.stderr, "wb") as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                cmd,
                cwd=args.cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,  # so a timeout can kill the whole group
            )
        except OSError as exc:
            print(json.dumps({"error": f"cannot start {cmd[0]!r}: {exc}"}))
            return 0

        def sampler() -> None:
            nonlocal peak_tree
            if not os.path.isdir("/proc") or args.sample <= 0:
                return
            while not done.wait(args.sample):
                peak_tree = max(peak_tree, _tree_rss_kb(proc.pid))

        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        timed_out = False
        try:
            rc: int | None = proc.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                proc.kill()
            proc.wait()
            rc = None
        wall = time.perf_counter() - start
        done.set()
        thread.join()

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    maxrss_kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024
    print(
        json.dumps(
            {
                "wall": wall,
                "rc": rc,
                "timed_out": timed_out,
                "maxrss_kb": maxrss_kb,
                # a tree's sum is never below its largest process (short runs may
                # finish before the first sample)
                "tree_rss_kb": max(peak_tree, maxrss_kb),
                "user": usage.ru_utime,
                "sys": usage.ru_stime,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
