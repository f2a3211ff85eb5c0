"""SL205: Saver(tf.trainable_variables()) leaves batch norm's moving statistics out of the checkpoint."""

from __future__ import annotations

from typing import Iterator

from slimlint.fixes import FixActions, replace_with
from slimlint.rules.base import Case, Rule, RuleContext, Violation


class SaverDropsMovingStatistics(Rule):
    code = "SL205"
    name = "saver-drops-moving-statistics"
    summary = "`tf.train.Saver(tf.trainable_variables())` does not save batch norm's moving mean and variance."
    what_it_does = """
        Flags a `tf.train.Saver` built from `tf.trainable_variables()` (or `slim.get_trainable_variables()`)
        in a file that builds batch norm. Moving mean and variance are not trainable variables. Silent when
        the batch norm chooses its own `variables_collections` (facenet puts the moving statistics in
        TRAINABLE_VARIABLES, so such a Saver keeps them).
    """
    why_bad = """
        The checkpoint lacks the moving statistics. Whoever restores it (an evaluation or export script)
        gets moving_mean 0 and moving_variance 1 (their initial values), and inference-mode batch norm
        collapses, although training itself was fine.
    """
    example = """
        saver = tf.train.Saver(tf.trainable_variables(), max_to_keep=5)
    """
    use_instead = """
        saver = tf.train.Saver(tf.global_variables(), max_to_keep=5)
    """
    fix_safety = """
        The fix saves `tf.global_variables()`: the moving statistics, and also the optimizer's slots and
        the global step, so checkpoints get larger and a restore also restores those. To keep checkpoints
        small, add only the moving statistics to the list by hand instead.
    """
    behaviour_change = "checkpoints also hold the moving statistics (and optimizer state), so evaluation restores them"
    valid = (
        Case(
            """
            import tensorflow as tf

            net = tf.layers.dense(images, 10)
            saver = tf.train.Saver(tf.trainable_variables())
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=is_training)
            saver = tf.train.Saver(tf.trainable_variables(), max_to_keep=5)
            """,
            fixed="""
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=is_training)
            saver = tf.train.Saver(tf.global_variables(), max_to_keep=5)
            """,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        if not model.builder.savers or not model.moving_statistics_untrainable(ctx.index):
            return
        tf = model.tf_prefix()
        for call, arg, func in model.builder.savers:
            fix = FixActions().on(arg, replace_with(f"{tf}.global_variables()")) if tf else None
            yield self.violation(
                arg,
                "A Saver of the trainable variables leaves batch norm's moving statistics out of the checkpoint",
                fix,
                "Save `tf.global_variables()`",
            )
