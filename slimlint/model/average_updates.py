"""Moving-average updates of a hand-written batch norm that are built and dropped.

A widely copied helper keeps batch norm's statistics in a `tf.train.ExponentialMovingAverage` and hands out the
op that updates them; the caller must run it (group it with the train op):

    class ConvolutionalBatchNormalizer(object):
        def get_assigner(self):
            return self.ewma_trainer.apply([self.mean, self.variance])
        def normalize(self, x, train=True):
            ...
            mean = self.ewma_trainer.average(self.mean)      # inference reads the averages

    def batch_norm(x, depth, phase_train):
        bn = ConvolutionalBatchNormalizer(depth, 0.001, ewma, True)
        update_assignments = bn.get_assigner()               # never read again: the op never runs
        return bn.normalize(x, train=phase_train)

The averages then stay at their initial values, and inference normalises with them. An update op is the result
of a project method that returns `self.<ema>.apply(...)` while its class reads `self.<ema>.average(...)`; it is
dropped when the call is a statement of its own, or is assigned to a local the function never mentions again
and does not return.
"""

from __future__ import annotations

from typing import List, Set

import libcst as cst

from slimlint.model.facts import FunctionInfo
from slimlint.model.import_table import dotted
from slimlint.model.unread_params import mention_counts
from slimlint.model.walk import find_all


def returns_average_update(model, func: FunctionInfo) -> bool:
    """FunctionSummary.returns_average_update: a method returning `self.<ema>.apply(...)` (directly or through a
    local), where some method of its class reads `self.<ema>.average(...)`. A fact of the file alone: computed
    once, not in every round of the project's summaries."""
    if func.class_name is None or func.node is None:
        return False
    cache = model.__dict__.setdefault("_average_updates", {})
    if id(func) not in cache:
        applied = _applied_receivers(func)
        methods = [f for f in model.functions if f.class_name == func.class_name and f.node is not None] if applied else []
        # The class normalises with batch statistics (`tf.nn.moments`): a batch norm, not some other average
        # (of weights, of a loss) whose update a caller may keep for later on purpose.
        cache[id(func)] = any(_reads_average(f, applied) for f in methods) and any(_takes_moments(f) for f in methods)
    return cache[id(func)]


def _applied_receivers(func: FunctionInfo) -> Set[str]:
    """`self.<attr>` receivers of the `.apply(...)` calls `func` returns."""
    out: Set[str] = set()
    for ret in find_all(func.node, cst.Return):
        value = ret.value
        if isinstance(value, cst.Name):
            bound = func.assignments.get(value.value, ())
            value = bound[-1][0] if len(bound) == 1 else None
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "apply":
            receiver = dotted(value.func.value)
            if receiver and receiver.startswith("self.") and receiver.count(".") == 1:
                out.add(receiver)
    return out


def _takes_moments(func: FunctionInfo) -> bool:
    return any((dotted(c.func) or "").rsplit(".", 1)[-1] == "moments" for c in find_all(func.node, cst.Call))


def _reads_average(func: FunctionInfo, receivers: Set[str]) -> bool:
    return any(isinstance(c.func, cst.Attribute) and c.func.attr.value == "average" and dotted(c.func.value) in receivers
               for c in find_all(func.node, cst.Call))


def dropped_average_updates(model, func: FunctionInfo, index) -> List[cst.Call]:
    """Calls in `func` of methods returning a moving-average update op (returns_average_update) whose op is
    thrown away: a statement of its own, or a local that nothing reads afterwards nor returns."""
    body = model.module if func.is_module else func.node
    if body is None or not index.hands_out_average_updates():
        return []
    sites = {id(s.call): s for s in func.calls}
    out = []
    for stmt in find_all(body, cst.SimpleStatementLine):
        for small in stmt.body:
            call, target = _call_and_target(small)
            site = sites.get(id(call)) if call is not None else None
            summary = index.lookup_site(site, model.module_name) if site is not None else None
            if summary is None or not summary.returns_average_update:
                continue
            if target is None or mention_counts(body, [target]).get(target, 2) <= 1:
                out.append(call)
    return out


def _call_and_target(small: cst.BaseSmallStatement) -> tuple:
    """(call, the local it is bound to or None) for `x = f(...)` and a bare `f(...)`; (None, None) otherwise."""
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        return small.value, None
    if isinstance(small, cst.Assign) and isinstance(small.value, cst.Call) and len(small.targets) == 1 \
            and isinstance(small.targets[0].target, cst.Name):
        return small.value, small.targets[0].target.value
    return None, None
