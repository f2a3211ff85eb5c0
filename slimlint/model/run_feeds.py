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
    if isinstance(value, cst.Name) and value.value in ("True", "False"):
        return value if value.value == "True" else None
    tested = true_by_branch(model, func, value)
    if tested is not None:
        return tested
    if isinstance(value, cst.Name):
        return None
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


def true_by_branch(model, func: FunctionInfo, value: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """The test of the innermost `if` around a fed value that makes it True there: the value tested itself
    (`if conf.training:`, `== True`, `is True`) around it, or tested False (`if not training:`, `== False`,
    `is False`) with the value in its `else`; not when the name is bound again after that test, before the
    value. A training script whose validation loop, inside `if conf.training == True:`, feeds
    `{train_phase: conf.training}` feeds True."""
    text = dotted(value)
    body = model._code_of(func)
    if not text or body is None:
        return None
    cache = model.__dict__.setdefault("_branch_tests_cache", {})
    if id(func) not in cache:
        cache[id(func)] = [(node, tested, truthy) for node in find_all(body, cst.If)
                           for tested, truthy in [tested_flag(node.test)] if tested is not None]
    tests = [(node, truthy) for node, tested, truthy in cache[id(func)] if tested == text]
    if not tests:
        return None
    at = model.position(value).start.line
    found = None
    for node, truthy in tests:
        branch = node.body if truthy else node.orelse
        if branch is None:
            continue
        span = model.position(branch)
        if span.start.line <= at <= span.end.line and (found is None or model.position(node).start.line
                                                        > model.position(found).start.line):
            found = node
    if found is None or _maybe_changed(model, found.body if tested_flag(found.test)[1] else found.orelse, text, at):
        return None
    return found.test


def _maybe_changed(model, branch: cst.CSTNode, text: str, at: int) -> bool:
    """May the flag hold something else by line `at` of this branch? Conservative: it, or the object it is an
    attribute of, is bound again before that line (assigned, augmented, a `for` / `with` target), `setattr` or a
    method of that object is called (`self.eval_mode()`), a function declares it `global`, or the value sits in a
    function or lambda defined in the branch (whose parameter may shadow it)."""
    base = text.split(".", 1)[0]

    def rebinds(target: cst.BaseExpression) -> bool:
        if isinstance(target, (cst.Tuple, cst.List)):
            return any(rebinds(e.value) for e in target.elements)
        if isinstance(target, cst.StarredElement):
            return rebinds(target.value)
        name = dotted(target) or ""
        return name in (text, base) or text.startswith(name + ".") if name else False

    for node in find_all(branch, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.For, cst.With, cst.Call,
                                  cst.FunctionDef, cst.Lambda, cst.Global)):
        span = model.position(node)
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            if span.start.line <= at <= span.end.line:
                return True
            continue
        if isinstance(node, cst.Global):
            if any(n.name.value == base for n in node.names):
                return True
            continue
        if span.start.line > at:
            continue
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For)):
            targets = [node.target]
        elif isinstance(node, cst.With):
            targets = [item.asname.name for item in node.items if item.asname is not None]
        else:
            callee = dotted(node.func) or ""
            targets = []
            if callee == "setattr" or (callee.startswith(base + ".") and base != text):
                return True  # `setattr(conf, 'training', False)`, `self.eval_mode()`
            if base == text and callee and "." not in callee and _declares_global(model, base):
                return True  # `set_mode(False)`: a function of the module rebinds the global flag
        if any(rebinds(t) for t in targets):
            return True
    return False


def _declares_global(model, name: str) -> bool:
    cache = model.__dict__.setdefault("_globals_cache", {})
    if name not in cache:
        cache[name] = any(n.name.value == name for g in find_all(model.module, cst.Global) for n in g.names)
    return cache[name]


def tested_flag(test: cst.BaseExpression):
    """(the flag an `if` tests, whether its body runs when the flag is True), or (None, None): `x`, `x == True`,
    `x is True`; `not x`, `x == False`, `x is False`."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner, truthy = tested_flag(test.expression)
        return (inner, not truthy) if inner is not None and isinstance(test.expression, (cst.Name, cst.Attribute)) \
            else (None, None)
    if isinstance(test, (cst.Name, cst.Attribute)):
        return (dotted(test), True) if dotted(test) and dotted(test) not in ("True", "False") else (None, None)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
            and isinstance(test.comparisons[0].operator, (cst.Equal, cst.Is)) \
            and isinstance(test.comparisons[0].comparator, cst.Name) \
            and test.comparisons[0].comparator.value in ("True", "False") and isinstance(test.left, (cst.Name, cst.Attribute)):
        return dotted(test.left), test.comparisons[0].comparator.value == "True"
    return None, None


def feeds_mode_attribute(runs) -> bool:
    """Does one of these runs (EvalRuns._runs) feed a mode-named attribute (`r.bn_is_training: r.is_training`)
    or a mode-named variable (`{train_phase: training}`, maybe True by the `if` around it)?"""
    return any(isinstance(e, cst.DictElement) and (dotted(e.value) or "").rsplit(".", 1)[-1] in MODE_PARAM_NAMES
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
