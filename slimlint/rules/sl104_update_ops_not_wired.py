"""SL104: UPDATE_OPS collected, then never made a dependency of the train op."""

from __future__ import annotations

from typing import Iterator

from slimlint.model import flow
from slimlint.model.update_lists import constructed_update_lists
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
        block that uses it builds no train op (only the optimizer, say), or only rebinds a train op built
        before it (`with tf.control_dependencies(update_ops): train_op = train_step`: the dependencies reach
        only ops created inside the block). When that block assigns the loss instead, SL105 reports it. The
        fix builds the train op inside the dependencies; none for a GAN's chained steps, which each need their
        own network's updates (SL106).

        Also a train op over an object whose hand-written batch norm keeps its moving-average updates on a
        list of its own (the ResNet template's `self._extra_train_ops.append(assign_moving_average(...))`)
        when neither the class's module nor the train op's reads that list: nothing groups it with the train
        op (`tf.group(apply_op, *self._extra_train_ops)` in the template), so the updates never run. Reported
        at the train op, no fix (the object's name and the grouping are the author's).
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
        train step then runs the batch-norm updates, which changes the trained model. No fix when the code
        filters the collection into one list per network (`[x for x in update_ops if 'generator' in x.name]`):
        which train op runs which list is the author's to say.
    """
    behaviour_change = "batch norm's moving mean/variance are updated at every train step (they were frozen at 0/1)"
    valid = (
        Case(
            """
            import tensorflow as tf
            from tensorflow.python.training import moving_averages

            class Net(object):
                def __init__(self, mode):
                    self.mode = mode
                    self._extra_train_ops = []

                def bn(self, x):
                    moving_mean = tf.get_variable("moving_mean", [8], initializer=tf.zeros_initializer(), trainable=False)
                    if self.mode == "train":
                        mean, var = tf.nn.moments(x, [0])
                        self._extra_train_ops.append(moving_averages.assign_moving_average(moving_mean, mean, 0.9))
                    else:
                        mean, var = moving_mean, tf.ones([8])
                    return tf.nn.batch_normalization(x, mean, var, None, None, 1e-3)

            net = Net("train")
            loss = tf.reduce_mean(net.bn(features))
            train_op = tf.group(tf.train.AdamOptimizer().minimize(loss), *net._extra_train_ops)
            """
        ),
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
            from tensorflow.python.training import moving_averages

            class Net(object):
                def __init__(self, mode):
                    self.mode = mode
                    self._extra_train_ops = []

                def bn(self, x):
                    moving_mean = tf.get_variable("moving_mean", [8], initializer=tf.zeros_initializer(), trainable=False)
                    if self.mode == "train":
                        mean, var = tf.nn.moments(x, [0])
                        self._extra_train_ops.append(moving_averages.assign_moving_average(moving_mean, mean, 0.9))
                    else:
                        mean, var = moving_mean, tf.ones([8])
                    return tf.nn.batch_normalization(x, mean, var, None, None, 1e-3)

            net = Net("train")
            loss = tf.reduce_mean(net.bn(features))
            train_op = tf.train.AdamOptimizer().minimize(loss)
            """,
            line=20,
            column=12,
        ),
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
        model = ctx.model
        for op in model.hand_built_train_ops() if ctx.index.any_summary("unread_update_lists") else ():
            if model.never_used(op):
                continue
            for site, cls, attr in constructed_update_lists(model, op.func, ctx.index)[:1]:
                line = model.position(site.call).start.line
                name = site.assigned_to[0] if site.assigned_to else "model"
                yield self.violation(
                    op.call,
                    f"This train op trains the `{cls}` built at line {line}, whose batch norm keeps its moving-average "
                    f"updates in `self.{attr}`, and nothing groups that list with the train op (no code in view reads "
                    f"it): the moving statistics never move from 0 / 1; run them with it "
                    f"(`tf.group(train_op, *{name}.{attr})`)",
                )
        for found in train_ops_needing_updates(ctx):
            if found.wiring.status not in (flow.UNUSED_READ, flow.BLOCK_WITHOUT_TRAIN_OP):
                continue
            read = found.wiring.read
            same_scope = read.func is found.op.func and read.order < found.op.order and read.target
            # Lists filtered from the collection per network (`update_ops_gen = [x for x in update_ops if ...]`) say
            # which train op should run which updates: no single edit of this op finishes that.
            filtered = len(flow.filtered_from(read.func, read.target)) > 1
            block = found.wiring.block
            rebinds = block is not None and bool(block.aliased) and block.order > found.op.order
            # A GAN's steps each need their own network's updates (SL106): the whole collection on one step is no fix.
            gan_steps = rebinds and ctx.index.adversarial and len(found.op.func.train_ops) > 1
            fix = None if filtered or gan_steps else control_dependencies_fix(ctx, found.op, read.target if same_scope else None, whole=not read.scoped)
            where = "is never used" if found.wiring.status == flow.UNUSED_READ else (
                "only guards a block that rebinds a train op made before it (`control_dependencies` reaches only the "
                "ops created inside the block)" if rebinds else "only guards a block that builds no train op")
            yield self.violation(
                read.call,
                f"UPDATE_OPS is collected but {where}: the train op does not run batch norm's updates",
                fix,
                "Make the train op depend on the collected update ops",
                safe=True,  # the code collected the update ops to run them: the fix finishes what it started
            )
