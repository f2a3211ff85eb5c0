"""How a dropout fraction is written: one reading shared by the dropout model and the config scan."""

from __future__ import annotations

from typing import Optional

import libcst as cst


def one_minus(expr: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """`x` of `1 - x` (`1.0 - x`): the other reading of a fraction (a rate where a kept fraction goes)."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Subtract) \
            and isinstance(expr.left, (cst.Integer, cst.Float)) and float(expr.left.evaluated_value) == 1.0:
        return expr.right
    return None
