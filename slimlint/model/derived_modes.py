"""A mode flag worked out from a string parameter and then never handed to anything (at most tested by an `if`):

    class Graph:
        def __init__(self, mode="train"):
            training = True if mode == "train" else False     # nothing reads `training`
            ...
            self.z = encoder(self.x)                          # batch norm at its default training=True

`Graph("test")` asks for inference and gets training-mode batch norm: the author derived the flag and forgot to
pass it on. The fact is syntactic (this module) and crosses files in FunctionSummary.derived_mode; callers that
pass a string the test reads as evaluation are found with the other mode arguments (cross_file).
"""

from __future__ import annotations

from typing import NamedTuple, Optional

import libcst as cst

from slimlint.model.facts import MODE_PARAM_NAMES, FunctionInfo
from slimlint.model.string_modes import Predicate, string_test
from slimlint.model.unread_params import mention_counts
from slimlint.model.walk import find_all


class DerivedMode(NamedTuple):
    param: str  # the string parameter tested (`mode`)
    predicate: Predicate  # what the test holds for: the flag is True (training) for those strings
    local: str  # the flag's name (`training`), handed to nothing
    value: cst.BaseExpression  # the expression it is assigned (`True if mode == "train" else False`)


def _test_of(value: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """The string test a flag is assigned: `mode == 'train'`, `(mode == 'train')`, `True if <test> else False`."""
    if isinstance(value, cst.IfExp):
        body, orelse = value.body, value.orelse
        if isinstance(body, cst.Name) and isinstance(orelse, cst.Name) and {body.value, orelse.value} == {"True", "False"}:
            test = value.test
            return test if body.value == "True" else cst.UnaryOperation(cst.Not(), test)
        return None
    return value


def _only_tested(node: cst.CSTNode, local: str) -> bool:
    """Is `local` read only as the test of an `if` (`if training:` around the train op), never handed to anything?"""
    tests = [s.test for s in find_all(node, cst.If)]
    tested = sum(1 for t in tests if isinstance(t, cst.Name) and t.value == local
                 or isinstance(t, cst.UnaryOperation) and isinstance(t.expression, cst.Name) and t.expression.value == local)
    return mention_counts(node, [local]).get(local, 0) == 1 + tested


def unread_derived_mode(func: FunctionInfo) -> Optional[DerivedMode]:
    """The first mode-named local (`training`, `is_training`, ...) assigned once from a string test of one of the
    function's parameters and never handed to anything (read, if at all, only as an `if` test)."""
    for local, values in func.assignments.items():
        if local not in MODE_PARAM_NAMES or local in func.params or len(values) != 1 or func.node is None:
            continue
        test = _test_of(values[0][0])
        found = string_test(test) if test is not None else None
        if found is None or not isinstance(found[0], cst.Name) or found[0].value not in func.params:
            continue
        if func.loads.get(local, 0) and not _only_tested(func.node, local):  # a walk of the body: last
            continue
        return DerivedMode(found[0].value, found[1], local, values[0][0])
    return None
