"""A mode flag worked out from a string parameter and then never handed to anything (at most tested by an `if`):

    class Graph:
        def __init__(self, mode="train"):
            training = True if mode == "train" else False     # nothing reads `training`
            ...
            self.z = encoder(self.x)                          # batch norm at its default training=True

`Graph("test")` asks for inference and gets training-mode batch norm: the author derived the flag and forgot to
pass it on (unread_derived_mode, SL209). A flag that is handed on, to some layers only, is derived_flag's: named
for training or for evaluation (`eval_mode = key == 'EVAL'`, inverted), it is the function's mode flag for
SL201's batch norm that ignores it (flag_coverage.py). The fact is syntactic (this module) and crosses files in
FunctionSummary.derived_mode; callers that pass a string the test reads as evaluation are found with the other
mode arguments (cross_file). A parameter rebound before the test (`split = split.upper()`) derives nothing.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

import libcst as cst

from slimlint.model.facts import MODE_PARAM_NAMES, FunctionInfo
from slimlint.model.import_table import dotted
from slimlint.model.string_modes import Predicate, string_test
from slimlint.model.unread_params import mention_counts
from slimlint.model.walk import find_all


class DerivedMode(NamedTuple):
    param: str  # the string parameter tested (`mode`)
    predicate: Predicate  # the strings the mode is training for (the test's own, negated for an inverted flag)
    local: str  # the flag's name (`training`; `eval_mode`, True for evaluation, when inverted)
    value: cst.BaseExpression  # the expression it is assigned (`True if mode == "train" else False`)
    inverted: bool = False  # `eval_mode = key == 'EVAL'`: the flag is True for evaluation

    @property
    def training_expr(self) -> str:
        """The flag as a training mode, to pass to a network (`training`, `not eval_mode`)."""
        return f"not {self.local}" if self.inverted else self.local


# A flag named for evaluation (`eval_mode`, `is_test`): True for evaluation, so the mode is its negation.
_INVERTED_WORDS = {"eval", "evaluation", "test", "testing", "inference", "infer", "predict"}
_FLAG_WORDS = _INVERTED_WORDS | {"is", "mode"}
# Flags whose name says "no training" in other words: seq2seq's `forward_only` (no backward pass).
_INVERTED_NAMES = {"forward_only"}


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


def _inverted_name(local: str) -> bool:
    bare = local.lower().rsplit(".", 1)[-1]  # `self.forward_only`: the attribute's own name
    words = set(bare.split("_"))
    return bare in _INVERTED_NAMES or bool(words & _INVERTED_WORDS) and words <= _FLAG_WORDS


def _bool_assigned(stmt: cst.CSTNode, local: str) -> Optional[bool]:
    """The literal a one-statement suite assigns to `local` (`self.forward_only = True`), else None."""
    body = stmt.body if isinstance(stmt, cst.IndentedBlock) else None
    if body is None or len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine) or len(body[0].body) != 1:
        return None
    assign = body[0].body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or dotted(assign.targets[0].target) != local:
        return None
    value = assign.value
    return {"True": True, "False": False}.get(value.value) if isinstance(value, cst.Name) else None


def _raises(suite: cst.CSTNode) -> bool:
    """Does an `else:` only fail (`assert False, phase`, `raise ValueError(phase)`)?"""
    body = suite.body if isinstance(suite, cst.IndentedBlock) else ()
    return len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1 and (
        isinstance(body[0].body[0], cst.Raise)
        or isinstance(body[0].body[0], cst.Assert) and isinstance(body[0].body[0].test, cst.Name)
        and body[0].body[0].test.value == "False")


def _branch_derived(func: FunctionInfo, local: str) -> Optional[DerivedMode]:
    """`local` set to literals in every branch of an if / elif chain of string tests of one parameter, and nowhere
    else; the chain ends in an `else` that sets it too or fails, so every string the parameter may hold sets it:

        if phase == 'train':
            self.forward_only = False
        elif phase == 'test':
            self.forward_only = True
        else:
            assert False, phase

    The flag's training value, per branch, gives the strings it is training for."""
    values = func.assignments.get(local, ())
    inverted = _inverted_name(local)
    if not values or func.node is None or not (local.rsplit(".", 1)[-1] in MODE_PARAM_NAMES or inverted):
        return None
    if not all(isinstance(v, cst.Name) and v.value in ("True", "False") for v, _ in values):
        return None
    for node in find_all(func.node.body, cst.If):
        if _bool_assigned(node.body, local) is None:
            continue
        param, trains_for, evals_for, rest = None, [], [], None
        chain: Optional[cst.CSTNode] = node
        while isinstance(chain, cst.If):
            value = _bool_assigned(chain.body, local)
            found = string_test(chain.test)
            if value is None or found is None or not isinstance(found[0], cst.Name) or found[1][1] \
                    or (param is not None and found[0].value != param):
                return None  # a branch that sets nothing, tests another thing, or a negated test
            param = found[0].value
            (trains_for if value != inverted else evals_for).extend(found[1][0])
            chain = chain.orelse
        if not isinstance(chain, cst.Else):
            return None  # a string no branch tests leaves the flag unset
        rest = _bool_assigned(chain.body, local)
        if rest is None and not _raises(chain.body):
            return None
        if param not in func.params or param in func.assignments:
            return None
        if len(values) != _branches(node) + (rest is not None):
            return None  # also set outside the chain
        if rest is not None and rest != inverted:  # `else: training`: all but the evaluation strings train
            predicate = (tuple(evals_for), True)
        else:
            predicate = (tuple(trains_for), False)
        return DerivedMode(param, predicate, local, node.test, inverted)
    return None


