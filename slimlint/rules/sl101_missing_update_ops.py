"""SL101: a hand-built train op that does not depend on batch norm's UPDATE_OPS."""

from __future__ import annotations

from typing import Iterator

from slimlint.rules._train_op_fixes import control_dependencies_fix, create_train_op_fix
from slimlint.rules._train_ops import missing
from slimlint.model.average_updates import dropped_average_updates
from slimlint.model.facts import TRUE
from slimlint.model.import_table import dotted
from slimlint.rules.base import Case, Rule, RuleContext, Violation


class MissingUpdateOps(Rule):
    code = "SL101"
    name = "missing-update-ops"
    summary = "The train op does not depend on UPDATE_OPS, so batch norm's moving statistics are never updated."
    what_it_does = """
        Flags a hand-built train op (`optimizer.minimize(...)`, `optimizer.apply_gradients(...)`) when the
        graph it trains builds batch norm in training mode (`slim.batch_norm`, `normalizer_fn=slim.batch_norm` (also
        `normalizer_fn=cfg.normalizer_fn` from a config object whose class sets it to `slim.batch_norm` alone),
        `tf.layers.batch_normalization(training=...)`, a network from slim's model zoo or from your own
        modules) whose update ops go to `tf.GraphKeys.UPDATE_OPS`, and nothing makes the train op depend on
        them: it is not built inside `tf.control_dependencies(update_ops)` nor grouped with them. Also when
        it is, but `update_ops` holds nothing unless a boolean option is given (`update_ops = None` when
        `--update-mean-var`, a `store_true` option, is off): reported once per block, without a fix.

        Also a hand-written batch norm that keeps its statistics in a `tf.train.ExponentialMovingAverage` and
        hands out the op that updates them (a method returning `self.<ema>.apply([...])` in a class that reads
        `self.<ema>.average(...)` for inference, as a widely copied `ConvolutionalBatchNormalizer` helper does),
        when the caller drops that op: a call left as a statement, or a local that nothing reads afterwards nor
        returns (`update_assignments = bn.get_assigner()`). No fix: the op has to be grouped with a train op
        built elsewhere.
        Silent for `updates_collections=None` (in-place updates), batch norm with `is_training=False`,
        networks without batch norm, train ops already wired (also a train-op helper that every caller
        calls inside `with tf.control_dependencies(update_ops):`, and train ops chosen by `tf.case` /
        `tf.cond` and grouped with the updates, and models that hang the updates on what they return:
        `with tf.control_dependencies(update_ops): x = tf.identity(x)` then `return x`, in a function the
        train op's code calls first: the loss made from that output runs them; also batch norm whose function
        reads the collection by reference and deletes the slice its layer added, `ops = tf.get_collection_ref(...)`
        then `del ops[i:]`, and control dependencies a helper of the file returns, `control_deps =
        self._group_control_deps(...)` over `grads + tf.get_collection(UPDATE_OPS)`), and projects whose batch norm runs in training mode
        everywhere, their own test / export path included (image-to-image GANs by design; a module whose networks
        are only ever built in training mode, anywhere in the project, when the project draws its samples
        from them in a run that trains nothing, `samples = sess.run(model.g, {model.z: sample_z})`; a GAN,
        trained by train ops over their own `var_list`s, whose batch norm is never given any mode but training,
        every build at the library's training-mode default or a written `True` (no False, placeholder or run-time
        mode anywhere, a caller's `arg_scope` included), as in a one-file GAN that previews its samples as a
        summary; a separate sampling path, `sample_images()` or a `generate` script that restores the
        generator and draws from it in training mode, is part of that design, not an evaluation SL201
        reports; MAML-style meta-learning, whose batch norm no function gives a mode parameter and whose every
        `tf.train.Saver` keeps the trainable variables only, with nothing else writing variables out, so the
        statistics are neither read nor saved): there nothing
        ever reads the moving statistics, so running the updates would change no output. An export or
        evaluation build that asks for inference mode (`create_model(x, ..., is_training=False)`) of a network
        that drops the flag (SL209) is no such design: the author means it to read them, so SL101 stays. Likewise for a train
        op whose `var_list` picks networks by variable scope (`[v for v in t_vars if v.name.startswith('d')]`,
        `tf.get_collection(TRAINABLE_VARIABLES, scope='discriminator')`) when those networks (the functions
        opening that `tf.variable_scope`) are only ever built in training mode, in a module that builds
        another network in inference mode: a GAN's discriminator; the generator's op is still reported.
        Likewise when the only batch norm with update ops is a stray layer left at the library's
        training-mode default (no mode written, no parameter, no caller's `arg_scope` mode), in a module
        whose other batch norm follows a mode: no build ever reads that layer's moving statistics. Also
        silent for a train op whose `var_list` (given to `minimize` or `compute_gradients`) lists only variables made
        with `tf.Variable` (an input modulation, an attribution probe): it trains no layer; when a session
        run fetches the update ops (`sess.run([training_op, extra_update_ops])`, or alone after each step);
        for train ops of a helper whose result the caller ties to the update ops
        (`with tf.control_dependencies([helper_op, tf.group(*update_ops)]):`); and for a train op that a
        function builds and leaves alone, bound to local names (or grouped into others, `train_op = tf.group(op, ema_op)`)
        that nothing else mentions: no run, return, attribute or call ever uses it (a test script copied from
        the training script, which only restores and evaluates; also in the module-level code of a script named
        for prediction, `seg_predict.py`, that restores a checkpoint). The same holds for SL102, SL104
        and SL105.
    """
    why_bad = """
        Nobody runs the update ops, so moving_mean stays 0 and moving_variance stays 1 forever. Training
        looks fine, but evaluation with `is_training=False` normalises with the wrong statistics: on a small
        conv-BN model, one-image evaluation accuracy is 0.33 (every image one class) instead of 1.00.
    """
    fix_safety = """
        **Unsafe** (applied only with `--unsafe-fixes`): nothing in the code says that the new behaviour is what its author intended, so review the diff.

        The fix changes what training computes: every train step now also runs the batch-norm update ops.
        The collection is read inside the `with`, after the model is built, using the module's own TF alias
        (`tf`, `tf1`, `tf.compat.v1`). Offered when the train op is built by a statement of its own; in slim
        modules SL102 offers `slim.learning.create_train_op` instead (unless `train-op-fix =
        "control-dependencies"`). The whole UPDATE_OPS collection is used, except where the module trains several networks, each op
        over its own `var_list` (a GAN's D and G steps): there the fix reads the collection under the scope the
        op's `var_list` names (`scope="generator"`), since the whole collection would make the generator's step
        run the discriminator's updates on real images it is not fed; no fix when the `var_list` names no scope
        (`[v for v in t_vars if 'g_' in v.name]`).
        No fix when the file builds its network a second time over evaluation data (`val_batch`, `x['EVAL']`,
        a `'val'` argument) in a mode that adds update ops (training mode written, defaulted or a placeholder),
        beside the training tower and before the train op, over evaluation inputs the training runs do not feed:
        that tower's updates read them, and the whole collection would make every train step pull the
        validation iterator or ask for a placeholder training does not feed.
        No fix when the batch norm is built inside a TF loop body (the function `tf.map_fn`, `tf.scan`,
        `tf.foldl` / `tf.foldr` or `tf.while_loop` runs, directly or through the functions it calls): its
        update ops live in the loop's frame, and a train op outside cannot depend on them (TensorFlow
        rejects the graph). Run them inside the loop body, or build batch norm outside it.
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
        Case(
            """
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=True)
            loss = tf.reduce_mean(net)
            train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            train_op = tf.group(train_op, *tf.get_collection(tf.GraphKeys.UPDATE_OPS))
            """
        ),
        Case(
            """
            import tensorflow as tf

            net = tf.layers.dense(images, 10)
            loss = tf.reduce_mean(net)
            train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """
        ),
        Case(
            """
            import tensorflow as tf

            def make_train_op(loss):
                return tf.train.AdamOptimizer(0.01).minimize(loss)

            mode = tf.placeholder(tf.bool)
            net = tf.layers.batch_normalization(images, training=mode)
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train_op = make_train_op(tf.reduce_mean(net))
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow.compat.v1 as tf

            def train(images):
                net = tf.layers.batch_normalization(images, training=True)
                loss = tf.reduce_mean(net)
                # the train op
                train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
                return train_op
            """,
            fixed="""
            import tensorflow.compat.v1 as tf

            def train(images):
                net = tf.layers.batch_normalization(images, training=True)
                loss = tf.reduce_mean(net)
                # the train op
                with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
                return train_op
            """,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        sl102_takes = ctx.settings.is_selected("SL102")
        gated_blocks = set()
        for found in missing(ctx):
            if found.wiring.gated_by is not None:
                if not _trains_by_default(ctx, found.op):
                    continue  # the option may also switch batch norm to training mode: nothing to update without it
                # `with tf.control_dependencies(update_ops):` where update_ops is None unless an option is given:
                # one finding per block, no fix (the option is the author's switch; its default is the bug).
                block = id(found.op.blocks[-1].node) if found.op.blocks else id(found.op.call)
                if block not in gated_blocks:
                    gated_blocks.add(block)
                    yield self.violation(
                        found.op.call,
                        f"`{found.op.kind}` builds a train op that depends on UPDATE_OPS only with "
                        f"`{found.wiring.gated_by}`: run with the defaults, the update ops are None and batch norm's "
                        "moving statistics are never updated while it trains on batch statistics",
                    )
                continue
            if sl102_takes and create_train_op_fix(ctx, found.op) is not None:
                continue  # SL102 reports this one, with the create_train_op form
            yield self.violation(
                found.op.call,
                f"`{found.op.kind}` builds a train op that does not depend on UPDATE_OPS: batch norm's moving statistics are never updated",
                control_dependencies_fix(ctx, found.op),
                "Wrap the train op in `tf.control_dependencies(UPDATE_OPS)`",
            )
        for func in ctx.model.functions:  # the module code too (a script's body)
            for call in dropped_average_updates(ctx.model, func, ctx.index):
                name = dotted(call.func) or "the call"
                yield self.violation(call, _DROPPED_AVERAGES.format(call=f"{name}()"))


_DROPPED_AVERAGES = ("`{call}` builds the op that updates this hand-written batch norm's moving averages, and nothing runs it: "
                     "the averages inference normalises with stay at their initial values; group it with the train op "
                     "(`with tf.control_dependencies([train_op]): train_op = tf.group(update)`)")


def _trains_by_default(ctx, op) -> bool:
    """Does the train op's graph build batch norm in training mode whatever the options say (True written in,
    or a default)? An option that empties the update ops may also be what turns training mode on."""
    for bn in ctx.model.training_bn(op.func, ctx.index):
        modes = [bn.mode] if hasattr(bn, "mode") else list(bn.modes.values())
        if any(mode.kind == TRUE for mode in modes) or getattr(getattr(bn, "summary", None), "always_training", False):
            return True
    return False
