"""SL205 changes a list bound to a name only where nothing but that function's Savers reads the name."""

from __future__ import annotations

import textwrap

from slimlint.lint import findings_of, fix_tree, lint_tree

SHARED_IN_ONE_FUNCTION = '''
import tensorflow as tf

class Trainer:
    def build(self, images, loss):
        self.net = tf.layers.batch_normalization(images, training=self.is_training)
        weights = tf.trainable_variables()
        self.train_op = tf.train.AdamOptimizer().minimize(loss, var_list=weights)
        self.saver = tf.train.Saver(weights)

    def snapshot(self):
        weights = tf.trainable_variables(scope="head")
        self.best = tf.train.Saver(weights)

    def save(self, path):
        self.saver.save(self.sess, path)
        self.best.save(self.sess, path + ".best")
'''

MODULE_LEVEL = '''
import tensorflow as tf

net = tf.layers.batch_normalization(images, training=is_training)
weights = tf.trainable_variables()
saver = tf.train.Saver(weights, max_to_keep=3)
with tf.Session() as sess:
    saver.save(sess, "model.ckpt")
'''


def _lint(tmp_path, text):
    (tmp_path / "train.py").write_text(textwrap.dedent(text).lstrip())
    return [f for f in findings_of(lint_tree(tmp_path)) if f.code == "SL205"]


def test_a_list_the_optimizer_also_reads_is_reported_without_a_fix(tmp_path):
    """A Saver of the same name in another function must not hide the optimizer's read."""
    found = _lint(tmp_path, SHARED_IN_ONE_FUNCTION)
    assert [f.start.line for f in found] == [6, 11]
    assert [f.fix is None for f in found] == [True, False]
    fixed = fix_tree(tmp_path).get("train.py", "")
    assert "weights = tf.trainable_variables()" in fixed  # the optimizer's var_list stays the trainables
    assert 'weights = tf.global_variables(scope="head")' in fixed


def test_a_module_level_list_read_only_by_its_saver_is_fixed(tmp_path):
    assert len(_lint(tmp_path, MODULE_LEVEL)) == 1
    fixed = fix_tree(tmp_path)["train.py"]
    assert "weights = tf.global_variables()" in fixed
    assert fixed.replace("global_variables", "trainable_variables") == textwrap.dedent(MODULE_LEVEL).lstrip()
