"""Hand-written batch norm with no inference path, in a function that takes a mode and drops it:

    def complex_model(X, y, is_training):
        h = tf.matmul(X, W1) + b1
        mean, variance = tf.nn.moments(h, axes=[0])                  # the batch's statistics, always
        h = tf.nn.batch_normalization(h, mean, variance, beta, gamma, 1e-5)

The CS231n TensorFlow notebook asks for batch norm that follows `is_training`; this one keeps no moving
statistics and never reads the flag, so validation and test (fed `is_training: False`) normalise each batch
with its own statistics (SL209). Only over the batch axis (not layer or instance norm), only when nothing in
the function stores statistics (no moving, running or averaged names, no variable made with trainable=False,
no `tf.cond` / `if` picking branches: branch_bn.py reads those), and only when the project gives the dropped
parameter False or a boolean placeholder (a mode chosen at run time).
"""

from __future__ import annotations

from typing import List, Tuple

import libcst as cst

from slimlint.model.branch_bn import bound_names, over_batch_axis, reads_moving_statistics, stored_statistics
from slimlint.model.facts import MODE_PARAM_NAMES, FunctionInfo
from slimlint.model.import_table import dotted
from slimlint.model.summary import ProjectIndex
from slimlint.model.unread_params import mention_counts
from slimlint.model.walk import find_all

_NORMALIZATION = "batch_normalization"


def dropped_mode_moments(model, func: FunctionInfo, index: ProjectIndex) -> List[Tuple[cst.Call, str]]:
    """(the `tf.nn.batch_normalization` call over the batch's moments, the mode parameter `func` drops)."""
    if not func.batch_moments or not func.normalizes or func.node is None:
        return []
    modes = [p for p in func.params if p in MODE_PARAM_NAMES or p in ("train", "phase_train", "train_phase", "phase")]
    counts = mention_counts(func.node, modes) if modes else {}
    dropped = [p for p in modes if counts.get(p, 1) == 0]
    if not dropped or model.branch_bn_sites(func, index):
        return []
    if reads_moving_statistics(func.node.body, stored_statistics(func)) \
            or any(isinstance(c.func, cst.Attribute) and c.func.attr.value in ("cond", "smart_cond")
                   for c in find_all(func.node, cst.Call)):
        return []  # statistics kept somewhere, or a branch picks them: not this shape
    key = (model.module_name, func.qualname)
    # A boolean placeholder handed in (`complex_model(X, y, is_training)`) is a mode chosen at run time: the
    # notebook's validation runs feed it False through a variable (`is_training: training_now`).
    run_time = set(index.run_time_mode_params(key)) | _placeholders_handed_here(model, func, index, dropped)
    given = [p for p in dropped if index.called_with_false_mode(key, p) or p in run_time]
    if not given:
        return []
    out = []
    normalizations = [c for c in find_all(func.node, cst.Call) if (dotted(c.func) or "").endswith(_NORMALIZATION)]
    for call, _, path in func.batch_moments:
        names = bound_names(path[-1], call) if path else set()
        if not names or not over_batch_axis(call, func):
            continue
        for norm in normalizations:
            read = {n.value for a in norm.args[1:3] for n in find_all(a.value, cst.Name)}
            if read & names and all(norm is not found for found, _ in out):
                out.append((norm, given[0]))
    return out


def _placeholders_handed_here(model, func: FunctionInfo, index: ProjectIndex, params: List[str]) -> set:
    """The dropped parameters a call in this file gives a boolean placeholder (`is_training =
    tf.placeholder(tf.bool)` at the top of the notebook cell, then `complex_model(X, y, is_training)`)."""
    out = set()
    for caller in (model.module_func, *model.functions):
        for site in caller.calls:
            if index.resolve_site(site, model.module_name) != (model.module_name, func.qualname):
                continue
            for param in params:
                expr = site.kwargs.get(param)
                if expr is None and param in func.params and func.params.index(param) < len(site.positional):
                    expr = site.positional[func.params.index(param)]
                if isinstance(expr, cst.Name):
                    bound = caller.assignments.get(expr.value) or model.module_func.assignments.get(expr.value, ())
                    # (a notebook's cells may each make their own: every binding a boolean placeholder)
                    if bound and all(model.is_bool_placeholder(value) for value, _ in bound):
                        out.add(param)
    return out