def _branches(node: cst.If) -> int:
    count, chain = 0, node
    while isinstance(chain, cst.If):
        count, chain = count + 1, chain.orelse
    return count


def _derived(func: FunctionInfo, local: str) -> Optional[DerivedMode]:
    """`local` as a mode flag assigned once from a string test of one of the function's parameters."""
    values = func.assignments.get(local, ())
    inverted = _inverted_name(local)
    if not (local in MODE_PARAM_NAMES or inverted) or local in func.params or len(values) != 1 or func.node is None:
        return None
    test = _test_of(values[0][0])
    found = string_test(test) if test is not None else None
    if found is None or not isinstance(found[0], cst.Name) or found[0].value not in func.params \
            or found[0].value in func.assignments:  # `split = split.upper()` first: the string tested is not the one passed
        return None
    predicate = (found[1][0], not found[1][1]) if inverted else found[1]
    return DerivedMode(found[0].value, predicate, local, values[0][0], inverted)


def unread_derived_mode(func: FunctionInfo) -> Optional[DerivedMode]:
    """The first mode-named local (`training`, `is_training`, ...) assigned once from a string test of one of the
    function's parameters and never handed to anything (read, if at all, only as an `if` test)."""
    for local in func.assignments:
        if local not in MODE_PARAM_NAMES:
            continue
        found = _derived(func, local)
        if found is None:
            continue
        if func.loads.get(local, 0) and not _only_tested(func.node, local):  # a walk of the body: last
            continue
        return found
    return None


def derived_flag(func: FunctionInfo) -> Optional[DerivedMode]:
    """The first mode flag the function works out from a string test of a parameter, read or not, named for
    training or for evaluation (`eval_mode = True if key == 'EVAL' else False`)."""
    found = next((found for local in func.assignments for found in [_derived(func, local)] if found is not None), None)
    if found is None and func.name == "__init__":
        # A constructor that keeps the flag on the object (`self.forward_only`), set branch by branch.
        found = next((found for local in func.assignments if local.startswith("self.") and local.count(".") == 1
                      for found in [_branch_derived(func, local)] if found is not None), None)
    return found
