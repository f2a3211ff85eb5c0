"""The two fixes that wire batch norm's update ops into a hand-built train op, shared by SL101-SL105:
`with tf.control_dependencies(update_ops):` around the statement, and slim's `create_train_op`."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from slimlint.fixes import FixActions, add_keyword, parse_expr, wrap_in_with
from slimlint.model import var_scopes
from slimlint.model.eval_towers import tower_before
from slimlint.rules.base import RuleContext


def control_dependencies_fix(ctx: RuleContext, op, deps: Optional[str] = None, whole: bool = True) -> Optional[FixActions]:
    """Wrap the statement that builds `op` in `with tf.control_dependencies(<deps>):` (`whole`: the code's own
    `deps` is the whole collection)."""
    stmt = op.statement
    if stmt is None or len(stmt.body) != 1 or ctx.model.builds_bn_in_loop(op.func, ctx.index):
        return None
    if (deps is None or whole) and tower_before(ctx.model, ctx.index, op):
        return None  # the collection holds an evaluation tower's updates: the step would need its inputs
    fix = FixActions()
    tf = ctx.model.tf_prefix()
    if tf is None:
        tf = "tf"
        fix.add_import("tensorflow.compat.v1", asname="tf")
    if deps is None:
        scoped = _own_network_scope(ctx, op)
        if scoped is False:
            return None
        scope = f', scope="{scoped}"' if scoped else ""  # as SL106's fix writes it
        deps = f"{tf}.get_collection({tf}.GraphKeys.UPDATE_OPS{scope})"
    return fix.on(stmt, wrap_in_with(f"{tf}.control_dependencies({deps})"), late=True)


def _own_network_scope(ctx: RuleContext, op):
    """Which update ops the op's fix may run. "" for all of them; when the module trains several networks, each
    op over its own var_list (a GAN's D and G steps), the scope its var_list names (`'gen'`): the whole
    collection would make the generator's step run the discriminator's updates on real images it is not fed
    (the step fails for a missing feed). False when the var_list picks by names that give no scope a fix can
    pass (`'g_' in v.name`); "" also when slimlint cannot read the var_list by name."""
    if op.var_list is None:
        return ""
    model = ctx.model
    # not parameter groups of one loss (`minimize(loss, var_list=conv_vars)` and `fc_vars` with two rates)
    others = [o for f in (model.module_func, *model.functions) for o in f.train_ops
              if o is not op and o.var_list is not None and not (o.loss_names and o.loss_names == op.loss_names)]
    if not others:
        return ""
    key, scope = var_scopes.var_list_scope(model, op)
    if key is None:
        return ""  # a var_list slimlint cannot read by name (extended, built elsewhere): as before, all of them
    if scope and not var_scopes.scope_builds_bn(model, op, ctx.index):
        return ""  # a head with no batch norm of its own: the step trains on batch norm outside its scope
    if scope and "name_scope(" in model.module_code():
        return False  # ops named under a name scope (`tower_0/generator/...`): the variable scope matches none
    return scope if scope else False


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
    if _own_network_scope(ctx, op) != "" or tower_before(model, ctx.index, op):
        return None  # one of several networks' ops (or towers'): create_train_op would run every one's updates
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


