"""Batch norm built before the `tf.cond` that picks it.

    bn_train = batch_norm(x, is_training=True, updates_collections=None, scope=scope)
    bn_infer = batch_norm(x, is_training=False, updates_collections=None, reuse=True, scope=scope)
    z = tf.cond(train_phase, lambda: bn_train, lambda: bn_infer)

A cond only gates the ops its branch functions build. Both tensors here are built outside them, so both run
whenever `z` is fetched: the training-mode one with its in-place moving-average update, also on every
evaluation batch. (With updates in UPDATE_OPS the extra forward pass is harmless: nothing runs the update.)

The same holds for a hand-written batch norm whose moving-average update is built before the cond and only
named inside the training branch:

    ema_apply_op = ema.apply([batch_mean, batch_var])        # ema = tf.train.ExponentialMovingAverage(...)
    def update():
        with tf.control_dependencies([ema_apply_op]):
            return tf.identity(batch_mean), tf.identity(batch_var)
    mean, var = tf.cond(is_train, update, lambda: (ema.average(batch_mean), ema.average(batch_var)))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

import libcst as cst
import libcst.matchers as m

from slimlint.model.batch_norm import BNSite
from slimlint.model.import_table import dotted
from slimlint.model.facts import FALSE, TRUE, CondSelection, FunctionInfo
from slimlint.model.summary import ProjectIndex


@dataclass
class BuiltOutsideCond:
    site: BNSite  # the training-mode batch norm, updating in place
    name: str  # the name its branch function returns
    cond: CondSelection


@dataclass
class AverageOutsideCond:
    apply: cst.Call  # `ema.apply([...])`, built outside the branch
    cond: cst.Call  # the `tf.cond` whose training branch depends on it


class CondSelections:
    """Part of FileModel (semantic.py): uses its batch-norm sites."""

    def bn_built_outside_cond(self, func: FunctionInfo, index: ProjectIndex) -> List[BuiltOutsideCond]:
        if not func.cond_selections or not self.method_named(func, index):
            return []  # (a method nothing in the project names is never called: its batch norm is never built)
        sites = {id(site.layer.call): site for site in self.bn_sites(func, index)}
        found = []
        for cond in func.cond_selections:
            picked = {name: self._site_bound_to(func, name, cond, sites) for name in cond.branch_names}
            if len(picked) != 2 or not any(s is not None and s.mode.kind == FALSE for s in picked.values()):
                continue  # not the train / inference pair (two domains' batch norm, say): no evaluation to spoil
            for name, site in picked.items():
                if site is not None and site.mode.kind == TRUE and site.in_place:
                    found.append(BuiltOutsideCond(site, name, cond))
        return found

    @staticmethod
    def _site_bound_to(func: FunctionInfo, name: str, cond: CondSelection, sites: dict) -> Optional[BNSite]:
        assigned = func.assignments.get(name) or []
        if len(assigned) != 1:
            return None  # rebound: which tensor the branch returns depends on the path taken
        value, order = assigned[0]
        return sites.get(id(value)) if order < cond.order else None

    def averages_updated_outside_cond(self, func: FunctionInfo) -> List[AverageOutsideCond]:
        """`tf.train.ExponentialMovingAverage(...).apply(...)` bound in `func` and named only inside a branch
        function of a `tf.cond` there (`with tf.control_dependencies([ema_apply_op]):`): it runs on every run."""
        if func.node is None:
            return []
        applies = {}
        for name, values in func.assignments.items():
            value = values[0][0] if len(values) == 1 else None
            if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "apply"
                    and self._moving_average(func, value.func.value)):
                applies[name] = value
        if not applies:
            return []
        nested = {f.name: f for f in self.functions if f.qualname.startswith(func.qualname + ".<locals>.")}
        found = []
        for call in m.findall(func.node, m.Call()):
            if self.builder.canonical(call.func) != "tf.cond":
                continue
            for branch in [a.value for a in call.args[1:3] if a.keyword is None] + [
                    a.value for a in call.args if a.keyword is not None and a.keyword.value in ("true_fn", "false_fn", "fn1", "fn2")]:
                body = nested[branch.value].node if isinstance(branch, cst.Name) and branch.value in nested else branch
                if not isinstance(body, (cst.FunctionDef, cst.Lambda)):
                    continue
                for deps in m.findall(body, m.Call()):
                    if self.builder.canonical(deps.func) != "tf.control_dependencies" or not deps.args:
                        continue
                    named = {dotted(n) for n in m.findall(deps.args[0].value, m.Name())}
                    found += [AverageOutsideCond(applies[n], call) for n in sorted(named & set(applies))]
        return found

    def _moving_average(self, func: FunctionInfo, expr: cst.BaseExpression) -> bool:
        """Is `expr` a `tf.train.ExponentialMovingAverage(...)`, or a name bound once to one?"""
        if isinstance(expr, cst.Name):
            values = func.assignments.get(expr.value) or []
            expr = values[0][0] if len(values) == 1 else None
        return isinstance(expr, cst.Call) and self.builder.canonical(expr.func) == "tf.train.ExponentialMovingAverage"
