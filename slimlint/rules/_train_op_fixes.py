"""The two fixes that wire batch norm's update ops into a hand-built train op, shared by SL101-SL105:
`with tf.control_dependencies(update_ops):` around the statement, and slim's `create_train_op`."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from slimlint.fixes import FixActions, add_keyword, parse_expr, wrap_in_with
from slimlint.rules.base import RuleContext


def control_dependencies_fix(ctx: RuleContext, op, deps: Optional[str] = None) -> Optional[FixActions]:
    """Wrap the statement that builds `op` in `with tf.control_dependencies(<deps>):`."""
    stmt = op.statement
    if stmt is None or len(stmt.body) != 1 or ctx.model.builds_bn_in_loop(op.func, ctx.index):
        return None
    fix = FixActions()
    tf = ctx.model.tf_prefix()
    if tf is None:
        tf = "tf"
        fix.add_import("tensorflow.compat.v1", asname="tf")
    if deps is None:
        deps = f"{tf}.get_collection({tf}.GraphKeys.UPDATE_OPS)"
    return fix.on(stmt, wrap_in_with(f"{tf}.control_dependencies({deps})"), late=True)


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
    if _mapped_args(op.call) is None or model.builds_bn_in_loop(op.func, ctx.index):
        return None  # update ops made in a loop body cannot be the train op's dependencies either
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


