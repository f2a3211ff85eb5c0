"""SL901: a `# noqa: SL...` comment that silences nothing (reported by the engine, as ruff's RUF100)."""

from __future__ import annotations

from slimlint.rules.base import Case, Rule


class UnusedNoqa(Rule):
    code = "SL901"
    name = "unused-noqa"
    summary = "A `# noqa` comment names a slimlint code that is not reported there."
    what_it_does = """
        Reports a `# noqa: SL...` comment (on a line, or a file's `# slimlint: noqa: SL...`) whose slimlint
        codes silenced no finding in this run, like ruff's RUF100. A code may be a prefix (`SL1`). Bare
        `# noqa` and other tools' codes (`# noqa: E501`) are left alone, and so are codes that were not
        checked (switched off by `--select`, `--ignore` or `per-file-ignores`).
    """
    why_bad = """
        A suppression outlives the bug it hid: after the train op is fixed, or the code moves, the comment
        silences whatever appears on that line next, and a real batch-norm mistake goes unreported.
    """
    valid = (
        Case(
            """
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=True)
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train_op = tf.train.AdamOptimizer(0.1).minimize(net)
            """
        ),
        Case(
            """
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=True)
            train_op = tf.train.AdamOptimizer(0.1).minimize(net)  # noqa: SL101 (frozen batch norm, on purpose)
            """
        ),
        Case(
            """
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=True)  # noqa: E501
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train_op = tf.train.AdamOptimizer(0.1).minimize(net)  # noqa
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=True)
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train_op = tf.train.AdamOptimizer(0.1).minimize(net)  # noqa: SL101
            """,
            line=5,
            column=59,
        ),
    )
    fix_safety = """
        No fix is offered: remove the code from the comment (or the comment) by hand.
    """

    def check(self, ctx):
        return iter(())
