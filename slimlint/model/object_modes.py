"""Modes carried by an object handed in: `cfg = TrainConfig(is_training=True)`, `Net(cfg=cfg)`, and in the
network `self.is_training = cfg.is_training` (or `self.cfg = cfg`, then `training=self.cfg.is_training`).

A function or constructor that reads its mode from an attribute of a parameter has a dotted mode parameter
(`cfg.is_training`, see ModeReading.classify). A call binds it by reading that attribute of the object it
passes: set on the object after it is made (`cfg.is_training = False`), kept by the project class's
constructor from an argument of the call that made it (`self.is_training = is_training`, or handed to a base
class constructor that keeps it), written as a literal by that constructor, or a class-level constant.

Anything that may change the attribute makes it unknown: a method of a project class that sets it
(`config.set_inference()`), a constructor of another class that sets it (a class constant is then no
evidence), `setattr(cfg, ...)`, handing the object to a project function that changes its attributes
(`update_config(cfg, args)`), or a value set afterwards that contradicts the one it was made with (the order of
the two is not tracked).

The True or False found this way is shared by everything that uses the object, training included: the
modes it gives carry no expression, so no fix edits it.
"""

from __future__ import annotations

from typing import Optional, Set, Tuple

import libcst as cst

from slimlint.model.facts import FALSE, INIT_PREFIX, PARAM, TRUE, UNKNOWN, CallSite, FunctionInfo, ModeArg, method_param
from slimlint.model.import_table import dotted
from slimlint.model.parameter_instances import SELF_NAMES
from slimlint.model.summary import FunctionSummary, ProjectIndex

_MAX_DEPTH = 4


def split_attribute_param(param: str) -> Optional[Tuple[str, str]]:
    """("cfg", "is_training") for a dotted mode parameter, None for a plain one."""
    obj, dot, attr = param.partition(".")
    return (obj, attr) if dot and obj and attr and "." not in attr and ":" not in obj else None


