"""Modes spelled as strings: batch norm whose mode is a test of a string parameter.

    class Model(object):
        def __init__(self, images, mode):            # Model(images, 'train') / Model(images, 'eval')
            self.mode = mode
        def build(self):
            ... slim.batch_norm(x, is_training=(self.mode == 'train'))
            ... is_training=self.mode in ('train', 'pretrain')

The test is a predicate on the parameter: the strings it is True for, and whether it is negated
(`mode != 'eval'` is True for every string but 'eval'). A call that passes a string literal (or a name bound
once to one, or leaves a string default) builds batch norm in the mode the predicate gives; no boolean can be
written in the string's place, so no fix edits such a call.
"""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

# (strings, negated): the mode is training when (value in strings) != negated.
Predicate = Tuple[Tuple[str, ...], bool]


def string_test(expr: cst.BaseExpression) -> Optional[Tuple[cst.BaseExpression, Predicate]]:
    """(the tested expression, its predicate) for `x == 's'`, `x != 's'`, `x in ('a', 'b')`, `not <test>`, and
    `or` / `and` of tests of one expression that keep one predicate shape; None for anything else."""
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
        inner = string_test(expr.expression)
        return (inner[0], (inner[1][0], not inner[1][1])) if inner is not None else None
    if isinstance(expr, cst.BooleanOperation):
        left, right = string_test(expr.left), string_test(expr.right)
        if left is None or right is None or not left[0].deep_equals(right[0]) or left[1][1] != right[1][1]:
            return None
        negated = left[1][1]
        # `a == 's' or a == 't'` widens a plain test; `a != 's' and a != 't'` widens a negated one.
        if isinstance(expr.operator, cst.Or) == negated:
            return None
        return left[0], (tuple(sorted(set(left[1][0]) | set(right[1][0]))), negated)
    if not (isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1):
        return None
    target = expr.comparisons[0]
    subject, other = expr.left, target.comparator
    if isinstance(target.operator, (cst.Equal, cst.NotEqual)):
        if string_literal(subject) is not None:
            subject, other = other, subject  # `'train' == mode`
        value = string_literal(other)
        if value is None or string_literal(subject) is not None:
            return None
        return subject, ((value,), isinstance(target.operator, cst.NotEqual))
    if isinstance(target.operator, (cst.In, cst.NotIn)) and isinstance(other, (cst.Tuple, cst.List, cst.Set)):
        values = [string_literal(e.value) for e in other.elements]
        if not values or any(v is None for v in values):
            return None
        return subject, (tuple(sorted(set(values))), isinstance(target.operator, cst.NotIn))
    return None


def trains(predicate: Predicate, value: str) -> bool:
    """The mode a string gives: does the predicate hold for it?"""
    strings, negated = predicate
    return (value in strings) != negated


def default_word(predicate: Predicate, default: Optional[cst.BaseExpression]) -> Optional[str]:
    """A string default as FunctionSummary.mode_defaults records a mode ("true" / "false"); None otherwise."""
    value = string_literal(default) if default is not None else None
    if value is None:
        return None
    return "true" if trains(predicate, value) else "false"


def string_literal(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None
