"""Star imports of the project's own modules (`from ops import *`): which modules, which names may come from them."""

from __future__ import annotations

import libcst as cst

from slimlint.model.star_imports import project_star_modules, star_candidates


def test_project_star_modules_skip_tf_and_keep_relative_ones_latest_first():
    module = cst.parse_module(
        "from tensorflow.contrib.slim import *\nfrom ops import *\nfrom .layers import *\nfrom . import *\n"
        "from utils import load\n")
    assert project_star_modules(module.body) == (".", ".layers", "ops")


def test_star_candidates_name_each_module_and_never_a_builtin():
    assert star_candidates("bn", ("ops", ".layers", ".")) == ["ops.bn", ".layers.bn", ".bn"]
    assert star_candidates("batch_norm.apply", ("ops",)) == ["ops.batch_norm.apply"]
    assert star_candidates("print", ("ops",)) == []
    assert star_candidates("bn", ()) == []


OPS = '''
import tensorflow as tf


def bn(x, is_training=True, scope="bn"):
    return tf.contrib.layers.batch_norm(x, is_training=is_training, scope=scope)
'''

TRAIN = '''
import tensorflow as tf
from ops import *


def build(x, {param}):
    return tf.layers.dense(bn(x), 10)


loss = tf.reduce_mean(build(tf.placeholder(tf.float32, [None, 4]), None))
train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
'''


def _codes(tmp_path, param):
    from slimlint.lint import findings_of, lint_tree

    (tmp_path / "ops.py").write_text(OPS)
    (tmp_path / "train.py").write_text(TRAIN.format(param=param))
    return [f.code for f in findings_of(lint_tree(tmp_path))]


def test_a_star_imported_batch_norm_wrapper_is_followed(tmp_path):
    assert _codes(tmp_path, "unused") == ["SL101"]


def test_a_parameter_of_the_same_name_is_not_the_star_imported_function(tmp_path):
    assert _codes(tmp_path, "bn") == []


def test_names_the_file_binds_itself_are_never_star_imported_but_methods_are_not_bare_names():
    module = cst.parse_module(
        "from ops import *\n"
        "class Net(object):\n"
        "    scale = 2\n"
        "    def bn(self, x):\n"
        "        for layer, (a, *rest) in x:\n"
        "            pass\n"
        "        with g() as out:\n"
        "            return out\n"
        "def discriminator(x, is_training):\n"
        "    def lrelu(h):\n"
        "        return h\n"
        "    from nets import resnet as rn\n"
        "    loc = 1\n")
    modules = project_star_modules(module.body)
    assert modules == ("ops",)
    assert modules.bound == {"Net", "discriminator", "lrelu", "rn", "loc", "layer", "a", "rest", "out"}
    assert star_candidates("lrelu", modules) == [] and star_candidates("rn.x", modules) == []
    assert star_candidates("bn", modules) == ["ops.bn"]  # Net.bn is self.bn, not the bare name
    assert star_candidates("scale", modules) == ["ops.scale"]


NESTED = '''
import tensorflow as tf
from ops import *


def discriminator(x, is_training):
    def bn(h, name):
        return tf.contrib.layers.batch_norm(h, is_training=is_training, scope=name)
    return tf.layers.dense(bn(x, name="d_bn1"), 1)


scores = discriminator(tf.placeholder(tf.float32, [None, 4]), is_training=False)
with tf.Session() as sess:
    tf.train.Saver().restore(sess, "ckpt/model")
    sess.run(scores)
'''


def test_a_nested_helper_of_the_same_name_is_not_the_star_imported_function(tmp_path):
    from slimlint.lint import findings_of, lint_tree

    (tmp_path / "ops.py").write_text(OPS)
    (tmp_path / "sample.py").write_text(NESTED)
    assert [f.code for f in findings_of(lint_tree(tmp_path))] == []
