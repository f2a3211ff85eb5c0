"""SL207: a mode placeholder the loop feeds, that never reaches the model."""

from __future__ import annotations

from typing import Iterator

from slimlint.fixes import FixActions, add_keyword
from slimlint.model.facts import TRUE
from slimlint.rules.base import Case, Rule, RuleContext, Violation


class ModePlaceholderNotPassed(Rule):
    code = "SL207"
    name = "mode-placeholder-not-passed"
    summary = "A boolean mode placeholder is fed, but the model is built with its default `is_training=True`."
    what_it_does = """
        Flags a call to a network (your own, or slim's model zoo) that leaves its `is_training=True`
        default in place, in a function that defines a boolean mode placeholder (`tf.placeholder(tf.bool)`,
        `tf.placeholder_with_default`) which is fed False somewhere (`feed_dict={is_training: False}`)
        and is never passed as a mode. A placeholder only ever fed True switches nothing to inference mode:
        the network's training-mode default already does what its feeds say.

        Also flags a class that keeps its boolean mode placeholder on the object (`self.is_training =
        tf.placeholder_with_default(bool(is_train), [])`) and fills it in a feed helper (`fd[self.is_training]
        = is_training` in `get_feed_dict(self, batch, is_training=None)`) that some call gives False (or feeds
        it False directly), while the class reads the placeholder nowhere else and builds its network with a
        Python value (`self.build(is_train=is_train)`): the finding is on that build call (or, when the class
        builds its batch norm itself, on its first layer given a parameter or a True: a `build_net(self,
        is_train=True)` that makes `self.is_train` and then writes `training=is_train`; or else on the first call
        that hands a network building batch norm the Python flag instead: `Discriminator(..., is_train)`, whose
        layers may drop it). The helper's
        callers are matched by the method's name and keyword when the object's class cannot be told. No fix:
        the Python value may also steer Python code (`if is_train:`), where a tensor cannot go.
    """
    why_bad = """
        The loop believes it switches the model to inference mode for validation, but the placeholder
        reaches nothing: batch norm trains on (and normalises with) every validation batch, and the
        validation numbers, and any checkpoint picked by them, are wrong.
    """
    fix_safety = """
        **Safe** (applied by `--fix`) when a feed gives the placeholder `True` or its default is `True` (`tf.placeholder_with_default(True, [])`): training keeps its mode and the fed `False` reaches the model as intended. Otherwise **unsafe** (only with `--unsafe-fixes`): training would follow a placeholder nothing sets to `True`.

        The fix passes the placeholder to the network's mode parameter. Training feeds True (or relies on
        the placeholder's default) and keeps its behaviour only if it does feed True: check that the
        training step feeds the placeholder, or use `tf.placeholder_with_default(True, [])`.
    """
    behaviour_change = "the model's batch norm follows the fed mode: validation runs in inference mode"
    valid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            def build(images, is_training=True):
                return slim.batch_norm(images, is_training=is_training)

            is_training = tf.placeholder(tf.bool, [])
            logits = build(images, is_training=is_training)
            feed = {is_training: False}
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            def build(images, is_training=True):
                return slim.batch_norm(images, is_training=is_training)

            is_training = tf.placeholder(tf.bool, [])
            logits = build(images)
            feed = {is_training: False}
            """,
            fixed="""
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            def build(images, is_training=True):
                return slim.batch_norm(images, is_training=is_training)

            is_training = tf.placeholder(tf.bool, [])
            logits = build(images, is_training=is_training)
            feed = {is_training: False}
            """,
        ),
        Case(
            """
            import tensorflow as tf

            def block(x, is_train):
                return tf.contrib.layers.batch_norm(x, is_training=is_train, updates_collections=None)

            class Model(object):
                def __init__(self, images, is_train=True):
                    self.images = images
                    self.is_training = tf.placeholder_with_default(bool(is_train), [])
                    self.build(is_train=is_train)

                def build(self, is_train):
                    self.logits = block(self.images, is_train)

                def get_feed_dict(self, batch, is_training=None):
                    fd = {self.images: batch}
                    if is_training is not None:
                        fd[self.is_training] = is_training
                    return fd

            model = Model(images)
            test_feed = model.get_feed_dict(test_batch, is_training=False)
            """,
            line=10,
            column=9,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        for unread in model.unread_object_flags(ctx.index):
            # No fix: the Python value may also steer Python code (`if is_train:`), where a tensor cannot go.
            yield self.violation(
                unread.build,
                f"`{unread.flag}` is fed False ({unread.fed_by}), but no batch norm reads it: this network gets "
                f"{unread.mode}, fixed when the graph is built",
                None,
            )
        for func in model.functions:
            flags = model.unpassed_mode_flags(func, ctx.index)
            if not flags:
                continue
            flag = flags[0]
            calls = model.bn_calls(func, ctx.index)
            for call in calls:
                for param, mode in sorted(call.modes.items()):
                    if mode.kind == TRUE and mode.expr is None and mode.owner is call.site.call and not mode.via_string:
                        accepted = model.accepts_keyword(call.site.call, param, ctx.index)
                        yield self.violation(
                            call.site.call,
                            f"`{flag}` is fed as the mode, but this network keeps its default `{param}=True`",
                            FixActions().on(call.site.call, add_keyword(param, flag)) if accepted else None,
                            f"Pass `{param}={flag}`" if accepted else "",
                            safe=model.flag_trains_when_passed(func, flag),
                        )
