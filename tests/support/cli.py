"""Running slimlint the two ways the tests need: a real subprocess (proves what reaches stderr, no
traceback) and click's CliRunner (fast, in-process)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

from click.testing import CliRunner

from slimlint.cli import main

TRACEBACK_MARKERS = ("Traceback (most recent call last)", "internal error")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes = b""

    def assert_clean_stderr(self) -> None:
        for marker in TRACEBACK_MARKERS:
            assert marker not in self.stderr, f"{marker!r} reached stderr:\n{self.stderr}"
            assert marker not in self.stdout, f"{marker!r} reached stdout:\n{self.stdout}"

    @property
    def error_lines(self) -> list:
        return [line for line in self.stderr.splitlines() + self.stdout.splitlines() if "error" in line.lower()]


def run_subprocess(args: Sequence[str], cwd: Union[str, Path], stdin: Optional[bytes] = None, timeout: float = 120) -> Run:
    """`python -m slimlint ARGS` in `cwd` (a fresh interpreter: what a user or CI sees)."""
    env = dict(os.environ)
    env.pop("PYTHONWARNINGS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "slimlint", *args],
        cwd=str(cwd),
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=env,
    )
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"), proc.stdout)


def run_cli(args: Sequence[str], cwd: Union[str, Path, None] = None, stdin: Optional[bytes] = None) -> Run:
    """The same through click's CliRunner (in-process; exceptions are caught and reported as a failure)."""
    runner = CliRunner()
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), input=stdin, catch_exceptions=True)
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(type(result.exception), result.exception, result.exception.__traceback__))
        raise AssertionError(f"slimlint raised instead of exiting cleanly:\n{tb}")
    return Run(result.exit_code, result.stdout, result.stderr, result.stdout_bytes)
