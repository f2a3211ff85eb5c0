"""Batch-norm params bound on self by a constructor (this class's or a base class's, in any module)."""

from __future__ import annotations

import textwrap

import libcst as cst

from slimlint.lint import findings_of, lint_tree
from slimlint.model.instance_dicts import decode_dict, encode_dict


def test_encode_keeps_literals_and_marks_the_rest_unreadable():
    expr = cst.parse_expression("{'decay': 0.9, 'updates_collections': None, 'is_training': self.training,"
                                " 'variables_collections': [tf.GraphKeys.TRAINABLE_VARIABLES], 'scope': 'bn'}")
    assert encode_dict(expr) == (("decay", "?"), ("updates_collections", "None"), ("is_training", "?"),
                                 ("variables_collections", "[tf.GraphKeys.TRAINABLE_VARIABLES]"), ("scope", "'bn'"))
    assert encode_dict(cst.parse_expression("dict(a=1)")) is None
    assert encode_dict(cst.parse_expression("{**base, 'a': 1}")) is None


def test_decode_refuses_a_dict_whose_mode_cannot_be_read():
    assert decode_dict((("is_training", "?"),)) is None
    items = decode_dict((("decay", "?"), ("updates_collections", "None"), ("scope", "'bn'")))
    assert set(items) == {"updates_collections", "scope"}
    assert isinstance(items["updates_collections"], cst.Name)


MODEL = '''
import tensorflow.contrib.slim as slim


class Net(object):
    def __init__(self):
        self.bn_params = {{"decay": 0.99, {mode}}}

    def logits(self, images, is_training):
        with slim.arg_scope([slim.batch_norm], is_training=is_training):
            with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm, normalizer_params=self.bn_params):
                return slim.conv2d(images, 8, [3, 3], scope="conv1")
'''
EVAL = '''
import tensorflow as tf
from model import Net

net = Net()
logits = net.logits(tf.placeholder(tf.float32, [None, 8, 8, 1]), True)
with tf.Session() as sess:
    tf.train.Saver().restore(sess, "ckpt/model.ckpt")
    sess.run(logits)
'''


def _codes(tmp_path, mode):
    (tmp_path / "model.py").write_text(MODEL.format(mode=mode))
    (tmp_path / "eval.py").write_text(textwrap.dedent(EVAL))
    return [f.code for f in findings_of(lint_tree(tmp_path))]


def test_the_arg_scope_mode_reaches_batch_norm_through_a_self_dict_without_is_training(tmp_path):
    assert _codes(tmp_path, '"updates_collections": None') == ["SL201"]


def test_a_self_dict_whose_is_training_cannot_be_read_decides_nothing(tmp_path):
    assert _codes(tmp_path, '"is_training": self.training') == []


def test_a_self_dict_with_is_training_false_wins_over_the_arg_scope(tmp_path):
    assert _codes(tmp_path, '"is_training": False') == []


def test_changed_self_attrs_finds_what_methods_change_after_the_constructor_literal():
    from slimlint.model.instance_dicts import changed_self_attrs

    cls = cst.parse_module(textwrap.dedent('''
        class ConvAE(base.AutoEncoder):
            def __init__(self, latent_dim):
                super(ConvAE, self).__init__(latent_dim)
                self.latent_dim = latent_dim
                self.batch_norm_params["variables_collections"] = [tf.GraphKeys.TRAINABLE_VARIABLES]
                self.extra.update({"decay": 0.9})
                self.count += 1

            def set_mode(self, is_training):
                self.mode_params = {"is_training": is_training}
                del self.old["k"]
                local = {}
                local["x"] = 1
                self.reads(self.kept)
    ''')).body[0]
    methods = [s for s in cls.body.body if isinstance(s, cst.FunctionDef)]
    assert changed_self_attrs(methods) == {"self.batch_norm_params", "self.extra", "self.count", "self.mode_params",
                                           "self.old"}


def test_self_dict_changes_replays_literal_keys_and_gives_up_on_other_changes():
    import libcst as cst

    from slimlint.model.instance_dicts import encode_dict, merge_changes, self_dict_changes

    module = cst.parse_module(
        "class Net(Base):\n"
        "    def __init__(self):\n"
        "        self.bn = {'decay': 0.9, 'updates_collections': None}\n"
        "        self.bn['variables_collections'] = [tf.GraphKeys.TRAINABLE_VARIABLES]\n"
        "        self.other = {'is_training': True}\n"
        "    def set_mode(self, training):\n"
        "        self.other.update(is_training=training)\n")
    methods = [n for n in module.body[0].body.body if isinstance(n, cst.FunctionDef)]
    changes = self_dict_changes(methods)
    assert changes == {"self.bn": (("variables_collections", "[tf.GraphKeys.TRAINABLE_VARIABLES]"),), "self.other": None}
    literal = encode_dict(module.body[0].body.body[0].body.body[0].body[0].value)
    assert dict(merge_changes(literal, changes["self.bn"])) == {
        "decay": "?", "updates_collections": "None", "variables_collections": "[tf.GraphKeys.TRAINABLE_VARIABLES]"}
