"""Batch norm built only when a parameter asks for it (guards.py): the tests an `if` makes of a parameter, and
calls whose arguments cannot be read (`**kwargs`) keeping the guarded batch norm live."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from slimlint.lint import findings_of, lint_tree
from slimlint.model.guards import UNKNOWN, holds, parameter_guard

PARAMS = ("x", "bn", "norm", "norm_fn", "self")


@pytest.mark.parametrize("test, guard", [
    ("bn", ("bn", "truthy", None)),
    ("norm == 'batch'", ("norm", "eq", "batch")),
    ("norm is 'batch'", ("norm", "eq", "batch")),
    ("norm_fn is not None", ("norm_fn", "notnone", None)),
    ("not bn", None),  # a negation: not a guard this reads
    ("use_bn", None),  # not a parameter
    ("self", None),
    ("bn and norm", None),
    ("norm != 'batch'", None),
])
def test_parameter_guard(test, guard):
    assert parameter_guard(cst.parse_expression(test), PARAMS) == guard


def test_holds():
    assert holds(("bn", "truthy", None), False) is False
    assert holds(("norm", "eq", "batch"), None) is False
    assert holds(("norm", "eq", "batch"), "batch") is True
    assert holds(("norm_fn", "notnone", None), None) is False
    assert holds(("bn", "truthy", None), UNKNOWN) is None


HELPER = '''
import tensorflow as tf


def conv_block(x, filters, bn=False):
    x = tf.layers.conv2d(x, filters, 3, padding="same")
    if bn:
        x = tf.layers.batch_normalization(x)
    return tf.nn.relu(x)
'''

TRAIN = '''
import tensorflow as tf
from blocks import conv_block


def build(images, labels, **options):
    net = conv_block(images, 32, {args})
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=net[:, 0, 0, :]))
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
'''


@pytest.mark.parametrize("args, reported", [
    ("bn=False", False),
    ("", False),  # the default, False
    ("False", False),  # by position
    ("bn=True", True),
    ("bn=options.get('bn')", True),  # cannot be read
])
def test_guarded_batch_norm_is_reported_only_when_it_may_be_built(tmp_path, args, reported):
    (tmp_path / "blocks.py").write_text(textwrap.dedent(HELPER))
    (tmp_path / "train.py").write_text(textwrap.dedent(TRAIN.format(args=args)))
    codes = [f.code for f in findings_of(lint_tree(tmp_path))]
    assert ("SL202" in codes) == reported, codes


@pytest.mark.parametrize("caller, reported", [
    ("build(images, labels, bn=True)", True),  # the key reaches `**options`
    ("build(images, labels, **dict(bn=True))", True),  # a `**` forwarding: anything may reach it
    ("build(images, labels)", False),  # nothing puts `bn` into the dict: the default, False
    ("", False),  # nothing in the project calls it: its dict holds what the project's calls put in, nothing
])
def test_kwargs_carry_the_guard_only_when_some_caller_puts_it_there(tmp_path, caller, reported):
    (tmp_path / "blocks.py").write_text(textwrap.dedent(HELPER))
    train = textwrap.dedent(TRAIN.format(args="**options")) + "\n\n" + (
        "images = tf.placeholder(tf.float32, [None, 8, 8, 3])\nlabels = tf.placeholder(tf.int64, [None])\n"
        f"train_op = {caller}\n" if caller else "")
    (tmp_path / "train.py").write_text(train)
    codes = [f.code for f in findings_of(lint_tree(tmp_path))]
    assert ("SL202" in codes) == reported, codes


def test_a_guard_the_body_rebinds_is_no_guard(tmp_path):
    helper = HELPER.replace("    x = tf.layers.conv2d(x, filters, 3, padding=\"same\")\n",
                            "    x = tf.layers.conv2d(x, filters, 3, padding=\"same\")\n    bn = True\n")
    (tmp_path / "blocks.py").write_text(textwrap.dedent(helper))
    (tmp_path / "train.py").write_text(textwrap.dedent(TRAIN.format(args="bn=False")))
    assert "SL202" in [f.code for f in findings_of(lint_tree(tmp_path))]


def test_a_helper_handed_on_as_a_value_keeps_its_guard_open(tmp_path):
    (tmp_path / "blocks.py").write_text(textwrap.dedent(HELPER))
    train = TRAIN.format(args="bn=False").replace(
        "    return tf.train", "    block = functools.partial(conv_block, bn=True)\n    net = block(net, 64)\n    return tf.train")
    (tmp_path / "train.py").write_text("import functools\n" + textwrap.dedent(train))
    assert "SL202" in [f.code for f in findings_of(lint_tree(tmp_path))]


def test_an_else_branch_guard_holds_where_the_if_fails():
    from slimlint.model.guards import else_guard, holds

    assert else_guard(("in_place", "truthy", None)) == ("in_place", "falsy", None)
    assert holds(("in_place", "falsy", None), False) and not holds(("in_place", "falsy", None), True)
    assert else_guard(("norm", "eq", "bn")) == ("norm", "ne", "bn")
    assert holds(("norm", "ne", "bn"), "none") and not holds(("norm", "ne", "bn"), "bn")
    assert else_guard(("normalizer", "notnone", None)) is None
