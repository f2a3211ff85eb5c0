"""Kept fractions dropped on the way to dropout: `def VGG16(images, is_training, keep_prob)` that never reads
`keep_prob` and drops a constant half (`tf.nn.dropout(h, keep_prob=0.5)`), while the project builds it with
`keep_prob=1` (or `is_training=False`) for its test tower. That build asks for no dropout and still drops at
random: its predictions change from run to run (SL208).

The calls asking for no dropout are a summary fact (FunctionSummary.asks_no_dropout), so the dropout is reported
in the callee's file, where the fix goes, whichever file builds the test tower."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

import libcst as cst

from slimlint.model.dropout import ALWAYS_DROP, DropoutSite, constant_fraction, kept_fraction_argument
from slimlint.model.facts import MODE_PARAM_NAMES, FunctionInfo
from slimlint.model.summary import ProjectIndex
from slimlint.model.unread_params import mention_counts

# Fraction parameters by what keeps every unit: `keep_prob=1`, `dropout_rate=0`.
_RATE_NAMES = {"rate", "dropout_rate", "drop_rate", "dropout", "drop_prob", "dropout_prob", "p_drop"}


def fraction_kind(param: str) -> Optional[str]:
    """"keep_prob" for a kept-fraction parameter (`keep_prob`, `dropout_keep_prob`, `keep_r`), "rate" for a
    dropped one (`dropout_rate`), None for any other name."""
    if "keep" in param.lower():
        return "keep_prob"
    return "rate" if param.lower() in _RATE_NAMES else None


def asks_no_dropout(model, func: FunctionInfo, index: ProjectIndex) -> Tuple[Tuple[Tuple[str, str], str, str], ...]:
    """FunctionSummary.asks_no_dropout: (callee, parameter, the argument as written) for calls in `func` of a
    project function that drops a fixed fraction (FunctionSummary.fixed_fraction) which give one of its
    parameters the value that asks for no dropout: a kept fraction of 1, a rate of 0, a mode of False."""
    out = set()
    for site in func.calls:
        if site.has_star:
            continue
        found = index.resolve_site(site, model.module_name)
        summary = index.modules[found[0]][found[1]] if found is not None else None
        if summary is None or summary.fixed_fraction is None:
            continue
        for param in summary.params:
            kind = fraction_kind(param)
            if kind is None and param not in MODE_PARAM_NAMES:
                continue
            expr = model.bound_arg(site, summary, param)
            if expr is None:
                continue
            if kind is None:
                asked = isinstance(expr, cst.Name) and expr.value == "False"
            else:
                asked = isinstance(expr, (cst.Integer, cst.Float)) \
                    and constant_fraction(expr, func, model) == (1.0 if kind == "keep_prob" else 0.0)
            if asked:
                out.add((found, param, cst.Module([]).code_for_node(expr)))
    return tuple(sorted(out))


def unread_dropout_params(func: FunctionInfo, fixed: Optional[Tuple[str, str]]) -> frozenset:
    """FunctionSummary.unread_dropout_params: for a function that fixes a constant fraction itself, its
    kept-fraction and mode parameters the body never mentions."""
    if fixed is None or fixed[1] != func.qualname or func.node is None:
        return frozenset()
    wanted = [p for p in func.params if fraction_kind(p) is not None or p in MODE_PARAM_NAMES]
    return frozenset(p for p, n in mention_counts(func.node, wanted).items() if n == 0)


def reported_in_callee(callee_summary, asked_params) -> bool:
    """Does a call asking its callee for no dropout through these parameters get its finding in the callee,
    at the dropout that ignores them (dropped_fractions), rather than at the call?"""
    return bool(callee_summary.unread_dropout_params & set(asked_params))


@dataclass(frozen=True)
class DroppedFraction:
    site: DropoutSite  # the dropout keeping a constant fraction
    param: str  # the function's parameter it ignores
    asked: str  # how a build asks for no dropout (`keep_prob=1`)
    replace: Optional[cst.BaseExpression]  # the constant to replace with `param`, when the kinds agree


def dropped_fractions(model, sites: List[DropoutSite], index: ProjectIndex) -> List[DroppedFraction]:
    """Constant-fraction dropouts (`tf.nn.dropout(h, keep_prob=0.5)`) in a function that never reads a fraction
    or mode parameter some project call sets to ask for no dropout."""
    asked = {}
    own = index.modules.get(model.module_name, {})
    for functions in index.modules.values():
        for summary in functions.values():
            for callee, param, shown in summary.asks_no_dropout:
                if callee[0] == model.module_name and callee[1] in own \
                        and param in own[callee[1]].unread_dropout_params:
                    asked.setdefault(callee[1], {}).setdefault(param, shown)
    if not asked:
        return []
    out = []
    for site in sites:
        func = site.func
        wanted = asked.get(func.qualname)
        if not wanted or site.api not in ALWAYS_DROP or site.guarded or site.fed_fraction or func.node is None:
            continue
        argument = kept_fraction_argument(site)
        if argument is None or constant_fraction(argument[1], func, model) is None:
            continue  # the constant is written at the call itself: the fix replaces it there
        # a fraction parameter first (the fix's), else the mode
        unread = sorted(wanted, key=lambda p: (fraction_kind(p) is None, p))
        if not unread:
            continue
        param = unread[0]
        fixable = fraction_kind(param) == argument[0] and isinstance(argument[1], (cst.Integer, cst.Float))
        out.append(DroppedFraction(site, param, f"{param}={wanted[param]}", argument[1] if fixable else None))
    return out
