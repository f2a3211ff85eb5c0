"""A mode kept on an object and changed after the object built its graph with it:

    class SegNet:
        def __init__(self):
            self.training = True
            self.bn1 = self._make_bn(training=self.training)   # Python reads True here, once
        def __call__(self, x):
            return self.bn1(x)

    model.training = False       # the predictor: the layers already hold True
    logits = model(images)       # batch norm still normalises with the batch's statistics

or `self.is_train = False` in an `evaluate()` method that then runs a session on the graph the constructor
built. The constructor (and the methods it calls on self) hands the attribute's value to batch norm; a later
assignment reaches nothing that was built. Three facts, each a FunctionSummary field so they meet across
files: the mode attributes a construction method hands to batch norm (captured_mode_attrs), the mode
attributes other code reads (late_mode_reads: a method that reads one at call time makes a later assignment
count, so none may), and the assignments of False outside construction (late_false_writes, asked by SL201).
"""

from __future__ import annotations

from typing import FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from slimlint.model.facts import MODE_PARAM_NAMES, FunctionInfo
from slimlint.model.import_table import dotted
from slimlint.prefilter import MODE_ATTR_FALSE as _MODE_ATTR_FALSE
from slimlint.model.summary import ProjectIndex
from slimlint.model.walk import find_all


def _self_attr(expr) -> str:
    """`A` for `self.A` (one level), else ""."""
    text = dotted(expr) if expr is not None else None
    if text and text.startswith("self.") and text.count(".") == 1:
        return text[len("self."):]
    return ""


