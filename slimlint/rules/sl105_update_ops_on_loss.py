"""SL105: update ops hung on the loss while the loop runs the train op alone."""

from __future__ import annotations

from typing import Iterator

from slimlint.model import flow
from slimlint.rules._train_op_fixes import control_dependencies_fix
from slimlint.rules._train_ops import train_ops_needing_updates
from slimlint.rules.base import Case, Rule, RuleContext, Violation


class UpdateOpsOnLoss(Rule):
    code = "SL105"
    name = "update-ops-on-loss"
    summary = "The update ops depend on the loss tensor, but the training loop never fetches that loss."
    what_it_does = """
        Flags update ops attached to the *loss* (`loss = control_flow_ops.with_dependencies([updates],
        loss)`, or `with tf.control_dependencies(update_ops): loss = tf.identity(loss)`) when the train op
        built from that loss is run without fetching the loss itself (`sess.run(train_op)`,
        `slim.learning.train(train_op, ...)`). Silent when every run of the train op in view also
        fetches the loss, or when no run is in view.
    """
    why_bad = """
        The gradient of a loss with a fully known shape never evaluates the loss tensor, so dependencies
        hung on it run only when the loop fetches the loss (measured on TF 2.21: moving_mean stays 0 when
        the loop runs `train_op` alone, and is updated when it runs `[train_op, loss]`). The model then
        evaluates with 0 / 1 statistics.
    """
    fix_safety = """
        **Safe** (applied by `--fix`): the code already wires the update ops in order to run them; the fix moves the dependency to the op the loop runs.

        The fix makes the train op itself depend on the update ops (`with
        tf.control_dependencies(update_ops):` around it); the dependency on the loss is left in place,
        harmless. Every train step then runs the updates, which changes the trained model.
    """
    behaviour_change = "batch norm's moving mean/variance are updated at every train step, not only when the loss is fetched"
    valid = (
        Case(
            """
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=True)
            loss = tf.reduce_mean(net)
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            with tf.control_dependencies(update_ops):
                loss = tf.identity(loss)
            train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            with tf.Session() as sess:
                _, value = sess.run([train_op, loss])
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=True)
            loss = tf.reduce_mean(net)
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            with tf.control_dependencies(update_ops):
                loss = tf.identity(loss)
            train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            with tf.Session() as sess:
                sess.run(train_op)
            """,
            fixed="""
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=True)
            loss = tf.reduce_mean(net)
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            with tf.control_dependencies(update_ops):
                loss = tf.identity(loss)
            with tf.control_dependencies(update_ops):
                train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            with tf.Session() as sess:
                sess.run(train_op)
            """,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for found in train_ops_needing_updates(ctx):
            if found.wiring.status != flow.ON_LOSS:
                continue
            if flow.runs_fetch_loss(ctx.model, found.op) is not False:
                continue  # every run in view fetches the loss too (or none is in view): the updates run
            read = found.wiring.read
            same_scope = read.func is found.op.func and read.order < found.op.order and read.target
            yield self.violation(
                found.op.call,
                "The update ops hang on the loss, and the loop runs the train op without fetching the loss: they never run",
                control_dependencies_fix(ctx, found.op, read.target if same_scope else None, whole=not read.scoped),
                "Make the train op depend on the update ops",
                safe=True,  # the code wired the update ops to run them: the fix wires them where they run
            )
