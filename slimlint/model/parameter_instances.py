"""Methods called on a parameter: `def evaluate(model, ...): model.compute_loss(x, is_training=True)`.

Once the whole file is read, the parameter takes the classes of the instances this file's callers pass for it
(`model = StudentModel(...)`, then `evaluate(model, ...)` or `evaluate(model=model)`), and the call resolves
to those classes' method like a call on the instance itself. One level: a parameter handed on to another
function's parameter is not followed.
"""

from __future__ import annotations

import bisect
from typing import Dict, List, Tuple

from slimlint.model.facts import CallSite, FunctionInfo
from slimlint.model.import_table import dotted


def resolve_parameter_calls(functions: List[FunctionInfo], instances: Dict[str, Tuple[str, ...]],
                            parameter_calls: List[Tuple[CallSite, str, str]]) -> None:
    """Give each pending call on a parameter the targets its callers' arguments imply, in call order."""
    for site, param, method in parameter_calls:
        classes = _argument_classes(site.func, param, functions, instances)
        if not classes:
            continue
        site.targets = tuple(f"{c}.{method}" for c in classes)
        calls = site.func.calls
        calls.insert(bisect.bisect([c.order for c in calls], site.order), site)


def _argument_classes(callee: FunctionInfo, param: str, functions: List[FunctionInfo],
                      instances: Dict[str, Tuple[str, ...]]) -> Tuple[str, ...]:
    found: List[str] = []
    for caller in functions:
        for site in caller.calls:
            if not _calls(site, callee):
                continue
            arg = site.kwargs.get(param)
            if arg is None and param in callee.params[:callee.n_positional]:
                at = callee.params.index(param) - (1 if callee.class_name and site.bound else 0)
                arg = site.positional[at] if 0 <= at < len(site.positional) else None
            name = dotted(arg) if arg is not None else None
            if name is None:
                continue
            key = f"{caller.class_name}.{name}" if name.startswith("self.") and caller.class_name else name
            found.extend(c for c in instances.get(key, ()) if c not in found)
    return tuple(found)


def _calls(site: CallSite, callee: FunctionInfo) -> bool:
    """Does the call reach this file's function: `evaluate(...)` for a module-level function, a method
    through `self.evaluate(...)` within its class."""
    return callee.qualname in site.targets
