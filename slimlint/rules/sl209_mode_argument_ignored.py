"""SL209: `is_training=False` handed to a batch-norm wrapper that never reads it."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from slimlint.rules.base import Case, Rule, RuleContext, Violation


class ModeArgumentIgnored(Rule):
    code = "SL209"
    name = "mode-argument-ignored"
    summary = "`is_training=False` (or `train=False`, `phase=False`, ...) is passed to a function that never reads that parameter while its batch norm always trains."
    what_it_does = """
        Flags a call that passes False for a mode parameter (`is_training`, `training`, `is_train`, `train`,
        `phase_train`, `train_phase`, `phase`) of a project function whose body never mentions that
        parameter while the batch norm it builds always runs in training mode (`training=True` written in,
        directly or through the functions it calls). The wrapper takes the mode and drops it: the caller
        asks for inference and gets training mode. Also a call handing on a flag of its own that the project
        sets False elsewhere (`conv_bn(x, 32, is_training)` in a model that an export script builds with
        `is_training=False`, through configs, constructors and functions that hand the flag on).
    """
    why_bad = """
        The caller evidently wants batch norm in inference mode (evaluation, export, a frozen backbone), but
        the wrapper normalises with each batch's own statistics whatever it is told: predictions depend on
        the rest of the batch (one image alone is normalised against itself), and where the update ops run
        the moving statistics drift toward the evaluation data.
    """
    fix_safety = """
        No fix: the mistake is in the wrapper, usually in another file, and every caller that passes True
        or relies on the default is affected by changing it. Pass the parameter on to batch norm in the
        wrapper (`training=is_training`) and check the wrapper's other callers.
        Silent when the wrapper reads the parameter anywhere (even only to pass it elsewhere, or under a
        condition), when its batch norm's mode is not always training, when the argument is not known to be
        False (a placeholder, a flag, a parameter), and when the callee is not a project function.
    """
    valid = (
        Case(
            """
            import tensorflow as tf

            def conv_bn(inputs, filters, is_training):
                net = tf.layers.conv2d(inputs, filters, 3, padding="same")
                return tf.nn.relu(tf.layers.batch_normalization(net, training=is_training))

            features = conv_bn(images, 32, is_training=False)
            """
        ),
        Case(
            """
            import tensorflow as tf

            def conv_bn(inputs, filters, is_training):
                net = tf.layers.conv2d(inputs, filters, 3, padding="same")
                net = tf.layers.batch_normalization(net, training=True)
                return tf.layers.dropout(net, training=is_training)

            features = conv_bn(images, 32, is_training=False)
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf

            def conv_bn(inputs, filters, is_training):
                net = tf.layers.conv2d(inputs, filters, 3, padding="same")
                return tf.nn.relu(tf.layers.batch_normalization(net, training=True))

            features = conv_bn(images, 32, is_training=False)
            """,
            line=7,
            column=44,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        for func in model.functions:
            for site, callee, param, expr in model.ignored_mode_args(func, ctx.index):
                # A literal False, or a flag of ours that the project sets False (then named as the code reads it).
                given = f"`{param}=False`" if isinstance(expr, cst.Name) and expr.value == "False" else (
                    f"`{param}={cst.Module([]).code_for_node(expr)}` (False where the project builds this for inference)")
                yield self.violation(
                    expr,
                    f"{given} does not reach batch norm: `{callee}` drops its `{param}` parameter (it sets no "
                    f"batch norm's mode), and that batch norm always runs in training mode; pass `{param}` on to it",
                )
