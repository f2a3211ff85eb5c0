"""SL202's fix passes a training placeholder kept on the object only when it is clearly the mode and exists."""

from __future__ import annotations

import textwrap

import pytest

from slimlint.lint import findings_of, fix_tree, lint_tree

NET = """\
import tensorflow as tf


class Net:
    def __init__(self, x):
{before}        h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=True)
        self.out = tf.layers.dropout(h, rate=0.3)
{after}        self.build_train_op()

    def build_train_op(self):
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            self.train_op = tf.train.AdamOptimizer(1e-3).minimize(tf.reduce_sum(self.out))
"""


def sl202(tmp_path, before: str = "", after: str = ""):
    (tmp_path / "net.py").write_text(NET.format(before=textwrap.indent(before, " " * 8), after=textwrap.indent(after, " " * 8)))
    return [f for f in findings_of(lint_tree(tmp_path)) if f.code == "SL202"]


@pytest.mark.parametrize("before, attribute", [
    ("self.is_training = tf.placeholder(tf.bool, name='is_training')\n", "self.is_training"),
    ("self.train_mode = tf.placeholder_with_default(False, shape=())\n", "self.train_mode"),
])
def test_a_training_placeholder_on_the_object_is_passed(tmp_path, before, attribute):
    [finding] = sl202(tmp_path, before=before)
    assert finding.fix is not None
    assert f"tf.layers.dropout(h, rate=0.3, training={attribute})" in fix_tree(tmp_path)["net.py"]


@pytest.mark.parametrize("before, after", [
    ("self.use_crf = tf.placeholder(tf.bool)\n", ""),  # a boolean, but not the mode
    ("self.is_training = tf.placeholder(tf.float32)\n", ""),  # not a boolean
    ("", "self.is_training = tf.placeholder(tf.bool)\n"),  # made after the layer: not there yet
])
def test_no_fix_without_a_mode_to_pass(tmp_path, before, after):
    [finding] = sl202(tmp_path, before=before, after=after)
    assert finding.fix is None