class ObjectModes:
    """Part of FileModel (semantic.py): uses ModeReading (classify, bound_arg, _constructor_param)."""

    def attribute_argument_mode(self, site: CallSite, summary: FunctionSummary, param: str,
                                index: ProjectIndex) -> Optional[ModeArg]:
        """The mode a call gives a dotted mode parameter (`cfg.is_training`) of its callee; None for a plain one."""
        parts = split_attribute_param(param)
        if parts is None:
            return None
        expr = self.bound_arg(site, summary, parts[0])
        if expr is None:
            return ModeArg(UNKNOWN, None, keyword=param, owner=site.call)
        mode = self.attribute_mode(expr, parts[1], site.func, param, index)
        return ModeArg(mode.kind, None, param=mode.param, keyword=param, owner=expr)  # the argument: where to point

    def attribute_mode(self, obj: cst.BaseExpression, attr: str, func: FunctionInfo, keyword: str,
                       index: ProjectIndex, depth: int = 0) -> ModeArg:
        unknown = ModeArg(UNKNOWN, None, keyword=keyword, owner=obj)
        if depth > _MAX_DEPTH or attr in index.attrs_set()[1]:
            return unknown  # some method sets it (`config.set_inference()`): which value holds is not known here
        text = dotted(obj)
        if isinstance(obj, cst.Name) and self._mutated(obj.value, attr, func, index):
            return unknown
        source = self._source_mode(obj, attr, func, keyword, index, depth)
        set_after = self._assigned(f"{text}.{attr}", func) if text else None
        if set_after is None:
            return source or unknown
        if len(set_after) != 1:
            return unknown
        after = self._carried(set_after[0][0], func, keyword, obj, index, depth)
        if source is not None and source.kind in (TRUE, FALSE) and source.kind != after.kind:
            return unknown  # made with one value, set to another: which one a given use sees depends on order
        return after

    def _source_mode(self, obj: cst.BaseExpression, attr: str, func: FunctionInfo, keyword: str,
                     index: ProjectIndex, depth: int) -> Optional[ModeArg]:
        """What the object's own origin says about the attribute: None when it says nothing."""
        text = dotted(obj)
        if isinstance(obj, cst.Name):
            if obj.value in func.params and obj.value not in SELF_NAMES:
                return ModeArg(PARAM, None, param=f"{obj.value}.{attr}", keyword=keyword, owner=obj)
            assigned = self._assigned(obj.value, func)
            if assigned and len(assigned) == 1:
                owner_func = func if func.assignments.get(obj.value) else self.module_func
                found = self.attribute_mode(assigned[0][0], attr, owner_func, keyword, index, depth + 1)
                if found.kind != UNKNOWN:
                    return found
            if attr in index.attrs_set()[0]:
                return None  # a constructor sets it on instances: a class constant is no evidence
            constant = self._class_constant(cst.Attribute(value=obj, attr=cst.Name(attr)), index)
            return self._carried(constant, func, keyword, obj, index, depth) if constant is not None else None
        if isinstance(obj, cst.Attribute) and text and text.startswith("self."):
            kept = self._constructor_param(obj, func)
            if kept and "." not in kept:  # `self.cfg = cfg`: the class's callers hand the object in
                return ModeArg(PARAM, None, param=f"{INIT_PREFIX}{kept}.{attr}", keyword=keyword, owner=obj)
            return None
        if isinstance(obj, cst.Call):
            return self._constructed_mode(obj, attr, func, keyword, index, depth)
        return None

    def _assigned(self, name: str, func: FunctionInfo):
        """Assignments of `name` (or `obj.attr`) in `func`; module level only for a name `func` neither takes nor binds."""
        head = name.split(".", 1)[0]
        own = func.assignments.get(name)
        if own or func.is_module or head in func.params or head in func.assignments:
            return own
        return self.module_func.assignments.get(name)

    def _mutated(self, name: str, attr: str, func: FunctionInfo, index: ProjectIndex) -> bool:
        """Is the object `name` changed by something slimlint cannot read: `setattr(name, ...)`, or a project
        function it is handed to that changes its parameters' attributes?"""
        if name in (func.setattr_names if func.node is not None else self.module_func.setattr_names):
            return True
        for site in func.calls:
            if not any(isinstance(v, cst.Name) and v.value == name for v in (*site.positional, *site.kwargs.values())):
                continue
            summary = index.lookup_site(site, self.module_name)
            changed = {p.split(".", 1)[1] for p in summary.mutated_params} if summary is not None else set()
            if attr in changed or "*" in changed:
                return True
        return False

    def mutated_params(self, func: FunctionInfo) -> frozenset:
        """FunctionSummary.mutated_params: "p.x" for `p.x = ...` on a parameter, "p.*" for `setattr(p, ...)`."""
        if func.node is None:
            return frozenset()
        params = {p for p in func.params if p not in SELF_NAMES}
        out = {name for name in func.assignments if name.count(".") == 1 and name.split(".", 1)[0] in params}
        out.update(f"{name}.*" for name in func.setattr_names & params)
        return frozenset(out)

    def _carried(self, value: cst.BaseExpression, func: FunctionInfo, keyword: str, obj, index: ProjectIndex,
                 depth: int) -> ModeArg:
        inner = self.classify(value, func, keyword, obj, index, depth + 1)
        return ModeArg(inner.kind, None, param=inner.param, keyword=keyword, owner=obj)

    def _constructed_mode(self, call: cst.Call, attr: str, func: FunctionInfo, keyword: str,
                          index: ProjectIndex, depth: int) -> Optional[ModeArg]:
        """`TrainConfig(is_training=True).is_training`: the argument the project class's constructor keeps as
        `self.<attr>` (its own, or a base class constructor's it hands the argument to), or the literal it sets."""
        site = next((s for s in func.calls if s.call is call), None)
        if site is None:
            return None
        found = index.resolve_site(site, self.module_name)
        if found is None:
            self.unresolved_object_classes.update(site.targets)  # its module may not be parsed yet
            return None
        if not found[1].endswith(".__init__"):
            return _factory_mode(index, found, attr, keyword, call)
        init = index.modules[found[0]][found[1]]
        param = _kept_as(index, found, f"self.{attr}")
        if param is None:
            written = dict(init.sets_attrs).get(attr)
            if written in ("true", "false"):
                return ModeArg(TRUE if written == "true" else FALSE, None, keyword=keyword, owner=call)
            # A base class constructor may keep it, in a module the prefilter passed over: parse it too.
            cls = index.classes.get(found[0], {}).get(found[1][: -len(".__init__")])
            self.unresolved_object_classes.update(cls[0] if cls else ())
            if written is not None or attr in index.attrs_set()[0]:
                return ModeArg(UNKNOWN, None, keyword=keyword, owner=call)
            return None
        expr = self.bound_arg(site, init, param)
        if expr is None:
            return None  # its default: not known here
        return self._carried(expr, func, keyword, call, index, depth)

    @property
    def unresolved_object_classes(self) -> Set[str]:
        """Call targets that made an object whose mode attribute was read, not found among the parsed modules."""
        if getattr(self, "_unresolved_object_classes", None) is None:
            self._unresolved_object_classes = set()
        return self._unresolved_object_classes


def _factory_mode(index: ProjectIndex, found: Tuple[str, str], attr: str, keyword: str, call: cst.Call,
                  depth: int = 0) -> Optional[ModeArg]:
    """`mc = kitti_config()`: the literal a config factory sets on the object it returns (or the factory it gets
    the object from sets, `mc = base_model_config(); mc.BATCH_SIZE = 8; return mc`); None when none says."""
    summary = index.modules.get(found[0], {}).get(found[1])
    if summary is None or depth > _MAX_DEPTH:
        return None
    word = dict(summary.returned_attrs).get(attr)
    if word is not None:
        kind = {"true": TRUE, "false": FALSE}.get(word, UNKNOWN)
        return ModeArg(kind, None, keyword=keyword, owner=call)
    for target in summary.returned_from:
        inner = index.resolve(target, found[0])
        if inner is not None and not inner[1].endswith(".__init__"):
            return _factory_mode(index, inner, attr, keyword, call, depth + 1)
    return None


def _kept_as(index: ProjectIndex, init: Tuple[str, str], attribute: str, depth: int = 0) -> Optional[str]:
    """The parameter of a constructor that ends up as `self.<attr>`: kept there, or handed to a base class
    constructor that keeps it (`Config.__init__(self, dataset, is_training)`)."""
    summary = index.modules.get(init[0], {}).get(init[1])
    if summary is None or depth > _MAX_DEPTH:
        return None
    kept = {target: param for param, target in summary.keeps_params}
    if attribute in kept:
        return kept[attribute]
    if attribute[len("self."):] in dict(summary.sets_attrs):
        return None  # set here to something else
    for network, theirs, ours in summary.passes_mode_params:
        if network[1].endswith(".__init__") and method_param(ours) is None \
                and _kept_as(index, network, attribute, depth + 1) == theirs:
            return ours
    return None
