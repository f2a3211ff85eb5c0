"""What a `**kwargs` dict handed to a call may hold: the keys the project can put into it.

`conv2d(x, shape, **kwargs)` gives conv2d's `is_training` (or its `bn` switch) only if some code puts that key
into the dict. The builder records every place a key can enter a dict (ModuleBuilder.keys_written): a keyword
argument (with the project functions the call may reach), a `**` forwarding, a dict literal's key, and
`d["key"] = ...` / `d.setdefault("key")` / `d.update(key=...)` on a named dict. Two dicts are followed to
their source: a function's own `**kwargs` parameter, and a copy of the constructor's (`self.kwargs =
kwargs` in `__init__`, then `kwargs = dict(self.kwargs)` in a method); any other dict may hold any key
written anywhere. A function that nothing in the parsed project calls gets no key into its `**kwargs` (its
callers are out of view: precision first, a mode left at the callee's default rather than "unknown").
"""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from slimlint.model.facts import FunctionInfo
from slimlint.model.import_table import dotted

KW, FORWARD, WRITE, LITERAL = "kw", "**", "write", "dict"
FORWARDED = "**"  # the key under which `**` forwardings are recorded


def literal_text(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    """The source of a literal a write puts into a dict (`True`, `False`, `None`, a string, an int)."""
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return expr.value
    if isinstance(expr, (cst.SimpleString, cst.Integer)):
        return expr.value
    return None


def varkw_name(func: FunctionInfo) -> Optional[str]:
    star = func.node.params.star_kwarg if func.node is not None else None
    return star.name.value if isinstance(star, cst.Param) else None


def dict_source(func: FunctionInfo, expr: cst.BaseExpression, functions) -> Optional[Tuple[str, Tuple[Tuple[str, str], ...]]]:
    """For `**kwargs` (the function's own parameter, never rebound) or `**kw` where `kw = dict(self.<attr>)` /
    `self.<attr>` and the class's `__init__` binds `self.<attr> = <its **kwargs>`: (the qualname of the
    function whose `**kwargs` parameter it is, the (function, local name) pairs whose writes reach it); None
    for any other dict."""
    if not isinstance(expr, cst.Name):
        return None
    name = expr.value
    if name == varkw_name(func) and name not in func.assignments:
        return func.qualname, ((func.qualname, name),)
    bound = func.assignments.get(name, ())
    if len(bound) != 1 or func.class_name is None:
        return None
    value = bound[0][0]
    if isinstance(value, cst.Call) and dotted(value.func) in ("dict", "copy.copy", "copy.deepcopy") \
            and len(value.args) == 1 and not value.args[0].keyword and not value.args[0].star:
        value = value.args[0].value
    elif isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "copy" \
            and not value.args:
        value = value.func.value
    attr = dotted(value) or ""
    if not attr.startswith("self.") or attr.count(".") != 1:
        return None
    init = next((f for f in functions if f.qualname == f"{func.class_name}.__init__"), None)
    init_kwargs = varkw_name(init) if init is not None else None
    if not init_kwargs or init_kwargs in init.assignments:
        return None
    stored = init.assignments.get(attr, ())
    if len(stored) == 1 and isinstance(stored[0][0], cst.Name) and stored[0][0].value == init_kwargs:
        return init.qualname, ((func.qualname, name), (init.qualname, init_kwargs))
    return None
