"""The semantic model of one file: what it builds, queried by the rules.

Built once per file (one parse, one traversal); questions that need other files (does `model.resnet`
build batch norm?) go through the ProjectIndex of function summaries.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, Iterator, List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from slimlint.model import api, context, signatures
from slimlint.model.builder import ModuleBuilder, literal_dict
from slimlint.model.names import dotted
from slimlint.model.walk import walk
from slimlint.model.facts import (
    OPAQUE,
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
    TrainOp,
    UPDATE_OPS,
    mode_from_default,
    updates_collection_of,
)
from slimlint.model.summary import FactoryConfig, FunctionSummary, ProjectIndex

_BN_API = "slim.batch_norm"
_SLIM_PACKAGES = ("tensorflow.contrib.slim", "tf_slim")
_INIT_PREFIX = "__init__:"  # a mode parameter of the class's constructor, reached through self.<attr>
# Parameter names a hand-written batch norm takes its mode by.
_MODE_PARAM_NAMES = ("is_training", "training", "is_train", "train", "phase_train", "train_phase", "phase")


@dataclass
class BNSite:
    """A batch-norm layer the code builds, with the mode and update wiring it gets."""

    layer: LayerCall
    api: str
    mode: ModeArg
    updates_collection: Optional[str]  # see facts.updates_collection_of; None: moving statistics updated in place
    mode_from_params: bool = False  # is_training came from the layer's own normalizer_params
    own_collections: bool = False  # variables_collections given: the moving statistics may sit in TRAINABLE_VARIABLES

    @property
    def order(self) -> int:
        return self.layer.order

    @property
    def func(self) -> FunctionInfo:
        return self.layer.func

    @property
    def in_place(self) -> bool:
        return self.updates_collection is None

    @property
    def adds_update_ops(self) -> bool:
        """Does it put update ops in UPDATE_OPS (another collection is the code's own business)?"""
        if self.updates_collection != UPDATE_OPS or self.api.startswith("tf.keras") or self.api == "tf.layers.BatchNormalization":
            return False
        return self.mode.kind != FALSE


@dataclass
class BNCall:
    """A call to a function (project or model zoo) that builds batch norm."""

    site: CallSite
    summary: FunctionSummary
    modes: Dict[str, ModeArg]  # mode parameter -> what this call gives it

    @property
    def order(self) -> int:
        return self.site.order

    @property
    def adds_update_ops(self) -> bool:
        if not self.summary.builds_bn_updates:
            return False
        if self.summary.always_training or not self.modes:
            return True
        return any(m.kind != FALSE for m in self.modes.values())


class FileModel:
    def __init__(self, module: cst.Module, module_name: str) -> None:
        self.module = module
        self.module_name = module_name
        builder = ModuleBuilder(module)
        walk(module, builder)
        self.builder = builder
        self.functions: List[FunctionInfo] = builder.functions
        self.module_func = builder.module_func
        self.aliases = builder.aliases
        self._positions = None
        self._call_index = None  # id(call) -> (callee names, enclosing function), made when a fix asks

    # --- positions (resolved lazily: only files with findings pay for them) ------------------

    def position(self, node: cst.CSTNode):
        if self._positions is None:
            self._positions = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._positions[node]

    def path_of(self, stmt: cst.CSTNode) -> Tuple[cst.CSTNode, ...]:
        return self.builder.paths.get(id(stmt), ())

    # --- import facts ------------------------------------------------------------------------

    @property
    def uses_slim(self) -> bool:
        """The module imports or binds TF-Slim (tf.contrib.layers alone is not slim code)."""
        table = self.builder.table
        bound = list(table.names.values()) + list(table.aliases.values())
        if any(full.startswith(_SLIM_PACKAGES) for full in bound):
            return True
        return any(full == "tensorflow" and f"{local}.contrib.slim." in self.module.code for local, full in table.names.items())

    def bound_module_name(self, wanted: Tuple[str, ...]) -> Optional[str]:
        """A module-level name bound to one of the canonical modules `wanted` ("tf", "slim")."""
        for name, qualified in self.builder.table.top_level.items():
            if api.canonical(qualified) in wanted and qualified not in ("tensorflow.contrib.layers", "tensorflow.contrib.framework"):
                return name
        for name, qualified in self.aliases.items():
            if api.canonical(qualified) in wanted:
                return name
        return None

    def slim_reference(self) -> Optional[Tuple[str, Optional[str]]]:
        """How fixed code can name the slim module: (expression, module to import as it or None)."""
        bound = self.bound_module_name(("slim",))
        if bound is not None:
            return bound, None
        for local, full in self.builder.table.names.items():
            if full == "tensorflow" and f"{local}.contrib.slim." in self.module.code:
                return f"{local}.contrib.slim", None
        imported = [full for full in self.builder.table.names.values() if full.startswith(_SLIM_PACKAGES)]
        if imported and not self.name_in_use("slim"):
            package = "tf_slim" if any(full.startswith("tf_slim") for full in imported) else "tensorflow.contrib.slim"
            return "slim", package
        return None

    def name_in_use(self, name: str) -> bool:
        return (
            name in self.builder.table.names
            or name in self.aliases
            or name in self.builder.local_functions
            or any(name in f.assignments or name in f.params for f in self.functions)
        )

    def tf_prefix(self) -> Optional[str]:
        """How this module spells the TF1 API: `tf`, `tf1`, or `tf.compat.v1` for TF2-style files."""
        bound = {**self.builder.table.top_level, **self.aliases}
        compat = next((name for name, q in bound.items() if q == "tensorflow.compat.v1"), None)
        if compat is not None:
            return compat
        best = next((name for name, q in self.builder.table.top_level.items() if q == "tensorflow"), None)
        if best is not None and f"{best}.compat.v1." in self.module.code:
            return f"{best}.compat.v1"
        return best

    # --- mode values -------------------------------------------------------------------------

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
            assigned = func.assignments.get(expr.value) or self.module_func.assignments.get(expr.value)
            if assigned and len(assigned) == 1 and depth < 3:
                inner = self.classify(assigned[0][0], func, keyword, owner, index, depth + 1)
                if inner.kind in (TRUE, FALSE):
                    return inner
                if inner.kind == DYNAMIC:
                    return ModeArg(DYNAMIC, expr, keyword=keyword, owner=owner)
            return ModeArg(UNKNOWN, expr, keyword=keyword, owner=owner)
        if isinstance(expr, (cst.Comparison, cst.BooleanOperation, cst.UnaryOperation, cst.Call, cst.IfExp)):
            return ModeArg(DYNAMIC, expr, keyword=keyword, owner=owner)
        constant = self._class_constant(expr, index)
        if constant is not None and depth < 3:
            inner = self.classify(constant, func, keyword, owner, index, depth + 1)
            if inner.kind in (TRUE, FALSE):
                return inner
        init_param = self._constructor_param(expr, func)
        if init_param is not None:
            # self.is_training set from the constructor: the class's callers decide (Net(is_training=...)).
            return ModeArg(PARAM, expr, param=_INIT_PREFIX + init_param, keyword=keyword, owner=owner)
        return ModeArg(UNKNOWN, expr, keyword=keyword, owner=owner)

    def _class_constant(self, expr: cst.BaseExpression, index: ProjectIndex) -> Optional[cst.BaseExpression]:
        """`config.TRAIN_BN` / `Config.TRAIN_BN`: a boolean class-level constant of a project class
        (this file's, or through the index, another module's; base classes included)."""
        text = dotted(expr)
        if not text or text.count(".") != 1:
            return None
        owner, attr = text.split(".")
        cls = owner if owner in self.builder.classes else self.builder.instances.get(owner)
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
        """This file's classes: (qualified bases, boolean class attributes), for other modules' configs."""
        out = {}
        for name, (bases, attrs) in self.builder.classes.items():
            qualified = tuple(self.builder.table.names.get(b, f"{self.module_name}.{b}") for b in bases if b)
            constants = {k: v.value.lower() for k, v in attrs.items() if isinstance(v, cst.Name) and v.value in ("True", "False")}
            out[name] = (qualified, constants)
        return out

    def _constructor_param(self, expr: cst.BaseExpression, func: FunctionInfo) -> Optional[str]:
        text = dotted(expr)
        if not text or not text.startswith("self.") or func.class_name is None:
            return None
        init = next((f for f in self.functions if f.qualname == f"{func.class_name}.__init__"), None)
        values = init.assignments.get(text) if init is not None else None
        if values and len(values) == 1 and isinstance(values[0][0], cst.Name) and values[0][0].value in init.params:
            return values[0][0].value
        return None

    def _dict_items(self, expr: Optional[cst.BaseExpression], func: FunctionInfo) -> Optional[Dict[str, cst.BaseExpression]]:
        """The literal items of a normalizer_params dict (a literal, `dict(...)`, or a name bound to one)."""
        return None if expr is None else literal_dict(expr, func, self.module_func)

    # --- batch-norm sites --------------------------------------------------------------------

    def _frame_value(self, frames, op: str, key: str, index: ProjectIndex) -> Tuple[Optional[ArgScopeFrame], Optional[cst.BaseExpression]]:
        for frame in reversed(frames):
            if frame.ops is not None and op in frame.ops and key in frame.kwargs:
                return frame, frame.kwargs[key]
        return None, None

    def _factory(self, frame: ArgScopeFrame, index: ProjectIndex) -> Optional[Tuple[FunctionSummary, FactoryConfig]]:
        if frame.factory is None:
            return None
        for target in frame.factory.targets:
            summary = index.lookup(target, self.module_name)
            if summary is not None and summary.factory is not None:
                return summary, summary.factory
        return None

    @staticmethod
    def bound_arg(site: CallSite, summary: FunctionSummary, param: str) -> Optional[cst.BaseExpression]:
        """The expression a call passes for `param` (by keyword or by position), or None."""
        expr = site.kwargs.get(param)
        if expr is None and param in summary.params[:summary.n_positional]:
            pos = summary.params.index(param)
            if summary.params[0] in ("self", "cls") and isinstance(site.call.func, cst.Attribute):
                pos -= 1
            if 0 <= pos < len(site.positional):
                expr = site.positional[pos]
        return expr

    def bn_sites(self, func: FunctionInfo, index: ProjectIndex) -> List[BNSite]:
        sites = []
        for layer in func.layers:
            site = self._bn_site(layer, index)
            if site is not None:
                sites.append(site)
        return sites

    def _bn_site(self, layer: LayerCall, index: ProjectIndex) -> Optional[BNSite]:
        func = layer.func
        if layer.api in api.BATCH_NORM:
            keyword, _, _ = api.BATCH_NORM[layer.api]
            owner, expr = layer.call, layer.kwargs.get(keyword)
            if expr is None:
                expr = self.passed_by_position(layer.call, keyword, index)
            if expr is None and layer.api == _BN_API:
                frame, expr = self._frame_value(layer.frames, _BN_API, keyword, index)
                owner = frame.call if frame is not None else layer.call
            mode = self.classify(expr, func, keyword, owner, index)
            if mode.kind == DEFAULT and layer.api == _BN_API:
                mode = self._factory_mode(layer, index) or self._scoped_mode(func, index) or mode
            if mode.kind == DEFAULT:
                mode = replace(mode, kind=TRUE if api.BATCH_NORM[layer.api][2] else FALSE, expr=None)
            updates = self._updates_collection(layer.kwargs.get("updates_collections"), layer.frames, index, "updates_collections" in layer.kwargs)
            collections = "variables_collections" in layer.kwargs or self._frame_value(layer.frames, _BN_API, "variables_collections", index)[1] is not None
            return BNSite(layer, layer.api, mode, updates, own_collections=collections)
        # A slim layer: does it normalise with batch norm?
        normalizer = layer.kwargs.get("normalizer_fn")
        if normalizer is None:
            _, normalizer = self._frame_value(layer.frames, layer.api, "normalizer_fn", index)
        factory = None
        if normalizer is None:
            for frame in reversed(layer.frames):
                found = self._factory(frame, index)
                if found is not None and layer.api in found[1].normalized_ops:
                    factory = found
                    break
            if factory is None:
                return None
        elif self._canonical(normalizer) not in api.NORMALIZER_FNS:
            return None
        params_expr = layer.kwargs.get("normalizer_params")
        params_owner = layer.call
        if params_expr is None:
            frame, params_expr = self._frame_value(layer.frames, layer.api, "normalizer_params", index)
            if frame is not None:
                params_owner = frame.call
        items = self._dict_items(params_expr, func)
        unreadable = params_expr is not None and items is None  # built by a call, spread from elsewhere
        items = items or {}
        from_params = "is_training" in items or unreadable
        if "is_training" in items:
            mode = self.classify(items["is_training"], func, "is_training", params_owner, index)
        elif unreadable:
            mode = ModeArg(UNKNOWN, params_expr)
        else:
            frame, expr = self._frame_value(layer.frames, _BN_API, "is_training", index)
            mode = self.classify(expr, func, "is_training", frame.call if frame else layer.call, index)
            if mode.kind == DEFAULT:
                factory_mode = self._factory_mode(layer, index)
                if factory_mode is not None:
                    mode = factory_mode
                    from_params = factory is not None and factory[1].mode_from_params
                else:
                    mode = self._scoped_mode(func, index) or mode
        if mode.kind == DEFAULT:
            # Where a fix would say is_training=False: the layer's own params dict, or a new
            # normalizer_params on the layer when normalizer_fn is its own argument (never is_training=
            # on the layer: slim.conv2d has no such parameter).
            if isinstance(params_expr, cst.Dict) and params_owner is layer.call:
                mode = replace(mode, owner=params_expr, keyword="is_training")
            elif params_expr is None and "normalizer_fn" in layer.kwargs:
                mode = replace(mode, owner=layer.call, keyword="normalizer_params")
            else:
                mode = replace(mode, owner=None)
            mode = replace(mode, kind=TRUE, expr=None)
        updates = self._updates_collection(items.get("updates_collections"), layer.frames, index, "updates_collections" in items)
        collections = "variables_collections" in items or self._frame_value(layer.frames, _BN_API, "variables_collections", index)[1] is not None
        return BNSite(layer, _BN_API, mode, updates, mode_from_params=from_params, own_collections=collections)

    def _factory_mode(self, layer: LayerCall, index: ProjectIndex) -> Optional[ModeArg]:
        """Mode given to batch norm by an arg_scope factory call (`arg_scope(my_scope(is_training=x))`)."""
        for frame in reversed(layer.frames):
            found = self._factory(frame, index)
            if found is None:
                continue
            summary, config = found
            if config.mode == PARAM and config.mode_param:
                site = frame.factory
                expr = self.bound_arg(site, summary, config.mode_param)
                if expr is None:
                    default = mode_from_default(summary.default_of(config.mode_param))
                    return ModeArg(default, None, keyword=config.mode_param, owner=site.call)
                return self.classify(expr, site.func, config.mode_param, site.call, index)
            if config.mode in (TRUE, FALSE):
                return ModeArg(config.mode, None)
            return ModeArg(UNKNOWN, None)
        return None

    def _updates_collection(self, expr, frames, index, given: bool) -> Optional[str]:
        """The layer's own `updates_collections`, else an enclosing arg_scope's, else an arg_scope factory's."""
        if not given:
            _, expr = self._frame_value(frames, _BN_API, "updates_collections", index)
            given = expr is not None
            if not given:
                for frame in reversed(frames):
                    found = self._factory(frame, index)
                    if found is not None:
                        return found[1].updates_collection
        return updates_collection_of(expr, given)

    def _canonical(self, expr: cst.BaseExpression) -> Optional[str]:
        return self.builder.canonical(expr)

    # --- what a fix may pass ------------------------------------------------------------------

    def accepts_keyword(self, call: cst.Call, keyword: str, index: ProjectIndex) -> bool:
        """Can a fix add `keyword=...` to this call and the program still build? Only when the callee is
        known to take it (its `def` in the project, or the generated TF / tf_slim / model-zoo signature
        table), the call does not already pass it by position, and no `*args` / `**kwargs` may hold it."""
        if any(a.star for a in call.args) or any(a.keyword is not None and a.keyword.value == keyword for a in call.args):
            return False
        positional = sum(1 for a in call.args if a.keyword is None)
        for params, n_positional, any_keyword, skip in self._callee_signatures(call, index):
            if keyword not in params:
                return any_keyword
            at = params.index(keyword)
            return at >= n_positional or at - skip >= positional
        return False

    def passed_by_position(self, call: cst.Call, param: str, index: ProjectIndex) -> Optional[cst.BaseExpression]:
        """The argument a call passes for `param` by position (`batch_norm(x, 0.99, True)`), when the
        callee's signature is known; OPAQUE when a `*args` may hold it."""
        if any(a.star == "*" for a in call.args):
            return OPAQUE
        positional = [a.value for a in call.args if a.keyword is None]
        for params, n_positional, _, skip in self._callee_signatures(call, index):
            if param in params[:n_positional] and 0 <= params.index(param) - skip < len(positional):
                return positional[params.index(param) - skip]
            return None
        return None

    def _callee_signatures(self, call: cst.Call, index: ProjectIndex):
        """(parameters, how many of them may be passed by position, takes **kwargs, leading parameters the
        call does not pass: self) of the callee."""
        if self._call_index is None:
            self._call_index = {}
            for func in self.functions:
                for layer in func.layers:
                    # slim.repeat(x, 3, slim.conv2d, ...) hands its keywords to the layer it repeats: unknown.
                    repeated = self.builder.canonical(layer.call.func) in ("slim.repeat", "slim.stack")
                    self._call_index[id(layer.call)] = (("<repeat>",) if repeated else (layer.api,), func)
                for site in func.calls:
                    self._call_index.setdefault(id(site.call), (site.targets, func))
        targets, _ = self._call_index.get(id(call), ((), None))
        if not targets:
            full = self.builder.resolve(call.func)
            targets = (full,) if full else ()
        for target in targets:
            if target == "<repeat>":
                return
            found = index.resolve(target, self.module_name) if not target.startswith(("slim.", "tf.")) else None
            if found is not None:
                summary = index.modules[found[0]][found[1]]
                skip = 1 if summary.params[:1] in (("self",), ("cls",)) else 0
                yield summary.params, summary.n_positional, summary.accepts_any_keyword, skip
                return
            signature = signatures.lookup(api.canonical(target) or target)
            if signature is not None:
                positions = signature.params if signature.positions_known else ()
                yield positions + signature.kwonly, len(positions), signature.varkw, 0
                return

    # --- calls to functions that build batch norm -------------------------------------------

    def bn_calls(self, func: FunctionInfo, index: ProjectIndex) -> List[BNCall]:
        out = []
        for site in func.calls:
            summary = None
            for target in site.targets:
                summary = index.lookup(target, self.module_name)
                if summary is not None:
                    break
            if summary is None:
                continue
            if summary.slim_layers and site.frames:
                scoped = self._scoped_bn_call(site, summary, index)
                if scoped is not None:
                    out.append(scoped)
            if summary.zoo and site.frames:
                # The network's own arg_scope([batch_norm], is_training=...) loses to normalizer_params given
                # to its layers from outside (slim's precedence: the normaliser call's own arguments win).
                bn = self._bn_site(LayerCall(call=site.call, api="slim.conv2d", frames=site.frames, func=site.func,
                                             order=site.order, kwargs={}), index)
                if bn is not None and bn.mode_from_params:
                    scoped = replace(summary, builds_bn_updates=bn.updates_collection == UPDATE_OPS)
                    out.append(BNCall(site, scoped, {"is_training": bn.mode}))
                    continue
            if summary.builds_bn_updates or summary.mode_params:
                out.append(BNCall(site, summary, self._bind_modes(site, summary, index)))
        return out

    def _bind_modes(self, site: CallSite, summary: FunctionSummary, index: ProjectIndex) -> Dict[str, ModeArg]:
        modes = {}
        for param in summary.mode_params:
            expr = self.bound_arg(site, summary, param)
            if expr is None and not summary.zoo:
                # `with slim.arg_scope([initial_block, bottleneck], is_training=x):` over the project's own
                # @slim.add_arg_scope functions sets their parameter.
                expr = self._frame_value(site.frames, dotted(site.call.func) or "", param, index)[1]
            if expr is None and (site.has_star or not summary.params and len(site.positional) > 2):
                modes[param] = ModeArg(UNKNOWN, None, keyword=param, owner=site.call)
                continue
            mode = self.classify(expr, site.func, param, site.call, index)
            if mode.kind == DEFAULT:
                mode = replace(mode, kind=mode_from_default(summary.default_of(param)), expr=None)
            modes[param] = mode
        return modes

    def _scoped_bn_call(self, site: CallSite, summary: FunctionSummary, index: ProjectIndex) -> Optional[BNCall]:
        """A call made inside an arg_scope that gives the callee's slim layers batch norm."""
        for op in sorted(summary.slim_layers):
            bn = self._bn_site(LayerCall(call=site.call, api=op, frames=site.frames, func=site.func, order=site.order, kwargs={}), index)
            if bn is None:
                continue
            mode, param = bn.mode, "is_training"
            kind, slim_param = summary.slim_mode
            if not bn.mode_from_params and kind != DEFAULT:
                # The callee's own arg_scope([slim.batch_norm], is_training=...) decides (facenet, slim's nets).
                if kind == PARAM and slim_param:
                    param = slim_param
                    expr = self.bound_arg(site, summary, slim_param)
                    mode = self.classify(expr, site.func, slim_param, site.call, index)
                    if mode.kind == DEFAULT:
                        mode = replace(mode, kind=mode_from_default(summary.default_of(slim_param)))
                else:
                    mode = ModeArg(kind)
            scoped = FunctionSummary(
                qualname=summary.qualname,
                params=summary.params,
                n_positional=summary.n_positional,
                mode_params=frozenset({param}),
                mode_defaults=summary.mode_defaults,
                builds_bn_updates=bn.updates_collection == UPDATE_OPS,
                always_training=False,
                bn_own_collections=bn.own_collections,
            )
            return BNCall(site, scoped, {param: mode})
        return None

    def training_bn(self, func: FunctionInfo, index: ProjectIndex) -> list:
        """Batch norm built in `func` (directly or through calls) that puts ops in UPDATE_OPS."""
        found = [s for s in self.bn_sites(func, index) if s.adds_update_ops]
        found += [c for c in self.bn_calls(func, index) if c.adds_update_ops]
        return sorted(found, key=lambda x: x.order)

    # --- summaries ---------------------------------------------------------------------------

    def summaries(self, index: ProjectIndex) -> Dict[str, FunctionSummary]:
        out = {}
        for func in self.functions:
            if func.is_module or "<locals>" in func.qualname:
                continue
            out[func.qualname] = self._summarise(func, index)
        # Methods whose batch norm takes its mode from self.<attr> set in __init__: the constructor is
        # where callers choose it, so `__init__` carries those parameters.
        for qual, summary in list(out.items()):
            init_params = {p[len(_INIT_PREFIX):] for p in summary.mode_params if p.startswith(_INIT_PREFIX)}
            if not init_params:
                continue
            out[qual] = replace(summary, mode_params=frozenset(p for p in summary.mode_params if not p.startswith(_INIT_PREFIX)))
            init_name = qual.rsplit(".", 1)[0] + ".__init__"
            init = out.get(init_name)
            if init is not None:
                defaults = dict(init.mode_defaults)
                info = next(f for f in self.functions if f.qualname == init_name)
                for p in init_params:
                    d = info.defaults.get(p)
                    defaults[p] = d.value.lower() if isinstance(d, cst.Name) and d.value in ("True", "False", "None") else "other"
                # The constructor builds update ops only if the method does (in-place batch norm does not).
                out[init_name] = replace(init, mode_params=init.mode_params | init_params,
                                         builds_bn_updates=init.builds_bn_updates or summary.builds_bn_updates,
                                         mode_defaults=tuple(sorted(defaults.items())))
        return out

    def _summarise(self, func: FunctionInfo, index: ProjectIndex) -> FunctionSummary:
        mode_params = set()
        builds = False
        always = False
        if func.adds_to_update_ops:
            # Hand-written batch norm: its updates go to UPDATE_OPS, its mode is the parameter named for it.
            builds = True
            mode = next((p for p in func.params if p in _MODE_PARAM_NAMES), None)
            if mode is not None:
                mode_params.add(mode)
            else:
                always = True
        for site in self.bn_sites(func, index):
            if site.mode.kind == PARAM:
                # In-place batch norm still runs in the mode it is given: SL201 needs the parameter.
                mode_params.add(site.mode.param)
            if site.updates_collection != UPDATE_OPS:
                continue
            if site.mode.kind == PARAM:
                builds = True
            elif site.mode.kind != FALSE:
                builds = True
                if site.mode.kind == TRUE:
                    always = True
        for call in self.bn_calls(func, index):
            builds = builds or call.summary.builds_bn_updates and call.adds_update_ops
            always = always or call.summary.always_training
            for mode in call.modes.values():
                if mode.kind == PARAM:
                    mode_params.add(mode.param)
                    builds = builds or call.summary.builds_bn_updates
                elif mode.kind == TRUE and call.summary.builds_bn_updates:
                    always = True
        slim_layers = set()
        slim_mode = (DEFAULT, None)
        for layer in func.layers:
            if layer.api in api.NORMALIZED_LAYERS and "normalizer_fn" not in layer.kwargs:
                if self._frame_value(layer.frames, layer.api, "normalizer_fn", index)[1] is None:
                    slim_layers.add(layer.api)
                    _, expr = self._frame_value(layer.frames, _BN_API, "is_training", index)
                    if expr is not None:
                        m = self.classify(expr, func, "is_training", None, index)
                        slim_mode = (m.kind, m.param)
        for site in func.calls:
            for target in site.targets:
                summary = index.lookup(target, self.module_name)
                if summary is not None:
                    slim_layers.update(summary.slim_layers)
                    kind, param = summary.slim_mode
                    if kind == PARAM and param and slim_mode[0] == DEFAULT:
                        m = self.classify(self.bound_arg(site, summary, param), func, param, None, index)
                        slim_mode = (m.kind, m.param) if m.kind != DEFAULT else (
                            {"true": TRUE, "false": FALSE}.get(summary.default_of(param) or "", UNKNOWN), None)
                    elif kind in (TRUE, FALSE) and slim_mode[0] == DEFAULT:
                        slim_mode = summary.slim_mode
                    break
        if slim_mode[0] == PARAM:
            mode_params_for_defaults = set(mode_params) | {slim_mode[1]}
        else:
            mode_params_for_defaults = set(mode_params)
        defaults = []
        for param in sorted(mode_params_for_defaults):
            default = func.defaults.get(param)
            if default is None:
                value = "other"
            elif isinstance(default, cst.Name) and default.value in ("True", "False", "None"):
                value = default.value.lower()
            else:
                value = "other"
            defaults.append((param, value))
        return FunctionSummary(
            qualname=func.qualname,
            params=func.params,
            mode_params=frozenset(mode_params),
            mode_defaults=tuple(defaults),
            builds_bn_updates=builds,
            always_training=always,
            factory=self._factory_config(func, index),
            slim_layers=frozenset(slim_layers),
            slim_mode=slim_mode,
            has_bn=bool(func.layers and self.bn_sites(func, index)) or func.adds_to_update_ops or self._calls_bn_builder(func, index),
            bn_own_collections=any(s.own_collections for s in self.bn_sites(func, index))
            or any(c.summary.bn_own_collections for c in self.bn_calls(func, index)),
            opens_name_scope=func.opens_name_scope,
            accepts_any_keyword=func.varkw,
            n_positional=func.n_positional,
        )

    def _calls_bn_builder(self, func: FunctionInfo, index: ProjectIndex) -> bool:
        for site in func.calls:
            for target in site.targets:
                summary = index.lookup(target, self.module_name)
                if summary is not None and (summary.has_bn or summary.builds_bn_updates):
                    return True
        return False

    def _factory_config(self, func: FunctionInfo, index: ProjectIndex) -> Optional[FactoryConfig]:
        frames = func.returns_arg_scope
        if not frames:
            return None
        normalized = set()
        params_expr = None
        for frame in frames:
            if frame.ops is None:
                continue
            fn = frame.kwargs.get("normalizer_fn")
            if fn is not None and self._canonical(fn) in api.NORMALIZER_FNS:
                normalized.update(frame.ops)
                params_expr = frame.kwargs.get("normalizer_params", params_expr)
            if _BN_API in frame.ops:
                normalized.add(_BN_API)
        if not normalized:
            return None
        items = self._dict_items(params_expr, func) or {}
        expr = items.get("is_training")
        from_params = expr is not None
        if expr is None:
            _, expr = self._frame_value(frames, _BN_API, "is_training", index)
        mode = self.classify(expr, func, "is_training", None, index)
        uc = items.get("updates_collections")
        if uc is None:
            _, uc = self._frame_value(frames, _BN_API, "updates_collections", index)
        updates = updates_collection_of(uc, uc is not None)
        return FactoryConfig(frozenset(normalized), mode.kind, mode.param, updates, from_params)

    def calls_after_training_bn(self, index: ProjectIndex, unresolved: Optional[list] = None) -> List[Tuple[str, str]]:
        """Project functions this file calls after it has built batch norm that adds update ops.

        Targets that may live in a module nobody parsed yet go to `unresolved`.
        """
        out = []
        for func in self.functions:
            bn = self.training_bn(func, index)
            if not bn:
                continue
            first = bn[0].order
            for site in func.calls:
                if site.order <= first:
                    continue
                for target in site.targets:
                    found = index.resolve(target, self.module_name)
                    if found is not None:
                        out.append(found)
                        break
                    if unresolved is not None:
                        unresolved.append(target)
        return out

    def calls_under_update_deps(self, index: ProjectIndex) -> List[Tuple[Tuple[str, str], bool]]:
        """(project function, is this call inside `control_dependencies(<update ops>)`) for every call:
        a train-op helper called only inside such a block builds a train op that runs the updates. Not one
        that builds batch norm itself: the caller read the collection before those update ops existed."""
        out = []
        for func in self.functions:
            update_names = self.update_names(func)
            for site in func.calls:
                for target in site.targets:
                    found = index.resolve(target, self.module_name)
                    if found is not None:
                        builds_updates = index.modules[found[0]][found[1]].builds_bn_updates
                        wired = not builds_updates and any(b.inline_read or b.arg_names & update_names for b in site.blocks)
                        out.append((found, wired))
                        break
        return out

    def calls_with_bn_scope(self, index: ProjectIndex) -> List[Tuple[Tuple[str, str], Tuple[str, str], Optional[str]]]:
        """(caller, project function called, the is_training an enclosing `arg_scope([slim.batch_norm], ...)`
        gives the call, or None) for every call of a project function."""
        out = []
        for func in self.functions:
            for site in func.calls:
                callee = next((f for f in (index.resolve(t, self.module_name) for t in site.targets) if f), None)
                if callee is None:
                    continue
                _, expr = self._frame_value(site.frames, _BN_API, "is_training", index)
                kind = None
                if expr is not None:
                    kind = self.classify(expr, func, "is_training", None, index).kind
                    kind = kind if kind in (TRUE, FALSE) else UNKNOWN
                out.append(((self.module_name, func.qualname), callee, kind))
        return out

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

    def batch_norm_modes(self, index: ProjectIndex, role: str) -> Tuple[set, bool, bool]:
        """The modes this file's batch norm runs in (sites and calls to networks; a parameter is decided by
        the callers, whose calls are counted where they are); whether evaluation code (a script's own
        `if args.mode == "test":` path, or an eval script or function calling a network that always trains)
        builds batch norm in training mode by design; whether evaluation code builds batch norm with a mode
        SL201 judges (an explicit or default True it reports)."""
        kinds = set()
        run_mode_eval = judged_eval = False
        for func in self.functions:
            builds = [(s.order, [s.mode.kind], True) for s in self.bn_sites(func, index)]
            builds += [(c.order, [m.kind for m in c.modes.values()] + ([TRUE] if c.summary.always_training else []),
                        bool(c.modes)) for c in self.bn_calls(func, index)]
            for order, found, judged in builds:
                kinds.update(found)
                # A forward pass named inference() / predict() is not evidence of evaluation: training uses it.
                evaluates = context.is_eval_context(role, func, order, training_callee=True)
                if evaluates and judged:
                    judged_eval = True
                elif evaluates or any(a < order <= b for a, b in func.run_mode_regions):
                    run_mode_eval = True
        if self.builder.keras_bn_applications:
            kinds.add(UNKNOWN)
        return kinds - {PARAM}, run_mode_eval, judged_eval

    def call_edges(self, index: ProjectIndex) -> List[Tuple[Tuple[str, str], Tuple[str, str]]]:
        """(caller, callee) pairs between project functions, for transitive questions."""
        out = []
        for func in self.functions:
            if func.is_module:
                continue
            for site in func.calls:
                for target in site.targets:
                    found = index.resolve(target, self.module_name)
                    if found is not None:
                        out.append(((self.module_name, func.qualname), found))
                        break
        return out

    def training_callees(self, index: ProjectIndex, training_file: bool) -> List[Tuple[str, str]]:
        out = []
        for func in self.functions:
            if not (training_file or func.train_ops):
                continue
            for site in func.calls:
                for target in site.targets:
                    found = index.resolve(target, self.module_name)
                    if found is not None:
                        out.append(found)
                        break
        return out

    def moving_statistics_untrainable(self, index: ProjectIndex) -> bool:
        """Does this file build batch norm whose moving statistics are not trainable variables?

        False when it builds none, or when any of it chooses its own variables_collections (facenet puts
        them in TRAINABLE_VARIABLES, so a Saver of the trainable variables keeps them).
        """
        sites = [s for f in self.functions for s in self.bn_sites(f, index)]
        calls = [c for f in self.functions for c in self.bn_calls(f, index)]
        return bool(sites or calls) and not any(s.own_collections for s in sites) and not any(
            c.summary.bn_own_collections for c in calls)

    def is_bool_placeholder(self, value: cst.BaseExpression) -> bool:
        """`tf.placeholder(tf.bool, ...)` (dtype given by position or keyword) or `tf.placeholder_with_default(...)`."""
        if not isinstance(value, cst.Call):
            return False
        api_name = self.builder.canonical(value.func)
        if api_name == "tf.placeholder_with_default":
            return True
        if api_name != "tf.placeholder":
            return False
        dtype = next((a.value for a in value.args if a.keyword is not None and a.keyword.value == "dtype"), None)
        if dtype is None and value.args and value.args[0].keyword is None:
            dtype = value.args[0].value
        return dtype is not None and self.builder.canonical(dtype) == "tf.bool"

    def mode_placeholders(self, func: FunctionInfo) -> List[str]:
        """Names bound (once) to a boolean placeholder in `func` or at module level: a run-time mode flag."""
        out = []
        for scope in (func, self.module_func):
            for name, values in scope.assignments.items():
                if len(values) == 1 and "." not in name and self.is_bool_placeholder(values[0][0]):
                    out.append(name)
        return out

    def mode_attribute(self, func: FunctionInfo, before: int) -> Optional[str]:
        """`self.is_training = tf.placeholder(tf.bool)` made in `func` before `before`: the object's mode flag."""
        for name, values in func.assignments.items():
            if name.startswith("self.") and "train" in name.lower() and any(
                    order < before and self.is_bool_placeholder(value) for value, order in values):
                return name
        return None

    def unpassed_mode_flags(self, func: FunctionInfo, index: ProjectIndex) -> List[str]:
        """Boolean mode placeholders fed a constant somewhere, that no network call in `func` receives."""
        flags = [p for p in self.mode_placeholders(func) if p in self.builder.bool_fed]
        if not flags:
            return []
        passed = {m.expr.value for c in self.bn_calls(func, index) for m in c.modes.values() if isinstance(m.expr, cst.Name)}
        passed |= {s.mode.expr.value for s in self.bn_sites(func, index) if isinstance(s.mode.expr, cst.Name)}
        return [] if passed & set(flags) else flags

    # --- update-op flow ---------------------------------------------------------------------

    def update_names(self, func: FunctionInfo) -> set:
        return func.update_names | self.module_func.update_names

    def hand_built_train_ops(self) -> Iterator[TrainOp]:
        for func in self.functions:
            for op in func.train_ops:
                if op.kind in ("minimize", "apply_gradients"):
                    yield op
