"""How (and whether) UPDATE_OPS reach a hand-built train op."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import libcst as cst

from slimlint.model.import_table import dotted
from slimlint.model.walk import children, find_all
from slimlint.model.facts import ControlBlock, FunctionInfo, TrainOp, UpdateOpsRead

WIRED = "wired"  # the train op depends on the update ops
UNWIRED = "unwired"  # nothing reads UPDATE_OPS for it
UNUSED_READ = "unused-read"  # UPDATE_OPS read into a name that never reaches anything
BLOCK_WITHOUT_TRAIN_OP = "block-without-train-op"  # control_dependencies(update_ops) that builds no train op
ON_LOSS = "on-loss"  # the update ops hang on the loss, not on the train op
UNCLEAR = "unclear"  # used in a way we cannot follow: assume wired (precision first)


@dataclass
class Wiring:
    status: str
    read: Optional[UpdateOpsRead] = None
    block: Optional[ControlBlock] = None
    gated_by: Optional[str] = None  # the option without which the wiring names hold nothing (gated_updates.py)


def _block_wires(block: ControlBlock, update_names: set, func: FunctionInfo) -> bool:
    if block.inline_read or block.arg_names & update_names:
        return True
    # Unknown names (parameters, self.x, globals) might hold update ops: assume they do.
    local = set(func.assignments)
    return not block.arg_names <= local


def _feeds_op(model, func, op: TrainOp, block) -> bool:
    """Does the train op consume ops the block created (`with control_dependencies(update_ops): grads =
    opt.compute_gradients(loss)`, then `opt.apply_gradients(grads)` after it)? Those ops carry the update ops as
    control inputs, so every step runs them. Only names the block binds to TF ops it creates there (not `grads_and_vars
    = list(zip(grads, tvars))` over gradients made before it: control_dependencies reaches only new ops), and lists
    it appends such a value to (`tower_grads.append(clipped)`); followed back from the op's arguments."""
    made = {name for name in block.assigned_inside
            if any(block.order <= at <= block.end_order and _creates_ops(model, value)
                   for value, at in func.assignments.get(name, ()))}
    for call in find_all(block.node.body, cst.Call):
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("append", "extend") and call.args \
                and dotted(call.func.value):
            appended = call.args[0].value
            if _creates_ops(model, appended) or {n.value for n in find_all(appended, cst.Name)} & made:
                made.add(dotted(call.func.value))
    if not made:
        return False
    read = {n.value for a in op.call.args for n in find_all(a.value, cst.Name)}
    return computed_from(func, read, op.order, lambda name, _: name in made)


def _creates_ops(model, expr: cst.CSTNode) -> bool:
    """May the expression make new ops: a call other than Python's own containers and iterators (`tf.clip_by_norm`,
    `opt.compute_gradients`, a project helper `clip_gradients(...)`), or arithmetic (`g * 0.5`)? `list(zip(grads,
    tvars))` over existing tensors makes none."""
    if find_all(expr, cst.BinaryOperation):
        return True
    return any(not (isinstance(call.func, cst.Name) and call.func.value in _PURE_PYTHON) for call in find_all(expr, cst.Call))


# Builtins that only rearrange what they are given: no op is created by calling them.
_PURE_PYTHON = frozenset({"zip", "list", "tuple", "dict", "set", "len", "enumerate", "range", "sorted", "reversed",
                          "map", "filter", "iter", "next", "isinstance", "print", "str", "int", "float", "bool"})


