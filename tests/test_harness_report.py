"""The verify table, the --report JSON, exit codes, and that the harness imports without TensorFlow."""

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from slimlint.harness import command as command_module
from slimlint.harness import claims
from slimlint.harness.device import select_device
from slimlint.harness.fixing import FixCheck
from slimlint.harness.fixtures import Fixture, collect_fixtures, load_fixture
from slimlint.harness.report import render, render_fixture, to_json
from slimlint.harness.runner import RunResult
from slimlint.harness.verify import FixtureOutcome, _judge

ROOT = Path(__file__).resolve().parent.parent


def _session(sentinel, moved):
    return {"kind": "session", "train_steps": 300, "sentinel_runs": [sentinel],
            "moving_stats": [{"name": "bn/moving_mean", "moved": moved, "norm": moved}]}


def _eval(acc, hist):
    return {"kind": "evaluate", "one_image_accuracy": acc, "predicted_classes": hist,
            "batch_max_abs_diff": 1e-6, "logit_scale": 5.0, "bn_devices": ["/device:CPU:0"]}


def _buggy_fixture(tmp_path):
    (tmp_path / "expected").mkdir()
    return Fixture("sl102_demo", tmp_path, "demo", ["train.py:1:1 SL102"], None, ["train.py"],
                   ["update_ops_run", "moving_stats_moved", "one_image_accuracy"])


def _outcome(tmp_path, fixed_sentinel=300):
    outcome = FixtureOutcome(_buggy_fixture(tmp_path), fix=FixCheck(files={}, source="slimlint"))
    outcome.runs["buggy"] = RunResult(records=[_session(0, 0.0), _eval(1 / 3, [120, 0, 0])], seconds=3.0)
    outcome.runs["fixed"] = RunResult(records=[_session(fixed_sentinel, 2.0), _eval(1.0, [40, 40, 40])], seconds=3.5)
    _judge(outcome)
    return outcome


def test_table_shows_claim_buggy_fixed_verdict(tmp_path):
    text = render_fixture(_outcome(tmp_path))
    assert "sl102_demo: PROVED" in text
    assert "claim" in text and "buggy" in text and "fixed" in text and "verdict" in text
    row = next(l for l in text.splitlines() if l.strip().startswith("update_ops_run"))
    assert "0/300 steps" in row and "300/300 steps" in row and "proved (bug shown)" in row
    assert "0.33 pred [120, 0, 0]" in text and "1.00 pred [40, 40, 40]" in text
    assert "CPU:0" in text


def test_unproved_claim_says_why(tmp_path):
    outcome = _outcome(tmp_path, fixed_sentinel=0)
    assert not outcome.proved
    text = render([outcome], 12.0, select_device("cpu", []))
    assert "UNPROVED: fixed program fails it" in text
    assert "1 run, 0 proved, 1 unproved, 0 not runnable" in text and "on CPU:0" in text and "12.0 s" in text


def test_crash_is_reported_with_stderr_tail(tmp_path):
    outcome = FixtureOutcome(_buggy_fixture(tmp_path), fix=FixCheck(files={}, source="slimlint"))
    outcome.runs["buggy"] = RunResult(error="train.py: exited with status 1", stderr_tail="Traceback\nValueError: boom")
    outcome.runs["fixed"] = RunResult(records=[])
    _judge(outcome)
    text = render_fixture(outcome)
    assert not outcome.proved
    assert "exited with status 1" in text and "| ValueError: boom" in text


def test_json_report(tmp_path):
    data = to_json([_outcome(tmp_path)], 5.0, select_device("cpu", []), ["w"])
    json.dumps(data)  # serialisable
    assert data["ok"] is True and data["device"]["device"] == "CPU:0" and data["warnings"] == ["w"]
    fixture = data["fixtures"][0]
    assert fixture["kind"] == "buggy" and fixture["bn_devices"] == ["/device:CPU:0"]
    by_claim = {c["claim"]: c for c in fixture["claims"]}
    assert set(by_claim) == set(claims.CLAIMS)
    assert by_claim["update_ops_run"]["buggy"]["value"] == 0.0
    assert by_claim["update_ops_run"]["fixed"]["value"] == 1.0


def test_missing_tensorflow_is_a_one_line_error(monkeypatch):
    monkeypatch.setattr(command_module, "missing_packages", lambda: ["tensorflow", "tf_slim"])
    result = CliRunner().invoke(command_module.verify, [str(ROOT / "fixtures")])
    assert result.exit_code == 2
    assert "pip install 'slimlint[harness]'" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_no_runnable_fixture_is_exit_5_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(command_module, "missing_packages", lambda: [])
    (tmp_path / "lint_only").mkdir()
    (tmp_path / "lint_only" / "fixture.toml").write_text('summary = "x"\nfindings = []\n')
    result = CliRunner().invoke(command_module.verify, [str(tmp_path)])
    assert result.exit_code == 5, result.output
    assert "lint_only: no [run] section" in result.output and "nothing to verify" in result.output


def test_repository_fixtures_load():
    fixtures = {f.name: f for f in collect_fixtures([ROOT / "fixtures"])}
    runnable = [f for f in fixtures.values() if f.runnable]
    assert len([f for f in runnable if f.buggy]) >= 5 and len([f for f in runnable if not f.buggy]) >= 1
    for f in runnable:
        assert set(f.buggy_fails) <= set(claims.CLAIMS), f.name
        assert f.support_dir is not None
    assert load_fixture(ROOT / "fixtures" / "sl201_eval_training_mode").steps == ["train.py", "eval.py"]


def test_harness_imports_without_tensorflow():
    code = (
        "import sys\n"
        "import slimlint, slimlint.harness.command, slimlint.harness.verify, slimlint.harness.report\n"
        "import slimlint.harness.runner, slimlint.harness.compat, slimlint.harness.device\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
