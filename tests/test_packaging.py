"""The README's install path: a wheel built from this source installs into a fresh environment and runs as
the CI snippet runs it (`slimlint --output-format sarif .`), with its data files (the signature table)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "fixtures" / "sl201_eval_training_mode"


@pytest.mark.slow
def test_the_built_wheel_installs_and_runs_the_ci_snippet(tmp_path: Path) -> None:
    # Build from a copy: a build writes build/ and *.egg-info beside the sources.
    source = tmp_path / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", "fixtures", "tests", "benchmarks", "build", "*.egg-info", "__pycache__", ".*cache*", ".hypothesis"))
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
                    str(source)], check=True, capture_output=True, text=True, timeout=300)
    wheels = list(dist.glob("slimlint-*.whl"))
    assert len(wheels) == 1, wheels

    # A fresh environment; its dependencies (libcst, click, fissix) come from this interpreter's packages.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheels[0])],
                   check=True, capture_output=True, text=True, timeout=300)

    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("expected", "fixture.toml", "report.snap"))
    where = subprocess.run([str(bin_dir / "python"), "-c", "import slimlint; print(slimlint.__file__)"],
                           capture_output=True, text=True, cwd=project, timeout=60)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout  # the wheel's copy, not this checkout

    run = subprocess.run([str(bin_dir / "slimlint"), "--no-cache", "--output-format", "sarif", "."],
                         capture_output=True, text=True, cwd=project, timeout=300)
    assert run.returncode == 1, run.stderr
    results = json.loads(run.stdout)["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["SL201"]
    # The signature table ships in the wheel: the fix that adds a keyword is offered only when it is known.
    rule = subprocess.run([str(bin_dir / "slimlint"), "rule", "SL201"], capture_output=True, text=True, timeout=60)
    assert rule.returncode == 0 and "SL201" in rule.stdout
    table = subprocess.run([str(bin_dir / "python"), "-c",
                            "from slimlint.model import signatures; print(signatures.lookup('slim.batch_norm') is not None)"],
                           capture_output=True, text=True, cwd=project, timeout=60)
    assert table.stdout.strip() == "True", table.stderr
