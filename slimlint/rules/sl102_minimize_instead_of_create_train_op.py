"""SL102: a plain optimizer.minimize(...) in slim code, where create_train_op would wire the updates in."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from slimlint.fixes import FixActions, add_keyword, parse_expr
from slimlint.rules._train_ops import missing
from slimlint.rules.base import Case, Rule, RuleContext, Violation

# minimize(loss, global_step, var_list, gate_gradients, aggregation_method, colocate_gradients_with_ops, name, grad_loss)
_MINIMIZE_POSITIONAL = ("loss", "global_step", "var_list", "gate_gradients", "aggregation_method", "colocate_gradients_with_ops")
# minimize's keywords that create_train_op takes too (var_list under another name).
_CARRIED = {
    "loss": None,
    "global_step": "global_step",
    "var_list": "variables_to_train",
    "gate_gradients": "gate_gradients",
    "aggregation_method": "aggregation_method",
    "colocate_gradients_with_ops": "colocate_gradients_with_ops",
}
_NO_SPACE = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _mapped_args(call: cst.Call):
    """(loss arg, [(new keyword, arg)]) when every argument has a faithful create_train_op twin, else None."""
    loss = None
    rest = []
    for i, arg in enumerate(call.args):
        if arg.star:
            return None
        key = arg.keyword.value if arg.keyword is not None else (_MINIMIZE_POSITIONAL[i] if i < len(_MINIMIZE_POSITIONAL) else None)
        if key not in _CARRIED:
            return None  # name= / grad_loss= / tape=: create_train_op has no such argument
        if key == "loss":
            loss = arg
        else:
            rest.append((_CARRIED[key], arg))
    return (loss, rest) if loss is not None else None


def create_train_op_fix(ctx: RuleContext, op) -> Optional[FixActions]:
    """The create_train_op rewrite of `op`, or None when it cannot be made faithfully."""
    model = ctx.model
    if op.kind != "minimize" or not model.uses_slim or ctx.settings.train_op_fix != "create-train-op":
        return None
    if _mapped_args(op.call) is None:
        return None
    reference = model.slim_reference()
    if reference is None:
        return None
    slim, needs_import = reference

    def act(call: cst.Call) -> cst.Call:
        loss, rest = _mapped_args(call)
        receiver = call.func.value
        space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        last_comma = call.args[-1].comma
        args = [loss.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT, comma=space)]
        args.append(cst.Arg(value=receiver, comma=space if rest else last_comma))
        for i, (keyword, arg) in enumerate(rest):
            comma = arg.comma if i < len(rest) - 1 else last_comma
            args.append(arg.with_changes(keyword=cst.Name(keyword), equal=arg.equal if arg.keyword is not None else _NO_SPACE, comma=comma))
        new = call.with_changes(func=parse_expr(f"{slim}.learning.create_train_op"), args=args)
        if not any(k == "global_step" for k, _ in rest):
            new = add_keyword("global_step", "None")(new)
        return new

    fix = FixActions().on(op.call, act)
    if needs_import:
        fix.add_import(needs_import, asname="slim")
    return fix


class MinimizeInsteadOfCreateTrainOp(Rule):
    code = "SL102"
    name = "minimize-instead-of-create-train-op"
    summary = "A plain `optimizer.minimize(loss)` in slim code leaves batch norm's moving statistics un-updated."
    what_it_does = """
        Flags `optimizer.minimize(...)` in a module that uses TF-Slim when the graph it trains builds batch
        norm whose moving mean / variance update ops sit in `tf.GraphKeys.UPDATE_OPS`, and nothing makes the
        train op depend on them. slim's `slim.learning.create_train_op` reads UPDATE_OPS when it is called and
        makes the train op depend on them; `minimize` does not.
    """
    why_bad = """
        The update ops never run: moving_mean stays 0 and moving_variance stays 1 for the whole training run.
        Training looks fine (batch norm uses batch statistics while training), but evaluation with
        `is_training=False` normalises with 0 / 1 and the model collapses: measured on a small conv-BN net,
        one-image evaluation accuracy 0.33 (every image one class) instead of 1.00.
    """
    fix_safety = """
        The fix changes what training computes: the moving statistics get updated. It carries the
        arguments over faithfully (`global_step`, `var_list` becomes `variables_to_train`,
        `gate_gradients`, `aggregation_method`, `colocate_gradients_with_ops`; `global_step=None` when
        `minimize` was given none, so no global step is created or incremented behind your back). It is
        offered only when every argument has such a twin (not for `name=` or `grad_loss=`: then SL101's
        control-dependencies form is offered). Note that `create_train_op` returns the total loss (with the
        updates as dependencies) rather than an op, and checks the loss for NaN / Inf
        (`check_numerics=True`). Set `train-op-fix = "control-dependencies"` to get SL101's form instead.
    """
    behaviour_change = "batch norm's moving mean/variance are updated at every train step (they were frozen at 0/1)"
    valid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm)
            loss = tf.reduce_mean(net)
            train_op = slim.learning.create_train_op(loss, tf.train.AdamOptimizer(0.01))
            """
        ),
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.batch_norm(images, is_training=True, updates_collections=None)
            loss = tf.reduce_mean(net)
            train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """
        ),
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.fully_connected(images, 10)
            loss = tf.reduce_mean(net)
            train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm)
            loss = tf.reduce_mean(net)
            optimizer = tf.train.AdamOptimizer(0.01)
            train_op = optimizer.minimize(loss, var_list=slim.get_model_variables())
            """,
            fixed="""
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm)
            loss = tf.reduce_mean(net)
            optimizer = tf.train.AdamOptimizer(0.01)
            train_op = slim.learning.create_train_op(loss, optimizer, variables_to_train=slim.get_model_variables(), global_step=None)
            """,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for found in missing(ctx):
            fix = create_train_op_fix(ctx, found.op)
            if fix is None:
                continue
            yield self.violation(
                found.op.call,
                "`minimize` in slim code does not run batch norm's UPDATE_OPS: use `slim.learning.create_train_op`",
                fix,
                "Replace with `slim.learning.create_train_op(...)`",
            )
