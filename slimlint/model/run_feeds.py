"""What a session run feeds, read back through the code before it: a mode attribute fed as the mode placeholder's
value (`{r.bn_is_training: r.is_training}`), and an array filled element by element before the run
(`patches[b], labels[b] = read_patch(testing_paths[i])`). Used by eval_runs.py.
"""

from __future__ import annotations

from typing import Optional, Set

import libcst as cst

from slimlint.model.facts import MODE_PARAM_NAMES, FunctionInfo
from slimlint.model.import_table import dotted
from slimlint.model.walk import find_all


def fed_true(model, func: FunctionInfo, value: cst.BaseExpression, order: int) -> Optional[cst.CSTNode]:
    """Where a fed value is True: the `True` itself; for a mode attribute fed (`{r.bn_is_training:
    r.is_training}`), its latest assignment in the function before the run (`r.is_training = False` before
    a validation run makes it False), else the keyword of that name in the call that built the object
    (`r = select_net(..., is_training=True)`). None when it is not known to be True."""
    if isinstance(value, cst.Name):
        return value if value.value == "True" else None
    text = dotted(value)
    if not text or "." not in text or text.rsplit(".", 1)[1] not in MODE_PARAM_NAMES:
        return None
    bound = [v for v, at in func.assignments.get(text, ()) if at < order]
    if bound:
        return bound[-1] if isinstance(bound[-1], cst.Name) and bound[-1].value == "True" else None
    holder, attr = text.rsplit(".", 1)
    built = [v for v, at in func.assignments.get(holder, ()) if at < order]
    if not built and holder not in func.params and holder not in func.assignments:
        built = [v for v, _ in model.module_func.assignments.get(holder, ())]  # a script's module-level model
    if not built or not isinstance(built[-1], cst.Call):
        return None
    given = next((a.value for a in built[-1].args if a.keyword is not None and a.keyword.value == attr), None)
    return given if isinstance(given, cst.Name) and given.value == "True" else None


def feeds_mode_attribute(runs) -> bool:
    """Does one of these runs (EvalRuns._runs) feed a mode-named attribute (`r.bn_is_training: r.is_training`)?"""
    return any(isinstance(e, cst.DictElement) and "." in (dotted(e.value) or "")
               and dotted(e.value).rsplit(".", 1)[1] in MODE_PARAM_NAMES
               for _, _, feed, _ in runs for e in feed.elements)


def last_fill(model, func: FunctionInfo, name: str, feed: cst.Dict) -> Optional[cst.BaseExpression]:
    """The value of the last statement before the run (by line, after the name's last binding) that fills
    the array element by element (`patches[b] = ...`): the batch the run feeds came from there."""
    body = model._code_of(func)
    if body is None or feed is None:
        return None
    cache = model.__dict__.setdefault("_fills_cache", {})
    if id(func) not in cache:
        fills = []
        for assign in find_all(body, cst.Assign):
            for target in assign.targets:
                elements = target.target.elements if isinstance(target.target, cst.Tuple) else [target.target]
                for element in elements:
                    node = element.value if isinstance(element, cst.Element) else element
                    if isinstance(node, cst.Subscript) and dotted(node.value):
                        fills.append((dotted(node.value), assign))
        cache[id(func)] = fills
    filled = [assign for target, assign in cache[id(func)] if target == name]
    if not filled:
        return None  # before any position is asked for: resolving them costs a pass over the module
    at = model.position(feed).start.line
    bound = [model.position(value).start.line for value, _ in func.assignments.get(name, ())]
    since = max([line for line in bound if line < at], default=0)
    found = [(line, assign.value) for assign in filled for line in [model.position(assign).start.line] if since < line < at]
    return max(found, key=lambda f: f[0])[1] if found else None


def mentioned(expr: cst.BaseExpression) -> Set[str]:
    """Every name and dotted attribute an expression mentions as a value (`iterator.get_next()`: iterator), not
    the attribute words alone (`get_next`), keyword names (`test=False`) nor what is called
    (`train_test_split(...)`, `loader.get_batch(...)`)."""
    attributes = find_all(expr, cst.Attribute)
    calls = find_all(expr, cst.Call)
    skipped = {id(a.attr) for a in attributes} | {id(c.func) for c in calls}
    skipped |= {id(a.keyword) for c in calls for a in c.args if a.keyword is not None}
    names = {n.value for n in find_all(expr, cst.Name) if id(n) not in skipped}
    return names | {dotted(a) for a in attributes if id(a) not in skipped and dotted(a)}
