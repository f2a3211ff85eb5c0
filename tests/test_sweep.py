"""slimlint over every Python file of the installed tensorflow, tf_keras, keras and tf_slim packages.

Zero crashes (no `internal error`, no traceback, exit code 0 under --exit-zero unless every error is
explained), and every `--fix` result compiles (fixed on a temporary copy of the files with fixable
findings plus their sibling modules, so cross-file facts stay the same).  The findings are printed
(code, path, line, source line) for the lead's verdict; run with `-s` or `-rP` to see them.
The packages are located with importlib.util.find_spec, never imported.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from slimlint.config import Settings
from slimlint.discovery import discover
from tests.support.cli import Run, run_subprocess

PACKAGES = ("tensorflow", "tf_keras", "keras", "tf_slim")


def _locate(name: str):
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


@pytest.fixture(scope="module")
def sweep():
    located = {name: _locate(name) for name in PACKAGES}
    missing = [name for name, path in located.items() if path is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (the sweep needs all of {', '.join(PACKAGES)})")
    parents = {p.parent for p in located.values()}
    assert len(parents) == 1, f"packages in different site directories: {located}"
    site = parents.pop()
    names = list(PACKAGES)
    files = discover([site / n for n in names], Settings(root=site)).files
    # Two processes on this 2-core box (tensorflow alone is about half the work); each package's
    # cross-file facts stay within one run.
    groups = [["tensorflow"], ["tf_keras", "keras", "tf_slim"]]
    start = time.monotonic()
    procs = [
        subprocess.Popen([sys.executable, "-m", "slimlint", "--exit-zero", "--output-format", "json", "--no-cache", *g],
                         cwd=site, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for g in groups
    ]
    outs = [p.communicate(timeout=900) for p in procs]
    elapsed = time.monotonic() - start
    findings, stderr = [], ""
    for out, err in outs:
        text = out.decode("utf-8", "replace")
        findings.extend(json.loads(text) if text.strip() else [])
        stderr += err.decode("utf-8", "replace")
    run = Run(max(p.returncode for p in procs), json.dumps(findings), stderr)
    return {"site": site, "files": files, "run": run, "elapsed": elapsed}


def _source_line(path: Path, row: int) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "<unreadable>"
    return lines[row - 1].strip() if 0 < row <= len(lines) else ""


def test_sweep_no_crash(sweep):
    run = sweep["run"]
    files = sweep["files"]
    findings = json.loads(run.stdout) if run.stdout.strip() else []
    errors = [line for line in run.stderr.splitlines() if line.strip()]
    crashes = [line for line in errors if "internal error" in line or "Traceback" in line]
    print(f"\nsweep: {len(files)} files in {sweep['elapsed']:.1f}s, exit code {run.code}, "
          f"{len(crashes)} crashes, {len(errors)} error lines, {len(findings)} findings")
    for line in errors:
        print(f"  error: {line}")
    for f in sorted(findings, key=lambda f: (f["filename"], f["location"]["row"], f["code"])):
        rel = Path(f["filename"]).relative_to(sweep["site"]).as_posix()
        print(f"  {f['code']} {rel}:{f['location']['row']}:{f['location']['column']}  "
              f"{_source_line(Path(f['filename']), f['location']['row'])}  -- {f['message']}")
    assert len(files) > 3000, f"only {len(files)} files found"
    assert not crashes, "\n".join(crashes)
    assert "Traceback" not in run.stderr
    assert run.code == 0, f"exit {run.code} under --exit-zero; stderr:\n{run.stderr}"


def test_sweep_fixes_compile(sweep, tmp_path):
    run = sweep["run"]
    findings = json.loads(run.stdout) if run.stdout.strip() else []
    fixable = sorted({Path(f["filename"]) for f in findings if f.get("fix")})
    print(f"\nsweep: {len(fixable)} files with fixable findings")
    if not fixable:
        return
    site = sweep["site"]
    copied = set()
    for path in fixable:
        for sibling in path.parent.glob("*.py"):  # sibling modules: cross-file facts stay the same
            rel = sibling.relative_to(site)
            if rel not in copied:
                (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(sibling, tmp_path / rel)
                copied.add(rel)
    targets = [str(p.relative_to(site)) for p in fixable]
    fix = run_subprocess(["--fix", "--unsafe-fixes", "--exit-zero", "--no-cache", *targets], tmp_path, timeout=600)
    assert "internal error" not in fix.stderr and "Traceback" not in fix.stderr, fix.stderr
    assert fix.code == 0, fix.stdout + fix.stderr
    changed = 0
    for rel in targets:
        new = (tmp_path / rel).read_bytes()
        if new != (site / rel).read_bytes():
            changed += 1
        compile(new, rel, "exec")
    print(f"sweep: {changed} of {len(targets)} files changed by --fix, all compile")
    # A second --fix changes nothing (idempotent).
    snapshot = {rel: (tmp_path / rel).read_bytes() for rel in targets}
    run_subprocess(["--fix", "--unsafe-fixes", "--exit-zero", "--no-cache", *targets], tmp_path, timeout=600)
    assert {rel: (tmp_path / rel).read_bytes() for rel in targets} == snapshot
