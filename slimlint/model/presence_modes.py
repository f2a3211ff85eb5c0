"""Hand-written batch norm whose mode is tested for presence rather than truth:

    def batch_norm_wrapper(inputs, is_training, decay=0.999):
        if is_training is not None:                  # also True for False, and for a tf.bool placeholder
            batch_mean, batch_var = tf.nn.moments(inputs, [0])
            ...                                      # update pop_mean / pop_var, normalise with the batch's
        else:
            return tf.nn.batch_normalization(inputs, pop_mean, pop_var, beta, scale, epsilon)

Only None reaches the moving statistics: a caller passing False, a flag or a boolean placeholder gets the
batch-statistics branch on every run (branch_bn.py recognises the two branches).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

import libcst as cst

from slimlint.model.facts import CallSite, FunctionInfo
from slimlint.model.guards import parameter_guard


@dataclass
class PresenceMode:
    """A batch norm whose training branch runs whenever its mode parameter is not None."""

    test: cst.BaseExpression  # `is_training is not None`
    param: str
    call: CallSite  # a call that passes the parameter something other than None or True
    negated: bool  # `p is None` (the moving statistics in its body), not `p is not None`


def presence_tested_modes(model, func: FunctionInfo, index) -> List[PresenceMode]:
    """The presence tests of `func`'s hand-written batch norm (`if p is not None:` over the batch statistics,
    `if p is None:` over the moving ones) when a call in the same file passes `p` something that can mean
    inference: False, a flag, a placeholder (not None, not a written True)."""
    if not (func.batch_moments and func.normalizes) or func.is_module:
        return []
    out = []
    for _, _, if_node, in_body in model._branch_shapes(func):
        param = _presence_param(if_node.test, in_body, func)
        if param is None:
            continue
        call = _call_passing_mode(model, func, param, index)
        if call is not None:
            out.append(PresenceMode(if_node.test, param, call, not in_body))
    return out


def _presence_param(test: cst.BaseExpression, in_body: bool, func: FunctionInfo) -> Optional[str]:
    """The parameter `p` of `p is not None` (batch statistics in the body: guards.parameter_guard's "notnone")
    or of `p is None` (batch statistics in the else)."""
    guard = parameter_guard(test, func.params)
    if guard is not None and guard[1] == "notnone":
        return guard[0] if in_body else None
    negated = isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
        and isinstance(test.comparisons[0].operator, cst.Is)
    if negated and not in_body:
        flipped = cst.Comparison(test.left, [test.comparisons[0].with_changes(operator=cst.IsNot())])
        guard = parameter_guard(flipped, func.params)
        return guard[0] if guard is not None and guard[1] == "notnone" else None
    return None


def _call_passing_mode(model, func: FunctionInfo, param: str, index) -> Optional[CallSite]:
    summary = index.modules.get(model.module_name, {}).get(func.qualname)
    if summary is None:
        return None
    for caller in model.functions:
        for site in caller.calls:
            if func.name not in {t.rsplit(".", 1)[-1] for t in site.targets} \
                    or index.resolve_site(site, model.module_name) != (model.module_name, func.qualname):
                continue
            expr = model.bound_arg(site, summary, param)
            if expr is None or isinstance(expr, cst.Name) and expr.value in ("None", "True"):
                continue
            if isinstance(expr, cst.Name) and expr.value in caller.params and not _caller_gives_mode(
                    model, caller, expr.value, index):
                continue  # the caller's own flag, and nothing says it is ever a mode but True / None
            return site
    return None


def _is_none(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def _caller_gives_mode(model, caller: FunctionInfo, param: str, index) -> bool:
    """Is the caller's own parameter, handed to the wrapper, a mode that can be False? Yes when its default is
    True (a boolean flag: its other value is False); no when its default is None (the None-means-inference
    design); else what the file's calls of the caller pass (only True or None: no), or yes when none does."""
    default = caller.defaults.get(param)
    if _is_none(default):
        return False
    if isinstance(default, cst.Name) and default.value == "True":
        return True
    calls = [site for f in (model.module_func, *model.functions) for site in f.calls
             if caller.name in {t.rsplit(".", 1)[-1] for t in site.targets}]
    summary = index.modules.get(model.module_name, {}).get(caller.qualname)
    given = [e for e in (model.bound_arg(site, summary, param) for site in calls) if e is not None] \
        if summary is not None else []
    if given:
        return any(not (isinstance(e, cst.Name) and e.value in ("None", "True")) for e in given)
    return True  # called from other files only: a flag with no default is taken to be a mode
