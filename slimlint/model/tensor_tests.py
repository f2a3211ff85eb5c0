"""A mode tensor compared with a Python bool by a Python `if`:

    class Model:
        def __init__(self):
            self.training = tf.placeholder_with_default(False, shape=(), name="is_training")
            ...
            self._lstm_layer(x, self.training)

        def _lstm_layer(self, inputs, training):
            if training == False:            # a Tensor: never == False in a TF1 graph
                self.keep_prob = [1.0]       # so prediction keeps the training dropout
            cell = DropoutWrapper(cell, output_keep_prob=self.keep_prob[0])

In TF1 graph code `Tensor.__eq__` is identity, so `t == False` (and `t is False`) is False and `!=` / `is not`
True, whatever is fed later: the branch is picked once, when the graph is built, and the switch the author
meant never happens. The tensor is a boolean placeholder (tf.placeholder(tf.bool), placeholder_with_default)
that a call in the same file passes as the parameter, or one the class keeps on self.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

import libcst as cst

from slimlint.model.facts import FunctionInfo
from slimlint.model.import_table import dotted
from slimlint.model.walk import find_all

# `is True` / `is False` is left out: the usual build-time shortcut for a Python bool that falls through to
# the graph (`tf.cond`) for a tensor, by design.
_ALWAYS = {cst.Equal: False, cst.NotEqual: True}
_COMPARISONS = ("== False", "== True", "!= False", "!= True", "False ==", "True ==", "False !=", "True !=")


@dataclass
class TensorTest:
    """A Python test of a boolean tensor against True / False, decided when the graph is built."""

    test: cst.Comparison
    tested: str  # `training`, `self.is_training`
    holds: bool  # what the test always gives
    placeholder: str  # the call that makes the placeholder it compares, as written (`tf.placeholder_with_default`)


def _bool_comparison(test: cst.BaseExpression) -> Optional[Tuple[str, bool]]:
    """(the tested name, what the test always gives) for `x == False`, `x is True`, `False != x`, ..."""
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return None
    target = test.comparisons[0]
    always = next((value for kind, value in _ALWAYS.items() if isinstance(target.operator, kind)), None)
    left, right = test.left, target.comparator
    if _bool_literal(left):
        left, right = right, left
    if always is None or not _bool_literal(right) or _bool_literal(left):
        return None
    name = dotted(left)
    return (name, always) if name else None


def _bool_literal(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value in ("True", "False")


def tensor_bool_tests(model, func: FunctionInfo, index) -> List[TensorTest]:
    """The `if` tests (and conditional expressions) of `func` that compare a boolean placeholder with a bool."""
    if func.node is None or not any(text in model.module_code() for text in _COMPARISONS):
        return []
    nested = {id(n) for d in find_all(func.node.body, (cst.FunctionDef, cst.Lambda)) for n in find_all(d, (cst.If, cst.IfExp))}
    tests = [node for node in find_all(func.node.body, (cst.If, cst.IfExp)) if id(node) not in nested]
    out = []
    for node in tests:
        found = _bool_comparison(node.test)
        if found is None or _read_elsewhere(func, found[0], tests):
            continue
        placeholder = _placeholder_of(model, func, found[0], index)
        if placeholder is not None:
            out.append(TensorTest(node.test, found[0], found[1], dotted(placeholder.func) or "tf.placeholder"))
    return out


def _read_elsewhere(func: FunctionInfo, tested: str, tests) -> bool:
    """Is `tested` read outside the function's `if` tests (`tf.cond(training, ...)` after `if training ==
    False: return x`, an `isinstance(training, bool)` guard)? Then the Python test is a shortcut for a bool
    and the tensor is handled in the graph."""
    in_tests = {id(n) for t in tests for n in find_all(t.test, (cst.Name, cst.Attribute))}
    return any(dotted(n) == tested and id(n) not in in_tests
               for n in find_all(func.node.body, (cst.Name, cst.Attribute)))


def _placeholder_of(model, func: FunctionInfo, tested: str, index) -> Optional[cst.Call]:
    """The boolean placeholder `tested` holds: `self.<attr>` bound once to one in a method of the class, or a
    parameter that a call in this file passes such a placeholder (a local bound once, or `self.<attr>`)."""
    if tested.startswith("self.") and tested.count(".") == 1 and func.class_name is not None:
        return _self_placeholder(model, func.class_name, tested)
    if "." in tested or tested not in func.params or tested in func.assignments:
        return None
    summary = index.modules.get(model.module_name, {}).get(func.qualname)
    if summary is None:
        return None
    for caller in model.functions:
        for site in caller.calls:
            if index.resolve_site(site, model.module_name) != (model.module_name, func.qualname):
                continue
            given = model.bound_arg(site, summary, tested)
            text = dotted(given) if given is not None else None
            if not text:
                continue
            if text.startswith("self.") and caller.class_name is not None:
                found = _self_placeholder(model, caller.class_name, text)
            else:
                values = caller.assignments.get(text, ())
                found = values[0][0] if len(values) == 1 and model.is_bool_placeholder(values[0][0]) else None
            if found is not None:
                return found
    return None


def _self_placeholder(model, class_name: str, attr: str) -> Optional[cst.Call]:
    values = [value for f in model.functions if f.class_name == class_name for value, _ in f.assignments.get(attr, ())]
    return values[0] if len(values) == 1 and model.is_bool_placeholder(values[0]) else None
