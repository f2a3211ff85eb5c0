"""Shared query for SL101 / SL102 / SL104: hand-built train ops whose graph has batch norm updates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List, Optional

from slimlint.model import flow, var_scopes
from slimlint.model.facts import TRUE, FunctionInfo, TrainOp


@dataclass
class TrainOpFinding:
    op: TrainOp
    wiring: flow.Wiring


def has_training_bn(model, func: FunctionInfo, index, op: Optional[TrainOp] = None) -> bool:
    # With an op: only its own graph (a notebook's part before `tf.reset_default_graph()` is another graph).
    if model.op_graph_bn(op, index) if op is not None else model.training_bn(func, index):
        return True
    # Methods share their object's graph: a model built in build_model() is trained in train().
    if func.class_name is not None:
        for other in model.functions:
            if other.class_name == func.class_name and other is not func and model.training_bn(other, index) \
                    and not model.method_never_called(other, index):  # a layer method nothing calls builds nothing
                return True
    # A train-op helper (`def train(total_loss, global_step): return opt.minimize(...)`) that a caller,
    # in this file or another, invokes after building the model.
    if (model.module_name, func.qualname) in index.called_after_bn:
        return True
    return False


def _only_constant_training(model, op: TrainOp, index) -> bool:
    """Does the op's function build batch norm with update ops only at the library's training-mode default
    (no mode written, no parameter; a written True may have an inference twin reusing its variables), with
    no caller's `arg_scope([slim.batch_norm], is_training=...)` anywhere to switch it? In a module that gives
    its other batch norm a mode (a placeholder, batch norm updated in place), that layer is an oversight whose
    moving statistics no build reads: the update ops the op leaves out change no output. (A module whose
    batch norm all trains keeps its findings: another script may build the same layers with False, as in
    slim's canonical example.)"""
    if index.bn_mode_scoped:
        return False
    found = model.op_graph_bn(op, index)
    return bool(found) and all(b.mode.kind == TRUE and b.mode.expr is None if hasattr(b, "mode")
                               else b.summary.updates_only_by_default for b in found)


def train_ops_needing_updates(ctx) -> Iterator[TrainOpFinding]:
    """minimize / apply_gradients ops trained on a graph with batch-norm update ops, with their wiring."""
    model = ctx.model
    if not ctx.index.moving_statistics_read or model.module_name in ctx.index.unread_statistics_modules:
        return  # every batch norm of the project (or of this module's networks) always trains: its moving statistics are never used
    for op in model.hand_built_train_ops():
        if (model.module_name, op.func.qualname) in ctx.index.trained_under_update_deps:
            continue  # a helper called inside `with tf.control_dependencies(update_ops):`
        if op.free_variables_only:
            continue  # it tunes `tf.Variable`s of its own (an input, a probe), not the network
        if model.never_used(op):
            continue  # built and left alone (a test script copied from training): no run of it misses anything
        if model.method_never_called(op.func, ctx.index):
            continue  # a method nothing in the project names: the op is never built
        wiring = flow.wiring(model, op)
        if wiring.status in (flow.WIRED, flow.UNCLEAR):
            continue
        if model.output_wires_updates(op, ctx.index):
            continue  # the model's output (and the loss made from it) depends on the update ops
        if not has_training_bn(model, op.func, ctx.index, op):
            continue
        if model.module_name in ctx.index.moded_modules and _only_constant_training(model, op, ctx.index):
            continue  # its only update ops are batch norm's that never runs in another mode: nothing reads them
        if var_scopes.trains_only_unread_networks(model, op, ctx.index):
            continue  # its var_list holds networks that only ever train (a GAN's discriminator)
        yield TrainOpFinding(op, wiring)


def missing(ctx) -> List[TrainOpFinding]:
    return [f for f in train_ops_needing_updates(ctx) if f.wiring.status == flow.UNWIRED]
