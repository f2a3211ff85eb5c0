"""Claim evaluation: measurement records -> numbers -> verdicts (pure logic)."""

from slimlint.harness import claims
from slimlint.harness.claims import Measurement, judge, measure_all


def session(steps=300, sentinels=(300, 300), moved=(1.5, 0.8), when="close"):
    stats = []
    for i, m in enumerate(moved):
        stats.append({"name": f"net/bn{i}/moving_mean", "moved": m, "norm": 10 * m})
    return {"kind": "session", "when": when, "train_steps": steps, "sentinel_runs": list(sentinels), "moving_stats": stats}


def evaluation(acc=1.0, hist=(40, 40, 40), diff=1e-6, scale=6.0):
    return {
        "kind": "evaluate",
        "one_image_accuracy": acc,
        "predicted_classes": list(hist),
        "batch_max_abs_diff": diff,
        "logit_scale": scale,
        "bn_devices": ["/device:CPU:0"],
    }


def test_fixed_program_passes_everything():
    m = measure_all([session(), evaluation()])
    assert all(x.passed for x in m.values())
    assert m["update_ops_run"].display == "300/300 steps"
    assert m["update_ops_run"].value == 1.0


def test_buggy_program_fails_the_update_claims():
    m = measure_all([session(sentinels=(0, 0), moved=(0.0, 0.0)), evaluation(acc=1 / 3, hist=(120, 0, 0))])
    assert m["update_ops_run"].passed is False and m["update_ops_run"].value == 0.0
    assert m["moving_stats_moved"].passed is False
    assert m["one_image_accuracy"].passed is False
    assert m["batch_independence"].passed is True


def test_sentinel_must_run_every_step():
    assert measure_all([session(sentinels=(300, 299))])["update_ops_run"].passed is False


def test_one_moving_stat_left_behind_fails():
    m = measure_all([session(moved=(2.0, 0.0))])["moving_stats_moved"]
    assert m.passed is False and m.value == 0.0 and m.display.startswith("1/2 moved")


def test_high_accuracy_but_collapsed_predictions_fail():
    # 2 classes of 3 present, 95% accuracy impossible with collapse; use a skewed eval to check the share rule.
    assert measure_all([evaluation(acc=0.92, hist=(115, 5, 0))])["one_image_accuracy"].passed is False


def test_batch_independence_tolerance_scales_with_logits():
    assert measure_all([evaluation(diff=0.05, scale=1000.0)])["batch_independence"].passed is True
    assert measure_all([evaluation(diff=7.5, scale=0.1)])["batch_independence"].passed is False


def test_the_last_training_session_counts_and_eval_only_sessions_are_ignored():
    records = [session(sentinels=(0,)), session(sentinels=(300,)), session(steps=0, sentinels=(0,))]
    assert measure_all(records)["update_ops_run"].passed is True


def test_nothing_measured_is_not_applicable():
    m = measure_all([])
    assert all(x.passed is None for x in m.values())
    assert measure_all([session(sentinels=())])["update_ops_run"].display == "n/a (no update ops)"


def test_unreadable_moving_stats_fail():
    record = session()
    record["moving_stats"] = [{"error": "FailedPreconditionError: uninitialized"}]
    assert measure_all([record])["moving_stats_moved"].passed is False


PASS, FAIL, NA = Measurement(1.0, True, "ok"), Measurement(0.0, False, "bad"), claims.NOT_APPLICABLE


def test_judge_buggy_must_fail_and_fixed_must_pass():
    assert judge("update_ops_run", PASS, FAIL, True).proved
    assert not judge("update_ops_run", PASS, PASS, True).proved  # the bug did not show
    assert not judge("update_ops_run", FAIL, FAIL, True).proved  # the fix did not help
    assert not judge("update_ops_run", NA, FAIL, True).proved
    assert not judge("update_ops_run", PASS, NA, True).proved


def test_judge_claims_not_listed_need_only_the_fixed_program():
    assert judge("batch_independence", PASS, FAIL, False).proved
    assert judge("batch_independence", PASS, PASS, False).proved
    assert not judge("batch_independence", FAIL, PASS, False).proved


def test_judge_clean_program():
    assert judge("one_image_accuracy", PASS).proved
    assert not judge("one_image_accuracy", NA).proved  # not applicable: not judged, never proved
    assert judge("one_image_accuracy", NA).status == "n/a"
    assert not judge("one_image_accuracy", FAIL).proved


# update_ops_scoped: two networks, one train op each (a GAN); the probes add `train_ops` to the session record.

G_STATS = ("generator/fc1/BatchNorm/moving_mean", "generator/fc1/BatchNorm/moving_variance")
D_STATS = ("discriminator/fc1/BatchNorm/moving_mean", "discriminator/fc1/BatchNorm/moving_variance")


def scoped(records):
    return measure_all(records, ["update_ops_scoped"])["update_ops_scoped"]


def gan_session(g_step_moves_d=0.0, d_step_moves_g=0.0, probed=(3, 3)):
    record = session(steps=600, sentinels=(300, 300))
    record["train_ops"] = [
        {"scopes": ["generator"], "steps": 300, "probed_runs": probed[0],
         "stat_changes": {**{n: 0.5 for n in G_STATS}, **{n: g_step_moves_d for n in D_STATS}}},
        {"scopes": ["discriminator"], "steps": 300, "probed_runs": probed[1],
         "stat_changes": {**{n: d_step_moves_g for n in G_STATS}, **{n: 0.7 for n in D_STATS}}},
    ]
    return record


