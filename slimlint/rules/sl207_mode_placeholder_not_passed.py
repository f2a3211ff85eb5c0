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
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        for func in model.functions:
            flags = model.unpassed_mode_flags(func, ctx.index)
            if not flags:
                continue
            flag = flags[0]
            calls = model.bn_calls(func, ctx.index)
            for call in calls:
                for param, mode in sorted(call.modes.items()):
                    if mode.kind == TRUE and mode.expr is None and mode.owner is call.site.call:
                        accepted = model.accepts_keyword(call.site.call, param, ctx.index)
                        yield self.violation(
                            call.site.call,
                            f"`{flag}` is fed as the mode, but this network keeps its default `{param}=True`",
                            FixActions().on(call.site.call, add_keyword(param, flag)) if accepted else None,
                            f"Pass `{param}={flag}`" if accepted else "",
                            safe=model.flag_trains_when_passed(func, flag),
                        )
