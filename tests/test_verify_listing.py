"""`slimlint verify` is honest about what it did not do (issue 16, item 7), without TensorFlow:

- every fixture it does not run is listed after the results, with why, and counted in the summary;
- naming only fixtures that are not runnable says so and why, exit 5 (pytest's "no tests collected");
- a claim that does not apply ("n/a") is never counted as proved, in the table, the summary or the JSON.
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from slimlint.harness import claims
from slimlint.harness import command as command_module
from slimlint.harness import verify as verify_module
from slimlint.harness.claims import Measurement, judge
from slimlint.harness.device import select_device
from slimlint.harness.fixing import FixCheck
from slimlint.harness.fixtures import Fixture, FixtureError, collect_fixtures, load_fixture
from slimlint.harness.report import counts, render, to_json
from slimlint.harness.runner import RunResult
from slimlint.harness.verify import FixtureOutcome, _judge

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CPU = select_device("cpu", [])
PASS, FAIL, NA = Measurement(1.0, True, "ok"), Measurement(0.0, False, "bad"), claims.NOT_APPLICABLE


def _write(folder: Path, toml: str, program: str = "") -> Path:
    folder.mkdir(parents=True)
    (folder / "fixture.toml").write_text(toml)
    (folder / "train.py").write_text(program)
    return folder


def _session(sentinel=300, moved=2.0):
    return {"kind": "session", "train_steps": 300, "sentinel_runs": [sentinel],
            "moving_stats": [{"name": "bn/moving_mean", "moved": moved, "norm": moved}]}


def _evaluation(accuracy=1.0, histogram=(40, 40, 40)):
    return {"kind": "evaluate", "one_image_accuracy": accuracy, "predicted_classes": list(histogram),
            "batch_max_abs_diff": 1e-6, "logit_scale": 5.0}


def _clean_outcome(tmp_path, records) -> FixtureOutcome:
    fixture = load_fixture(_write(tmp_path / "clean_demo", 'findings = []\n[run]\nsteps = ["train.py"]\n'))
    outcome = FixtureOutcome(fixture, fix=FixCheck(files={}, source="slimlint"))
    outcome.runs["clean"] = RunResult(records=records, seconds=1.0)
    _judge(outcome)
    return outcome


# --- why a fixture is not run ------------------------------------------------------------------------


def test_reason_is_not_run_key_else_derived_from_the_fixture(tmp_path):
    keyed = load_fixture(_write(tmp_path / "py2", 'findings = []\nnot_run = "Python 2 program"\n'))
    assert not keyed.runnable and keyed.not_run_reason == "Python 2 program"
    clean = load_fixture(_write(tmp_path / "clean", "findings = []\n", "import tensorflow as tf\n"))
    assert clean.not_run_reason.startswith("no [run] section: a clean, lint-only fixture")
    assert "does not import fixture_support" in clean.not_run_reason
    no_fix = load_fixture(_write(tmp_path / "nofix", 'findings = ["train.py:1:1 SL203"]\n', "import fixture_support\n"))
    assert "no fix" in no_fix.not_run_reason and "fixture_support" not in no_fix.not_run_reason
    empty_run = load_fixture(_write(tmp_path / "empty_run", "findings = []\n[run]\nsteps = []\n"))
    assert empty_run.not_run_reason == "its [run] section has no steps"
    runnable = load_fixture(_write(tmp_path / "runs", 'findings = []\n[run]\nsteps = ["train.py"]\n'))
    assert runnable.runnable and runnable.not_run_reason is None


def test_not_run_on_a_runnable_fixture_or_not_a_string_is_an_error(tmp_path):
    with pytest.raises(FixtureError, match="not_run"):
        load_fixture(_write(tmp_path / "a", 'findings = []\nnot_run = "x"\n[run]\nsteps = ["train.py"]\n'))
    with pytest.raises(FixtureError, match="not_run"):
        load_fixture(_write(tmp_path / "b", "findings = []\nnot_run = 3\n"))


def test_every_repository_fixture_that_is_not_run_says_why():
    fixtures = collect_fixtures([FIXTURES])
    left_out = [f for f in fixtures if not f.runnable]
    assert left_out and all(f.not_run_reason for f in left_out)
    by_name = {f.name: f for f in fixtures}
    # The two rules no runnable fixture covers say why in their fixture.toml, not by a generic reason.
    assert "SL203" in by_name["sl203_keras_bn_in_session"].not_run_reason
    assert "tf.estimator" in by_name["sl206_estimator_constant_is_training"].not_run_reason
    assert by_name["py2_sl101_control_deps"].not_run_reason.startswith("Python 2 program")


# --- the listing and the summary ---------------------------------------------------------------------


def test_render_lists_every_fixture_not_run_after_the_results_and_counts_them(tmp_path):
    ran = _clean_outcome(tmp_path, [_session(), _evaluation()])
    left_out = [f for f in collect_fixtures([FIXTURES]) if not f.runnable][:3]
    text = render([ran], 12.0, CPU, left_out)
    assert text.index("clean_demo: PROVED") < text.index("not runnable (3 fixtures, not run):")
    for fixture in left_out:
        assert f"  {fixture.name}: {fixture.not_run_reason}" in text
    summary = text.splitlines()[-1]
    assert summary.startswith("1 run, 1 proved, 0 unproved, 3 not runnable; claims: ")
    assert "on CPU:0 (--device cpu) in 12.0 s" in summary


def test_json_report_lists_the_fixtures_not_run(tmp_path):
    ran = _clean_outcome(tmp_path, [_session(), _evaluation()])
    left_out = [load_fixture(FIXTURES / "sl203_keras_bn_in_session")]
    data = json.loads(json.dumps(to_json([ran], 5.0, CPU, [], left_out)))
    assert data["summary"]["run"] == 1 and data["summary"]["not_runnable"] == 1
    assert data["not_run"] == [{"name": "sl203_keras_bn_in_session", "path": str(left_out[0].path),
                                "kind": "clean", "findings": 1, "reason": left_out[0].not_run_reason}]


def _fake_run(outcome_for):
    def run(found, choice, **kwargs):
        return [outcome_for(f) for f in found]
    return run


def test_verify_command_runs_the_runnable_and_lists_the_rest(tmp_path, monkeypatch):
    monkeypatch.setattr(command_module, "missing_packages", lambda: [])
    _write(tmp_path / "runs", 'findings = []\n[run]\nsteps = ["train.py"]\n')
    _write(tmp_path / "lint_only", "findings = []\n")
    _write(tmp_path / "python2", 'findings = []\nnot_run = "Python 2 program: cannot run on Python 3"\n')

    def outcome_for(fixture):
        outcome = FixtureOutcome(fixture, fix=FixCheck(files={}, source="slimlint"))
        outcome.runs["clean"] = RunResult(records=[_session(), _evaluation()], seconds=1.0)
        _judge(outcome)
        return outcome

    monkeypatch.setattr(verify_module, "verify", _fake_run(outcome_for))
    report = tmp_path / "report.json"
    result = CliRunner().invoke(command_module.verify, ["--device", "cpu", "--report", str(report), str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "runs: PROVED" in result.output
    assert "lint_only: no [run] section" in result.output
    assert "python2: Python 2 program: cannot run on Python 3" in result.output
    assert "1 run, 1 proved, 0 unproved, 2 not runnable" in result.output
    assert [f["name"] for f in json.loads(report.read_text())["not_run"]] == ["lint_only", "python2"]


# --- naming a fixture that is not runnable -----------------------------------------------------------


@pytest.mark.parametrize("tensorflow_missing", [False, True])
def test_naming_a_fixture_that_is_not_runnable_says_why_exit_5(monkeypatch, tensorflow_missing):
    # Before TensorFlow is looked for: installing it would not make the fixture run.
    monkeypatch.setattr(command_module, "missing_packages", lambda: ["tensorflow"] if tensorflow_missing else [])
    fixture = FIXTURES / "sl203_keras_bn_in_session"
    result = CliRunner().invoke(command_module.verify, [str(fixture)])
    assert result.exit_code == command_module.EXIT_NOTHING_TO_RUN == 5
    assert "sl203_keras_bn_in_session: " + load_fixture(fixture).not_run_reason in result.output
    assert "sl203_keras_bn_in_session is not runnable" in result.output
    assert "no runnable fixtures" not in result.output and "pip install" not in result.output


def test_a_folder_without_any_fixture_is_still_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setattr(command_module, "missing_packages", lambda: [])
    result = CliRunner().invoke(command_module.verify, [str(tmp_path)])
    assert result.exit_code == 2 and "no fixtures" in result.output


def test_exit_codes_are_documented_in_the_help():
    result = CliRunner().invoke(command_module.verify, ["--help"])
    assert "5  the fixtures named (or found) are all not runnable" in result.output
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "exits 5" in readme


# --- n/a is never proved -----------------------------------------------------------------------------


def test_a_claim_that_does_not_apply_is_n_a_not_proved():
    verdict = judge("one_image_accuracy", NA)
    assert not verdict.proved and not verdict.applicable and verdict.status == "n/a"
    assert verdict.to_dict()["status"] == "n/a" and verdict.to_dict()["proved"] is False
    assert judge("one_image_accuracy", PASS).status == "proved"
    assert judge("one_image_accuracy", FAIL).status == "unproved"
    # A claim the buggy program must fail is never n/a: unmeasured, it is unproved.
    assert judge("update_ops_run", NA, FAIL, True).status == "unproved"


def test_a_fixture_whose_claims_all_do_not_apply_is_not_proved(tmp_path):
    outcome = _clean_outcome(tmp_path, [])  # the program ran, but measured nothing
    assert outcome.verdicts and all(v.status == "n/a" for v in outcome.verdicts)
    assert not outcome.proved
    assert outcome.nothing_proved == "no claim applies: nothing was measured"
    text = render([outcome], 1.0, CPU)
    assert "clean_demo: UNPROVED" in text and "! no claim applies" in text
    assert text.splitlines()[-1].startswith("1 run, 0 proved, 1 unproved, 0 not runnable; claims: 0 proved, 0 unproved, 6 n/a")


def test_n_a_is_counted_apart_in_the_table_summary_and_json(tmp_path):
    outcome = _clean_outcome(tmp_path, [_session(), _evaluation()])  # no GAN, no repeat: 2 claims n/a
    assert outcome.proved
    statuses = [v.status for v in outcome.verdicts]
    assert statuses.count("n/a") == 2 and statuses.count("proved") == 4
    text = render([outcome], 1.0, CPU)
    row = next(l for l in text.splitlines() if l.strip().startswith("update_ops_scoped"))
    assert "n/a (not judged)" in row and "proved" not in row
    assert "claims: 4 proved, 0 unproved, 2 n/a" in text.splitlines()[-1]
    assert counts([outcome])["claims_proved"] == 4
    data = to_json([outcome], 1.0, CPU, [])
    assert data["summary"]["claims"] == {"proved": 4, "unproved": 0, "n/a": 2}
    by_claim = {c["claim"]: c for c in data["fixtures"][0]["claims"]}
    assert by_claim["update_ops_scoped"]["status"] == "n/a" and by_claim["update_ops_scoped"]["proved"] is False


def test_a_buggy_fixture_that_shows_no_bug_is_not_proved(tmp_path):
    folder = _write(tmp_path / "buggy_demo", 'findings = []\n[run]\nsteps = ["train.py"]\n')
    (folder / "expected").mkdir()
    outcome = FixtureOutcome(load_fixture(folder), fix=FixCheck(files={}, source="slimlint"))
    outcome.runs["buggy"] = RunResult(records=[_session(), _evaluation()])
    outcome.runs["fixed"] = RunResult(records=[_session(), _evaluation()])
    _judge(outcome)
    assert all(v.status in ("proved", "n/a") for v in outcome.verdicts)
    assert not outcome.proved and "buggy_fails" in outcome.nothing_proved
