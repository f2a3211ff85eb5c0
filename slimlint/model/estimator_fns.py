"""Estimator model_fn code: where TRAIN, EVAL and PREDICT share one graph-building path (SL206).

A function `model_fn(features, labels, mode, ...)` is one. So are the methods of a class built inside one: a
constructor taking `features` and `mode` (`BaseModel(features, labels, params, mode)`, subclassed per network,
its `build_estimator_spec()` returning the spec) builds its graph for whichever mode the Estimator runs.
"""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from slimlint.model.facts import FunctionInfo
from slimlint.model.import_table import dotted
from slimlint.model.walk import find_all

_MODE = "mode"


def model_fn_mode(model, func: FunctionInfo) -> Tuple[bool, Optional[str]]:
    """(is `func` model_fn code, the expression holding the Estimator's mode there: `mode`, or `self.mode` where the
    constructor keeps it; None when the code cannot read it)."""
    if _MODE in func.params and ("features" in func.params or "model_fn" in func.name):
        return True, _MODE
    if func.class_name is None or func.name == "__init__":
        return False, None
    init = _constructor(model, func.class_name)
    if init is None or _MODE not in init.params or "features" not in init.params \
            or not _names_estimator(model, func.class_name) or _built_only_for_training(model, func):
        return False, None
    kept = next((name for name, values in init.assignments.items()
                 if name.startswith("self.") and name.count(".") == 1 and len(values) == 1
                 and isinstance(values[0][0], cst.Name) and values[0][0].value == _MODE), None)
    # a static or class method has no `self` to read the kept mode from: no fix there
    return True, kept if func.params[:1] == ("self",) and not _decorated(func) else None


def _decorated(func: FunctionInfo) -> bool:
    return func.node is not None and bool(func.node.decorators)


def _names_estimator(model, class_name: str) -> bool:
    """Does the class (or a base of it in this file) speak of the Estimator: `EstimatorSpec`, `ModeKeys`? A class
    with its own `mode="training"` strings is session code whatever its constructor is called with."""
    classes = {class_name}
    pending = [class_name]
    while pending:
        for base in model.builder.classes.get(pending.pop(), ((), {}))[0]:
            if base in model.builder.classes and base not in classes:
                classes.add(base)
                pending.append(base)
    return any(f.class_name in classes and f.node is not None and any(
        "EstimatorSpec" in text or "ModeKeys" in text
        for text in (dotted(n) or "" for n in find_all(f.node, cst.Attribute))) for f in model.functions)


def _built_only_for_training(model, func: FunctionInfo) -> bool:
    """Is the method called only inside `if mode == ModeKeys.TRAIN:` branches of its callers (`build_train_spec()`
    beside `build_eval_spec()`)? Then it builds the TRAIN graph alone."""
    sites = [(caller, site) for caller in model.functions for site in caller.calls
             if any(t == func.qualname or t.endswith("." + func.qualname) for t in site.targets)]
    return bool(sites) and all(any(start < site.order <= end for start, end in caller.train_regions)
                               for caller, site in sites)


def _constructor(model, class_name: str, depth: int = 0) -> Optional[FunctionInfo]:
    """The class's `__init__`, or the nearest one among its bases defined in this file."""
    init = next((f for f in model.functions if f.qualname == f"{class_name}.__init__"), None)
    if init is not None or depth > 5:
        return init
    for base in model.builder.classes.get(class_name, ((), {}))[0]:
        if base in model.builder.classes:
            found = _constructor(model, base, depth + 1)
            if found is not None:
                return found
    return None
