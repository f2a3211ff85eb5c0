"""SL203: Keras BatchNormalization trained by a hand-built TF1 train op: its updates are not in UPDATE_OPS."""

from __future__ import annotations

from typing import Iterator

from slimlint.model.facts import FALSE
from slimlint.rules.base import Case, Rule, RuleContext, Violation


_PHASE_MESSAGE = ("Keras BatchNormalization without `training=` follows Keras's learning phase, 0 unless the code sets "
                  "it: it runs in inference mode while training, normalising with moving statistics that stay 0 / 1")


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
        Also such a layer applied with no `training` at all (`BatchNormalization(axis=3)(x)`) in that training
        code: it follows Keras's learning phase, which is 0 unless the code sets it, so it runs in inference
        mode while training. Silent when any file of the project names the learning phase
        (`set_learning_phase`, a feed of `K.learning_phase()`) or trains with `tf.GradientTape` (TF2), in the
        methods of a Keras `Layer` / `Model` subclass and in a file that assembles a Keras model (`Input`,
        `Model(inputs, outputs)`, `Sequential`), where the model's call or `fit` gives the layers `training`,
        and for a layer built with `trainable=` (a frozen backbone keeps inference mode on purpose).
    """
    why_bad = """
        The moving mean and variance stay 0 / 1, exactly as with unwired slim batch norm, although the code
        may even wire UPDATE_OPS carefully: inference-mode evaluation collapses. A layer left to the learning
        phase never normalises at all: in a TF1 session it is a fixed affine map while training and after
        (measured with tf_keras in a `tf.compat.v1` graph: no op in UPDATE_OPS, moving mean still 0 after
        training steps, outputs far from the batch-normalised ones).
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
        Case(
            """
            import tensorflow as tf


            class Block(tf.keras.Model):
                def __init__(self):
                    super().__init__()
                    self.conv = tf.keras.layers.Conv2D(16, 3)
                    self.bn = tf.keras.layers.BatchNormalization()

                def call(self, x, training=None):
                    return tf.nn.relu(self.bn(self.conv(x)))  # the outer call's training reaches it


            def train(images):
                net = Block()(images, training=True)
                return tf.train.AdamOptimizer(0.01).minimize(tf.reduce_mean(net))
            """
        ),
        Case(
            """
            import tensorflow as tf

            tf.keras.backend.set_learning_phase(1)
            net = tf.keras.layers.BatchNormalization()(tf.keras.layers.Dense(8)(features))
            train_op = tf.train.AdamOptimizer(0.01).minimize(tf.reduce_mean(net))
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
        Case(
            """
            import tensorflow as tf


            def denoiser(noisy):
                net = tf.keras.layers.Conv2D(64, 3, padding="same")(noisy)
                net = tf.keras.layers.BatchNormalization(axis=3, epsilon=1e-4)(net)
                return tf.keras.layers.Conv2D(3, 3, padding="same")(tf.nn.relu(net))


            def train(noisy, clean):
                loss = tf.reduce_mean(tf.square(denoiser(noisy) - clean))
                return tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
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
            if model.follows_learning_phase(call, func, ctx.index):
                yield self.violation(call, _PHASE_MESSAGE)
                continue
            training = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "training"), None)
            if training is None or model.classify(training, func, "training", call, ctx.index).kind == FALSE:
                continue  # inference mode: no updates to run
            yield self.violation(
                call,
                "Keras BatchNormalization keeps its updates on the layer, not in UPDATE_OPS: the train op never runs them",
            )
