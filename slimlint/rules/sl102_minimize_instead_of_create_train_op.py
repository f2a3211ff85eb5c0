"""SL102: a plain optimizer.minimize(...) in slim code, where create_train_op would wire the updates in."""

from __future__ import annotations

from typing import Iterator

from slimlint.rules._train_op_fixes import create_train_op_fix
from slimlint.rules._train_ops import missing
from slimlint.rules.base import Case, Rule, RuleContext, Violation


class MinimizeInsteadOfCreateTrainOp(Rule):
    code = "SL102"
    name = "minimize-instead-of-create-train-op"
    summary = "A plain `optimizer.minimize(loss)` in slim code leaves batch norm's moving statistics un-updated."
    what_it_does = """
        Flags `optimizer.minimize(...)` in a module that uses TF-Slim when the graph it trains builds batch
        norm whose moving mean / variance update ops sit in `tf.GraphKeys.UPDATE_OPS`, and nothing makes the
        train op depend on them. slim's `slim.learning.create_train_op` reads UPDATE_OPS when it is called and
        makes the train op depend on them; `minimize` does not.
    """
    why_bad = """
        The update ops never run: moving_mean stays 0 and moving_variance stays 1 for the whole training run.
        Training looks fine (batch norm uses batch statistics while training), but evaluation with
        `is_training=False` normalises with 0 / 1 and the model collapses: measured on a small conv-BN net,
        one-image evaluation accuracy 0.33 (every image one class) instead of 1.00.
    """
    fix_safety = """
        **Unsafe** (applied only with `--unsafe-fixes`): nothing in the code says that the new behaviour is what its author intended, so review the diff.

        The fix changes what training computes: the moving statistics get updated. It carries the
        arguments over faithfully (`global_step`, `var_list` becomes `variables_to_train`,
        `gate_gradients`, `aggregation_method`, `colocate_gradients_with_ops`; `global_step=None` when
        `minimize` was given none, so no global step is created or incremented behind your back). It is
        offered only when every argument has such a twin (not for `name=` or `grad_loss=`: then SL101's
        control-dependencies form is offered). Note that `create_train_op` returns the total loss (with the
        updates as dependencies) rather than an op, and checks the loss for NaN / Inf
        (`check_numerics=True`). Set `train-op-fix = "control-dependencies"` to get SL101's form instead.
    """
    behaviour_change = "batch norm's moving mean/variance are updated at every train step (they were frozen at 0/1)"
    valid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm)
            loss = tf.reduce_mean(net)
            train_op = slim.learning.create_train_op(loss, tf.train.AdamOptimizer(0.01))
            """
        ),
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.batch_norm(images, is_training=True, updates_collections=None)
            loss = tf.reduce_mean(net)
            train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """
        ),
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.fully_connected(images, 10)
            loss = tf.reduce_mean(net)
            train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm)
            loss = tf.reduce_mean(net)
            optimizer = tf.train.AdamOptimizer(0.01)
            train_op = optimizer.minimize(loss, var_list=slim.get_model_variables())
            """,
            fixed="""
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm)
            loss = tf.reduce_mean(net)
            optimizer = tf.train.AdamOptimizer(0.01)
            train_op = slim.learning.create_train_op(loss, optimizer, variables_to_train=slim.get_model_variables(), global_step=None)
            """,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for found in missing(ctx):
            if found.wiring.gated_by is not None:
                continue  # wired behind an option that is off by default: SL101 says so
            fix = create_train_op_fix(ctx, found.op)
            if fix is None:
                continue
            yield self.violation(
                found.op.call,
                "`minimize` in slim code does not run batch norm's UPDATE_OPS: use `slim.learning.create_train_op`",
                fix,
                "Replace with `slim.learning.create_train_op(...)`",
            )