def wiring(model, op: TrainOp) -> Wiring:
    func = op.func
    update_names = model.update_names(func)
    gated = model.default_empty_update_names(func)
    if any(_block_wires(b, update_names - set(gated), func) for b in op.blocks):
        return Wiring(WIRED)
    if gated and any(_block_wires(b, update_names, func) for b in op.blocks):
        # `with tf.control_dependencies(update_ops):` where update_ops is None unless an option is given.
        return Wiring(UNWIRED, gated_by=next(iter(gated.values())))
    scopes = [func] if func.is_module else [func, model.module_func]
    derived = derived_names(func, set(op.targets))
    # `all_ops = [apply_op] + update_ops; tf.group(*all_ops)`: a list made from the update ops holds them.
    holding_updates = derived_names(func, update_names) if update_names else set()
    for scope in scopes:
        for g in scope.groupings:
            tied_to_op = op.call in g.contains or bool(g.arg_names & derived)
            # (a group of the op and its updates that nothing reads while the loop runs the bare op wires nothing)
            bare_run_instead = _dropped(g, func, model) and any(r & set(op.targets) for r in model.builder.runs)
            if tied_to_op and (g.inline_read or g.arg_names & holding_updates) and not bare_run_instead:
                return Wiring(WIRED)
    # `sess.run([training_op, extra_update_ops], ...)` (Hands-On ML's pattern): the run fetches both. A run of the
    # update ops alone (after each step) runs them too, in a way the train op's wiring cannot show: not reported.
    all_updates = update_names | model.update_names(model.module_func)
    fetching_updates = [r for r in model.builder.runs if r & all_updates]
    if any(r & derived for r in fetching_updates):
        return Wiring(WIRED)
    if fetching_updates or func.update_other_use:
        return Wiring(UNCLEAR)
    reads = list(func.reads) + ([] if func.is_module else [r for r in model.module_func.reads if r.target])
    if not reads:
        return Wiring(UNWIRED)
    for read in reads:
        if read.target is None:
            return Wiring(UNCLEAR)
    # Update ops hung on the loss: with_dependencies(update_ops, loss) or control_dependencies around tf.identity(loss).
    for g in func.groupings:
        if g.api == "tf.with_dependencies" and g.first_arg_names & update_names and set(g.targets) & op.loss_names:
            return Wiring(ON_LOSS, read=reads[0])
    for block in func.blocks:
        # `with tf.control_dependencies(update_ops): train_op = train_op_G` after the op: it creates nothing
        later_alias = block.order > op.order and bool(block.aliased & derived) and not any(
            # the aliased name was made inside an earlier update-ops block (`train_op = tf.group(train_step)` there)
            b.order < block.order and b.assigned_inside & block.aliased and (b.inline_read or b.arg_names & update_names)
            for b in func.blocks)
        if (block.order > op.order and not later_alias) or not (block.inline_read or block.arg_names & update_names):
            continue
        holds_train_op = any(block.order <= t.order <= block.end_order for t in func.train_ops)
        if not holds_train_op and block.assigned_inside & op.loss_names:
            return Wiring(ON_LOSS, read=reads[0], block=block)
        if not holds_train_op and _feeds_op(model, func, op, block):
            return Wiring(WIRED)
        if not holds_train_op:
            return Wiring(BLOCK_WITHOUT_TRAIN_OP, read=reads[0], block=block)
    for read in reads:
        uses = [u for name in filtered_from(func, read.target) for scope in (func, model.module_func)
                for u in scope.update_uses.get(name, [])]
        if read.target and not [u for u in uses if not _dropped(u[2], func, model)]:
            return Wiring(UNUSED_READ, read=read)
    return Wiring(UNCLEAR)


def filtered_from(func: FunctionInfo, name: Optional[str]) -> set:
    """`name` and the lists filtered from it (`update_ops_gen = [x for x in update_ops if 'gen' in x.name]`):
    a use of one network's update ops uses the collection read."""
    out = {name} if name else set()
    for target, values in func.assignments.items():
        if any(isinstance(v, (cst.ListComp, cst.GeneratorExp)) and isinstance(v.for_in.iter, cst.Name)
               and v.for_in.iter.value == name for v, _ in values):
            out.add(target)
    return out


def computed_from(func: FunctionInfo, names, before: int, reached: Callable[[str, cst.BaseExpression], bool]) -> bool:
    """Is one of `names`, as last bound before order `before`, computed from something `reached(name, value)`
    accepts? Followed back through the names (and dotted attributes) each binding reads, as bound before it
    (`h = tf.layers.dense(h, ...)` reads the older `h`); a name bound nowhere here (a parameter, a global) ends
    its path. `reached` is asked for every name on the way, with its binding (None when unbound)."""
    seen: set = set()
    todo = [(name, before) for name in names]
    while todo:
        name, limit = todo.pop()
        if (name, limit) in seen:
            continue
        seen.add((name, limit))
        bound = [(value, at) for value, at in func.assignments.get(name, ()) if at < limit]
        value, at = bound[-1] if bound else (None, limit)
        if reached(name, value):
            return True
        if value is not None:
            todo.extend((n.value, at) for n in find_all(value, cst.Name))
            todo.extend((d, at) for d in (dotted(a) for a in find_all(value, cst.Attribute)) if d)
    return False


def derived_names(func: FunctionInfo, names: set) -> set:
    """`names` and the names assigned from them (`train_op = tf.case([(p, lambda: train_rpn_op)], ...)`)."""
    found = set(names)
    changed = True
    while changed:
        changed = False
        for target, values in func.assignments.items():
            if target not in found and any(_mentions(value, found) for value, _ in values):
                found.add(target)
                changed = True
    return found


def _mentions(node: cst.CSTNode, names: set) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name) and current.value in names:
            return True
        stack.extend(children(current))
    return False


def _dropped(grouping, func: FunctionInfo, model) -> bool:
    """A tf.group of the update ops whose result nothing reads: grouping them did nothing."""
    if grouping is None:
        return False
    if grouping.bare:
        return True
    if any("." in t for t in grouping.targets):
        return False  # kept on an object (`self.train_op = tf.group(...)`): another method may run it
    loads = {**model.module_func.loads, **func.loads}
    return bool(grouping.targets) and all(loads.get(t, 0) == 0 for t in grouping.targets)


def runs_fetch_loss(model, op: TrainOp) -> Optional[bool]:
    """Do all the session runs of this train op in view also fetch its loss? None when no run is in view."""
    runs = [r for r in model.builder.runs if r & set(op.targets)]
    if not runs:
        return None
    return all(r & op.loss_names for r in runs)
