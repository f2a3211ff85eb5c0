"""Moving-average updates a class keeps on a list of its own, which nothing ever runs:

    class CRNN(object):
        def __init__(self, mode):
            self._extra_train_ops = []
        def _batch_norm(self, name, x):
            if self.mode == 'train':
                mean, variance = tf.nn.moments(x, [0, 1, 2])
                self._extra_train_ops.append(moving_averages.assign_moving_average(moving_mean, mean, 0.9))

The ResNet template this comes from groups the list with the optimizer's op (`tf.group(apply_op,
*self._extra_train_ops)`); a copy that builds its train op elsewhere and never reads the list leaves the
moving statistics at their initial 0 / 1, which the evaluation build (`mode != 'train'`) then reads.
"""

from __future__ import annotations

from typing import FrozenSet, List

import libcst as cst
import libcst.matchers as m

from slimlint.model.branch_bn import MOVING_WORDS
from slimlint.model.facts import FunctionInfo
from slimlint.model.walk import find_all

# Calls that build a moving-average update of a hand-written batch norm.
_AVERAGE_UPDATES = ("assign_moving_average",)
_ASSIGNS = ("tf.assign", "tf.compat.v1.assign", "tf.assign_sub")


def unread_update_lists(model, func: FunctionInfo) -> FrozenSet[str]:
    """FunctionSummary.unread_update_lists, for a class's `__init__`: the attributes its methods append
    moving-average updates to (`self._extra_train_ops.append(assign_moving_average(...))`) that the module
    reads nowhere else (neither grouped nor returned: only `self.L = []` and `self.L.append(...)`)."""
    if func.class_name is None or func.name != "__init__" or func.qualname.count(".") != 1:
        return frozenset()
    methods = [f for f in model.functions if f.class_name == func.class_name and f.node is not None]
    if not any(f.batch_moments for f in methods):
        return frozenset()  # no hand-written batch norm (`tf.nn.moments`) in the class: nothing to keep
    appended = set()
    for method in methods:
        for call in find_all(method.node, cst.Call):
            receiver = call.func
            if not (isinstance(receiver, cst.Attribute) and receiver.attr.value == "append" and call.args):
                continue
            target = receiver.value
            if m.matches(target, m.Attribute(value=m.Name("self"))) and _is_average_update(model, call.args[0].value):
                appended.add(target.attr.value)
    if not appended:
        return frozenset()
    return frozenset(attr for attr in appended if not _read_in_module(model, attr))


def _is_average_update(model, expr: cst.BaseExpression) -> bool:
    if not isinstance(expr, cst.Call):
        return False
    name = model.canonical(expr.func) or ""
    if name.rsplit(".", 1)[-1] in _AVERAGE_UPDATES:
        return True
    if name in _ASSIGNS and expr.args:
        text = cst.Module([]).code_for_node(expr.args[0].value).lower()
        return any(word in text for word in MOVING_WORDS)
    return False


def _read_in_module(model, attr: str) -> bool:
    """Is `<x>.attr` used in the module other than as `self.attr = ...` or `<x>.attr.append(...)`?"""
    return _reads(model, attr) > 0


def _reads(model, attr: str) -> int:
    """attribute_reads over the model's module, kept on the model per attribute."""
    cache = model.__dict__.setdefault("_attribute_reads", {})
    if attr not in cache:
        cache[attr] = attribute_reads(model.module, attr)
    return cache[attr]


def attribute_reads(module: cst.Module, attr: str) -> int:
    """How many times `<x>.attr` is read in `module`, its assignments and `.append(...)` receivers aside."""
    uses = [a for a in find_all(module, cst.Attribute) if a.attr.value == attr]
    skipped = set()
    for call in find_all(module, cst.Call):
        receiver = call.func
        if isinstance(receiver, cst.Attribute) and receiver.attr.value == "append" \
                and isinstance(receiver.value, cst.Attribute) and receiver.value.attr.value == attr:
            skipped.add(id(receiver.value))
    for target in find_all(module, cst.AssignTarget):
        if isinstance(target.target, cst.Attribute) and target.target.attr.value == attr:
            skipped.add(id(target.target))
    return sum(1 for a in uses if id(a) not in skipped)


def constructed_update_lists(model, func: FunctionInfo, index) -> List[tuple]:
    """The objects `func` makes of classes with unread update lists (`model = crnn.CRNN(mode)`), when this
    module does not read the list either: (the constructor's call site, the class's qualname, the attribute)."""
    if not index.any_summary("unread_update_lists"):
        return []
    out = []
    for site in func.calls:
        summary = index.lookup_site(site, model.module_name)
        if summary is None or not summary.unread_update_lists or not summary.qualname.endswith(".__init__"):
            continue
        name = site.assigned_to[0] if site.assigned_to else None
        if name is None or _handed_on(model, func, name):
            continue  # the object goes to other code (`with_extra_updates(train_op, model)`), which may group the list
        for attr in sorted(summary.unread_update_lists):
            # `tf.group(train_op, *model._extra_train_ops)` in another module (a helper the train op goes through)
            # puts ".attr" in the project's referenced names; `self.<attr>` uses there (a subclass) do not.
            if "." + attr not in index.referenced_names and _reads(model, attr) == 0:
                out.append((site, summary.qualname[:-len(".__init__")], attr))
    return out


def _handed_on(model, func: FunctionInfo, name: str) -> bool:
    """Is the object `name` passed as an argument to a call in `func` that is not TensorFlow's?"""
    for site in func.calls:
        if any(isinstance(a.value, cst.Name) and a.value.value == name for a in site.call.args) \
                and not (model.canonical(site.call.func) or "").startswith("tf."):
            return True
    return False
