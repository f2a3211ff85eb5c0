"""Batch norm built before the `tf.cond` that picks it.

    bn_train = batch_norm(x, is_training=True, updates_collections=None, scope=scope)
    bn_infer = batch_norm(x, is_training=False, updates_collections=None, reuse=True, scope=scope)
    z = tf.cond(train_phase, lambda: bn_train, lambda: bn_infer)

A cond only gates the ops its branch functions build. Both tensors here are built outside them, so both run
whenever `z` is fetched: the training-mode one with its in-place moving-average update, also on every
evaluation batch. (With updates in UPDATE_OPS the extra forward pass is harmless: nothing runs the update.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from slimlint.model.batch_norm import BNSite
from slimlint.model.facts import FALSE, TRUE, CondSelection, FunctionInfo
from slimlint.model.summary import ProjectIndex


@dataclass
class BuiltOutsideCond:
    site: BNSite  # the training-mode batch norm, updating in place
    name: str  # the name its branch function returns
    cond: CondSelection


class CondSelections:
    """Part of FileModel (semantic.py): uses its batch-norm sites."""

    def bn_built_outside_cond(self, func: FunctionInfo, index: ProjectIndex) -> List[BuiltOutsideCond]:
        if not func.cond_selections or (func.class_name is not None and func.name not in index.referenced_names):
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
