"""Run one program (its steps, in order) in child processes, with a time limit, and read its records."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

import slimlint
from slimlint.harness import compat

MEASUREMENTS = "slimlint-measurements.jsonl"
STDERR_TAIL_LINES = 15


@dataclass
class RunResult:
    records: List[dict] = field(default_factory=list)
    seconds: float = 0.0
    error: Optional[str] = None  # a step crashed or hung
    stderr_tail: str = ""
    stdout_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


def child_env(base: Mapping[str, str], extra: Mapping[str, str], measurements: Path) -> Dict[str, str]:
    env = dict(base)
    # The child imports slimlint.harness.child; make that work from a source checkout too.
    package_parent = str(Path(slimlint.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["SLIMLINT_MEASUREMENTS"] = str(measurements)
    compat.set_environment(env)
    env.update(extra)
    return env


def _tail(path: Path, lines: int = STDERR_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _read_records(path: Path) -> List[dict]:
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            records.append(json.loads(line))
    return records


def _kill_group(proc: subprocess.Popen) -> None:
    # The child may have started threads or processes of its own: end its whole process group.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def run_program(
    workdir: Path,
    steps: Sequence[str],
    support_dir: Optional[Path],
    env_extra: Mapping[str, str],
    timeout: float,
) -> RunResult:
    """Run each step as `python -m slimlint.harness.child STEP` in workdir; stop at the first failure."""
    workdir = Path(workdir)
    logs = workdir / ".slimlint"
    logs.mkdir(exist_ok=True)
    measurements = logs / MEASUREMENTS
    env = child_env(os.environ, env_extra, measurements)
    result = RunResult()
    started = time.monotonic()
    for index, step in enumerate(steps):
        out_path, err_path = logs / f"{index}-{step}.stdout", logs / f"{index}-{step}.stderr"
        command = [sys.executable, "-m", "slimlint.harness.child", str(workdir / step)]
        if support_dir is not None:
            command.append(str(support_dir))
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen(
                command, cwd=workdir, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True
            )
            try:
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                code = None
        result.stderr_tail, result.stdout_tail = _tail(err_path), _tail(out_path, 5)
        if code is None:
            result.error = f"{step}: no result after {timeout:.0f} s (killed)"
            break
        if code != 0:
            result.error = f"{step}: exited with status {code}"
            break
    result.seconds = time.monotonic() - started
    try:
        result.records = _read_records(measurements)
    except (OSError, ValueError) as exc:
        result.error = result.error or f"unreadable measurements: {exc}"
    return result
