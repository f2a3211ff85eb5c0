"""SL208: dropout left on in evaluation, inference or export code."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from slimlint.fixes import FixActions, add_keyword, replace_with
from slimlint.model import context
from slimlint.model.dropout import NN_DROPOUT, DropoutSite, dropout_calls, dropout_sites
from slimlint.model.facts import TRUE
from slimlint.rules.base import Case, Rule, RuleContext, Violation

_MODE_MESSAGE = "Dropout runs in training mode in evaluation code ({what}): it zeroes random activations on every run, so predictions are random"
_NN_MESSAGE = ("`tf.nn.dropout` keeps a constant fraction in evaluation code (`{constant}`): it zeroes random activations "
               "on every run, so predictions are random; keep 1.0 at evaluation (`tf.placeholder_with_default(1.0, [])`) "
               "or leave the dropout out of the evaluation graph")
_FED_MESSAGE = ("Dropout drops in evaluation code (its `{keyword}` placeholder `{flag}` is fed {value} in a run over "
                "evaluation data): it zeroes random activations on every run, so predictions are random")
# Code that keeps dropout on at inference on purpose: Monte-Carlo dropout (uncertainty from repeated
# stochastic passes), and sampling from a generative model, where dropout is the noise source (pix2pix
# applies it at test time by design).
_ON_PURPOSE_WORDS = {"mc", "mcdropout", "monte", "carlo", "uncertainty", "bayes", "bayesian",
                     "sample", "sampler", "sampling", "generate", "generator"}


class DropoutInEval(Rule):
    code = "SL208"
    name = "dropout-in-eval"
    summary = "Dropout left on (`is_training=True`, `training=True`, a constant `keep_prob` < 1) in evaluation, inference or export code."
    what_it_does = """
        Flags dropout that drops on every run in code that evaluates, serves, exports or samples from a
        model: `slim.dropout(..., is_training=True)` (also through an enclosing `arg_scope([slim.dropout],
        is_training=True)`, and slim's default of True when nothing sets it), `tf.layers.dropout(...,
        training=True)`, a Keras `Dropout` layer applied with `training=True`, and `tf.nn.dropout` with a
        constant `keep_prob` below 1 or `rate` above 0. Evaluation code is what SL201 calls so: scripts
        named for it, eval-named functions, Estimator PREDICT / EVAL branches, scripts that restore a
        checkpoint and never train (`eval-paths` / `train-paths` in the configuration override).

        Also a session run over evaluation data (SL201's test: it trains nothing, and its data, its results or
        its function are named for evaluation, or it is evaluation code) that feeds dropout's `keep_prob`
        placeholder a constant below 1 (or its `rate` one above 0) while that dropout drops in the run:
        `tf.nn.dropout` always does, a `slim.dropout` when its mode is True or a flag the same run feeds True
        (`feed_dict={self.is_training: True, self.keep_prob: 0.5}` in `predict()`). The fix feeds 1.0 (0.0
        for a rate).

        Also a call, in evaluation code, of a project function whose parameter becomes some dropout's mode
        (itself, through the functions it calls, or a nested function reading it: a model class whose
        `__init__(..., is_train=True)` hands it to `build()`), when the call leaves that parameter at a True
        default or passes True. When the same parameter also sets batch norm's mode, SL201 reports the call
        too; the two fixes are one edit.

        A rule of its own rather than SL201 widened: SL201 is about batch norm's statistics (predictions
        depend on the rest of the batch, deterministically); this one is about random masks (predictions
        change from one run of the same image to the next), with a different fix for `tf.nn.dropout`
        (there is no mode to flip) and a different behaviour claim.
    """
    why_bad = """
        Dropout in training mode zeroes a random share of the activations and scales the rest up, on every
        run. At evaluation the model then answers the same image differently each time, and every answer
        comes from a thinned network: accuracy is lower and noisier than the trained model's, and exported
        or served models inherit the noise.
    """
    fix_safety = """
        **Unsafe** (applied only with `--unsafe-fixes`): nothing in the code says that the new behaviour is what its author intended, so review the diff.

        The fix replaces the `True` with `False` (`is_training` / `training`, on the call or on the
        arg_scope that sets it), or adds `is_training=False` to a `slim.dropout` that relied on its default,
        the latter only where the callee is known to take it (the signature table, see SL201); at a call of
        a project function, `False` for the parameter that reaches the dropout (`Model(config, is_train=False)`),
        again only where the callee takes it. Predictions
        become deterministic: the same input gives the same output. No fix for `tf.nn.dropout` with a
        constant: there is no mode to flip; feed 1.0 at evaluation or remove it from the evaluation graph.
        Silent when the mode or `keep_prob` comes from a placeholder, a parameter (the caller decides), a
        flag or anything else decided at run time (a feed of a constant below 1 to that placeholder in a run
        over evaluation data is reported at the feed); when a call makes a project function's dropout keep
        everything (`inference(images, 1.0, phase_train=True)`, or a head given 1.0 for its kept fraction);
        under a condition that names the mode (`if is_training:`); when a caller's arg_scope may set slim's
        default; for dropout in a function training code also calls (flipping it would stop dropout in
        training too); in unit tests, and for calls of project functions made in functions named like them
        (`test_multi_loss()`, restoring no checkpoint: dropout such a function builds itself in an evaluation
        script is still reported); and where dropout stays on at inference on purpose: Monte-Carlo dropout (a file or
        function named mc / monte carlo / uncertainty / bayesian) and sampling from a generative model (named
        sample / sampler / generate / generator), where dropout is the noise source by design (pix2pix
        applies it at test time). Only files slimlint reads are checked: those that name batch norm or call
        project code that builds it (see the README's note on the text prefilter).
    """
    behaviour_change = "dropout is off at evaluation: the same input gives the same prediction on every run"
    valid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            is_training = tf.placeholder(tf.bool, [])
            net = slim.batch_norm(images, is_training=False)
            net = slim.dropout(net, 0.5, is_training=is_training)
            """,
            path="eval.py",
        ),
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            keep_prob = tf.placeholder(tf.float32)

            def classifier(images, is_training):
                net = slim.batch_norm(images, is_training=is_training)
                net = slim.dropout(net, 0.5, is_training=is_training)
                return tf.nn.dropout(net, keep_prob=keep_prob)
            """,
            path="evaluate.py",
        ),
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.batch_norm(images, is_training=True)
            net = slim.dropout(net, 0.5)
            net = tf.nn.dropout(net, keep_prob=0.5)
            """,
            path="train.py",
        ),
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            def mc_dropout_predict(images):
                net = slim.batch_norm(images, is_training=False)
                return tf.nn.dropout(net, keep_prob=0.5)
            """,
            path="predict.py",
        ),
        Case(
            """
            import tensorflow as tf

            def build(images):
                net = tf.layers.batch_normalization(images, training=False)
                net = tf.layers.dropout(net, rate=0.5)
                net = tf.keras.layers.Dropout(0.5)(net)
                return tf.nn.dropout(tf.nn.dropout(net, keep_prob=1.0), rate=0.0)
            """,
            path="inference.py",
        ),
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            def classifier(images):
                net = slim.batch_norm(images, is_training=False)
                return slim.dropout(net, 0.5, is_training=True)  # dropout everywhere, by this model's design

            def train(images):
                loss = tf.reduce_mean(classifier(images))
                return tf.train.AdamOptimizer(0.1).minimize(loss)

            def evaluate(images):
                return classifier(images)
            """,
            path="eval_model.py",
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            def classifier(images, is_training=True):
                net = slim.batch_norm(images, is_training=False)
                return slim.dropout(net, keep_prob=0.5, is_training=is_training)

            logits = classifier(images, is_training=False)
            """,
            path="evaluate.py",
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            def inference(images, keep_probability, phase_train=True):
                net = slim.batch_norm(images, is_training=False)
                return slim.dropout(net, keep_probability, is_training=phase_train)

            embeddings = inference(images, 1.0)
            """,
            path="evaluate.py",
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            def inference(images, keep_prob=1.0, is_training=True):
                net = slim.batch_norm(images, is_training=False)
                return slim.dropout(net, keep_prob, is_training=is_training)

            logits = inference(images)
            """,
            path="evaluate.py",
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            with slim.arg_scope([slim.batch_norm], is_training=False):
                net = slim.conv2d(images, 16, [3, 3], normalizer_fn=slim.batch_norm)
                net = slim.dropout(net, keep_prob=0.5, is_training=True)
            """,
            path="eval.py",
            fixed="""
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            with slim.arg_scope([slim.batch_norm], is_training=False):
                net = slim.conv2d(images, 16, [3, 3], normalizer_fn=slim.batch_norm)
                net = slim.dropout(net, keep_prob=0.5, is_training=False)
            """,
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            net = slim.batch_norm(images, is_training=False)
            net = slim.dropout(net, keep_prob=0.5)
            """,
            path="export_model.py",
            fixed="""
            import tensorflow.contrib.slim as slim

            net = slim.batch_norm(images, is_training=False)
            net = slim.dropout(net, keep_prob=0.5, is_training=False)
            """,
            line=4,
            message="Dropout runs in training mode in evaluation code (`is_training` defaults to True here): it zeroes random activations on every run, so predictions are random",
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            def classifier(images, is_training=True):
                net = slim.batch_norm(images, is_training=False)
                return slim.dropout(net, keep_prob=0.5, is_training=is_training)

            logits = classifier(images)
            """,
            path="evaluate.py",
            fixed="""
            import tensorflow.contrib.slim as slim

            def classifier(images, is_training=True):
                net = slim.batch_norm(images, is_training=False)
                return slim.dropout(net, keep_prob=0.5, is_training=is_training)

            logits = classifier(images, is_training=False)
            """,
            line=7,
            message=("Dropout runs in training mode in evaluation code (`is_training` defaults to True here and reaches "
                     "its dropout): it zeroes random activations on every run, so predictions are random"),
        ),
        Case(
            """
            import tensorflow as tf

            def evaluate(images):
                net = tf.layers.batch_normalization(images, training=False)
                return tf.layers.dropout(net, rate=0.5, training=True)
            """,
            path="model.py",
            fixed="""
            import tensorflow as tf

            def evaluate(images):
                net = tf.layers.batch_normalization(images, training=False)
                return tf.layers.dropout(net, rate=0.5, training=False)
            """,
        ),
        Case(
            """
            import tensorflow as tf

            drop = tf.keras.layers.Dropout(0.5)
            net = tf.layers.batch_normalization(images, training=False)
            logits = tf.layers.dense(drop(net, training=True), 10)
            """,
            path="predict.py",
            fixed="""
            import tensorflow as tf

            drop = tf.keras.layers.Dropout(0.5)
            net = tf.layers.batch_normalization(images, training=False)
            logits = tf.layers.dense(drop(net, training=False), 10)
            """,
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            with slim.arg_scope([slim.batch_norm, slim.dropout], is_training=True):
                net = slim.conv2d(images, 16, [3, 3], normalizer_fn=slim.batch_norm)
                net = slim.dropout(net, keep_prob=0.5)
            """,
            path="classify_image.py",
            line=3,
            fixed="""
            import tensorflow.contrib.slim as slim

            with slim.arg_scope([slim.batch_norm, slim.dropout], is_training=False):
                net = slim.conv2d(images, 16, [3, 3], normalizer_fn=slim.batch_norm)
                net = slim.dropout(net, keep_prob=0.5)
            """,
        ),
        Case(
            """
            import tensorflow as tf

            KEEP_PROB = 0.8

            def main():
                net = tf.layers.batch_normalization(images, training=False)
                logits = tf.layers.dense(tf.nn.dropout(net, KEEP_PROB), 10)
                saver = tf.train.Saver()
                with tf.Session() as sess:
                    saver.restore(sess, "model.ckpt")

            main()
            """,
            path="run_model.py",
            message=("`tf.nn.dropout` keeps a constant fraction in evaluation code (`KEEP_PROB`): it zeroes random "
                     "activations on every run, so predictions are random; keep 1.0 at evaluation "
                     "(`tf.placeholder_with_default(1.0, [])`) or leave the dropout out of the evaluation graph"),
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        stem = ctx.relpath.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if context.words(stem) & _ON_PURPOSE_WORDS:
            return
        sites = dropout_sites(model, ctx.index)
        for site in sites:
            # A placeholder's fraction (`keep_prob=self.keep_prob`): the feeds are judged at the runs below.
            if site.mode.kind != TRUE or site.guarded or site.fed_fraction or not self._in_eval(ctx, site.func, site.order):
                continue
            if site.api == NN_DROPOUT:
                yield self.violation(site.call, _NN_MESSAGE.format(constant=site.constant))
                continue
            yield self._report(ctx, site)
        for func in model.functions:
            if func.name and context.words(func.name) & _ON_PURPOSE_WORDS:
                continue
            yield from self._calls_left_training(ctx, func)
            for fed in model.eval_runs_dropping(func, ctx.role, ctx.index, sites):
                keep = "1.0" if fed.keyword == "keep_prob" else "0.0"
                value = cst.Module([]).code_for_node(fed.value)
                yield self.violation(fed.value, _FED_MESSAGE.format(flag=fed.flag, keyword=fed.keyword, value=value),
                                     FixActions().on(fed.value, replace_with(keep)), f"Feed `{keep}`")

    def _calls_left_training(self, ctx: RuleContext, func) -> Iterator[Violation]:
        """Calls in evaluation code of project functions (a model's constructor, a `build(is_train=True)`) whose
        dropout takes its mode from a parameter this call leaves True, by its default or by a written True."""
        if func.name.startswith("test_") and not func.restores:
            # pytest's naming: it exercises a network builder (`test_multi_loss()` at random weights), evaluates no
            # model. Only for calls: dropout built in such a function of an evaluation script is still reported.
            return
        predicts = None
        for call in dropout_calls(ctx.model, func, ctx.index):
            if any(context.words(t.rsplit(".", 1)[-1]) & _ON_PURPOSE_WORDS for t in call.site.targets):
                continue  # `sampler(z)`: dropout as the generator's noise, by design
            if predicts is None:
                predicts = ctx.role != context.UNIT_TEST and ctx.model.restores_and_predicts(func, ctx.index)
            if not (predicts or self._in_eval(ctx, func, call.site.order)):
                continue
            for param, mode in sorted(call.modes.items()):
                if mode.kind == TRUE:
                    yield self._report_call(ctx, call.site.call, param, mode)

    def _report_call(self, ctx: RuleContext, call: cst.Call, param: str, mode) -> Violation:
        keyword = mode.keyword or param
        if mode.expr is not None:
            direct = any(a.value is mode.expr for a in call.args)
            fix = FixActions().on(mode.expr, replace_with("False")) if direct else None
            return self.violation(mode.expr, _MODE_MESSAGE.format(what=f"`{keyword}=True` reaches its dropout"), fix,
                                  "Pass `False`" if fix else "")
        if "." in keyword:
            # A config object carries the mode (`cfg.is_training`): its True is shared with training, no edit here.
            what = f"the `{keyword.split('.')[0]}` passed here carries `{keyword.split('.')[1]}=True` to its dropout"
            return self.violation(mode.owner if isinstance(mode.owner, cst.BaseExpression) else call,
                                  _MODE_MESSAGE.format(what=what))
        fix = None
        if mode.owner is call and ctx.model.accepts_keyword(call, keyword, ctx.index):
            fix = FixActions().on(call, add_keyword(keyword, "False"))
        return self.violation(call, _MODE_MESSAGE.format(what=f"`{keyword}` defaults to True here and reaches its dropout"),
                              fix, f"Pass `{keyword}=False`" if fix else "")

    @staticmethod
    def _in_eval(ctx: RuleContext, func, order: Optional[int]) -> bool:
        if func.name and context.words(func.name) & _ON_PURPOSE_WORDS:
            return False
        order = order if order is not None else -1
        trained = (ctx.model.module_name, func.qualname) in ctx.index.training_callees
        if not context.is_eval_context(ctx.role, func, order, trained):
            return False
        # Training code calls this function too: its dropout is the training graph's as well, so a
        # constant mode is the function's design, not an evaluation slip (unless it is named for evaluation).
        return not trained or context.eval_function(func, True) or context.in_estimator_eval_branch(func, order)

    def _report(self, ctx: RuleContext, site: DropoutSite) -> Violation:
        mode = site.mode
        keyword = mode.keyword
        if mode.expr is not None:
            # Only an argument written on the call (or its arg_scope) is edited: a name bound to True
            # elsewhere may be read by other code.
            owner_args = getattr(mode.owner, "args", ())
            direct = any(a.value is mode.expr for a in owner_args)
            fix = FixActions().on(mode.expr, replace_with("False")) if direct else None
            return self.violation(mode.expr, _MODE_MESSAGE.format(what=f"`{keyword}=True`"), fix,
                                  "Pass `False`" if fix else "")
        fix = None
        if mode.owner is site.call and ctx.model.accepts_keyword(site.call, keyword, ctx.index):
            fix = FixActions().on(site.call, add_keyword(keyword, "False"))
        return self.violation(site.call, _MODE_MESSAGE.format(what=f"`{keyword}` defaults to True here"), fix,
                              f"Pass `{keyword}=False`" if fix else "")
