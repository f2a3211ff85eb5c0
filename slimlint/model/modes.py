"""What mode an expression gives batch norm (True, False, a parameter, a run-time value) and where a
mode comes from when the call does not say: an enclosing `slim.arg_scope`, an arg_scope factory, a config
class's constant, the callers' arg_scopes (ProjectIndex.scoped_bn_mode)."""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, FrozenSet, List, Optional, Tuple

import libcst as cst

from slimlint.model import api
from slimlint.model.builder import literal_dict, returned_dict
from slimlint.model.instance_dicts import decode_dict, encode_dict, merge_changes, self_dict_changes
from slimlint.model.import_table import dotted
from slimlint.model.parameter_instances import SELF_NAMES, skips_self
from slimlint.model.facts import (
    BN_API,
    INIT_PREFIX,
    MODE_PARAM_NAMES,
    DEFAULT,
    DYNAMIC,
    FALSE,
    PARAM,
    TRUE,
    UNKNOWN,
    ArgScopeFrame,
    CallSite,
    FunctionInfo,
    LayerCall,
    ModeArg,
    mode_from_default,
)
from slimlint.model.summary import FactoryConfig, FunctionSummary, ProjectIndex
from slimlint.model.string_modes import string_test


# class_constants' markers for a constructor's `self.<...normalizer...> = <fn>`: batch norm, or another normaliser.
NORMALIZER_BN = "normalizer:batch_norm"
NORMALIZER_OTHER = "normalizer:other"