def test_update_ops_scoped_passes_when_each_step_leaves_the_other_network_alone():
    m = scoped([gan_session()])
    assert m.passed is True and m.value == 0.0
    assert m.display == "0/4 other-net stats changed, max 0"


def test_update_ops_scoped_fails_when_a_step_moves_the_other_networks_stats():
    m = scoped([gan_session(g_step_moves_d=12.5, d_step_moves_g=0.03)])
    assert m.passed is False and m.value == 12.5 and m.display.startswith("4/4 other-net stats changed")
    # One direction is enough to fail, and any change counts.
    assert scoped([gan_session(d_step_moves_g=1e-7)]).passed is False


def test_update_ops_scoped_is_not_applicable_to_one_network_programs():
    # The existing fixtures' records: no `train_ops` (the probes add it only for two networks).
    assert scoped([session()]).passed is None
    assert scoped([session()]).display == "n/a (not two networks)"
    assert scoped([]).passed is None


def test_update_ops_scoped_needs_both_networks_measured_alone():
    # E.g. sess.run([d_train, g_train]) every step: no run of one train op alone, nothing to attribute.
    assert scoped([gan_session(probed=(0, 0))]).passed is None
    assert scoped([gan_session(g_step_moves_d=5.0, probed=(3, 0))]).passed is None


def test_update_ops_scoped_uses_the_last_training_session():
    records = [gan_session(g_step_moves_d=5.0), gan_session(), session(steps=0, sentinels=())]
    assert scoped(records).passed is True


def test_measure_all_measures_only_the_claims_asked_for():
    m = measure_all([gan_session()], ["update_ops_scoped", "moving_stats_moved"])
    assert list(m) == ["update_ops_scoped", "moving_stats_moved"]
    assert set(measure_all([])) == set(claims.CORE_CLAIMS)
    assert set(measure_all([], claims.CLAIMS)) == set(claims.CORE_CLAIMS) | {"update_ops_scoped", "deterministic_predictions"}


def test_judge_update_ops_scoped_buggy_gan():
    fixed = scoped([gan_session()])
    buggy = scoped([gan_session(g_step_moves_d=3.0, d_step_moves_g=0.2)])
    assert judge("update_ops_scoped", fixed, buggy, True).proved
    assert not judge("update_ops_scoped", buggy, buggy, True).proved
    not_two_networks = scoped([session()])
    assert not judge("update_ops_scoped", fixed, not_two_networks, True).proved  # listed: must be shown
    assert judge("update_ops_scoped", not_two_networks).status == "n/a"  # not listed, one network: not judged


def _fixture_dir(tmp_path, run):
    (tmp_path / "train.py").write_text("")
    (tmp_path / "fixture.toml").write_text('findings = []\n[run]\nsteps = ["train.py"]\n' + run)
    return tmp_path


def test_fixture_claims_default_to_all_and_can_be_narrowed(tmp_path):
    import pytest

    from slimlint.harness.fixtures import FixtureError, load_fixture

    assert load_fixture(_fixture_dir(tmp_path, "")).claims == list(claims.CLAIMS)
    narrowed = load_fixture(_fixture_dir(tmp_path, 'claims = ["update_ops_scoped"]\nbuggy_fails = ["update_ops_scoped"]\n'))
    assert narrowed.claims == ["update_ops_scoped"] and narrowed.buggy_fails == ["update_ops_scoped"]
    for bad in ('claims = ["no_such_claim"]\n', 'buggy_fails = ["no_such_claim"]\n', "claims = []\n",
                'claims = ["update_ops_scoped"]\nbuggy_fails = ["update_ops_run"]\n'):
        with pytest.raises(FixtureError):
            load_fixture(_fixture_dir(tmp_path, bad))


def test_verify_judges_only_the_fixtures_claims(tmp_path):
    from slimlint.harness.fixing import FixCheck
    from slimlint.harness.fixtures import Fixture
    from slimlint.harness.runner import RunResult
    from slimlint.harness.verify import FixtureOutcome, _judge

    (tmp_path / "expected").mkdir()
    fixture = Fixture("sl106_demo", tmp_path, "gan", [], None, ["train.py"], ["update_ops_scoped"],
                      ["update_ops_scoped", "moving_stats_moved"])
    outcome = FixtureOutcome(fixture, fix=FixCheck(files={}, source="slimlint"))
    # Fixed GAN: sentinels ran in half the steps (update_ops_run would fail it), no evaluate record.
    outcome.runs["buggy"] = RunResult(records=[gan_session(g_step_moves_d=3.0, d_step_moves_g=0.2)])
    outcome.runs["fixed"] = RunResult(records=[gan_session()])
    _judge(outcome)
    assert [v.claim for v in outcome.verdicts] == ["update_ops_scoped", "moving_stats_moved"]
    assert outcome.proved
    # A one-network fixture with the default claims: update_ops_scoped does not apply (n/a, not judged, not
    # counted as proved); the fixture is proved by the claims that were judged.
    plain = Fixture("sl101_demo", tmp_path, "x", [], None, ["train.py"], ["update_ops_run"])
    outcome = FixtureOutcome(plain, fix=FixCheck(files={}, source="slimlint"))
    outcome.runs["buggy"] = RunResult(records=[session(sentinels=(0,)), evaluation()])
    outcome.runs["fixed"] = RunResult(records=[session(), evaluation()])
    _judge(outcome)
    scoped = next(v for v in outcome.verdicts if v.claim == "update_ops_scoped")
    assert not scoped.proved and scoped.status == "n/a" and scoped.reason == "not applicable" and outcome.proved
