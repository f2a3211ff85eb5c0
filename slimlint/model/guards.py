"""Batch norm built only when a parameter asks for it: `if bn: x = tf.layers.batch_normalization(x)`,
`if norm_type == "bn": ...`, `if normalizer is not None: ...`, and the `else:` of such a test.

A function whose every batch-norm build sits under one such test of a parameter has a guard
(FunctionSummary.bn_guard). A call that gives the parameter a literal failing the test (`bn=False`, a
local `use_bn = False`, the default left at `None`) builds no batch norm; a call handing on a parameter
of its own passes the guard to its function. When every call in the project closes the guard, the
guarded layers are never built (ProjectIndex.closed_guards) and no rule reports them.

A function whose batch norm sits in both branches (`if in_place_update: batch_norm(...,
updates_collections=None) else: batch_norm(...)`) has no common guard; its guard is then the one over the
batch norm that puts ops in UPDATE_OPS, so calls that leave the in-place default build no update ops.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import libcst as cst

from slimlint.model.facts import FunctionInfo, Guard
from slimlint.model.parameter_instances import SELF_NAMES

UNKNOWN = object()  # a value that cannot be read statically


def parameter_guard(test: cst.BaseExpression, params: Sequence[str]) -> Optional[Guard]:
    """The guard an `if` test makes of one of the function's parameters, or None."""
    if isinstance(test, cst.Name) and test.value in params and test.value not in SELF_NAMES:
        return test.value, "truthy", None
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.Name)
            and test.left.value in params and test.left.value not in SELF_NAMES):
        return None
    comp = test.comparisons[0]
    if isinstance(comp.operator, (cst.Equal, cst.Is)) and isinstance(comp.comparator, cst.SimpleString):
        value = comp.comparator.evaluated_value
        return (test.left.value, "eq", value) if isinstance(value, str) else None
    if isinstance(comp.operator, cst.IsNot) and isinstance(comp.comparator, cst.Name) and comp.comparator.value == "None":
        return test.left.value, "notnone", None
    return None


def literal_value(expr: Optional[cst.BaseExpression], func: Optional[FunctionInfo], module_func: Optional[FunctionInfo],
                  depth: int = 0):
    """True / False / None / a string / an int for a literal, or a name bound once to one; else UNKNOWN."""
    if isinstance(expr, cst.Name):
        if expr.value in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[expr.value]
        for scope in (func, module_func):
            values = scope.assignments.get(expr.value) if scope is not None else None
            if values:
                return literal_value(values[0][0], func, module_func, depth + 1) if len(values) == 1 and depth < 2 else UNKNOWN
        return UNKNOWN
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else UNKNOWN
    if isinstance(expr, cst.Integer):
        return int(expr.value, 0) if expr.value.isdigit() else UNKNOWN
    return UNKNOWN


def holds(guard: Guard, value) -> Optional[bool]:
    """Does a value pass the guard's test? None when it cannot be read."""
    if value is UNKNOWN:
        return None
    _, test, expected = guard
    if test == "truthy":
        return bool(value)
    if test == "falsy":
        return not value
    if test == "eq":
        return value == expected
    if test == "ne":
        return value != expected
    return value is not None


def else_guard(guard: Guard) -> Optional[Guard]:
    """The guard of an `if`'s `else:` branch: `if in_place:` ... `else:` runs when `in_place` is falsy."""
    param, test, expected = guard
    negated = {"truthy": "falsy", "eq": "ne"}.get(test)
    return (param, negated, expected) if negated is not None else None


def default_word(func: FunctionInfo, param: str) -> Tuple:
    """A parameter's default as FunctionSummary.bn_guard keeps it: ("value", literal) or ("unknown",)."""
    if param not in func.defaults:
        return ("unknown",)
    value = literal_value(func.defaults[param], None, None)
    return ("unknown",) if value is UNKNOWN else ("value", value)


def common_guard(guard_sets: Sequence[Tuple[Guard, ...]]) -> Optional[Guard]:
    """The guard every build sits under, when there is one."""
    if not guard_sets:
        return None
    shared = set(guard_sets[0])
    for guards in guard_sets[1:]:
        shared &= set(guards)
    return min(shared, key=repr) if shared else None
