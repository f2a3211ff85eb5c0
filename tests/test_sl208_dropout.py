"""SL208: dropout left on in evaluation code; where it must stay silent, what its fixes pass, and the
determinism claim its runnable fixture is judged on."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict, List

import pytest

from slimlint.harness.claims import judge, measure_all
from slimlint.lint import findings_of, fix_tree, lint_tree

HEADER = """\
import tensorflow as tf
import tensorflow.contrib.slim as slim

"""


def sl208(tmp_path: Path, files: Dict[str, str]) -> List:
    for name, code in files.items():
        (tmp_path / name).write_text(HEADER + textwrap.dedent(code))
    return [f for f in findings_of(lint_tree(tmp_path)) if f.code == "SL208"]


@pytest.mark.parametrize("line", [
    "net = slim.dropout(net, 0.5, is_training=True)",
    "net = slim.dropout(net, 0.5, None, True)",  # is_training by position
    "net = slim.dropout(net, 0.5)",  # slim's default
    "net = tf.layers.dropout(net, 0.5, training=True)",
    "net = tf.keras.layers.SpatialDropout2D(0.5)(net, training=True)",
    "net = tf.nn.dropout(net, keep_prob=0.5)",
    "net = tf.nn.dropout(net, rate=0.2)",
    "net = tf.nn.dropout(net, 0.5)",
    "net = tf.nn.dropout(net, 1 - 0.5)",  # a rate turned into the fraction kept
    "net = tf.nn.dropout(net, keep_prob=1.0 - 0.2)",
])
def test_dropout_that_drops_on_every_run_in_an_eval_script_is_reported(tmp_path, line):
    code = f"net = slim.batch_norm(images, is_training=False)\n{line}\n"
    assert len(sl208(tmp_path, {"eval.py": code})) == 1


@pytest.mark.parametrize("line", [
    "net = slim.dropout(net, 0.5, is_training=False)",
    "net = slim.dropout(net, 0.5, is_training=mode)",  # a placeholder
    "net = slim.dropout(net, 0.5, is_training=FLAGS.train)",
    "net = tf.layers.dropout(net, 0.5)",  # tf.layers' default is False
    "net = tf.keras.layers.Dropout(0.5)(net)",
    "net = tf.nn.dropout(net, keep_prob=keep)",  # a placeholder
    "net = tf.nn.dropout(net, keep_prob=1.0)",
    "net = tf.nn.dropout(net, rate=0.0)",
    "net = tf.nn.dropout(net, 1 - 0.0)",  # keeps everything
])
def test_dropout_off_or_decided_at_run_time_is_silent(tmp_path, line):
    code = ("mode = tf.placeholder(tf.bool, [])\nkeep = tf.placeholder(tf.float32)\n"
            f"net = slim.batch_norm(images, is_training=False)\n{line}\n")
    assert sl208(tmp_path, {"eval.py": code}) == []


def test_dropout_under_a_condition_that_names_the_mode_is_silent(tmp_path):
    code = """
    def classifier(images, is_training):
        net = slim.batch_norm(images, is_training=is_training)
        if is_training:
            net = slim.dropout(net, 0.5, is_training=True)
        return tf.nn.dropout(net, 0.5) if FLAGS.mode == "train" else net

    logits = classifier(images, False)
    """
    assert sl208(tmp_path, {"eval.py": code}) == []


def test_dropout_in_an_estimator_predict_branch_is_reported(tmp_path):
    code = """
    def model_fn(features, labels, mode):
        net = slim.batch_norm(features, is_training=(mode == tf.estimator.ModeKeys.TRAIN))
        if mode == tf.estimator.ModeKeys.PREDICT:
            logits = tf.layers.dense(tf.nn.dropout(net, 0.5), 10)
            return tf.estimator.EstimatorSpec(mode, predictions=logits)
        if mode == tf.estimator.ModeKeys.TRAIN:
            net = tf.nn.dropout(net, 0.5)
        return tf.estimator.EstimatorSpec(mode, loss=tf.reduce_mean(net))
    """
    [finding] = sl208(tmp_path, {"model.py": code})
    assert finding.start.line == 8


def test_a_parameter_leaves_the_mode_to_the_caller(tmp_path):
    code = """
    def classifier(images, is_training, keep_prob=0.5):
        net = slim.batch_norm(images, is_training=is_training)
        net = slim.dropout(net, 0.5, is_training=is_training)
        return tf.nn.dropout(net, keep_prob=keep_prob)
    """
    assert sl208(tmp_path, {"evaluate.py": code}) == []


def test_a_callers_arg_scope_over_dropout_may_set_slims_default(tmp_path):
    code = """
    def block(net):
        net = slim.batch_norm(net)
        return slim.dropout(net, keep_prob=0.6)

    def network(images):
        def builder(x):
            return block(x)
        return builder(images)

    def factory(images):
        with slim.arg_scope([slim.batch_norm, slim.dropout], is_training=False):
            return network(images)
    """
    assert sl208(tmp_path, {"freeze_model.py": code}) == []


def test_a_function_training_code_also_calls_is_left_alone(tmp_path):
    model = """
    def classifier(images):
        net = slim.batch_norm(images, is_training=False)
        return slim.dropout(net, 0.5, is_training=True)
    """
    train = """
    import test_model
    loss = tf.reduce_mean(test_model.classifier(images))
    train_op = slim.learning.create_train_op(loss, tf.train.AdamOptimizer(0.1))
    """
    assert sl208(tmp_path, {"test_model.py": model, "train.py": train}) == []
    assert len(sl208(tmp_path, {"train.py": "train_op = None\n"})) == 1  # no training caller: reported


@pytest.mark.parametrize("name, code", [
    ("mc_dropout_eval.py", "net = tf.nn.dropout(slim.batch_norm(images, is_training=False), 0.5)\n"),
    ("eval.py", "def sampler(z):\n    return tf.nn.dropout(slim.batch_norm(z, is_training=False), 0.5)\n"),
    ("model_test.py", "net = slim.dropout(slim.batch_norm(images, is_training=False), 0.5, is_training=True)\n"),
    ("train.py", "net = slim.dropout(slim.batch_norm(images, is_training=True), 0.5, is_training=True)\n"),
])
def test_dropout_on_purpose_tests_and_training_are_silent(tmp_path, name, code):
    assert sl208(tmp_path, {name: code}) == []


def test_fixes_flip_only_the_argument_the_call_writes(tmp_path):
    code = """
    IS_TRAINING = True
    net = slim.batch_norm(images, is_training=False)
    net = slim.dropout(net, 0.5, is_training=IS_TRAINING)
    net = tf.nn.dropout(net, keep_prob=0.5)
    """
    findings = sl208(tmp_path, {"eval.py": code})
    assert len(findings) == 2 and all(f.fix is None for f in findings)
    assert "keep 1.0 at evaluation" in findings[1].message


def test_the_default_fix_is_idempotent(tmp_path):
    sl208(tmp_path, {"export.py": "net = slim.dropout(slim.batch_norm(images, is_training=False), 0.5)\n"})
    fixed = fix_tree(tmp_path)["export.py"]
    assert "slim.dropout(slim.batch_norm(images, is_training=False), 0.5, is_training=False)" in fixed
    (tmp_path / "export.py").write_text(fixed)
    assert fix_tree(tmp_path) == {}


# --- the claim: predictions deterministic ----------------------------------------------------------------

def repeat(diff: float, changed: int = 0) -> dict:
    return {"kind": "repeat", "images": 120, "max_abs_diff": diff, "changed_predictions": changed}


def test_deterministic_predictions_measures_repeated_runs():
    assert measure_all([repeat(0.0)], ["deterministic_predictions"])["deterministic_predictions"].passed is True
    assert measure_all([repeat(0.7, 9)], ["deterministic_predictions"])["deterministic_predictions"].passed is False
    assert measure_all([], ["deterministic_predictions"])["deterministic_predictions"].passed is None


def test_judge_deterministic_predictions_buggy_dropout():
    fixed, buggy = (measure_all([r], ["deterministic_predictions"])["deterministic_predictions"]
                    for r in (repeat(0.0), repeat(0.7, 9)))
    assert judge("deterministic_predictions", fixed, buggy, True).proved
    assert not judge("deterministic_predictions", buggy, buggy, True).proved
