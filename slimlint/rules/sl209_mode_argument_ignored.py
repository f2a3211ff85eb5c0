"""SL209: `is_training=False` handed to a batch-norm wrapper that never reads it."""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

import libcst as cst
import libcst.matchers as m

from slimlint.fixes import FixActions, add_dict_item, add_keyword, replace_with
from slimlint.model.dropped_modes import modes_left_at_default
from slimlint.model.moments_only import dropped_mode_moments
from slimlint.model.presence_modes import presence_tested_modes
from slimlint.model.tensor_tests import tensor_bool_tests
from slimlint.rules.base import Case, Rule, RuleContext, Violation


class ModeArgumentIgnored(Rule):
    code = "SL209"
    name = "mode-argument-ignored"
    summary = "A mode parameter (`is_training`, `train`, `phase`, ...) is dropped: a batch-norm wrapper or arg-scope factory never reads it, so `is_training=False` given to it does nothing and its batch norm always trains."
    what_it_does = """
        Flags a call that passes False for a mode parameter (`is_training`, `training`, `is_train`, `train`,
        `phase_train`, `train_phase`, `phase`) of a project function whose body never mentions that
        parameter while the batch norm it builds always runs in training mode (`training=True` written in,
        directly or through the functions it calls). The wrapper takes the mode and drops it: the caller
        asks for inference and gets training mode. Also a call handing on a flag of its own that the project
        sets False elsewhere (`conv_bn(x, 32, is_training)` in a model that an export script builds with
        `is_training=False`, through configs, constructors and functions that hand the flag on).
        Also the arg-scope factory that drops its own mode: `def net_arg_scope(is_training, ...)` whose
        `slim.arg_scope([...], normalizer_fn=slim.batch_norm)` gives batch norm no `normalizer_params` with
        that parameter (and the body never mentions it): every network built under the scope trains its batch
        norm, in evaluation too (reported at the `normalizer_fn`).
        Also a mode flag a function works out from a string parameter and never hands on, at most testing it
        (`training = True if mode == "train" else False`, `if training:` around the train op, then `encoder(x)`
        over batch norm at its default of True), when the project
        calls it with a string the test reads as evaluation (`Graph("test")`): reported at the flag, no fix.
        Also a call that leaves a batch-norm wrapper's mode parameter at its default (`conv_1x1_bn(x, 64,
        name="pw")`, `def conv_1x1_bn(..., is_training=True)`) inside a function that takes a mode of its own
        and passes it by keyword to its other layers (`training=is_training`): that layer's batch norm runs at
        the wrapper's default whatever the function is given (always training for True, never training for
        False: it then normalises with moving statistics that never move). Silent when an arg_scope may set the
        parameter (one around the call, or any for an `@slim.add_arg_scope` wrapper), when the call builds no
        batch norm (`use_bn=False`), under a test of the function's mode (`if is_training:` around an
        auxiliary head), when the function gives the wrapper a value of its own at another call (a frozen
        stage), when the project builds the function only in the default's mode (a GAN's discriminator, built
        for training alone), for a default of False when the wrapper builds no batch norm of its own (a
        pretrained trunk frozen on purpose), and where SL201 speaks (the project builds the function with its
        flag False).
        (A `True` written for batch norm's mode in a function whose own mode parameter goes unread, reached by
        no call handing it False, is SL201's: batch norm that ignores its model's mode flag.)
        Also a call, in such a function, of a project helper that takes no mode at all and builds batch norm at a
        training default (`resblock(x, 128)` over `batch_norm(x)` whose `is_training=True`), when the project
        builds the function in another mode: reported at the call, no fix (the helper needs a mode parameter).
        Also hand-written batch norm with no inference path (`tf.nn.moments` over the batch axis, then
        `tf.nn.batch_normalization` with those moments; no moving statistics kept) in a function that takes a
        mode parameter and never reads it (CS231n's `complex_model(X, y, is_training)`), when the project gives
        that parameter False or a boolean placeholder: reported at the normalization, no fix.
        Also hand-written batch norm whose branch is picked by a presence test of its mode parameter (`if
        is_training is not None:` over `tf.nn.moments` and the moving-statistics update, the moving statistics
        in the `else`), when a call in the same file passes that parameter a mode (False, a flag, a boolean
        placeholder): every value but None takes the batch-statistics branch. Silent when the calls pass
        None, True, or a flag of the caller's own whose default is None (the None-means-inference design).
        Reported at the test, no fix (a tensor's value needs `tf.cond`; a Python flag, `if is_training:`).
        Also a Python test that compares a boolean placeholder with a bool (`if training == False:` to turn the
        dropout off, `training` being the `tf.placeholder_with_default(False, ...)` a call in the file passes,
        or `self.is_training` bound to one): in a TF1 graph a Tensor is never `==` a bool, so the branch is
        fixed when the graph is built and feeding the mode changes nothing. Silent when the compared value is a
        Python bool (one graph per mode), for `is True` / `is False` (the build-time shortcut for a bool that
        falls through to `tf.cond`), and when the function also reads the value outside its tests (it handles
        the tensor in the graph). Reported at the test, no fix.
    """
    why_bad = """
        The caller evidently wants batch norm in inference mode (evaluation, export, a frozen backbone), but
        the wrapper normalises with each batch's own statistics whatever it is told: predictions depend on
        the rest of the batch (one image alone is normalised against itself), and where the update ops run
        the moving statistics drift toward the evaluation data.
    """
    fix_safety = """
        For an arg-scope factory, an **unsafe** fix (applied only with `--unsafe-fixes`): it passes the
        parameter on, `normalizer_params={'is_training': is_training}` (or adds the key to the scope's
        `normalizer_params` dict literal; no fix when that is a name). Behaviour change: evaluation then
        normalises with the moving statistics, so the train op must run UPDATE_OPS (see SL101), and the
        checkpoint's statistics are only right after training again with them wired in.
        For a call that leaves the wrapper's mode at its default, an **unsafe** fix: it passes the function's
        own mode on (`is_training=is_training`); the wrapper takes that parameter, so the call still builds.
        None when the wrapper tests the parameter in Python (`if is_training:` fails on a tensor) or a
        subclass overrides the called method without it.
        Behaviour change: that layer then follows the mode like the others (moving statistics at evaluation,
        batch statistics and updates in training).
        For a call passing False, no fix: the mistake is in the wrapper, usually in another file, and every caller that passes True
        or relies on the default is affected by changing it. Pass the parameter on to batch norm in the
        wrapper (`training=is_training`) and check the wrapper's other callers.
        Silent when the wrapper reads the parameter anywhere (even only to pass it elsewhere, or under a
        condition), when its batch norm's mode is not always training, when the argument is not known to be
        False (a placeholder, a flag, a parameter), and when the callee is not a project function.
    """
    behaviour_change = ("batch norm under the arg scope follows the mode it is given: evaluation normalises with the "
                        "moving statistics, which are right only if training ran UPDATE_OPS")
    valid = (
        Case(
            """
            import tensorflow as tf

            def bn_wrapper(inputs, is_training, decay=0.999):
                pop_mean = tf.Variable(tf.zeros([inputs.get_shape()[-1]]), trainable=False)
                pop_var = tf.Variable(tf.ones([inputs.get_shape()[-1]]), trainable=False)
                if is_training:
                    mean, var = tf.nn.moments(inputs, [0])
                    update = tf.assign(pop_mean, pop_mean * decay + mean * (1 - decay))
                    with tf.control_dependencies([update, tf.assign(pop_var, pop_var * decay + var * (1 - decay))]):
                        return tf.nn.batch_normalization(inputs, mean, var, None, None, 1e-3)
                else:
                    return tf.nn.batch_normalization(inputs, pop_mean, pop_var, None, None, 1e-3)

            def classifier(x, is_training):
                return bn_wrapper(tf.layers.dense(x, 64), is_training)
            """
        ),
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
        Case(
            """
            import tensorflow as tf
            slim = tf.contrib.slim

            @slim.add_arg_scope
            def conv_bn(inputs, filters, is_training=True):
                return slim.batch_norm(slim.conv2d(inputs, filters, [1, 1]), is_training=is_training)

            def block(inputs, filters, is_training):
                with slim.arg_scope([conv_bn], is_training=is_training):
                    net = conv_bn(inputs, filters * 4)
                    return slim.batch_norm(slim.conv2d(net, filters, [3, 3]), is_training=is_training)
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf

            def bn_wrapper(inputs, is_training, decay=0.999):
                pop_mean = tf.Variable(tf.zeros([inputs.get_shape()[-1]]), trainable=False)
                pop_var = tf.Variable(tf.ones([inputs.get_shape()[-1]]), trainable=False)
                if is_training is not None:
                    mean, var = tf.nn.moments(inputs, [0])
                    update = tf.assign(pop_mean, pop_mean * decay + mean * (1 - decay))
                    with tf.control_dependencies([update, tf.assign(pop_var, pop_var * decay + var * (1 - decay))]):
                        return tf.nn.batch_normalization(inputs, mean, var, None, None, 1e-3)
                else:
                    return tf.nn.batch_normalization(inputs, pop_mean, pop_var, None, None, 1e-3)

            def classifier(x, is_training):
                return bn_wrapper(tf.layers.dense(x, 64), is_training)
            """,
            line=6,
            column=8,
        ),
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
        Case(
            """
            import tensorflow as tf
            slim = tf.contrib.slim

            def net_arg_scope(is_training, weight_decay=0.0005):
                with slim.arg_scope([slim.conv2d, slim.fully_connected],
                                    weights_regularizer=slim.l2_regularizer(weight_decay),
                                    normalizer_fn=slim.batch_norm,
                                    activation_fn=tf.nn.relu):
                    with slim.arg_scope([slim.conv2d], padding="SAME") as sc:
                        return sc
            """,
            line=7,
            column=39,
            fixed="""
            import tensorflow as tf
            slim = tf.contrib.slim

            def net_arg_scope(is_training, weight_decay=0.0005):
                with slim.arg_scope([slim.conv2d, slim.fully_connected],
                                    weights_regularizer=slim.l2_regularizer(weight_decay),
                                    normalizer_fn=slim.batch_norm,
                                    normalizer_params={"is_training": is_training},
                                    activation_fn=tf.nn.relu):
                    with slim.arg_scope([slim.conv2d], padding="SAME") as sc:
                        return sc
            """,
        ),
        Case(
            """
            import tensorflow as tf

            def conv_bn(inputs, filters, is_training=True):
                net = tf.layers.conv2d(inputs, filters, 1, use_bias=False)
                return tf.layers.batch_normalization(net, training=is_training)

            def block(inputs, filters, is_training):
                net = conv_bn(inputs, filters * 4)
                net = tf.layers.batch_normalization(tf.layers.conv2d(net, filters * 4, 3), training=is_training)
                return net

            training = tf.placeholder(tf.bool, name="training")
            features = block(images, 16, training)
            """,
            fixed="""
            import tensorflow as tf

            def conv_bn(inputs, filters, is_training=True):
                net = tf.layers.conv2d(inputs, filters, 1, use_bias=False)
                return tf.layers.batch_normalization(net, training=is_training)

            def block(inputs, filters, is_training):
                net = conv_bn(inputs, filters * 4, is_training=is_training)
                net = tf.layers.batch_normalization(tf.layers.conv2d(net, filters * 4, 3), training=is_training)
                return net

            training = tf.placeholder(tf.bool, name="training")
            features = block(images, 16, training)
            """,
            line=8,
            column=11,
        ),
        Case(
            """
            import tensorflow as tf

            def conv_bn(x, filters, kernel, stride=1, is_training=True):
                x = tf.layers.conv2d(x, filters, kernel, stride, padding="same", use_bias=False)
                return tf.nn.relu(tf.layers.batch_normalization(x, training=is_training))

            def stage(x, filters, is_training):
                x = conv_bn(x, filters, 3, 2, is_training)
                x = conv_bn(x, filters, 3)
                return conv_bn(x, filters, 3, 1, is_training)

            training = tf.placeholder(tf.bool, name="training")
            features = stage(images, 32, training)
            """,
            fixed="""
            import tensorflow as tf

            def conv_bn(x, filters, kernel, stride=1, is_training=True):
                x = tf.layers.conv2d(x, filters, kernel, stride, padding="same", use_bias=False)
                return tf.nn.relu(tf.layers.batch_normalization(x, training=is_training))

            def stage(x, filters, is_training):
                x = conv_bn(x, filters, 3, 2, is_training)
                x = conv_bn(x, filters, 3, is_training=is_training)
                return conv_bn(x, filters, 3, 1, is_training)

            training = tf.placeholder(tf.bool, name="training")
            features = stage(images, 32, training)
            """,
            line=9,
            column=9,
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            def mobilenet(inputs, num_classes, is_training=True):
                with slim.arg_scope([slim.batch_norm], is_training=is_training):
                    net = slim.conv2d(inputs, 32, [3, 3], normalizer_fn=slim.batch_norm)
                    return slim.fully_connected(slim.flatten(net), num_classes, activation_fn=None)

            def create_mobilenet_model(fingerprint, settings, is_training):
                return mobilenet(fingerprint, settings['label_count'])

            logits = create_mobilenet_model(fingerprint, settings, is_training=False)
            """,
            path="models.py",
            fixed="""
            import tensorflow.contrib.slim as slim

            def mobilenet(inputs, num_classes, is_training=True):
                with slim.arg_scope([slim.batch_norm], is_training=is_training):
                    net = slim.conv2d(inputs, 32, [3, 3], normalizer_fn=slim.batch_norm)
                    return slim.fully_connected(slim.flatten(net), num_classes, activation_fn=None)

            def create_mobilenet_model(fingerprint, settings, is_training):
                return mobilenet(fingerprint, settings['label_count'], is_training=is_training)

            logits = create_mobilenet_model(fingerprint, settings, is_training=False)
            """,
            line=9,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        for func in model.functions:
            for norm, param in dropped_mode_moments(model, func, ctx.index):
                # No fix: an inference path needs moving statistics the function does not keep.
                yield self.violation(
                    norm,
                    f"This batch norm always normalises with the batch's own statistics (`tf.nn.moments` over the "
                    f"batch, no moving averages kept): `{func.name}` takes `{param}` and never reads it, while the "
                    f"project builds it with `{param}` False; keep moving statistics and pick them by `{param}` "
                    f"(or use `tf.layers.batch_normalization(..., training={param})`)",
                )
            for site, callee, param, expr in model.ignored_mode_args(func, ctx.index):
                # A literal False, or a flag of ours that the project sets False (then named as the code reads it).
                given = f"`{param}=False`" if isinstance(expr, cst.Name) and expr.value == "False" else (
                    f"`{param}={cst.Module([]).code_for_node(expr)}` (False where the project builds or runs this for inference)")
                yield self.violation(
                    expr,
                    f"{given} does not reach batch norm: `{callee}` drops its `{param}` parameter (it sets no "
                    f"batch norm's mode), and that batch norm always runs in training mode; pass `{param}` on to it",
                )
            for dropped in modes_left_at_default(model, func, ctx.index):
                if not dropped.param:
                    yield self.violation(
                        dropped.site.call,
                        f"`{dropped.callee}(...)` takes no mode, and the batch norm it builds runs at its training "
                        f"default: it always trains, whatever mode `{func.qualname}` is given, while line "
                        f"{dropped.handed_at} hands `{dropped.own}` to another layer; give `{dropped.callee}` a mode "
                        f"parameter for its batch norm and pass `{dropped.own}` (no fix: {dropped.no_fix})")
                    continue
                where = "always trains" if dropped.default == "True" else "never trains (it normalises with moving statistics that never move)"
                fix = FixActions().on(dropped.site.call, add_keyword(dropped.param, dropped.own)) if not dropped.no_fix else None
                yield self.violation(
                    dropped.site.call,
                    f"`{dropped.callee}(...)` leaves `{dropped.param}` at its default {dropped.default}: the batch "
                    f"norm it builds {where}, whatever mode `{func.qualname}` is given"
                    + (f", while line {dropped.handed_at} hands `{dropped.own}` to another layer" if dropped.handed_at
                       else f": it takes `{dropped.own}`, reads it nowhere, and the project builds it with "
                            f"`{dropped.own}` False")
                    + f"; pass `{dropped.param}={dropped.own}`"
                    + (f" (no fix: {dropped.no_fix})" if dropped.no_fix else ""),
                    fix, f"Pass `{dropped.param}={dropped.own}`" if fix else "",
                    behaviour_change="that layer's batch norm follows the mode like the others: moving statistics at "
                                     "evaluation, batch statistics and moving-average updates in training",
                )
            derived = model.derived_mode_unread(func, ctx.index)
            if derived is not None:
                owner = func.qualname[:-len(".__init__")] if func.qualname.endswith(".__init__") else func.qualname
                yield self.violation(
                    derived.value,
                    f"`{derived.local}` is worked out from `{derived.param}` and never passed on: the project builds "
                    f"`{owner}` with a `{derived.param}` this reads as evaluation, yet its batch norm always runs in "
                    f"training mode; pass `{derived.local}` on to the layers that build it",
                )
            for found in tensor_bool_tests(model, func, ctx.index):
                test = cst.Module([]).code_for_node(found.test)
                yield self.violation(
                    found.test,
                    f"`{test}` compares a tensor with a Python bool: `{found.tested}` holds a boolean placeholder "
                    f"(`{found.placeholder}(...)`), and in a TF1 graph that test is {found.holds} whatever is fed, "
                    "decided once when the graph is built; the mode switch it was meant to make never happens "
                    "(feeding False changes nothing here). Choose in the graph (`tf.cond`, or pass the tensor on "
                    "as the layers' `training=` / `keep_prob`)",
                )
            for found in presence_tested_modes(model, func, ctx.index):
                line = model.position(found.call.call).start.line
                test = cst.Module([]).code_for_node(found.test)
                yield self.violation(
                    found.test,
                    f"`{test}` {'fails' if found.negated else 'holds'} for False and for a boolean tensor too: the "
                    f"call at line {line} passes "
                    f"`{found.param}` a mode, yet this batch norm takes its batch-statistics branch (and moves its "
                    f"moving statistics) whatever that mode is, and only None reaches the moving statistics; test "
                    f"the mode itself (`tf.cond({found.param}, ...)` for a tensor)",
                )
            for frame, param in model.scopes_dropping_mode(func, ctx.index):
                fix, shown = _pass_mode_on(frame, param, func.node)
                yield self.violation(
                    frame.kwargs["normalizer_fn"],
                    f"`{func.qualname}` takes `{param}` and never reads it: the batch norm this arg scope adds "
                    f"always runs in training mode, in evaluation too; pass it on ({shown})",
                    fix, f"Pass {shown}" if fix is not None else "",
                )


def _pass_mode_on(frame, param: str, func_node: cst.CSTNode) -> Tuple[Optional[FixActions], str]:
    """The edit that hands the factory's mode parameter to its batch norm, and how the message shows it."""
    params = frame.kwargs.get("normalizer_params")
    shown = f"`normalizer_params={{'is_training': {param}}}`"
    if params is None:
        strings = m.findall(func_node, m.SimpleString())
        quote = next((q.quote for q in strings if q.quote in ("'", '"')), '"')  # the function's own style
        value = f"{{{quote}is_training{quote}: {param}}}"
        return FixActions().on(frame.call, add_keyword("normalizer_params", value, after="normalizer_fn")), shown
    if not isinstance(params, cst.Dict):
        return None, f"`'is_training': {param}` in `normalizer_params`"
    for element in params.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString) \
                and element.key.evaluated_value == "is_training":
            if isinstance(element.value, cst.Name) and element.value.value == "True":
                return FixActions().on(element.value, replace_with(param)), f"`'is_training': {param}`"
            return None, f"`'is_training': {param}`"
    return FixActions().on(params, add_dict_item("is_training", param)), f"`'is_training': {param}` in `normalizer_params`"
