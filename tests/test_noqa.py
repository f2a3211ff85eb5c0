"""Suppression comments as ruff reads them: prefix codes, and SL901 for a noqa code that silences nothing (RUF100)."""

from __future__ import annotations

import re

import pytest

from tests.support.cli import run_cli

TRAIN = ("import tensorflow as tf\n"
         "net = tf.layers.batch_normalization(images, training=True)\n"
         "train_op = tf.train.AdamOptimizer(0.1).minimize(net){comment}\n")


def found(tmp_path, comment, *args):
    (tmp_path / "train.py").write_text(TRAIN.format(comment=comment))
    run = run_cli(["--no-cache", "--output-format", "concise", *args, "."], tmp_path)
    return sorted(re.findall(r"^train\.py:(\d+):(\d+): (SL\d+)", run.stdout, re.MULTILINE)), run


@pytest.mark.parametrize("comment", ["  # noqa: SL101", "  # noqa: SL1", "  # noqa: SL", "  # NOQA:sl101", "  # noqa"])
def test_a_code_or_a_prefix_of_it_silences_the_finding(tmp_path, comment):
    assert found(tmp_path, comment)[0] == []


@pytest.mark.parametrize("comment", ["  # noqa: E501", "  # noqa", "  # noqa: SL101,E501"])
def test_other_tools_codes_and_bare_noqa_are_never_reported(tmp_path, comment):
    assert "SL901" not in [code for _, _, code in found(tmp_path, comment)[0]]


def test_a_code_that_silences_nothing_is_reported(tmp_path):
    findings, run = found(tmp_path, "  # noqa: SL201,SL102")
    assert findings == [("3", "12", "SL101"), ("3", "55", "SL901")]
    assert "Unused `noqa` codes SL102, SL201: nothing here is reported with it" in run.stdout


def test_a_switched_off_code_is_not_reported_unused(tmp_path):
    assert found(tmp_path, "  # noqa: SL201", "--ignore", "SL201")[0] == [("3", "12", "SL101")]
    assert found(tmp_path, "  # noqa: SL201", "--ignore", "SL901")[0] == [("3", "12", "SL101")]


def test_an_unused_file_level_code_is_reported_at_its_line(tmp_path):
    (tmp_path / "train.py").write_text("# slimlint: noqa: SL203\n" + TRAIN.format(comment=""))
    run = run_cli(["--no-cache", "--output-format", "concise", "."], tmp_path)
    assert sorted(re.findall(r"^train\.py:(\d+):(\d+): (SL\d+)", run.stdout, re.MULTILINE)) == [
        ("1", "1", "SL901"), ("4", "12", "SL101")]


def test_add_noqa_silences_a_legacy_tree_and_keeps_the_rest_of_each_line(tmp_path):
    """Gradual adoption (issue 16, item 5): after --add-noqa the run is clean, new code is checked."""
    legacy = TRAIN.format(comment="  # legacy").replace("\n", "\r\n")
    (tmp_path / "train.py").write_bytes(legacy.encode())
    (tmp_path / "eval.py").write_text('import tensorflow.contrib.slim as slim\nnet = slim.batch_norm(x, is_training=True)\n'
                                      'doc = """slim.batch_norm(x, is_training=True)\nis not code"""\n')
    run = run_cli(["--add-noqa", "."], tmp_path)
    assert run.code == 0, run.stderr
    assert "Added 2 noqa directives." in run.stderr
    assert (tmp_path / "train.py").read_bytes() == legacy.replace(
        "minimize(net)  # legacy", "minimize(net)  # legacy  # noqa: SL101").encode(), "CRLF and the comment kept"
    assert "is_training=True)  # noqa: SL201\n" in (tmp_path / "eval.py").read_text()
    assert run_cli(["--no-cache", "."], tmp_path).code == 0
    assert run_cli(["--add-noqa", "."], tmp_path).stderr.startswith("Added 0 noqa directives."), "idempotent"


def test_add_noqa_refuses_to_combine_with_fix(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN.format(comment=""))
    run = run_cli(["--add-noqa", "--fix", "."], tmp_path)
    assert run.code == 2 and "cannot be combined" in run.stderr


EVALUATE = '''import tensorflow as tf
import tensorflow.contrib.slim as slim


def network(images, is_training):
    net = slim.conv2d(images, 16, [3, 3], normalizer_fn=slim.batch_norm,
                      normalizer_params={{"is_training": is_training}})
    return slim.fully_connected(slim.flatten(net), 10, activation_fn=None)


def old_graph(images):
    return network(images, is_training=True){comment}


def evaluate(checkpoint):
    images = tf.placeholder(tf.float32, (None, 32, 32, 3))
    logits = network(images, is_training=False)
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, checkpoint)
        return sess.run(tf.argmax(logits, 1), {{images: [[[[0.0] * 3] * 32] * 32]}})


if __name__ == "__main__":
    print(evaluate("ckpt/model"))
'''


def test_a_noqa_in_a_function_nothing_calls_is_not_unused(tmp_path):
    """The finding it silences is dropped with its uncalled function, and comes back once something calls it."""
    (tmp_path / "evaluate.py").write_text(EVALUATE.format(comment="  # noqa: SL201"))
    assert run_cli(["--no-cache", "--output-format", "concise", "."], tmp_path).stdout.startswith("All checks passed")
    (tmp_path / "evaluate.py").write_text(EVALUATE.format(comment="  # noqa: SL202"))
    assert "evaluate.py:12:47: SL901" in run_cli(["--no-cache", "--output-format", "concise", "."], tmp_path).stdout
