"""SL104: UPDATE_OPS collected, then never made a dependency of the train op."""

from __future__ import annotations

from typing import Iterator

from slimlint.model import flow
from slimlint.rules._train_op_fixes import control_dependencies_fix
from slimlint.rules._train_ops import train_ops_needing_updates
from slimlint.rules.base import Case, Rule, RuleContext, Violation


class UpdateOpsNotWired(Rule):
    code = "SL104"
    name = "update-ops-not-wired"
    summary = "The update ops are collected but never reach the train op."
    what_it_does = """
        Flags `update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)` when the list is never made a
        dependency of the train op that trains the batch-norm graph: the variable is unused, only grouped
        into a `tf.group(...)` whose result nothing reads, or the `with tf.control_dependencies(update_ops):`
        block that uses it builds no train op (only the optimizer, say). When that block assigns the loss
        instead, SL105 reports it.
    """
    why_bad = """
        Collecting the update ops does nothing by itself. The author meant to wire them in, so the code
        looks right in review, but the moving statistics stay at 0 / 1 exactly as if they had never been
        collected, and evaluation in inference mode collapses.
    """
    fix_safety = """
        **Safe** (applied by `--fix`): the code already collects the update ops in order to run them; the fix finishes the wiring it started.

        The fix wraps the train op in `with tf.control_dependencies(update_ops):`, reusing the variable
        the code already collected (or a fresh `get_collection` when that variable is not in scope). Every
        train step then runs the batch-norm updates, which changes the trained model.
    """
    behaviour_change = "batch norm's moving mean/variance are updated at every train step (they were frozen at 0/1)"
    valid = (
        Case(
            """
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=True)
            loss = tf.reduce_mean(net)
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            with tf.control_dependencies(update_ops):
                train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
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
            train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """,
            fixed="""
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=True)
            loss = tf.reduce_mean(net)
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            with tf.control_dependencies(update_ops):
                train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for found in train_ops_needing_updates(ctx):
            if found.wiring.status not in (flow.UNUSED_READ, flow.BLOCK_WITHOUT_TRAIN_OP):
                continue
            read = found.wiring.read
            same_scope = read.func is found.op.func and read.order < found.op.order and read.target
            fix = control_dependencies_fix(ctx, found.op, read.target if same_scope else None)
            where = "is never used" if found.wiring.status == flow.UNUSED_READ else "only guards a block that builds no train op"
            yield self.violation(
                read.call,
                f"UPDATE_OPS is collected but {where}: the train op does not run batch norm's updates",
                fix,
                "Make the train op depend on the collected update ops",
                safe=True,  # the code collected the update ops to run them: the fix finishes what it started
            )
