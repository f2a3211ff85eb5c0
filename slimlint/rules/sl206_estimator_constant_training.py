"""SL206: a constant is_training=True inside an Estimator model_fn."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from slimlint.fixes import FixActions, add_keyword, replace_with
from slimlint.model.estimator_fns import model_fn_mode
from slimlint.model.facts import TRUE
from slimlint.rules.base import Case, Rule, RuleContext, Violation


def _in_train_branch(func, order: int) -> bool:
    return any(start < order <= end for start, end in func.train_regions + func.eval_regions)


class EstimatorConstantTraining(Rule):
    code = "SL206"
    name = "estimator-constant-training"
    summary = "`is_training=True` in an Estimator `model_fn` also runs batch norm in training mode for evaluate/predict."
    what_it_does = """
        Flags a constant `is_training=True` (or `training=True`) given to batch norm or to a network that
        passes it on, inside an Estimator `model_fn(features, labels, mode, ...)`, outside any
        `if mode == ModeKeys...:` branch. The same graph code serves TRAIN, EVAL and PREDICT. Also batch norm
        left at a default of True there (`batch_norm(deep)`, contrib / slim batch norm or a project wrapper
        whose mode defaults to True): the fix passes `is_training=mode == tf.estimator.ModeKeys.TRAIN` when
        the callee takes that keyword. Also the methods of a model class built inside the model_fn, whose
        constructor takes `features` and `mode` (`BaseModel(features, labels, params, mode)`) and which speaks
        of the Estimator (`EstimatorSpec`, `ModeKeys`), except a method called only under `if mode ==
        ModeKeys.TRAIN:`: the fix there reads the mode the constructor keeps (`self.mode ==
        tf.estimator.ModeKeys.TRAIN`); there is none when it keeps none or in a static method.
    """
    why_bad = """
        `estimator.evaluate()` and `estimator.predict()` (and the exported SavedModel) then normalise with
        each batch's own statistics: predictions depend on the batch, and a one-image request gets the same
        class whatever the image.
    """
    fix_safety = """
        **Unsafe** (applied only with `--unsafe-fixes`): nothing in the code says that the new behaviour is what its author intended, so review the diff.

        The fix replaces the constant with `mode == tf.estimator.ModeKeys.TRAIN` (the module's TF alias):
        training is unchanged, evaluation and prediction use the moving statistics.
    """
    behaviour_change = "evaluate/predict/export use batch norm's moving statistics instead of each batch's"
    valid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            def model_fn(features, labels, mode):
                net = slim.batch_norm(features, is_training=mode == tf.estimator.ModeKeys.TRAIN)
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            def model_fn(features, labels, mode):
                net = slim.batch_norm(features, is_training=True)
            """,
            fixed="""
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            def model_fn(features, labels, mode):
                net = slim.batch_norm(features, is_training=mode == tf.estimator.ModeKeys.TRAIN)
            """,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        tf = model.tf_prefix()
        seen = set()
        for func in model.functions:
            is_model_fn, mode_expr = model_fn_mode(model, func)
            if not is_model_fn:
                continue
            train_test = f"{mode_expr} == {tf}.estimator.ModeKeys.TRAIN" if tf and mode_expr else None
            modes = [(s.mode, s.order) for s in model.bn_sites(func, ctx.index)]
            modes += [(m, c.order) for c in model.bn_calls(func, ctx.index) for m in c.modes.values()]
            for mode, order in modes:
                if mode.kind == TRUE and mode.expr is None and isinstance(mode.owner, cst.Call) and mode.keyword \
                        and id(mode.owner) not in seen and not _in_train_branch(func, order):
                    # `batch_norm(deep)` at the library's (or a wrapper's) default True: the same, unwritten
                    seen.add(id(mode.owner))
                    fix = FixActions().on(mode.owner, add_keyword(mode.keyword, train_test)) \
                        if train_test and ctx.model.accepts_keyword(mode.owner, mode.keyword, ctx.index) else None
                    yield self.violation(
                        mode.owner,
                        f"Batch norm's `{mode.keyword}` is left at its default True in an Estimator model_fn: evaluate and "
                        f"predict run it in training mode too",
                        fix,
                        f"Pass `{mode.keyword}={train_test}`" if fix else "",
                    )
                    continue
                if mode.kind != TRUE or mode.expr is None or id(mode.expr) in seen or _in_train_branch(func, order):
                    continue
                seen.add(id(mode.expr))
                fix = FixActions().on(mode.expr, replace_with(train_test)) if train_test else None
                yield self.violation(
                    mode.expr,
                    "A constant `is_training=True` in an Estimator model_fn also runs batch norm in training mode for evaluate and predict",
                    fix,
                    f"Use `{train_test}`" if fix else "",
                )
