"""SL203: Keras BatchNormalization trained by a hand-built TF1 train op: its updates are not in UPDATE_OPS."""

from __future__ import annotations

from typing import Iterator

from slimlint.model.facts import FALSE
from slimlint.rules.base import Case, Rule, RuleContext, Violation


class KerasBatchNormInSession(Rule):
    code = "SL203"
    name = "keras-batch-norm-in-session"
    summary = "`tf.keras.layers.BatchNormalization` in TF1 graph code: its moving-statistics updates never run."
    what_it_does = """
        Flags a Keras `BatchNormalization` layer applied in training mode (`training=True`, or a flag) in
        graph code trained by a hand-built train op (`minimize`, `apply_gradients`), when the code never
        reads the layers' `updates` (`model.updates`, `layer.updates`, `get_updates_for`). Keras layers
        keep their update ops on the layer, not in `tf.GraphKeys.UPDATE_OPS`, so neither
        `control_dependencies(UPDATE_OPS)` nor `create_train_op` runs them.
    """
    why_bad = """
        The moving mean and variance stay 0 / 1, exactly as with unwired slim batch norm, although the code
        may even wire UPDATE_OPS carefully: inference-mode evaluation collapses.
    """
    fix_safety = """
        No fix is offered: which layers' `updates` to collect (one layer, a Keras model's `updates`) depends
        on how the network is assembled.
    """
    valid = (
        Case(
            """
            import tensorflow as tf

            bn = tf.keras.layers.BatchNormalization()
            net = bn(images, training=True)
            loss = tf.reduce_mean(net)
            with tf.control_dependencies(bn.updates):
                train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf

            net = tf.keras.layers.BatchNormalization()(images, training=True)
            loss = tf.reduce_mean(net)
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        if model.reads_layer_updates or not model.keras_bn_applications:
            return
        for call, func in model.keras_bn_applications:
            if not model.is_training_code(func, ctx.index, ctx.role):
                continue
            training = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "training"), None)
            if training is None or model.classify(training, func, "training", call, ctx.index).kind == FALSE:
                continue  # inference mode: no updates to run
            yield self.violation(
                call,
                "Keras BatchNormalization keeps its updates on the layer, not in UPDATE_OPS: the train op never runs them",
            )
