"""SL208: dropout left on in evaluation, inference or export code."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from slimlint.fixes import FixActions, add_keyword, replace_with
from slimlint.model import context
from slimlint.model.dropout import (ALWAYS_DROP, NN_DROPOUT, DropoutSite, dropout_calls, dropout_sites, ignores_function_mode,
                                    named_on_purpose, option_fraction, targets_on_purpose)
from slimlint.model.dropped_fractions import dropped_fractions
from slimlint.model.evaluated_dropout import appended_to, class_evaluator, evaluated_after, samples_on_purpose
from slimlint.model.training_graph_dropout import NOISE_WORDS, dropout_runs_on_training_graph
from slimlint.model.kept_fractions import evaluated_fixed_fractions, fraction_calls, identity_of
from slimlint.model.facts import TRUE
from slimlint.model.model_fn_dropout import served_constant_dropout, served_fixed_fractions
from slimlint.model.unthreaded_modes import unthreaded_dropout_modes
from slimlint.rules.base import Case, Rule, RuleContext, Violation

_MODE_MESSAGE = "Dropout runs in training mode in evaluation code ({what}): it zeroes random activations on every run, so predictions are random"
_NN_MESSAGE = ("`{api}` keeps a constant fraction in evaluation code ({constant}): it zeroes random activations "
               "on every run, so predictions are random; keep 1.0 at evaluation (`tf.placeholder_with_default(1.0, [])`) "
               "or leave the dropout out of the evaluation graph")
_CLASS_GRAPH_MESSAGE = ("`{api}` keeps a constant fraction ({constant}) in the graph that `{method}()` of the same "
                        "class runs over evaluation data: it zeroes random activations on every run, so its predictions are "
                        "random; keep the fraction in a placeholder fed 1.0 at evaluation (`tf.placeholder_with_default(1.0, [])`)")
_EVALUATED_AFTER_MESSAGE = ("`{api}` keeps a constant fraction ({constant}) in the graph that the run at line {line} "
                            "evaluates: it zeroes random activations there too, so the evaluation numbers come from a "
                            "thinned, random network; keep the fraction in a placeholder fed 1.0 at evaluation "
                            "(`tf.placeholder_with_default(1.0, [])`)")
_IGNORES_MODE_MESSAGE = ("`{api}` keeps a constant fraction ({constant}) whatever `{mode}` says, while the other "
                         "dropouts of `{func}` follow it, and `{func}` is built for evaluation too ({how}): evaluation "
                         "still zeroes random activations here; switch this dropout by `{mode}` too")
_MODEL_FN_MESSAGE = ("`{api}` keeps a constant fraction ({constant}) in an Estimator model_fn, which builds the "
                    "graph for EVAL and PREDICT too: it zeroes random activations in evaluation, prediction and the "
                    "exported model, so predictions are random; drop only in training (`tf.layers.dropout(x, rate, "
                    "training=mode == tf.estimator.ModeKeys.TRAIN)`)")
_MODEL_FN_CALL_MESSAGE = ("Dropout drops in evaluation and serving: this Estimator model_fn builds dropout with no mode "
                          "and a constant fraction (`{constant}` in `{where}`) for EVAL and PREDICT too, so it zeroes "
                          "random activations there and predictions are random; give `{where}` the mode "
                          "(`mode == tf.estimator.ModeKeys.TRAIN`) for its dropout")
_FIXED_MESSAGE = ("Dropout drops in evaluation code: this builds dropout with no mode and a constant fraction "
                  "(`{constant}` in `{where}`), so it zeroes random activations on every run and predictions are random; "
                  "make the fraction a parameter (or a placeholder) and give it here the value that keeps everything "
                  "(1.0 for a kept fraction, 0.0 for a rate)")
_SLIM_DEFAULT_MESSAGE = ("Dropout drops in evaluation code: this builds a `slim.dropout` that nothing gives a mode "
                         "(`{constant}` in `{where}`, at slim's default is_training=True), so it zeroes random "
                         "activations on every run and predictions are random; give `{where}` a mode for its dropout "
                         "and pass False here")
_FRACTION_MESSAGE = ("Dropout drops in evaluation code: `{param}` {given} here and becomes its dropout's fraction "
                     "(it has no mode): it zeroes random activations on every run, so predictions are random; "
                     "pass {identity} for evaluation")
_TRAINING_GRAPH_MESSAGE = ("The training graph's dropout drops on every run ({what}: no placeholder can turn it off), "
                           "and line {line} evaluates {data} on that graph: the evaluation numbers come from a "
                           "thinned, random network; build the evaluation graph with dropout off, or make the "
                           "{switch} a placeholder fed {off} for evaluation")
_FED_MESSAGE = ("Dropout drops in evaluation code (its `{keyword}` placeholder `{flag}` is fed {value} in a run over "
                "evaluation data): it zeroes random activations on every run, so predictions are random")
_UNTHREADED_MESSAGE = ("Dropout stays on whatever `{flag}` says: `{callee}` drops while its `{param}` is True, its "
                       "default, and this call does not pass `{flag}` on; the project builds `{caller}` {built}, where "
                       "this dropout still zeroes random activations on every run")
_MODELESS_MESSAGE = ("Dropout stays on whatever `{flag}` says: `{callee}` takes no mode and keeps its dropout at "
                     "`{kept}` on every run, and this call cannot pass `{flag}` on; the project builds `{caller}` "
                     "{built}, where this dropout still zeroes random activations; give `{callee}` a mode for its "
                     "dropout and pass `{flag}`")
_DROPPED_FRACTION_MESSAGE = ("`{api}` keeps a constant fraction ({constant}) whatever `{param}` says: `{func}` takes "
                             "`{param}` and never reads it, and the project builds it with `{asked}`, asking for no "
                             "dropout (a test or evaluation build), where this dropout still zeroes random activations "
                             "on every run; use `{param}` here")
_UNREAD_FLAG_MESSAGE = ("`{flag}` is fed False ({fed_by}), but this dropout takes {mode}, fixed when the graph is "
                        "built: it still zeroes random activations in the runs that feed False, so their predictions "
                        "are random")
def _shown_constant(site) -> str:
    """The constant as the code gives it, in backticks, and the number it holds when the code names it."""
    shown = f"`{site.constant}`"
    return shown if site.constant_value is None else f"{shown}, which is `{site.constant_value}`"


def _shown_api(api: str) -> str:
    """`tf.nn.dropout` in full; a wrapper class by its name (`DropoutWrapper`)."""
    return api if api == NN_DROPOUT else api.rsplit(".", 1)[-1]


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

        Also dropout with no mode (`tf.nn.dropout`, an RNN cell's `DropoutWrapper`) whose kept fraction is a
        parameter: a call in evaluation code that gives that parameter a constant below 1, or leaves a default
        below 1 (`Recognizer(is_training=False)` over `__init__(self, keep_prob=0.8, ...)` that a method reads
        back as `self.keep_prob`; the parameter may be handed on through other project functions or read by a
        nested function). And a script named for evaluation (SL201's test for networks that always train) that
        builds another module's network whose such dropout keeps a constant below 1 whatever the call gives
        (`dense_block(x, ..., dropout_rate=0.8)` left at its default inside the model). A `DropoutWrapper` given
        a constant below 1 in evaluation code is reported like `tf.nn.dropout`.

        Also a class that keeps a boolean mode placeholder on the object (`self.is_training =
        tf.placeholder_with_default(bool(is_train), [])`), fed False by a run or through a feed helper
        (`get_feed_dict(batch, is_training=False)`, SL207's shape) and read nowhere else, while its dropout takes
        a Python parameter or a written True (`slim.dropout(net, 0.5, is_training=is_train)` in the graph that
        `build(is_train)` makes): the runs that feed False still drop. Reported at the dropout, no fix (the
        Python value may steer Python code too).

        Also a constant-fraction `tf.nn.dropout` in a function or script that later runs
        its graph over evaluation data (`test_corrects = sess.run(correct, {inputs: x_test})` after `dropout =
        tf.nn.dropout(pooled, KEEP_PROB)`, the constant a module setting even when a notebook-like script sets it
        again for its next model), when nothing in the function can switch dropout off. Silent in programs that
        train adversarially, in projects that sample with dropout on, and for input noise. No fix.

        Also a constant-fraction `tf.nn.dropout` (an input dropout, `rate=.2`) in a function whose other dropouts
        follow its mode parameter (`tf.layers.dropout(h, rate=.5, training=training)`), when the project builds
        that function with the mode False (written, or a run-time mode some run feeds False), or it is an
        Estimator model_fn whose other dropouts follow `mode`: the author switches dropout by the mode everywhere
        else, and evaluation still drops here. No fix (the mode is a tensor, and `tf.nn.dropout` takes none).
        Silent for input noise (`noisy = tf.nn.dropout(x, 0.7)`) and in projects that sample with dropout on
        (Monte-Carlo dropout: the same run repeated and stacked, or code named for it).

        Also dropout with no mode and a constant fraction in Estimator model_fn code outside its TRAIN branch
        (`tf.nn.dropout(net, keep_prob=0.8)` in `model_fn(features, labels, mode, params)`), and the model_fn's
        calls of a project function whose dropout keeps a fixed fraction (`create_model(...)` building a head
        that drops at `FLAGS.keep_prob`): the Estimator calls its model_fn for EVAL and PREDICT too, so
        `evaluate()`, `predict()` and the exported model drop. Only when the project evaluates, predicts or
        exports with an Estimator; silent in projects that sample with dropout on or train adversarially. No fix.

        Also a mode flag that stops on the way: a function hands its mode parameter to its batch norm (or
        other dropout) but calls a dropout helper of the project without it (`spatial_dropout(net, p=0.1)`
        inside `bottleneck(..., is_training)`), and the helper drops while its own mode parameter is at its
        default of True (`def spatial_dropout(x, p, is_training=True): if is_training: ... tf.nn.dropout(...)`).
        Reported at that call when the project builds the function in another mode: with the flag False, or
        in evaluation code through the networks that call it (a build SL201 judges, whose fix sets False: the
        dropout would stay on after it). The fix passes the flag on (`is_training=is_training`).

        Also a training function that builds its only network with dropout that always drops (a kept fraction
        given as a constant below 1, `inference(images, 0.5)`; a mode given True, `model = Net(is_train=True)`; a
        network whose fraction is fixed inside it) and evaluates that graph itself: a later run that trains
        nothing and feeds evaluation data (SL201's training-graph test: `{images: val_images}`), or a call of an
        evaluation helper of the file handed the model object (`inference(sess, model, val_gen)`, a function that
        runs a session and trains nothing). Reported at the constant (or the call), no fix: the training graph
        needs its dropout. Silent when the function also builds the network keeping everything or in another
        mode (its evaluation tower, also through a helper of its own or inside the model object), when the run
        fetches nothing made from the training build, when a `tf.reset_default_graph()` comes between, when a
        fraction is chosen at run time, for Monte-Carlo sampling and input noise (`corrupt(x)`), and in a project
        that trains adversarially.

        A `slim.dropout` that nothing gives a mode (no `is_training`, no arg_scope around it or around a call of
        its function) keeps slim's default True: it counts as a constant fraction for the shapes above (an
        evaluation script building such a network of another module, a training graph evaluated by its own
        run). And a dispatcher that hands its mode to some networks (`build_model(..., is_training)`:
        `PSPNet(x, n, is_training)`) but calls one that takes no mode and always drops (`FCN8(x, n)`), when the
        project builds the dispatcher with the mode False: reported at that call, no fix (the network needs a
        mode first).

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
        again only where the callee takes it; at a dropout helper's call that leaves its mode at the default
        inside a function with a flag of its own, that flag (`is_training=is_training`). Predictions
        become deterministic: the same input gives the same output. At a call that leaves a kept-fraction
        parameter at its default, the fix passes the value that keeps everything (`keep_prob=1.0`; `0.0` for a
        `rate`), only where the callee takes it; a constant written at the call becomes that value. No fix when
        the parameter reaches `tf.nn.dropout`'s second positional argument (TF1 reads it as keep_prob, TF2 as
        rate: the value that keeps everything differs), nor for a network whose fraction is fixed inside it. No
        fix for `tf.nn.dropout` with a constant: there is no mode to flip; feed 1.0 at evaluation or remove it from the evaluation graph.
        A constant may also come from a config: a command-line option's default written in the file
        (`FLAGS.keep_prob` over `DEFINE_float('keep_prob', 0.5, ...)`), a settings module's value
        (`settings.keep_prob` over `keep_prob = 0.7` in settings.py), or a config object's attribute the
        project gives one number only (`self.config.dropout` over a config class's `dropout = 0.4`, also
        through the constructor's copy `self.keep_prob = config.keep_prob` that no other method sets), or a
        dict entry read by its key the same way (`cfg["keep_prob"]` over `{"keep_prob": 0.7}`); not when
        the project writes that name another value or from a variable (`config.dropout = keep`,
        `cfg["keep_prob"] = 1.0`), sets attributes by computed names (`setattr(config, key, value)` from a
        file), overrides HParams at run time (`hparams.parse(FLAGS.hparams)`), or defines an option of
        that name elsewhere.
        Silent when the mode or `keep_prob` comes from a placeholder, a parameter or an attribute the
        constructor sets from one with no number for a default (the caller decides: `keep_prob=self.keep_prop`
        with the mode left at slim's True), a
        flag or anything else decided at run time (a feed of a constant below 1 to that placeholder in a run
        over evaluation data is reported at the feed); when a call makes a project function's dropout keep
        everything (`inference(images, 1.0, phase_train=True)`, or a head given 1.0 for its kept fraction);
        under a condition that names the mode (`if is_training:`); when a caller's arg_scope may set slim's
        default; for dropout in a function training code also calls (flipping it would stop dropout in
        training too); in unit tests, and for calls of project functions made in functions named like them
        (`test_multi_loss()`, restoring no checkpoint: dropout such a function builds itself in an evaluation
        script is still reported); and where dropout stays on at inference on purpose: Monte-Carlo dropout (a file or
        function named mc / monte carlo / uncertainty / bayesian, a comprehension of repeated runs, or a loop
        appending the same run each pass whose samples' spread the file computes) and sampling from a generative model (named
        sample / sampler / generate / generator), where dropout is the noise source by design (pix2pix
        applies it at test time). Only files slimlint reads are checked: those that name batch norm or a dropout
        (`tf.nn.dropout` included), or call project code that builds either (see the README's note on the text
        prefilter).
    """
    behaviour_change = "dropout is off at evaluation: the same input gives the same prediction on every run"
    valid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            def spatial_dropout(x, p, is_training=True):
                if is_training:
                    return tf.nn.dropout(x, 1.0 - p)
                return x

            def block(x, is_training=True):
                x = slim.batch_norm(slim.conv2d(x, 16, [3, 3]), is_training=is_training)
                return spatial_dropout(x, 0.1, is_training=is_training)

            features = block(images, is_training=False)
            """,
            path="model.py",
        ),
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
        Case(
            """
            import tensorflow as tf

            def inference(images, keep_prob=0.5, is_training=True):
                net = tf.layers.batch_normalization(images, training=is_training)
                if is_training:
                    net = tf.nn.dropout(net, keep_prob=keep_prob)
                return tf.layers.dense(net, 10)

            logits = inference(images, is_training=False)
            """,
            path="evaluate.py",
        ),
        Case(
            """
            import tensorflow as tf

            def inference(images, keep_prob=0.5):
                net = tf.layers.batch_normalization(images, training=False)
                return tf.layers.dense(tf.nn.dropout(net, keep_prob=keep_prob), 10)

            logits = inference(images, keep_prob=1.0)
            """,
            path="evaluate.py",
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            def spatial_dropout(x, p, is_training=True):
                if is_training:
                    return tf.nn.dropout(x, 1.0 - p)
                return x

            def block(x, is_training=True):
                x = slim.batch_norm(slim.conv2d(x, 16, [3, 3]), is_training=is_training)
                return spatial_dropout(x, 0.1)

            features = block(images, is_training=False)
            """,
            path="model.py",
            fixed="""
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            def spatial_dropout(x, p, is_training=True):
                if is_training:
                    return tf.nn.dropout(x, 1.0 - p)
                return x

            def block(x, is_training=True):
                x = slim.batch_norm(slim.conv2d(x, 16, [3, 3]), is_training=is_training)
                return spatial_dropout(x, 0.1, is_training=is_training)

            features = block(images, is_training=False)
            """,
        ),
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
                    return sess.run(logits)

            main()
            """,
            path="run_model.py",
            message=("`tf.nn.dropout` keeps a constant fraction in evaluation code (`KEEP_PROB`): it zeroes random "
                     "activations on every run, so predictions are random; keep 1.0 at evaluation "
                     "(`tf.placeholder_with_default(1.0, [])`) or leave the dropout out of the evaluation graph"),
        ),
        Case(
            """
            import tensorflow as tf

            def inference(images, keep_prob=0.5):
                net = tf.layers.batch_normalization(images, training=False)
                return tf.layers.dense(tf.nn.dropout(net, keep_prob=keep_prob), 10)

            logits = inference(images)
            """,
            path="predict.py",
            line=7,
            fixed="""
            import tensorflow as tf

            def inference(images, keep_prob=0.5):
                net = tf.layers.batch_normalization(images, training=False)
                return tf.layers.dense(tf.nn.dropout(net, keep_prob=keep_prob), 10)

            logits = inference(images, keep_prob=1.0)
            """,
        ),
        Case(
            """
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=False)
            cell = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.LSTMCell(64), output_keep_prob=0.5)
            outputs, _ = tf.nn.dynamic_rnn(cell, net, dtype=tf.float32)
            """,
            path="infer.py",
            line=4,
            message=("`DropoutWrapper` keeps a constant fraction in evaluation code (`output_keep_prob=0.5`): it zeroes "
                     "random activations on every run, so predictions are random; keep 1.0 at evaluation "
                     "(`tf.placeholder_with_default(1.0, [])`) or leave the dropout out of the evaluation graph"),
        ),
        Case(
            """
            import tensorflow as tf

            def vgg_head(features, is_training, keep_prob):
                net = tf.nn.relu(tf.layers.dense(features, 4096))
                net = tf.nn.dropout(net, keep_prob=0.5)
                return tf.layers.dense(net, 21)

            train_logits = vgg_head(train_features, is_training=True, keep_prob=0.8)
            test_logits = vgg_head(test_features, is_training=False, keep_prob=1)
            """,
            fixed="""
            import tensorflow as tf

            def vgg_head(features, is_training, keep_prob):
                net = tf.nn.relu(tf.layers.dense(features, 4096))
                net = tf.nn.dropout(net, keep_prob=keep_prob)
                return tf.layers.dense(net, 21)

            train_logits = vgg_head(train_features, is_training=True, keep_prob=0.8)
            test_logits = vgg_head(test_features, is_training=False, keep_prob=1)
            """,
            line=5,
        ),
        Case(
            """
            import tensorflow as tf

            def mlp(images, training=True):
                x = tf.nn.dropout(tf.layers.flatten(images), rate=0.2)
                x = tf.layers.batch_normalization(tf.layers.dense(x, 512), training=training)
                x = tf.layers.dropout(tf.nn.relu(x), rate=0.5, training=training)
                return tf.layers.dense(x, 10)

            test_logits = mlp(test_images, training=False)
            """,
            line=4,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        stem = ctx.relpath.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if named_on_purpose(stem):
            return
        sites = dropout_sites(model, ctx.index)
        unread = model.unread_flag_dropouts(ctx.index, sites) if not ctx.index.adversarial else []
        unread = [(flag, site) for flag, site in unread
                  if not named_on_purpose(site.func.name)]
        for flag, site in unread:
            # No fix: the Python value may steer Python code too (`if is_train:`), where a tensor cannot go.
            yield self.violation(site.call, _UNREAD_FLAG_MESSAGE.format(flag=flag.flag, fed_by=flag.fed_by, mode=flag.mode))
        reported = {id(site.call) for _, site in unread}
        if not ctx.index.adversarial:
            for dropped in dropped_fractions(model, sites, ctx.index):
                site = dropped.site
                if id(site.call) in reported or named_on_purpose(site.func.name):
                    continue
                reported.add(id(site.call))
                fix = FixActions().on(dropped.replace, replace_with(dropped.param)) if dropped.replace is not None else None
                yield self.violation(
                    site.call, _DROPPED_FRACTION_MESSAGE.format(
                        api=_shown_api(site.api), constant=_shown_constant(site), param=dropped.param, func=site.func.name,
                        asked=dropped.asked),
                    fix, f"Use `{dropped.param}`" if fix else "",
                    behaviour_change=f"the dropout keeps the fraction each build passes as `{dropped.param}`: none at "
                                     f"`{dropped.asked}`, and in training the caller's value instead of the constant")
        for site in sites:
            if id(site.call) in reported:
                continue
            # A placeholder's fraction (`keep_prob=self.keep_prob`): the feeds are judged at the runs below.
            if site.mode.kind != TRUE or site.guarded or site.fed_fraction:
                continue
            if not self._in_eval(ctx, site.func, site.order):
                evaluator = class_evaluator(model, site, ctx.role, ctx.index) if site.api in ALWAYS_DROP else None
                if evaluator is not None:
                    yield self.violation(site.call, _CLASS_GRAPH_MESSAGE.format(
                        api=_shown_api(site.api), constant=_shown_constant(site), method=evaluator))
                    continue
                # An RNN cell's DropoutWrapper counts when it drops what the cell reads (`input_keep_prob`,
                # `state_keep_prob`): its outputs' dropout may be discarded (`_, state = tf.nn.dynamic_rnn(cell, ...)`
                # then `state.h`)
                reads_dropped = site.api == NN_DROPOUT or site.mode.keyword in ("input_keep_prob", "state_keep_prob")
                run_line = evaluated_after(model, site, ctx.role, ctx.index) if reads_dropped else None
                if run_line is not None:
                    yield self.violation(site.call, _EVALUATED_AFTER_MESSAGE.format(
                        api=_shown_api(site.api), constant=_shown_constant(site), line=run_line))
                    continue
                ignored = None if ctx.index.adversarial or named_on_purpose(site.func.name) \
                    else ignores_function_mode(model, site, sites, ctx.index)
                if ignored is not None:
                    # No fix: the mode is a tensor here, and tf.nn.dropout takes none.
                    yield self.violation(site.call, _IGNORES_MODE_MESSAGE.format(
                        api=_shown_api(site.api), constant=_shown_constant(site), mode=ignored, func=site.func.name,
                        how="an Estimator model_fn serves EVAL and PREDICT" if ignored == "mode" and "mode" in site.func.params
                        else f"the project builds it with `{ignored}` False"))
                elif site.api in ALWAYS_DROP and served_constant_dropout(model, site, ctx.index):
                    yield self.violation(site.call, _MODEL_FN_MESSAGE.format(
                        api=_shown_api(site.api), constant=_shown_constant(site)))
                continue
            if site.api in ALWAYS_DROP:
                yield self.violation(site.call, _NN_MESSAGE.format(api=_shown_api(site.api), constant=_shown_constant(site)))
                continue
            yield self._report(ctx, site)
        for func in model.functions:
            if named_on_purpose(func.name):
                continue
            yield from self._calls_left_training(ctx, func)
            if not ctx.index.adversarial:
                yield from self._unthreaded(ctx, func)
            for found in dropout_runs_on_training_graph(model, func, ctx.index, lambda run: samples_on_purpose(model, func, run)):
                line = model.position(found.run).start.line
                switch, off = {"mode": ("mode", "False"), "rate": ("rate", "0.0"), "keep_prob": ("fraction", "1.0")}.get(
                    found.switch, ("fraction", "1.0 (0.0 if it is a rate)"))
                yield self.violation(found.build, _TRAINING_GRAPH_MESSAGE.format(
                    what=found.what, line=line, data=found.data, switch=switch, off=off))
            for site, (constant, where) in served_fixed_fractions(model, func, ctx.index):
                yield self.violation(site.call, _MODEL_FN_CALL_MESSAGE.format(constant=constant, where=where))
            for site, (constant, where), by_slim_default in evaluated_fixed_fractions(model, func, ctx.role, ctx.index):
                if not targets_on_purpose(site.targets):
                    message = _SLIM_DEFAULT_MESSAGE if by_slim_default else _FIXED_MESSAGE
                    yield self.violation(site.call, message.format(constant=constant, where=where))
            for fed in model.eval_runs_dropping(func, ctx.role, ctx.index, sites):
                if targets_on_purpose(fed.targets + appended_to(model, func, fed.targets)):
                    continue  # `mc_probs.append(sess.run(probs, {..., keep_prob: 0.5}))`: Monte-Carlo dropout
                keep = "0.0" if fed.keyword == "rate" else "1.0"
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
            if targets_on_purpose(call.site.targets):
                continue  # `sampler(z)`: dropout as the generator's noise, by design
            if predicts is None:
                predicts = ctx.role != context.UNIT_TEST and ctx.model.restores_and_predicts(func, ctx.index)
            if not (predicts or self._in_eval(ctx, func, call.site.order)):
                continue
            for param, mode in sorted(call.modes.items()):
                if mode.kind == TRUE:
                    yield self._report_call(ctx, call.site.call, param, mode)
        for given in fraction_calls(ctx.model, func, ctx.index):
            if given.value is None or not 0.0 < given.value < 1.0:
                continue
            if context.words(given.param) & NOISE_WORDS:
                continue  # `autoencoder(x, corruption_keep=0.7)`: dropout as input noise, by design
            if targets_on_purpose(given.site.targets):
                continue
            if predicts is None:
                predicts = ctx.role != context.UNIT_TEST and ctx.model.restores_and_predicts(func, ctx.index)
            if predicts or self._in_eval(ctx, func, given.site.order):
                yield self._report_fraction(ctx, given)

    def _unthreaded(self, ctx: RuleContext, func) -> Iterator[Violation]:
        """A call that leaves a dropout helper's mode at its True default inside a function that hands its own
        mode to its other layers, when the project builds that function in inference or evaluation mode."""
        for found in unthreaded_dropout_modes(ctx.model, func, ctx.index):
            call = found.site.call
            if targets_on_purpose(found.site.targets):
                continue
            built = (f"with `{found.flag}=False`" if found.built == "False"
                     else "in inference or evaluation code (through a network that calls it)")
            callee = found.site.targets[0].rsplit(".", 1)[-1] if found.site.targets else "the callee"
            if not found.param:
                # No fix: the callee needs a mode (or a kept-fraction parameter) of its own first.
                yield self.violation(call, _MODELESS_MESSAGE.format(flag=found.flag, callee=callee, kept=found.kept,
                                                                    caller=func.name, built=built))
                continue
            message = _UNTHREADED_MESSAGE.format(flag=found.flag, callee=callee, param=found.param,
                                                 caller=func.name, built=built)
            fix = None
            if ctx.model.accepts_keyword(call, found.param, ctx.index):
                fix = FixActions().on(call, add_keyword(found.param, found.flag))
            yield self.violation(call, message, fix, f"Pass `{found.param}={found.flag}`" if fix else "")

    def _report_fraction(self, ctx: RuleContext, given) -> Violation:
        """A call that gives a kept-fraction parameter (or leaves its default) below 1: the fix passes the value
        that keeps everything, when the dropout's reading of it is known (keep_prob 1.0, rate 0.0)."""
        identity = identity_of(given.how)
        shown = identity or "1.0 (0.0 if it is a rate)"
        call = given.site.call
        if given.expr is None:
            text = f"is left at its default {given.value:g}"
            fix = None
            if identity and ctx.model.accepts_keyword(call, given.param, ctx.index):
                fix = FixActions().on(call, add_keyword(given.param, identity))
            return self.violation(call, _FRACTION_MESSAGE.format(param=given.param, given=text, identity=f"`{given.param}={shown}`"),
                                  fix, f"Pass `{given.param}={identity}`" if fix else "")
        text = f"is given {cst.Module([]).code_for_node(given.expr)}"
        option = option_fraction(given.expr, ctx.model)
        if option is not None:
            text += f" (`{option[0]}` defaults to {option[1]:g})"
        direct = isinstance(given.expr, (cst.Float, cst.Integer)) and any(a.value is given.expr for a in call.args)
        fix = FixActions().on(given.expr, replace_with(identity)) if identity and direct else None
        return self.violation(given.expr, _FRACTION_MESSAGE.format(param=given.param, given=text, identity=shown),
                              fix, f"Pass `{identity}`" if fix else "")

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
        if named_on_purpose(func.name):
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

