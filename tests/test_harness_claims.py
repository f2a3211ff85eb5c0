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
    assert judge("one_image_accuracy", NA).proved
    assert not judge("one_image_accuracy", FAIL).proved