class ModeReading:
    """Part of FileModel (semantic.py): uses its builder, functions and module_func."""

    def classify(self, expr: Optional[cst.BaseExpression], func: FunctionInfo, keyword: str, owner, index: ProjectIndex,
                 depth: int = 0) -> ModeArg:
        if expr is None:
            return ModeArg(DEFAULT, None, keyword=keyword, owner=owner)
        if isinstance(expr, cst.Name):
            if expr.value == "True":
                return ModeArg(TRUE, expr, keyword=keyword, owner=owner)
            if expr.value in ("False", "None"):
                return ModeArg(FALSE, expr, keyword=keyword, owner=owner)
            if expr.value in func.params:
                return ModeArg(PARAM, expr, param=expr.value, keyword=keyword, owner=owner)
            enclosing = self._enclosing_param(expr.value, func)
            if enclosing is not None:
                # `def network_fn(images): return func(images, is_training=is_training)` inside
                # `get_network_fn(name, is_training)`: the enclosing function's callers decide.
                return ModeArg(PARAM, expr, param=enclosing, keyword=keyword, owner=owner)
            assigned = func.assignments.get(expr.value) or self.module_func.assignments.get(expr.value)
            if assigned and len(assigned) == 1 and depth < 3:
                inner = self.classify(assigned[0][0], func, keyword, owner, index, depth + 1)
                if inner.kind in (TRUE, FALSE):
                    return inner
                if inner.predicate is not None:
                    return replace(inner, expr=expr)  # `is_training = (mode == 'train')`, then passed on
                if inner.kind == DYNAMIC:
                    return ModeArg(DYNAMIC, expr, keyword=keyword, owner=owner)
            return ModeArg(UNKNOWN, expr, keyword=keyword, owner=owner)
        tested = string_test(expr) if depth < 3 else None
        if tested is not None:
            subject = self.classify(tested[0], func, keyword, owner, index, depth + 1)
            if subject.kind == PARAM and subject.predicate is None:
                # `is_training=(self.mode == 'train')`: the caller's string decides (string_modes.py).
                return ModeArg(PARAM, expr, param=subject.param, keyword=keyword, owner=owner, predicate=tested[1])
        fixed = _constant_bool(expr, self._canonical)
        if fixed is not None:
            # `tf.constant(True, tf.bool)`: a tensor no feed can change, the written bool decides
            return ModeArg(TRUE if fixed.value == "True" else FALSE, fixed, keyword=keyword, owner=owner)
        if isinstance(expr, (cst.Comparison, cst.BooleanOperation, cst.UnaryOperation, cst.Call, cst.IfExp)):
            return ModeArg(DYNAMIC, expr, keyword=keyword, owner=owner)
        constant = self._class_constant(expr, index)
        if constant is not None and depth < 3:
            inner = self.classify(constant, func, keyword, owner, index, depth + 1)
            if inner.kind in (TRUE, FALSE):
                return inner
        alias = self._self_alias(expr, func) if depth < 3 else None
        if alias is not None:
            # `mc = self.mc` then `mc.TRAINING`: read as `self.mc.TRAINING`; the mode keeps the node written here.
            inner = self.classify(alias, func, keyword, owner, index, depth + 1)
            return replace(inner, expr=expr) if inner.expr is not None else inner
        init_param = self._constructor_param(expr, func)
        if init_param is not None:
            # self.is_training set from the constructor: the class's callers decide (Net(is_training=...)).
            return ModeArg(PARAM, expr, param=INIT_PREFIX + init_param, keyword=keyword, owner=owner)
        setter = self._method_setter_param(expr, func)
        if setter is not None:
            # `def build(self, images, is_training): self.is_training = is_training`, read by the methods it calls.
            return ModeArg(PARAM, expr, param=f"{setter[0]}:{setter[1]}", keyword=keyword, owner=owner)
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value in func.params \
                and expr.value.value not in SELF_NAMES and dotted(expr) not in func.assignments:
            # `cfg.is_training` of a config object handed in: the callers' object decides (object_modes.py).
            return ModeArg(PARAM, expr, param=f"{expr.value.value}.{expr.attr.value}", keyword=keyword, owner=owner)
        if func.class_name is not None and dotted(expr) in self._placeholder_attrs(func.class_name):
            # `self.is_train = tf.placeholder(tf.bool)` in some method: the runs' feeds decide
            return ModeArg(DYNAMIC, expr, keyword=keyword, owner=owner)
        return ModeArg(UNKNOWN, expr, keyword=keyword, owner=owner)

    def _placeholder_attrs(self, class_name: str) -> FrozenSet[str]:
        """`self.<x>` that a method of the class binds, once, to a boolean placeholder."""
        memo = self.__dict__.setdefault("_placeholder_attrs_memo", {})
        if class_name not in memo:
            memo[class_name] = frozenset(
                name for f in self.functions if f.class_name == class_name for name, values in f.assignments.items()
                if name.startswith("self.") and name.count(".") == 1 and len(values) == 1
                and self.is_bool_placeholder(values[0][0]))
        return memo[class_name]

    @staticmethod
    def _self_alias(expr: cst.BaseExpression, func: FunctionInfo) -> Optional[cst.Attribute]:
        """`mc.TRAINING` where the function bound `mc = self.mc` once (and set nothing on it): `self.mc.TRAINING`."""
        if not (isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name)):
            return None
        name = expr.value.value
        bound = func.assignments.get(name)
        if not bound or len(bound) != 1 or name in func.params or dotted(expr) in func.assignments:
            return None
        value = bound[0][0]
        text = dotted(value) if isinstance(value, cst.Attribute) else None
        if not text or not text.startswith("self.") or text.count(".") != 1:
            return None
        return cst.Attribute(value=value, attr=expr.attr)

    def _enclosing_param(self, name: str, func: FunctionInfo) -> Optional[str]:
        """A parameter of an enclosing function that a nested function reads without binding it itself."""
        qualname = func.qualname
        if ".<locals>." not in qualname or name in func.assignments:
            return None
        outer_name = qualname.rsplit(".<locals>.", 1)[0]
        outer = next((f for f in self.functions if f.qualname == outer_name), None)
        if outer is None:
            return None
        if name in outer.params:
            return name
        return None if name in outer.assignments else self._enclosing_param(name, outer)

    def _class_constant(self, expr: cst.BaseExpression, index: ProjectIndex) -> Optional[cst.BaseExpression]:
        """`config.TRAIN_BN` / `Config.TRAIN_BN`: a boolean class-level constant of a project class
        (this file's, or through the index, another module's; base classes included)."""
        text = dotted(expr)
        if not text or text.count(".") != 1:
            return None
        owner, attr = text.split(".")
        cls = owner if owner in self.builder.classes else next(iter(self.builder.instances.get(owner, ())), None)
        seen = set()
        while cls in self.builder.classes and cls not in seen:
            seen.add(cls)
            bases, attrs = self.builder.classes[cls]
            if attr in attrs:
                return attrs[attr]
            cls = bases[0] if bases else None
        qualified = self.builder.table.names.get(cls) if cls else None  # an imported (base) class
        value = index.class_constant(qualified, attr, self.module_name) if qualified else None
        return cst.Name(value.capitalize()) if value else None

    def class_constants(self) -> Dict[str, tuple]:
        """This file's classes: (qualified bases, attributes, method names called), for other modules: boolean class attributes
        ("true" / "false"), and the dict literals the constructor binds on self (`self.batch_norm_params = {...}`,
        under "self.<name>", see instance_dicts.encode_dict). Syntactic: computed once per file, asked every round."""
        if getattr(self, "_own_classes", None) is None:
            self._own_classes = self._class_constants()
        return self._own_classes

    def _class_constants(self) -> Dict[str, tuple]:
        out = {}
        for name, (bases, attrs) in self.builder.classes.items():
            qualified = tuple(self._qualified_base(b) for b in bases if b)
            constants: Dict[str, object] = {
                k: v.value.lower() for k, v in attrs.items() if isinstance(v, cst.Name) and v.value in ("True", "False")}
            init = next((f for f in self.functions if f.qualname == f"{name}.__init__"), None)
            changes = self._dict_changes(name)
            for target, values in (init.assignments.items() if init is not None else ()):
                if target.startswith("self.") and "normalizer" in target and len(values) == 1:
                    # `self.normalizer_fn = slim.batch_norm` on a config object: layers given
                    # `normalizer_fn=cfg.normalizer_fn` normalise with it (ProjectIndex.batch_norm_attribute).
                    is_bn = self.builder.canonical(values[0][0]) in api.NORMALIZER_FNS
                    constants[target] = NORMALIZER_BN if is_bn else NORMALIZER_OTHER
                    continue
                if target.startswith("self.") and len(values) == 1:
                    encoded = encode_dict(values[0][0])
                    if encoded is not None and target in changes:
                        # Its methods change it: replay literal-key assignments, else it cannot be read.
                        encoded = merge_changes(encoded, changes[target]) if changes[target] is not None else None
                    if encoded is not None:
                        constants[target] = encoded
            out[name] = (qualified, constants, self.builder.class_method_calls.get(name, frozenset()))
        return out

    def instance_param_bases(self) -> List[str]:
        """Qualified base classes of this file's classes that pass `normalizer_params=self.<name>`: a base's
        constructor may bind that dict, in a module the prefilter cannot tell holds batch-norm facts."""
        classes = self.class_constants()
        return [base for name in self.builder.instance_param_classes for base in classes.get(name, ((), {}))[0]]

    def _qualified_base(self, base: str) -> str:
        """`vae_base.Vae` -> `generative.models.vae_base.Vae` through the import of its first name."""
        head, _, rest = base.partition(".")
        imported = self.builder.table.names.get(head)
        if imported is None:
            return f"{self.module_name}.{base}"
        return f"{imported}.{rest}" if rest else imported

    def self_dict_items(self, expr: cst.BaseExpression, func: FunctionInfo, index: ProjectIndex) -> Optional[Dict[str, cst.BaseExpression]]:
        """The items of `self.<name>` when the class's constructor (or a base class's, in any module) binds it
        to a dict literal; None when they cannot be read."""
        text = dotted(expr)
        if not text or not text.startswith("self.") or text.count(".") != 1 or func.class_name is None:
            return None
        cls = self.class_constants().get(func.class_name)
        if cls is not None and text in cls[1]:
            return decode_dict(cls[1][text])
        own = self._dict_changes(func.class_name)  # a subclass that changes its base's dict
        if text in own and own[text] is None:
            return None
        for base in cls[0] if cls is not None else ():
            found = index.class_constant(base, text, self.module_name)
            if isinstance(found, tuple):
                return decode_dict(merge_changes(found, own[text]) if text in own else found)
        return None

    def _dict_changes(self, class_name: str) -> dict:
        """instance_dicts.self_dict_changes over the methods of one class of this file (kept: syntactic)."""
        memo = self.__dict__.setdefault("_dict_changes_memo", {})
        if class_name not in memo:
            memo[class_name] = self_dict_changes(f.node for f in self.functions if f.class_name == class_name and f.node is not None)
        return memo[class_name]

    def _constructor_param(self, expr: cst.BaseExpression, func: FunctionInfo) -> Optional[str]:
        """The constructor parameter `self.<attr>` holds: `p` for `self.x = p`; `p.a` (an attribute of an object
        handed in) for `self.x = p.a`, and for `self.c.a` after `self.c = p`."""
        text = dotted(expr)
        if not text or not text.startswith("self.") or func.class_name is None:
            return None
        init = next((f for f in self.functions if f.qualname == f"{func.class_name}.__init__"), None)
        if init is None:
            return None
        head, _, attr = text.rpartition(".")
        if head != "self":  # self.cfg.is_training
            if head.count(".") != 1 or any(text in f.assignments for f in self.functions if f.class_name == func.class_name):
                return None  # not set from outside only: `self.cfg.is_training = False` in one of its methods
            kept = self._kept_object(init, head)
            return f"{kept}.{attr}" if kept else None
        values = init.assignments.get(text)
        if not values or len(values) != 1:
            return None
        value = values[0][0]
        if isinstance(value, cst.Name) and value.value in init.params:
            return value.value
        if isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name) and dotted(value) not in init.assignments:
            kept = self._kept_object(init, value.value.value)
            if kept:
                return f"{kept}.{value.attr.value}"
        return None

    def _method_setter_param(self, expr: cst.BaseExpression, func: FunctionInfo) -> Optional[Tuple[str, str]]:
        """(method, parameter) when `self.<attr>` is set once in the class, outside the constructor, from a parameter
        of that method (`def build(self, is_training): self.is_training = is_training`), and `func` is that method
        or one it calls (through self, at any depth): the method's callers choose the mode."""
        text = dotted(expr)
        if not text or not text.startswith("self.") or text.count(".") != 1 or func.class_name is None:
            return None
        cache = self.__dict__.setdefault("_setters", {})  # per class and attribute: classify asks often
        key = (func.class_name, text)
        if key not in cache:
            cache[key] = self._find_method_setter(func.class_name, text)
        found = cache[key]
        return (found[0], found[1]) if found is not None and func.name in found[2] else None

    def _find_method_setter(self, class_name: str, text: str) -> Optional[Tuple[str, str, frozenset]]:
        """(setter method, its parameter, the methods it reaches through self) for _method_setter_param."""
        methods = {f.name: f for f in self.functions if f.class_name == class_name and "<locals>" not in f.qualname}
        setters = [(f, values) for f in methods.values() for values in [f.assignments.get(text)] if values]
        if len(setters) != 1 or len(setters[0][1]) != 1 or setters[0][0].name == "__init__":
            return None
        setter, value = setters[0][0], setters[0][1][0][0]
        if not (isinstance(value, cst.Name) and value.value in setter.params and value.value not in SELF_NAMES):
            return None
        reached, todo = {setter.name}, [setter]
        while todo:
            for site in todo.pop().calls:
                for target in site.targets:
                    owner, _, name = target.rpartition(".")
                    if owner == class_name and name in methods and name not in reached:
                        reached.add(name)
                        todo.append(methods[name])
        return setter.name, value.value, frozenset(reached)

    @staticmethod
    def _kept_object(init: FunctionInfo, name: str) -> Optional[str]:
        """The constructor parameter a name holds there: the parameter itself, or `self.c` set once from it."""
        if name in init.params and name not in SELF_NAMES:
            return name
        values = init.assignments.get(name) if name.startswith("self.") else None
        if values and len(values) == 1 and isinstance(values[0][0], cst.Name):
            held = values[0][0].value
            if held in init.params and held not in SELF_NAMES:
                return held
        return None

    def _dict_items(self, expr: Optional[cst.BaseExpression], func: FunctionInfo,
                    at: Optional[int] = None) -> Optional[Dict[str, cst.BaseExpression]]:
        """The literal items of a normalizer_params dict (a literal, `dict(...)`, or a name bound to one), or of the
        dict a function of this file returns (`normalizer_params=batch_norm_params(is_training)`)."""
        if expr is None:
            return None
        items = literal_dict(expr, func, self.module_func, at=at)  # as the dict is at the use (order `at`)
        if items is None and isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name):
            items = returned_dict(expr, self.functions, self.module_func)
        return items

    def _frame_value(self, frames, op: str, key: str, index: ProjectIndex) -> Tuple[Optional[ArgScopeFrame], Optional[cst.BaseExpression]]:
        for frame in reversed(frames):
            if frame.ops is not None and op in frame.ops and key in frame.kwargs:
                return frame, frame.kwargs[key]
        return None, None

    def call_scope_mode(self, site: CallSite, index: ProjectIndex) -> Optional[ModeArg]:
        """The mode an enclosing `arg_scope([slim.batch_norm], is_training=...)` gives all batch norm a project call
        builds (arg_scope is dynamic: it reaches the callee's layers); UNKNOWN under a scope slimlint cannot
        read; None when no scope speaks."""
        _, expr = self._frame_value(site.frames, BN_API, "is_training", index)
        if expr is None:
            expr = self._scoped_normalizer_mode(site)
        if expr is not None:
            return self.classify(expr, site.func, "is_training", site.call, index)
        if self.opaque_scope(site.frames, index):
            return ModeArg(UNKNOWN, None, owner=site.call)
        return None

    def _scoped_normalizer_mode(self, site: CallSite) -> Optional[cst.BaseExpression]:
        """The `is_training` of the innermost arg_scope over slim layers that gives them `normalizer_params`
        (`with slim.arg_scope([slim.conv2d], normalizer_params={'is_training': is_training}): return
        self.body(x)`): the callee's layers that normalise with batch norm and pass no params of their own get it."""
        for frame in reversed(site.frames):
            if frame.ops is None or not frame.ops & api.NORMALIZED_LAYERS or "normalizer_params" not in frame.kwargs:
                continue
            items = self._dict_items(frame.kwargs["normalizer_params"], site.func, at=site.order)
            return items.get("is_training") if items is not None else None
        return None

    def _factory(self, frame: ArgScopeFrame, index: ProjectIndex) -> Optional[Tuple[FunctionSummary, FactoryConfig]]:
        if frame.factory is None:
            return None
        for target in frame.factory.targets:
            summary = index.lookup(target, self.module_name)
            if summary is not None and summary.factory is not None:
                switch = summary.factory.normalizer_switch
                if switch is not None:
                    # `segnet_arg_scope(use_batch_norm=False)` over `normalizer_fn=slim.batch_norm if use_batch_norm
                    # else None`: this call's scope normalises with nothing
                    given = self.bound_arg(frame.factory, summary, switch[0])
                    if isinstance(given, cst.Name) and given.value in ("True", "False") and (given.value == "True") != switch[1]:
                        return None
                return summary, summary.factory
        return None

    def opaque_scope(self, frames, index: ProjectIndex) -> bool:
        """Is one of these arg_scopes one slimlint cannot read, that may set batch norm's mode: a scope value it
        cannot follow (`with slim.arg_scope(sc):` for an unknown `sc`), or an arg_scope factory that is not the
        project's and is handed a mode (`arg_scope(some_lib.scope(is_training=False))`)? Batch norm left at its
        default under one is not known to train."""
        for frame in frames:
            if frame.ops is not None:
                continue
            if frame.factory is None:
                return True
            if self._factory(frame, index) is None and any(k in MODE_PARAM_NAMES for k in frame.factory.kwargs):
                return True
        return False

    @staticmethod
    def bound_arg(site: CallSite, summary: FunctionSummary, param: str) -> Optional[cst.BaseExpression]:
        """The expression a call passes for `param` (by keyword or by position), or None."""
        expr = site.kwargs.get(param)
        if expr is None and param in summary.params[:summary.n_positional]:
            pos = summary.params.index(param)
            if skips_self(summary.params, summary.qualname, site):
                pos -= 1
            if 0 <= pos < len(site.positional):
                expr = site.positional[pos]
        return expr

    def _factory_mode(self, layer: LayerCall, index: ProjectIndex) -> Optional[ModeArg]:
        """Mode given to batch norm by an arg_scope factory call (`arg_scope(my_scope(is_training=x))`)."""
        return self.factory_frames_mode(layer.frames, index)

    def factory_frames_mode(self, frames, index: ProjectIndex) -> Optional[ModeArg]:
        """The mode the innermost of these arg_scopes made by a project factory that speaks of batch norm's mode
        gives it (`arg_scope(my_scope(is_training=x))`, also a factory picked from a dict of them); None when
        none does."""
        for frame in reversed(frames):
            found = self._factory(frame, index)
            if found is None:
                continue
            summary, config = found
            if config.mode == PARAM and config.mode_param:
                site = frame.factory
                carried = self.attribute_argument_mode(site, summary, config.mode_param, index)
                if carried is not None:
                    return carried
                expr = self.bound_arg(site, summary, config.mode_param)
                if expr is None:
                    default = mode_from_default(summary.default_of(config.mode_param))
                    return ModeArg(default, None, keyword=config.mode_param, owner=site.call)
                return self.classify(expr, site.func, config.mode_param, site.call, index)
            if config.mode in (TRUE, FALSE):
                return ModeArg(config.mode, None)
            if config.mode == DEFAULT and not config.dropped_mode_param:
                # A project factory whose scopes set no mode (`Seg_Net_arg_scope()`: batch_norm_params without
                # is_training): batch norm keeps the library's default, unless a caller's scope gives one.
                continue
            return ModeArg(UNKNOWN, None)
        return None

    def _scoped_mode(self, func: FunctionInfo, index: ProjectIndex) -> Optional[ModeArg]:
        """The mode callers' arg_scopes give batch norm built in `func` (a nested helper: its outer function's)."""
        qualname = func.qualname
        while True:
            kind = index.scoped_bn_mode.get((self.module_name, qualname))
            if kind is not None:
                return ModeArg(kind, None)
            if ".<locals>." not in qualname:
                return None
            qualname = qualname.rsplit(".<locals>.", 1)[0]


def _constant_bool(expr: cst.BaseExpression, canonical) -> Optional[cst.Name]:
    """The `True` / `False` of `tf.constant(True)` / `tf.constant(False, dtype=tf.bool)`, else None."""
    if not isinstance(expr, cst.Call) or not expr.args or expr.args[0].keyword is not None \
            or expr.args[0].star or canonical(expr.func) != "tf.constant":
        return None
    value = expr.args[0].value
    return value if isinstance(value, cst.Name) and value.value in ("True", "False") else None
