"""Evaluation towers built beside the training one, in a mode that adds update ops.

    self.train_loss = self.compute_metrics(self.train_batch['image'], ...)
    self.val_loss = self.compute_metrics(self.val_batch['image'], ...)     # same layers, training=True
    self.train_op = optimizer.minimize(self.train_loss)

A file that builds its network a second time over evaluation data (`val_batch`, `x['EVAL']`, `'val'`) without
passing False puts that tower's update ops in UPDATE_OPS too, and they read the evaluation inputs. A train op
wrapped in the whole collection then runs them at every step: it pulls the validation iterator (uninitialised:
the step fails) or asks for an evaluation placeholder the training run does not feed. The finding stands; the
whole-collection fix does not (_train_op_fixes.py).
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import libcst as cst

from slimlint.model import context
from slimlint.model.import_table import dotted
from slimlint.model.walk import find_all

_EVAL_WORDS = {"val", "valid", "validation", "dev", "test", "testing", "eval", "evaluation"}


def _evaluation_data(model, call: cst.Call, outputs) -> bool:
    """Is the call handed data named for evaluation (`val_batch['image']`, `x_test`), or an evaluation key
    (`self.x['EVAL']`, a `'val'` argument)? Not what a network of the file made (`D(self.g_test)` over the
    generator's test-mode output, drawn from the training noise): `outputs`."""
    for arg in call.args:
        names = model.builder.value_names(arg.value) - outputs
        if any(context.words(n.rsplit(".", 1)[-1]) & _EVAL_WORDS for n in names):
            return True
        for string in find_all(arg.value, cst.SimpleString):
            value = string.evaluated_value
            if isinstance(value, str) and context.word_list(value) and set(context.word_list(value)) <= _EVAL_WORDS:
                return True
    return False


def training_mode_eval_towers(model, index) -> List[Tuple[cst.Call, object, int]]:
    """(call, its function, its order) for calls of the file that build batch norm with update ops
    (BNCall.adds_update_ops) over evaluation data, where another call of the same callee builds it over other
    data (the training tower)."""
    cache = model.__dict__.setdefault("_eval_towers_cache", {})
    if id(index) in cache:
        return cache[id(index)]
    out: List[Tuple[cst.Call, object, int]] = []
    functions = (model.module_func, *model.functions)
    outputs = {name for func in functions for site in func.calls for name in site.assigned_to}
    for func in functions:
        by_callee: Dict[str, list] = {}
        for call in model.bn_calls(func, index):
            name = dotted(call.site.call.func)
            if name:
                by_callee.setdefault(name, []).append(call)
        for calls in by_callee.values():
            evaluating = [c for c in calls if _evaluation_data(model, c.site.call, outputs)]
            if evaluating and len(evaluating) < len(calls):
                out += [(c.site.call, func, c.order) for c in evaluating if c.adds_update_ops]
    cache[id(index)] = out
    return out


def tower_before(model, index, op) -> bool:
    """Is such a tower built before the train op `op` (in its function, or anywhere else in the file, whose
    order slimlint cannot compare)? One built after it adds its update ops too late for the collection the
    fix reads at the train op (`with tf.control_dependencies(tf.get_collection(...))`)."""
    return any(func is not op.func or order < op.order for _, func, order in training_mode_eval_towers(model, index))
