"""Estimator model_fn code: where TRAIN, EVAL and PREDICT share one graph-building path (SL206).

A function `model_fn(features, labels, mode, ...)` is one. So are the methods of a class built inside one: a
constructor taking `features` and `mode` (`BaseModel(features, labels, params, mode)`, subclassed per network,
its `build_estimator_spec()` returning the spec) builds its graph for whichever mode the Estimator runs.
"""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from slimlint.model.facts import FunctionInfo

_MODE = "mode"


def model_fn_mode(model, func: FunctionInfo) -> Tuple[bool, Optional[str]]:
    """(is `func` model_fn code, the expression holding the Estimator's mode there: `mode`, or `self.mode` where the
    constructor keeps it; None when the code cannot read it)."""
    if _MODE in func.params and ("features" in func.params or "model_fn" in func.name):
        return True, _MODE
    if func.class_name is None or func.name == "__init__":
        return False, None
    init = _constructor(model, func.class_name)
    if init is None or _MODE not in init.params or "features" not in init.params:
        return False, None
    kept = next((name for name, values in init.assignments.items()
                 if name.startswith("self.") and name.count(".") == 1 and len(values) == 1
                 and isinstance(values[0][0], cst.Name) and values[0][0].value == _MODE), None)
    return True, kept


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
