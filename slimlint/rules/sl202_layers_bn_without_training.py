"""SL202: tf.layers batch norm without `training=` in training code (it then never trains)."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from slimlint.fixes import FixActions, add_keyword
from slimlint.model.dropout import constant_fraction, training_branch_calls
from slimlint.model.dropped_modes import wrappers_left_in_inference
from slimlint.model.import_table import dotted
from slimlint.model.walk import find_all
from slimlint.rules.base import Case, Rule, RuleContext, Violation

_LAYERS = {
    "tf.layers.batch_normalization": "`tf.layers.batch_normalization` without `training=` runs in inference mode while training: it never learns its statistics",
    "tf.layers.dropout": "`tf.layers.dropout` without `training=` drops nothing while training",
}
_WRAPPER_MESSAGE = ("`{callee}(...)` leaves `{param}` at its default False in code that trains: the batch norm it "
                   "builds runs in inference mode while training, normalising with moving statistics it never learns, "
                   "while other calls in the project give `{param}` a mode; pass this code's mode on")
_MODE_PARAMS = ("is_training", "training", "phase_train", "train_phase", "is_train", "train_mode", "mode_train")


class LayersBatchNormWithoutTraining(Rule):
    code = "SL202"
    name = "layers-batch-norm-without-training"
    summary = "`tf.layers.batch_normalization` / `dropout` without `training=` run in inference mode, also while training."
    what_it_does = """
        Flags `tf.layers.batch_normalization(...)` and `tf.layers.dropout(...)` (also `tf.compat.v1.layers`,
        and the layer class built and applied at once, `tf.layers.BatchNormalization()(x)`)
        called without `training=` in code that trains: a function that builds a train op (also through a
        canned head's `train_op_fn=lambda loss: optimizer.minimize(loss)`), a method that
        goes on to call the method building it, a function training code calls (directly or not), a helper
        nested in one of those, or a training script (training code calls every network module a script
        imports under one name by an option, `if args.arch == 'reg': import net_reg as net`, and the function a
        `tf.make_template` template wraps). Unlike slim's layers, their default
        is `training=False`. Silent for a layer built only under a test of a parameter (`if bn:`,
        `if norm == "bn":`, `if norm_fn is not None:`) that every call of its function in the project leaves
        false (`bn=False`, a local `use_bn = False`, the default): it is never built.
        Also a call in training code (in a function with no mode of its own) of a project batch-norm wrapper whose
        mode parameter defaults to False and is left out (`fc('enc', x, 256)` over `def fc(..., is_training=False,
        bn=True)`), when other calls in the project give that parameter a mode: the wrapper's batch norm runs in
        inference mode while training. No fix (True would also reach the evaluation builds).
        Also `tf.layers.dropout(x, 0.5, is_training)`: a mode flag given as the third positional argument,
        which is `noise_shape`, not `training`. And a layer in the body of `if is_training:` /
        `if mode == tf.estimator.ModeKeys.TRAIN:` / `if self.mode == "train":` (also one operand of an `and`,
        `if self.dropout and is_training:`), whatever code calls it. Silent
        in the `else:` of such a test (the evaluation path).
    """
    why_bad = """
        With `training=False` batch norm normalises with its moving statistics, which start at 0 / 1 and,
        in that mode, are never updated: the layer is a fixed affine map during the whole training run, and
        the network trains as if it had no batch norm, with the wrong input scale. Dropout with
        `training=False` drops nothing: the model trains without the regularisation its author chose.
    """
    fix_safety = """
        **Unsafe** (applied only with `--unsafe-fixes`): nothing in the code says that the new behaviour is what its author intended, so review the diff.

        A fix is offered only when the enclosing function makes a boolean placeholder named for the mode before
        the layer, which runs feed or which it returns to its caller to feed (`mode_placeholder =
        tf.placeholder(tf.bool)`: the graph's own switch, preferred to a mode parameter that no call in the
        project sets False), has a mode parameter (`is_training`, `training`, `phase_train`, ...), or assigned a
        boolean placeholder named for training to an attribute earlier on (`self.is_training =
        tf.placeholder(tf.bool)`): it passes that on. Otherwise the finding
        has no fix,
        since hard-coding `training=True` would break evaluation through the same code (except under
        `if is_training:` / `if mode == ModeKeys.TRAIN:`, which only training runs: there the fix passes
        `training=True`). A mode flag passed
        to dropout by position as `noise_shape` becomes `training=<flag>`. Remember to
        wire the update ops in (SL101) once batch norm trains.
    """
    behaviour_change = "the layer follows the training flag: batch norm learns its statistics and dropout drops while training"
    valid = (
        Case(
            """
            import tensorflow as tf


            class Net:
                def build_train(self, x):
                    net = tf.layers.dropout(tf.layers.dense(x, 4), rate=0.5, training=True)
                    self.train_op = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(net))

                def build_inference(self, x):
                    return tf.layers.dropout(tf.layers.dense(x, 4, reuse=True), rate=0.5)  # off, on purpose
            """
        ),
        Case(
            """
            import tensorflow as tf


            def build(x):
                drop = tf.layers.dropout
                return drop(x, rate=0.5, training=True)


            def train(x):
                drop = lambda t, rate: t  # another function's alias does not reach here
                net = drop(tf.layers.dense(x, 4), rate=0.5)
                return tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(net))
            """
        ),
        Case(
            """
            import tensorflow as tf

            def build(images, is_training):
                return tf.layers.batch_normalization(images, training=is_training)
            """
        ),
        Case(
            """
            import tensorflow as tf

            def build(images):
                return tf.layers.batch_normalization(images)
            """,
            path="export_model.py",
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf


            class Net:
                def __init__(self, boards):
                    Dropout = tf.layers.dropout
                    self.is_training = tf.placeholder(tf.bool)
                    h = tf.layers.batch_normalization(tf.layers.dense(boards, 64), training=self.is_training)
                    self.pi = tf.layers.dense(Dropout(h, rate=0.3), 8)
                    self.calculate_loss()

                def calculate_loss(self):
                    self.loss = tf.reduce_mean(self.pi)
                    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                        self.train_step = tf.train.AdamOptimizer(1e-3).minimize(self.loss)
            """,
            fixed="""
            import tensorflow as tf


            class Net:
                def __init__(self, boards):
                    Dropout = tf.layers.dropout
                    self.is_training = tf.placeholder(tf.bool)
                    h = tf.layers.batch_normalization(tf.layers.dense(boards, 64), training=self.is_training)
                    self.pi = tf.layers.dense(Dropout(h, rate=0.3, training=self.is_training), 8)
                    self.calculate_loss()

                def calculate_loss(self):
                    self.loss = tf.reduce_mean(self.pi)
                    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                        self.train_step = tf.train.AdamOptimizer(1e-3).minimize(self.loss)
            """,
        ),
        Case(
            """
            import tensorflow as tf

            def build(images, is_training):
                return tf.layers.batch_normalization(images)

            loss = tf.reduce_mean(build(images, True))
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """,
            fixed="""
            import tensorflow as tf

            def build(images, is_training):
                return tf.layers.batch_normalization(images, training=is_training)

            loss = tf.reduce_mean(build(images, True))
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """,
        ),
        Case(
            """
            import tensorflow as tf

            is_training = tf.placeholder(tf.bool)
            net = tf.layers.dense(images, 256, activation=tf.nn.relu)
            net = tf.layers.dropout(net, 0.5, is_training)
            loss = tf.losses.softmax_cross_entropy(labels, tf.layers.dense(net, 10))
            train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
            """,
            fixed="""
            import tensorflow as tf

            is_training = tf.placeholder(tf.bool)
            net = tf.layers.dense(images, 256, activation=tf.nn.relu)
            net = tf.layers.dropout(net, 0.5, training=is_training)
            loss = tf.losses.softmax_cross_entropy(labels, tf.layers.dense(net, 10))
            train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
            """,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        for site, callee, param in wrappers_left_in_inference(model, ctx.index, ctx.role):
            # No fix: True would also reach the evaluation builds of the same code.
            yield self.violation(site.call, _WRAPPER_MESSAGE.format(callee=callee, param=param))
        for func in model.functions:
            training_code = model.is_training_code(func, ctx.index, ctx.role)
            # Under `if is_training:` / `if mode == ModeKeys.TRAIN:` the layer is built for training whoever calls
            # it; in that test's `else:` it is built for evaluation, where inference mode is right.
            layers = [layer for layer in func.layers if layer.api in _LAYERS and "training" not in layer.kwargs]
            if not layers:
                continue
            branch, elsewhere = training_branch_calls(func.node) if func.node is not None else (set(), set())
            for layer in layers:
                if id(layer.call) in elsewhere:
                    continue
                if not training_code and id(layer.call) not in branch:
                    continue
                if model.guard_dead(func, layer.guards, ctx.index):
                    continue  # under `if bn:` where every call passes bn=False: never built
                if any(a.star for a in layer.call.args) or model.passed_by_position(layer.call, "training", ctx.index) is not None:
                    continue  # passed by position, or *args / **kwargs may carry it
                if _drops_nothing(layer, func, model):
                    continue  # `rate=DROPOUT_RATE` with `DROPOUT_RATE = 0`: no mode would change what it computes
                misplaced = _mode_in_noise_shape(layer)
                if misplaced is not None:
                    # `tf.layers.dropout(x, 0.5, is_training)`: the flag went to noise_shape; make it the keyword.
                    shown = cst.Module([]).code_for_node(misplaced.value)
                    yield self.violation(
                        layer.call,
                        f"`tf.layers.dropout` gets `{shown}` as its third argument, `noise_shape`, not as `training=`: "
                        f"it drops nothing while training",
                        FixActions().on(misplaced, _as_keyword("training")),
                        f"Pass `training={shown}`",
                    )
                    continue
                param = next((p for p in _MODE_PARAMS if p in func.params and not _string_mode(func, p)), None)
                placeholder = model.fed_mode_placeholder(func, layer.order)
                if placeholder and not (param and ctx.index.called_with_false_mode((model.module_name, func.qualname), param)):
                    param = placeholder  # the Python flag is True wherever the project builds this: the graph's switch
                param = param or model.mode_attribute(func, layer.order)
                if param is None and id(layer.call) in branch:
                    param = "True"  # only the training branch builds it
                if param and not model.accepts_keyword(layer.call, "training", ctx.index):
                    param = None
                fix = FixActions().on(layer.call, add_keyword("training", param)) if param else None
                yield self.violation(
                    layer.call,
                    _LAYERS[layer.api] if not isinstance(layer.call.func, cst.Call) else
                    _LAYERS[layer.api].replace("`tf.layers.batch_normalization`", "`tf.layers.BatchNormalization()(...)`", 1),
                    fix,
                    f"Pass `training={param}`" if param else "",
                )


def _string_mode(func, param: str) -> bool:
    """Is the mode parameter a string (`train_phase='train'`, `if train_phase == 'train':`)? `training=` takes a
    boolean: passing it on would fail when the graph is built."""
    if isinstance(func.defaults.get(param), (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return True
    if func.node is None:
        return False
    for comparison in find_all(func.node, cst.Comparison):
        # `== 'train'`, `in ('train', 'finetune')`
        sides = [comparison.left] + [c.comparator for c in comparison.comparisons]
        if any(isinstance(x, cst.Name) and x.value == param for x in sides) \
                and any(find_all(x, (cst.SimpleString, cst.ConcatenatedString)) for x in sides):
            return True
    # `train_phase.startswith('train')`, `.lower()`: a string's methods
    return any(isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name)
               and call.func.value.value == param and call.func.attr.value in _STR_METHODS
               for call in find_all(func.node, cst.Call))


_STR_METHODS = {"startswith", "endswith", "lower", "upper", "split", "strip", "format", "replace", "find"}


def _drops_nothing(layer, func, model) -> bool:
    """A `tf.layers.dropout` whose rate is a constant 0 (a literal, or a name bound once to one)."""
    if layer.api != "tf.layers.dropout":
        return False
    rate = layer.kwargs.get("rate")
    if rate is None:
        positional = [a.value for a in layer.call.args if a.keyword is None]
        rate = positional[1] if len(positional) > 1 else None
    if isinstance(rate, cst.Name) and any(
            f is not func and f.node is not None and rate.value in f.assignments
            and any(n.value == rate.value for g in find_all(f.node, cst.Global) for n in (item.name for item in g.names))
            for f in model.functions):
        return False  # `global DROPOUT_RATE; DROPOUT_RATE = args.rate` somewhere: not a constant
    # (an option's default is not read: a rate flag defaulting to 0.0 exists to be set, and still drops nothing here)
    return rate is not None and constant_fraction(rate, func, model, read_options=False) == 0.0


def _mode_in_noise_shape(layer) -> Optional[cst.Arg]:
    """The last positional argument of `tf.layers.dropout(inputs, rate, noise_shape)` when it is a mode flag
    (`is_training`, `self.is_train`): Keras-style code that meant `training`."""
    positional = [a for a in layer.call.args if a.keyword is None and not a.star]
    if layer.api != "tf.layers.dropout" or len(positional) != 3:
        return None
    value = positional[-1].value
    text = dotted(value) if isinstance(value, (cst.Name, cst.Attribute)) else None
    last = text.rsplit(".", 1)[-1] if text else ""
    return positional[-1] if last in _MODE_PARAMS or last in ("train", "phase", "mode") else None


def _as_keyword(keyword: str):
    """Turn a positional argument into `keyword=value`, keeping its comma."""
    def act(arg: cst.Arg) -> cst.Arg:
        return arg.with_changes(keyword=cst.Name(keyword), equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
    return act
