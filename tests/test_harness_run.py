"""The real harness on the repository's runnable fixtures (TensorFlow on CPU): every claim proved.

Skipped only when TensorFlow (with tf_keras and tf_slim) is not importable.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MISSING = [m for m in ("tensorflow", "tf_keras", "tf_slim") if importlib.util.find_spec(m) is None]
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"harness extra not installed: {', '.join(MISSING)}")


def _verify(*args, timeout=1500):  # a hang guard: about 400 s alone on a 2-core machine, more beside other tests
    command = [sys.executable, "-c", "from slimlint.harness.command import verify; verify()", *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    report = tmp_path_factory.mktemp("verify") / "report.json"
    result = _verify("--device", "cpu", "--jobs", "2", "--report", report, ROOT / "fixtures")
    return result, json.loads(report.read_text())


def test_every_claim_on_every_fixture_is_proved(full_run):
    result, report = full_run
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert report["ok"] and report["device"]["device"] == "CPU:0"
    names = {f["name"] for f in report["fixtures"]}
    assert {"sl101_control_deps", "sl102_create_train_op", "sl103_collected_too_early",
            "sl201_eval_training_mode", "seed_model_module"} <= names
    for fixture in report["fixtures"]:
        assert fixture["proved"], fixture["name"]
        assert fixture["fix"]["ok"], fixture["fix"]
        # Every claim judged is proved; the rest are "n/a" (not judged, never counted as proved).
        assert all(c["status"] in ("proved", "n/a") for c in fixture["claims"]), fixture["name"]
        assert all(c["proved"] == (c["status"] == "proved") for c in fixture["claims"]), fixture["name"]
        assert any(c["status"] == "proved" and c["must_fail_when_buggy"] for c in fixture["claims"]) == (
            fixture["kind"] == "buggy"), fixture["name"]
        assert any("CPU:0" in d for d in fixture["bn_devices"]), fixture["name"]
    # The table and the total time are printed; progress went to stderr.
    assert "verdict" in result.stdout and "on CPU:0 (--device cpu)" in result.stdout
    # The fixtures the harness does not run are listed after the results, each with why, and counted.
    summary = report["summary"]
    assert summary["run"] == len(report["fixtures"]) and summary["unproved"] == 0
    assert summary["not_runnable"] == len(report["not_run"]) > 0
    assert f"{summary['not_runnable']} not runnable" in result.stdout.splitlines()[-1]
    listing = result.stdout.split("not runnable (", 1)[1]
    for left_out in report["not_run"]:
        assert f"  {left_out['name']}: {left_out['reason']}" in listing
    assert "done" in result.stderr


def test_crash_and_hang_are_reported_and_the_rest_still_runs_deterministically(full_run, tmp_path):
    _, first = full_run
    for name, body in (("crashes", "raise ValueError('boom from the fixture')\n"),
                       ("hangs", "import time\ntime.sleep(600)\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "train.py").write_text(body)
        (tmp_path / name / "fixture.toml").write_text('findings = []\n[run]\nsteps = ["train.py"]\n')
    report = tmp_path / "report.json"
    result = _verify("--device", "cpu", "--timeout", "25", "--report", report,
                     ROOT / "fixtures" / "sl102_create_train_op", tmp_path / "crashes", tmp_path / "hangs")
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    by_name = {f["name"]: f for f in json.loads(report.read_text())["fixtures"]}
    assert "boom from the fixture" in by_name["crashes"]["runs"]["clean"]["stderr_tail"]
    assert "killed" in by_name["hangs"]["runs"]["clean"]["error"]
    assert "boom from the fixture" in result.stdout
    # Same numbers as the full run: seeds and TF_DETERMINISTIC_OPS make runs repeatable.
    again = by_name["sl102_create_train_op"]
    assert again["proved"]
    before = next(f for f in first["fixtures"] if f["name"] == "sl102_create_train_op")
    for variant in ("buggy", "fixed"):
        assert again["runs"][variant]["records"] == before["runs"][variant]["records"], variant
