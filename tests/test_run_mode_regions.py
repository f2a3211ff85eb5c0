"""A script's own evaluation path (`if args.mode == "test":`) is told from branches that pick data or run both.

Batch norm that trains everywhere, the script's test path included, never reads its moving statistics, so
un-run updates are not reported there. Only a branch on an option that picks what the script runs, whose
whole value names evaluation, is such a path."""

from __future__ import annotations

import textwrap

import pytest

from slimlint.lint import findings_of, lint_tree

SCRIPT = '''
import argparse
import tensorflow as tf

parser = argparse.ArgumentParser()
parser.add_argument("--mode", default="train")
parser.add_argument("--split", default="train")
args = parser.parse_args()


def generator(x):
    x = tf.layers.conv2d(x, 16, 3, padding="same")
    x = tf.layers.batch_normalization(x, training=True)
    return tf.layers.conv2d(tf.nn.relu(x), 3, 3, padding="same")


def main():
    images = tf.placeholder(tf.float32, [None, 64, 64, 3])
    if {test}:
        with tf.variable_scope("generator"):
            outputs = generator(images)
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, args.checkpoint)
            sess.run(outputs)
        return
    with tf.variable_scope("generator"):
        outputs = generator(images)
    loss = tf.reduce_mean(tf.abs(outputs - images))
    train_op = tf.train.AdamOptimizer(2e-4).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op)


main()
'''


def _codes(tmp_path, test):
    (tmp_path / "translate.py").write_text(textwrap.dedent(SCRIPT.replace("{test}", test)).lstrip())
    return [f.code for f in findings_of(lint_tree(tmp_path))]


@pytest.mark.parametrize("test", ['args.mode == "test"', 'args.mode in ("export", "eval")', 'args.run_phase == "Inference"'])
def test_a_test_path_that_trains_batch_norm_by_design_is_not_reported(tmp_path, test):
    assert "SL101" not in _codes(tmp_path, test)


@pytest.mark.parametrize("test", ['args.mode == "train_and_eval"', 'args.split == "val"', 'args.mode in ("train", "test")',
                                  'args.mode == args.test_name'])
def test_branches_that_pick_data_or_run_both_are_not_a_test_path(tmp_path, test):
    assert "SL101" in _codes(tmp_path, test)
