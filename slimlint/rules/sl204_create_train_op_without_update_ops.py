"""SL204: create_train_op(..., update_ops=[]) switches the batch-norm updates off."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from slimlint.fixes import FixActions, remove_argument
from slimlint.rules._train_ops import has_training_bn
from slimlint.rules.base import Case, Rule, RuleContext, Violation


class CreateTrainOpWithoutUpdateOps(Rule):
    code = "SL204"
    name = "create-train-op-without-update-ops"
    summary = "`create_train_op(..., update_ops=[])` trains without running batch norm's update ops."
    what_it_does = """
        Flags `slim.learning.create_train_op(..., update_ops=[])` (an empty list or tuple) when the graph
        it trains builds batch norm whose update ops sit in UPDATE_OPS. `update_ops=None`, the default,
        means "the UPDATE_OPS collection"; an empty list means "none".
    """
    why_bad = """
        The moving statistics are never updated, exactly as with a plain `minimize`: evaluation with
        `is_training=False` collapses. Passing an empty list is often a leftover from silencing slim's
        warning about update ops created after the train op.
    """
    fix_safety = """
        **Unsafe** (applied only with `--unsafe-fixes`): nothing in the code says that the new behaviour is what its author intended, so review the diff.

        The fix removes the `update_ops=[]` argument, so create_train_op reads the UPDATE_OPS collection
        again. Training then runs the batch-norm updates, which changes the trained model.
    """
    behaviour_change = "batch norm's moving mean/variance are updated at every train step (they were frozen at 0/1)"
    valid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm)
            train_op = slim.learning.create_train_op(tf.reduce_mean(net), tf.train.AdamOptimizer(0.01))
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm)
            train_op = slim.learning.create_train_op(tf.reduce_mean(net), tf.train.AdamOptimizer(0.01), update_ops=[])
            """,
            fixed="""
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm)
            train_op = slim.learning.create_train_op(tf.reduce_mean(net), tf.train.AdamOptimizer(0.01))
            """,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for func in ctx.model.functions:
            for op in func.train_ops:
                if op.kind != "create_train_op":
                    continue
                arg = next((a for a in op.call.args if a.keyword is not None and a.keyword.value == "update_ops"), None)
                if arg is None or not isinstance(arg.value, (cst.List, cst.Tuple)) or arg.value.elements:
                    continue
                if not has_training_bn(ctx.model, func, ctx.index):
                    continue
                yield self.violation(
                    arg.value,
                    "`update_ops=[]` makes the train op skip batch norm's update ops: the moving statistics stay 0/1",
                    FixActions().on(op.call, remove_argument(arg)),
                    "Remove `update_ops=[]`",
                )
