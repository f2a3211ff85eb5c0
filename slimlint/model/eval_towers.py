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
    order slimlint cannot compare), over inputs the training runs do not feed? One built after it adds its
    update ops too late for the collection the fix reads at the train op (`with
    tf.control_dependencies(tf.get_collection(...))`); one whose inputs every training run feeds anyway
    (`sess.run([train_op, loss, val_loss], {images: ..., val_images: ...})`) still builds and runs."""
    fed = _fed_by_training_runs(model)
    for call, func, order in training_mode_eval_towers(model, index):
        if func is op.func and order > op.order:
            continue
        inputs = {n for arg in call.args for n in model.builder.value_names(arg.value)
                  if context.words(n.rsplit(".", 1)[-1]) & _EVAL_WORDS}
        if inputs and inputs <= fed:
            continue
        return True
    return False


def _fed_by_training_runs(model) -> set:
    """The names some run of the file that fetches a train op feeds (its feed dict's keys)."""
    out = set()
    for func in (model.module_func, *model.functions):
        for run, _, feed, _ in model._runs(func):
            if model._fetches_training(run, func):
                out |= {dotted(e.key) for e in feed.elements if isinstance(e, cst.DictElement) and dotted(e.key)}
    return out