class FrozenModeAttrs:
    """Part of FileModel (semantic.py): uses its functions and batch-norm facts."""

    def construction_methods(self) -> FrozenSet[str]:
        """Qualnames of the code that runs while an object of a class of this file is built: its `__init__`
        and the methods that calls on self, transitively (`self.build_network(self.x)`). Syntactic: kept."""
        memo = self.__dict__.get("_construction_memo")
        if memo is None:
            by_name = {f.qualname: f for f in self.functions}
            found: Set[str] = set()
            todo = [f for f in self.functions if f.name == "__init__" and f.class_name is not None]
            while todo:
                func = todo.pop()
                if func.qualname in found or func.node is None:
                    continue
                found.add(func.qualname)
                for call in find_all(func.node.body, cst.Call):
                    name = _self_attr(call.func)
                    callee = by_name.get(f"{func.class_name}.{name}") if name else None
                    if callee is not None:
                        todo.append(callee)
            memo = self.__dict__["_construction_memo"] = frozenset(found)
        return memo

    def captured_mode_attrs(self, func: FunctionInfo, index: ProjectIndex) -> FrozenSet[str]:
        """FunctionSummary.captured_mode_attrs: mode attributes (`self.training`) a construction method hands to
        batch norm as its mode, directly or through a project function that builds it."""
        if func.qualname not in self.construction_methods():
            return frozenset()
        return self._handed_mode_attrs(func, index)

    def built_mode_attrs(self, func: FunctionInfo, index: ProjectIndex) -> FrozenSet[str]:
        """FunctionSummary.built_mode_attrs: the same, for a method called on a finished object to build its graph
        (`logits = model.network_fn(images)`): Python reads the attribute when that call runs."""
        if func.class_name is None or func.qualname in self.construction_methods() or not func.params \
                or func.params[0] != "self":
            return frozenset()
        return self._handed_mode_attrs(func, index)

    def _handed_mode_attrs(self, func: FunctionInfo, index: ProjectIndex) -> FrozenSet[str]:
        modes = [site.mode for site in self.bn_sites(func, index)]
        modes += [mode for call in self.bn_calls(func, index) for mode in call.modes.values()]
        return frozenset(attr for mode in modes for attr in [_self_attr(mode.expr)] if attr in MODE_PARAM_NAMES)

    def late_mode_reads(self, func: FunctionInfo) -> FrozenSet[str]:
        """FunctionSummary.late_mode_reads: mode-named attributes this function reads that an assignment made
        before the read can change: any object's, outside construction code (it may run after any assignment);
        in construction code, those of objects other than self (`cfg.is_training`, set before `Net(cfg)`)."""
        if func.node is None:
            return frozenset()
        memo = self.__dict__.setdefault("_late_reads_memo", {})  # syntactic, asked every index round
        if id(func) not in memo:
            constructing = func.qualname in self.construction_methods()
            written = {id(t.target) for a in find_all(func.node.body, cst.Assign) for t in a.targets}
            memo[id(func)] = frozenset(
                node.attr.value for node in find_all(func.node.body, cst.Attribute)
                if node.attr.value in MODE_PARAM_NAMES and id(node) not in written
                and not (constructing and dotted(node.value) == "self"))
        return memo[id(func)]

    def late_false_writes(self, func: FunctionInfo, index: ProjectIndex) -> List[Tuple[cst.Attribute, str]]:
        """`obj.training = False` / `self.is_train = False` outside construction code, for an attribute some
        class of the project hands to batch norm while it is built and no code reads later
        (ProjectIndex.mode_attr_frozen_at_build): the assignment changes no batch norm's mode."""
        if func.node is None or _MODE_ATTR_FALSE.search(self.module_code()) is None:
            return []
        calls = find_all(func.node.body, cst.Call)
        out = []
        for assign in find_all(func.node.body, cst.Assign):
            if not (isinstance(assign.value, cst.Name) and assign.value.value == "False") or len(assign.targets) != 1:
                continue
            target = assign.targets[0].target
            if not isinstance(target, cst.Attribute) or target.attr.value not in MODE_PARAM_NAMES:
                continue
            if _self_attr(target) and func.qualname in self.construction_methods():
                continue  # set while the object is built: later construction code may read it
            holder = dotted(target.value)
            built_by = None
            if not index.mode_attr_frozen_at_build(target.attr.value):
                built_by = self._built_before(func, assign, holder, target.attr.value, index)
                if built_by is None:
                    continue
            if not holder or holder in self.builder.classes or holder in self.builder.table.names:
                continue  # `Model.training = False` on a class (or an imported name): before any object is built
            if any(holder in {dotted(a.value) for a in c.args} for c in calls):
                continue  # `cfg.is_training = False; Net(cfg)`, `rebuild(model)`: handed to code that may build with it
            rebuilders = index.construction_method_names()
            if any(isinstance(c.func, cst.Attribute) and c.func.attr.value in rebuilders
                   and (dotted(c.func.value) == holder or holder == "self" and _is_super(c.func.value)) for c in calls):
                continue  # `self.is_train = False; self.build()`: built again with the new value
            out.append((target, target.attr.value, built_by))
        return out

    def _built_before(self, func: FunctionInfo, assign: cst.Assign, holder: Optional[str], attr: str,
                      index: ProjectIndex) -> Optional[cst.Call]:
        """The call that built the holder's graph with the attribute before this assignment (`model.network_fn(
        images)`, a method that hands `self.<attr>` to batch norm), when the attribute is read only by such
        methods and no such call on the holder comes after the assignment or shares a loop with it."""
        builders = index.mode_attr_builders(attr)
        if not holder or holder == "self" or not builders:
            return None
        if holder not in func.params and holder not in func.assignments:
            return None  # a global: other functions may build with it after the assignment
        nested = [n for n in find_all(func.node.body, (cst.FunctionDef, cst.Lambda))]
        if any(holder in {dotted(x) for x in find_all(n, (cst.Name, cst.Attribute))} for n in nested):
            return None  # `def tower(x): return model.network_fn(x)`, called before and after the assignment
        positions = {id(n): i for i, n in enumerate(find_all(func.node.body, (cst.Assign, cst.Call)))}  # source order
        at = positions.get(id(assign))
        on_holder = [c for c in find_all(func.node.body, cst.Call) if isinstance(c.func, cst.Attribute)
                     and dotted(c.func.value) == holder]
        calls = [c for c in on_holder if c.func.attr.value in builders]
        if at is None or not calls or any(positions.get(id(c), at) >= at for c in on_holder):
            return None  # any method called on it afterwards (`model.predict(x)`) may build again
        loops = [loop for loop in find_all(func.node.body, (cst.For, cst.While)) if any(n is assign for n in find_all(loop, cst.Assign))]
        if any(c is n for loop in loops for n in find_all(loop, cst.Call) for c in calls):
            return None  # built again on the loop's next turn, with the new value
        return calls[-1]


def _is_super(expr: cst.BaseExpression) -> bool:
    """`super()` / `super(Cls, self)`: the object itself, through its base class."""
    return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "super"
