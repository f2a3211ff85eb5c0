"""Batch-norm facts of a file: the batch norm it builds (BNSite: its mode and where its updates go) and the
calls to functions that build batch norm (BNCall: the modes each call gives them)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Dict, FrozenSet, List, Optional, Tuple

import libcst as cst
import libcst.matchers as m

from slimlint.model import api, context, kwargs_flow, string_modes
from slimlint.model.import_table import dotted
from slimlint.model.walk import find_all
from slimlint.model.facts import (
    MODE_PARAM_NAMES,
    BN_API,
    ArgScopeFrame,
    method_param,
    DEFAULT,
    DYNAMIC,
    FALSE,
    PARAM,
    TRUE,
    UNKNOWN,
    UPDATE_OPS,
    CallSite,
    FunctionInfo,
    Guard,
    LayerCall,
    ModeArg,
    SplatKwargs,
    mode_from_default,
    updates_collection_of,
)
from slimlint.model.derived_modes import DerivedMode, unread_derived_mode
from slimlint.model.guards import common_guard, default_word, holds, literal_value
from slimlint.model.summary import FunctionSummary, ProjectIndex


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


class BatchNormFacts:
    """Part of FileModel (semantic.py): uses its builder, functions and module_func."""

    def bn_sites(self, func: FunctionInfo, index: ProjectIndex) -> List[BNSite]:
        sites = []
        for layer in func.layers:
            site = self._bn_site(layer, index) if not self.guard_dead(func, layer.guards, index) else None
            if site is None and layer.api in api.NORMALIZED_LAYERS and not self.guard_dead(func, layer.guards, index):
                site = self._inherited_layer_site(layer, index)
            if site is not None:
                sites.append(site)
        if func.batch_moments:
            sites.extend(self.branch_bn_sites(func, index))  # hand-written, its mode an `if` test (branch_bn.py)
        return sites

    def guard_dead(self, func: FunctionInfo, guards: Tuple[Guard, ...], index: ProjectIndex) -> bool:
        """Does a layer or call under these `if <parameter>:` tests never run, every call of `func` in the
        project closing its batch-norm guard (guards.py)?"""
        if not guards or (self.module_name, func.qualname) not in index.closed_guards:
            return False
        summary = index.modules.get(self.module_name, {}).get(func.qualname)
        return summary is not None and summary.bn_guard is not None and summary.bn_guard[0] in guards

    def star_argument(self, site: CallSite, param: str, index: ProjectIndex) -> Tuple[bool, Optional[cst.BaseExpression]]:
        """Does the call's `*args` / `**kwargs` give `param`, and what: (False, None) when it cannot, (True,
        None) when it may, (True, literal) when the dict's function wrote that literal into it before the call
        (kwargs_flow.py)."""
        for arg in site.call.args:
            if arg.star == "*":
                return True, None
            if arg.star == "**":
                source = kwargs_flow.dict_source(site.func, arg.value, self.functions)
                reach = index.key_reach(param, self.module_name, source, site)
                if reach is not None:
                    return True, (cst.parse_expression(reach) if reach else None)
        return False, None

    def call_guard(self, site: CallSite, summary: FunctionSummary, index: ProjectIndex) -> Tuple[Optional[bool], Optional[Guard]]:
        """For a call of a function with a bn_guard: (True when its argument fails the test, so the call builds
        no batch norm; False when it passes; None when unknown), and the caller's own guard when it hands a
        parameter of its own on."""
        if summary.bn_guard is None:
            return None, None
        guard, default = summary.bn_guard
        expr = self.bound_arg(site, summary, guard[0])
        if expr is None:
            carried, expr = self.star_argument(site, guard[0], index)
            if carried and expr is None:
                return None, None  # `**kwargs` may carry it
        if expr is None:
            return (not holds(guard, default[1]) if default[0] == "value" else None), None
        func = site.func
        if isinstance(expr, cst.Name) and expr.value in func.params and expr.value not in func.assignments:
            return None, (expr.value, guard[1], guard[2])
        passes = holds(guard, literal_value(expr, func, self.module_func))
        return (None if passes is None else not passes), None

    def bn_guard(self, func: FunctionInfo, index: ProjectIndex) -> Tuple[Optional[Tuple[Guard, tuple]], bool]:
        """FunctionSummary.bn_guard: the `if <parameter>:` test all of its batch norm sits under, and whether it
        covers only the batch norm that fills UPDATE_OPS (FunctionSummary.bn_guard_updates_only)."""
        sites = [(layer.guards, site.adds_update_ops) for layer in func.layers
                 for site in (self._bn_site(layer, index),) if site is not None]
        for call in self._guarded_bn_calls(func, index):
            _, passed = self.call_guard(call.site, call.summary, index)
            sites.append((call.site.guards + ((passed,) if passed else ()), call.adds_update_ops))
        for nested in self.with_nested(func)[1:]:
            if nested.layers or nested.calls:
                sites.append(((), True))  # a nested function's batch norm: not under this function's tests
        # A parameter the body rebinds (`bn = True` before `if bn:`) no longer says what the caller asked for.
        kept = [(tuple(g for g in guards if g[0] not in func.assignments), updates) for guards, updates in sites]
        guard = common_guard([guards for guards, _ in kept])
        updates_only = False
        if guard is None and any(not updates for _, updates in kept):
            # Batch norm in both branches of `if in_place_update:`: the guard over the kind that fills UPDATE_OPS.
            guard = common_guard([guards for guards, updates in kept if updates])
            updates_only = guard is not None
        return ((guard, default_word(func, guard[0])) if guard is not None else None), updates_only

    def guard_calls(self, func: FunctionInfo, index: ProjectIndex) -> tuple:
        """FunctionSummary.guard_calls."""
        out = []
        for site in func.calls:
            summary = index.lookup_site(site, self.module_name)
            if summary is not None and summary.bn_guard is not None:
                found = index.resolve_site(site, self.module_name)
                if found is not None:
                    out.append((found, self.call_guard(site, summary, index)[0] is True))
        # Handed on as a value (`functools.partial(conv_block, bn=True)`, `layer_fn = conv_block`): its calls
        # cannot all be read, so its guard stays open.
        values = [v for site in func.calls for v in (*site.positional, *site.kwargs.values())]
        values += [value for bound in func.assignments.values() for value, _ in bound]
        for value in values:
            if not isinstance(value, (cst.Name, cst.Attribute)):
                continue
            for target in self.builder.qualified(value):
                found = index.resolve(target, self.module_name)
                summary = index.modules[found[0]][found[1]] if found is not None else None
                if summary is not None and summary.bn_guard is not None:
                    out.append((found, False))
        return tuple(out)

    def _bn_site(self, layer: LayerCall, index: ProjectIndex) -> Optional[BNSite]:
        if layer.api in api.BATCH_NORM:
            return self._direct_bn_site(layer, index)
        return self._normalized_layer_site(layer, index)

    def _direct_bn_site(self, layer: LayerCall, index: ProjectIndex) -> BNSite:
        """A call of batch norm itself: its mode argument (keyword, position, arg_scope, factory) or the API's default."""
        keyword, _, trains_by_default = api.BATCH_NORM[layer.api]
        owner, expr = layer.call, layer.kwargs.get(keyword)
        if expr is None:
            expr = self.passed_by_position(layer.call, keyword, index)
        if expr is None and layer.api == BN_API:
            frame, expr = self._frame_value(layer.frames, BN_API, keyword, index)
            owner = frame.call if frame is not None else layer.call
        mode = self.classify(expr, layer.func, keyword, owner, index)
        mode = self._branch_picked_mode(layer, mode)
        if mode.kind == DEFAULT and layer.api == BN_API:
            mode = self._factory_mode(layer, index) or self._scoped_mode(layer.func, index) or mode
            if mode.kind == DEFAULT and self.opaque_scope(layer.frames, index):
                mode = replace(mode, kind=UNKNOWN)
        if mode.kind == DEFAULT:
            mode = replace(mode, kind=TRUE if trains_by_default else FALSE, expr=None)
        updates = self._updates_collection(layer.kwargs.get("updates_collections"), layer.frames, index, "updates_collections" in layer.kwargs)
        return BNSite(layer, layer.api, mode, updates, own_collections=self._own_collections(layer, layer.kwargs, index))

    @staticmethod
    def _branch_picked_mode(layer: LayerCall, mode: ModeArg) -> ModeArg:
        """`if phase_train: batch_norm(x, is_training=True) else: batch_norm(x, is_training=False)`: a written
        True under `if <mode parameter>:` (or False in its `else`) is that parameter's value, as its callers
        give it. Only for a parameter named for the mode (`if use_bn:` decides whether batch norm exists)."""
        if mode.kind not in (TRUE, FALSE) or mode.expr is None:
            return mode
        want = "truthy" if mode.kind == TRUE else "falsy"
        for param, test, _ in layer.guards[-1:]:  # the innermost test around the layer
            if test == want and param in MODE_PARAM_NAMES and param in layer.func.params:
                return ModeArg(PARAM, mode.expr, param=param, keyword=mode.keyword, owner=mode.owner)
        return mode

    def _normalized_layer_site(self, layer: LayerCall, index: ProjectIndex) -> Optional[BNSite]:
        """A slim layer (conv2d, fully_connected, ...) that normalises with batch norm, or None when it does not."""
        factory = self._normalizer_factory(layer, index)
        if factory is False:
            return None
        params_expr = layer.kwargs.get("normalizer_params")
        params_owner = layer.call
        if params_expr is None:
            frame, params_expr = self._frame_value(layer.frames, layer.api, "normalizer_params", index)
            if frame is not None:
                params_owner = frame.call
        items = self._dict_items(params_expr, layer.func, at=layer.order)
        if items is None and params_expr is not None:
            items = self.self_dict_items(params_expr, layer.func, index)  # `self.batch_norm_params`, set in __init__
        unreadable = params_expr is not None and items is None  # built by a call, spread from elsewhere
        items = items or {}
        mode, from_params = self._normalizer_mode(layer, items, unreadable, params_expr, params_owner, factory, index)
        updates = self._updates_collection(items.get("updates_collections"), layer.frames, index, "updates_collections" in items)
        own = unreadable or self._own_collections(layer, items, index)
        return BNSite(layer, BN_API, mode, updates, mode_from_params=from_params, own_collections=own)

    def _inherited_layer_site(self, layer: LayerCall, index: ProjectIndex) -> Optional[BNSite]:
        """A slim layer that speaks of no normaliser (nor do the arg_scopes around it) in a function every caller
        calls inside an arg_scope giving that layer batch norm (`with slim.arg_scope(inception_v3_arg_scope()):
        logits = build(images, is_training=False)` over a head `slim.conv2d` in `build`): arg_scope is dynamic, so
        the layer normalises with it. Its mode: the scope's normalizer_params, else an arg_scope over batch norm
        around the layer, else the callers' (slim's default True when none gives one)."""
        if "normalizer_fn" in layer.kwargs or "normalizer_params" in layer.kwargs or layer.func.is_module \
                or any(frame.factory is not None or frame.ops is None for frame in layer.frames) \
                or any(self._frame_value(layer.frames, layer.api, key, index)[1] is not None
                       for key in ("normalizer_fn", "normalizer_params")):
            return None
        inherited = self._inherited_normaliser(layer.func, index)
        if inherited is None or layer.api not in inherited[1]:
            return None
        base = inherited[0]
        mode = base.mode
        if not base.mode_from_params:
            frame, expr = self._frame_value(layer.frames, BN_API, "is_training", index)
            if expr is not None:
                mode = self.classify(expr, layer.func, "is_training", frame.call, index)
        if mode.kind == DEFAULT:
            mode = replace(mode, kind=TRUE)
        return BNSite(layer, BN_API, replace(mode, owner=mode.owner or layer.call), base.updates_collection,
                      mode_from_params=base.mode_from_params, own_collections=base.own_collections)

    def _normalizer_factory(self, layer: LayerCall, index: ProjectIndex):
        """How the layer gets batch norm: None for its own or an arg_scope's `normalizer_fn`, the arg_scope factory
        that gives it one, or False when it does not normalise with batch norm."""
        normalizer = layer.kwargs.get("normalizer_fn")
        if normalizer is None:
            _, normalizer = self._frame_value(layer.frames, layer.api, "normalizer_fn", index)
        if normalizer is not None:
            bound = self._bound_once(layer.func, normalizer)
            if self._canonical(normalizer) in api.NORMALIZER_FNS \
                    or bound is not None and self._canonical(bound) in api.NORMALIZER_FNS:
                return None  # `normalizer = tc.layers.batch_norm` ... `normalizer_fn=normalizer` too
            # `normalizer_fn=model_config.normalizer_fn`, a config object whose class sets it to slim.batch_norm
            attr = normalizer.attr.value if isinstance(normalizer, cst.Attribute) else None
            return None if attr is not None and index.batch_norm_attribute(attr) else False
        for frame in reversed(layer.frames):
            found = self._factory(frame, index)
            if found is not None and layer.api in found[1].normalized_ops:
                return found
        return False

    def _bound_once(self, func: FunctionInfo, expr: cst.BaseExpression) -> Optional[cst.BaseExpression]:
        """What a plain name is bound to, when the function (else the module) binds it exactly once."""
        if not isinstance(expr, cst.Name):
            return None
        values = func.assignments.get(expr.value) or self.module_func.assignments.get(expr.value)
        return values[0][0] if values and len(values) == 1 else None

    def _normalizer_mode(self, layer: LayerCall, items, unreadable: bool, params_expr, params_owner, factory,
                         index: ProjectIndex) -> Tuple[ModeArg, bool]:
        """The mode slim's batch norm gets through a layer: its normalizer_params win (slim's precedence), then
        arg_scopes over batch norm, a factory's mode, the enclosing scope's; and whether the params decided it."""
        func = layer.func
        from_params = "is_training" in items or unreadable
        if "is_training" in items:
            mode = self.classify(items["is_training"], func, "is_training", params_owner, index)
        elif unreadable:
            mode = ModeArg(UNKNOWN, params_expr)
        else:
            frame, expr = self._frame_value(layer.frames, BN_API, "is_training", index)
            mode = self.classify(expr, func, "is_training", frame.call if frame else layer.call, index)
            if mode.kind == DEFAULT:
                factory_mode = self._factory_mode(layer, index)
                if factory_mode is not None:
                    mode = factory_mode
                    from_params = factory is not None and factory[1].mode_from_params
                else:
                    mode = self._scoped_mode(func, index) or mode
                    if mode.kind == DEFAULT and self.opaque_scope(layer.frames, index):
                        mode = replace(mode, kind=UNKNOWN)
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
        return mode, from_params

    def _own_collections(self, layer: LayerCall, arguments, index: ProjectIndex) -> bool:
        """Batch norm's variables may go to collections of the project's own (`variables_collections`, or a dict
        spread into the call that cannot be read: facenet puts the moving averages in TRAINABLE_VARIABLES)."""
        return ("variables_collections" in arguments or isinstance(arguments, SplatKwargs)
                or self._frame_value(layer.frames, BN_API, "variables_collections", index)[1] is not None)

    def _updates_collection(self, expr, frames, index, given: bool) -> Optional[str]:
        """The layer's own `updates_collections`, else an enclosing arg_scope's, else an arg_scope factory's."""
        if not given:
            _, expr = self._frame_value(frames, BN_API, "updates_collections", index)
            given = expr is not None
            if not given:
                for frame in reversed(frames):
                    found = self._factory(frame, index)
                    if found is not None:
                        return found[1].updates_collection
        if isinstance(expr, cst.Name) and expr.value != "None":
            # `UPDATE_OPS_COLLECTION = 'resnet_update_ops'` at module level: a collection of the code's own, when
            # the file reads it back (`tf.get_collection(UPDATE_OPS_COLLECTION)`); one nothing reads is as good as
            # lost, and the train op's missing UPDATE_OPS is still the finding
            bound = self.module_func.assignments.get(expr.value, ())
            if len(bound) == 1 and isinstance(bound[0][0], cst.SimpleString) \
                    and re.search(r"get_collection\(\s*" + re.escape(expr.value) + r"\b", self.module_code()):
                expr = bound[0][0]
        return updates_collection_of(expr, given)

    def bn_calls(self, func: FunctionInfo, index: ProjectIndex) -> List[BNCall]:
        return list(self.once_per_pass(index, ("bn_calls", id(func)), lambda: [
            c for c in self._guarded_bn_calls(func, index) if not self.guard_dead(func, c.site.guards, index)]))

    def _guarded_bn_calls(self, func: FunctionInfo, index: ProjectIndex) -> List[BNCall]:
        """bn_calls, before dropping the calls under a guard of `func`'s that every caller closes."""
        return list(self.once_per_pass(index, ("guarded_bn_calls", id(func)), lambda: self._each_guarded_bn_call(func, index)))

    def _each_guarded_bn_call(self, func: FunctionInfo, index: ProjectIndex) -> List[BNCall]:
        out = []
        for site in func.calls:
            summary = index.lookup_site(site, self.module_name)
            if summary is not None and self.call_guard(site, summary, index)[0] is True:
                if not summary.bn_guard_updates_only:
                    continue  # `conv_block(x, bn=False)`: the callee builds its batch norm only when asked
                # `conv_bn(x, in_place_update=True)`: batch norm still, only none that fills UPDATE_OPS
                summary = replace(summary, builds_bn_updates=False)
            if (summary is None or not (summary.builds_bn_updates or summary.mode_params)) and site.frames:
                scoped = self._zoo_scope_moded_call(site, index)
                if scoped is not None:
                    out.append(scoped)
                    continue
            if summary is None:
                continue
            if summary.slim_layers and (site.frames or self._inherited_normaliser(site.func, index)):
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

    def _zoo_scope_moded_call(self, site: CallSite, index: ProjectIndex) -> Optional[BNCall]:
        """`mobilenet_v2.mobilenet(x)` under `arg_scope(mobilenet_v2.training_scope(...))`: the network's batch norm
        takes the scope's is_training (True by default), unless an inner arg_scope([slim.batch_norm]) sets it.
        Also the project's own copy of slim's mobilenet (its layers come from op tables the model does not
        evaluate), when the scope is the copy's `training_scope` and its code gives conv layers batch norm."""
        zoo = any(api.zoo_in(t, api.ZOO_SCOPE_MODED) for t in site.targets)
        vendored = not zoo and any(api.vendored_zoo_in(t, api.ZOO_SCOPE_MODED) and index.resolve(t, self.module_name)
                                   for t in site.targets)
        if not zoo and not vendored:
            return None
        for frame in reversed(site.frames):
            if frame.ops is not None and BN_API in frame.ops and "is_training" in frame.kwargs:
                mode = self.classify(frame.kwargs["is_training"], site.func, "is_training", frame.call, index)
                break
            factory = frame.factory
            if factory is None:
                continue
            if zoo and any(api.zoo_in(t, api.ZOO_MODE_SCOPES) for t in factory.targets):
                expr = factory.kwargs.get("is_training", factory.positional[0] if factory.positional else None)
                mode = self.classify(expr, site.func, "is_training", factory.call, index)
                if mode.kind == DEFAULT:
                    mode = replace(mode, kind=TRUE, expr=None)
                break
            copy = self._vendored_mode_scope(frame, index) if vendored else None
            if copy is not None:
                mode = copy
                break
        else:
            return None
        summary = FunctionSummary(qualname="<zoo>", params=(), mode_params=frozenset({"is_training"}),
                                  mode_defaults=(("is_training", "true"),), builds_bn_updates=True,
                                  always_training=False, zoo=True)
        return BNCall(site, summary, {"is_training": mode})

    def _vendored_mode_scope(self, frame, index: ProjectIndex) -> Optional[ModeArg]:
        """The mode a project copy of slim's `training_scope` gives batch norm: its factory (FactoryConfig) must
        normalise conv layers with batch norm and take the mode as a parameter; the call's argument, else its default."""
        if not any(api.vendored_zoo_in(t, api.ZOO_MODE_SCOPES) for t in frame.factory.targets):
            return None
        found = self._factory(frame, index)
        if found is None:
            return None
        summary, config = found
        if config.mode != PARAM or not config.mode_param or not {"slim.conv2d", "slim.separable_conv2d"} & config.normalized_ops:
            return None
        site = frame.factory
        carried = self.attribute_argument_mode(site, summary, config.mode_param, index)
        if carried is not None:
            return carried
        expr = self.bound_arg(site, summary, config.mode_param)
        if expr is None:
            return ModeArg(mode_from_default(summary.default_of(config.mode_param)), None,
                           keyword=config.mode_param, owner=site.call)
        return self.classify(expr, site.func, config.mode_param, site.call, index)

    def is_mode_scope(self, node, index: ProjectIndex) -> bool:
        """Is `node` a call of a scope that sets its networks' mode (`mobilenet_v2.training_scope()`, slim's or the
        project's copy), one a fix may pass `is_training` to?"""
        if not isinstance(node, cst.Call):
            return False
        name = self.builder.resolve(node.func) or ""
        if api.zoo_in(name, api.ZOO_MODE_SCOPES):
            return True
        return api.vendored_zoo_in(name, api.ZOO_MODE_SCOPES) and self.accepts_keyword(node, "is_training", index)

    def builds_bn_in_loop(self, func: FunctionInfo, index: ProjectIndex) -> bool:
        """Is some of the batch norm `func` builds made inside a TF loop body (`tf.map_fn(meta_task, ...)`, a
        lambda, a function it calls that does so)? Its update ops live in the loop's frame: a train op outside
        cannot depend on them (TF: "not in the same frame"), so no fix may wire them there."""
        by_qualname = {f.qualname: f for f in self.functions}
        for part in self.with_nested(func):
            for body in part.loop_bodies:
                if isinstance(body, cst.Lambda):
                    inside = {id(call) for call in m.findall(body, m.Call())}
                    if any(id(s.layer.call) in inside for s in self.bn_sites(part, index)) or any(
                            id(c.site.call) in inside for c in self.bn_calls(part, index)):
                        return True
                    continue
                name = dotted(body) or ""
                method = f"{part.class_name}.{name[len('self.'):]}" if name.startswith("self.") and part.class_name else None
                body_func = next((by_qualname[q] for q in (f"{part.qualname}.<locals>.{name}", name, method) if q in by_qualname), None)
                if body_func is not None and any(self.bn_sites(p, index) or self.bn_calls(p, index) for p in self.with_nested(body_func)):
                    return True
            for site in part.calls:
                summary = index.lookup_site(site, self.module_name)
                if summary is not None and summary.builds_bn_in_loop:
                    return True
        return False

    def ignored_mode_args(self, func: FunctionInfo, index: ProjectIndex) -> List[Tuple[CallSite, str, str, cst.BaseExpression]]:
        """(call, callee's name with its module's last part, parameter, argument) for calls in `func` that pass False for a
        mode parameter the callee never reads while its batch norm always trains (FunctionSummary.unread_mode_params)."""
        out = []
        for site in func.calls:
            if self.call_scope_mode(site, index) is not None or self.factory_frames_mode(site.frames, index) is not None:
                continue  # an arg_scope around the call (or a factory's) gives the callee's batch norm its mode at run time
            # `model_fn = select_model(FLAGS.model_type)`, then `model_fn(..., False)`: any function it may pick
            candidates = index.resolve_site_all(site, self.module_name) \
                if index.picked_functions(site, self.module_name) or index.is_dispatch(site) \
                else [index.resolve_site(site, self.module_name)]
            named: Dict[int, Tuple[str, cst.BaseExpression, List[str]]] = {}
            for found in candidates:
                summary = index.modules[found[0]][found[1]] if found is not None else None
                # a flag the callee could hand to a wrapper it calls: SL209 reports that call, with a fix (dropped_modes.py)
                for param in sorted(summary.unread_mode_params - summary.unread_left_at_default if summary is not None else ()):
                    expr = self.bound_arg(site, summary, param)
                    mode = self.classify(expr, func, param, site.call, index) if expr is not None else None
                    if summary is not None and self.call_guard(site, summary, index)[0] is True:
                        continue  # `conv_block(x, 64, is_train, norm=None)`: this call builds no batch norm
                    if mode is not None and (mode.kind == FALSE or self._handed_false(func, mode, index)
                                             or self._fed_false(expr, mode, index)):
                        shown = re.sub(r"~\d+", "", found[1])  # a redefined function's earlier def: its name as written
                        named.setdefault(id(expr), (param, expr, []))[2].append(f"{found[0].rsplit('.', 1)[-1]}.{shown}")
            for param, expr, callees in named.values():
                out.append((site, "` / `".join(callees), param, expr))
        return out

    def scopes_dropping_mode(self, func: FunctionInfo, index: ProjectIndex) -> List[Tuple[ArgScopeFrame, str]]:
        """(arg_scope frame giving layers normalizer_fn=batch_norm, parameter) when `func` is an arg_scope factory
        that takes a mode parameter and never reads it (FactoryConfig.dropped_mode_param): that batch norm always
        trains whatever the caller asks. Silent when the parameter defaults to True and nobody gives it False."""
        summary = index.modules.get(self.module_name, {}).get(func.qualname)
        param = summary.factory.dropped_mode_param if summary is not None and summary.factory is not None else None
        if param is None or not func.returns_arg_scope:
            return []
        if (isinstance(func.defaults.get(param), cst.Name) and func.defaults[param].value == "True"
                and not index.called_with_false_mode((self.module_name, func.qualname), param)):
            return []
        return [(frame, param) for frame in func.returns_arg_scope
                if frame.ops is not None and frame.kwargs.get("normalizer_fn") is not None
                and self._canonical(frame.kwargs["normalizer_fn"]) in api.NORMALIZER_FNS]

    def _fed_false(self, expr: cst.BaseExpression, mode: ModeArg, index: ProjectIndex) -> bool:
        """A run-time mode (`is_train = tf.placeholder(tf.bool)`) that some run feeds False (`is_train: False`)."""
        # Not in adversarial code: there a run feeding False may fetch only the generator's samples, while the
        # discriminator built with the same flag only ever feeds training losses.
        name = dotted(expr) if mode.kind == DYNAMIC and isinstance(expr, (cst.Name, cst.Attribute)) else None
        return name is not None and name.rsplit(".", 1)[-1] in index.fed_false_names \
            and not index.adversarial_program(self.module_name)

    def _handed_false(self, func: FunctionInfo, mode: ModeArg, index: ProjectIndex) -> bool:
        """Is this argument a mode parameter of `func` (or of its class's constructor, `self.is_training`) that
        the project gives False, directly or through functions handing it on (ProjectIndex.called_with_false_mode),
        or a placeholder a run feeds False (ProjectIndex.run_time_mode)?"""
        if mode.kind != PARAM or not mode.param:
            return False
        key, param = (self.module_name, func.qualname), mode.param
        owned = method_param(param)
        if owned is not None:
            if func.class_name is None:
                return False
            key, param = (self.module_name, f"{func.class_name}.{owned[0]}"), owned[1]
        own = index.modules.get(key[0], {}).get(key[1])
        if own is not None and param in own.unread_mode_params:
            return False  # all it does with the flag is drop it: the call giving it False is reported instead
        # also a boolean placeholder its callers hand it that some run feeds False (`is_train: False` at test),
        # outside adversarial code (see _fed_false)
        return index.called_with_false_mode(key, param) or (
            not index.adversarial_program(self.module_name) and index.run_time_mode(key, param) is not None)

    def _bind_modes(self, site: CallSite, summary: FunctionSummary, index: ProjectIndex,
                    params: Optional[FrozenSet[str]] = None) -> Dict[str, ModeArg]:
        """What this call gives each mode parameter of the callee (`params`: batch norm's, summary.mode_params,
        unless told), its default when it gives nothing."""
        modes = {}
        for param in summary.mode_params if params is None else params:
            carried = self.attribute_argument_mode(site, summary, param, index)  # `cfg.is_training`
            if carried is not None:
                modes[param] = carried
                continue
            expr = self.bound_arg(site, summary, param)
            if expr is None and not summary.zoo:
                # `with slim.arg_scope([initial_block, bottleneck], is_training=x):` over the project's own
                # @slim.add_arg_scope functions sets their parameter.
                expr = self._frame_value(site.frames, dotted(site.call.func) or "", param, index)[1]
            if expr is None:
                carried, expr = self.star_argument(site, param, index)
                if (carried and expr is None) or (not summary.params and len(site.positional) > 2):
                    modes[param] = ModeArg(UNKNOWN, None, keyword=param, owner=site.call)
                    continue
            mode = self.classify(expr, site.func, param, site.call, index)
            predicate = summary.predicate_of(param)
            if predicate is not None:
                mode = self._string_mode(mode, expr, site.func, predicate)
            if mode.kind == DEFAULT:
                mode = replace(mode, kind=mode_from_default(summary.default_of(param)), expr=None)
            modes[param] = mode
        return modes

    def _string_mode(self, mode: ModeArg, expr, func: FunctionInfo, predicate) -> ModeArg:
        """A mode parameter the callee tests as a string (string_modes.py): a string given (or a name bound once
        to one) is a mode; the caller's own parameter passes the test on; a boolean given is no mode we know."""
        if mode.kind == DEFAULT:
            return replace(mode, via_string=True)  # the default's mode: FunctionSummary.mode_defaults
        if mode.kind == PARAM:
            return replace(mode, predicate=mode.predicate or predicate, via_string=True)
        value = literal_value(expr, func, self.module_func)
        if isinstance(value, str):
            return replace(mode, kind=TRUE if string_modes.trains(predicate, value) else FALSE, via_string=True)
        return replace(mode, kind=UNKNOWN, via_string=True)

    def scope_normaliser(self, site: CallSite, index: ProjectIndex):
        """What the arg_scopes around a call give the slim layers the callee builds: None when none of them speaks
        of a normaliser (the callee then has its callers' scopes: ProjectIndex.scoped_normaliser), False when they
        give none, another, or normalizer_params alone (conservatively: the mode they set is not followed down),
        else (mode kind, mode from normalizer_params, updates collection, own variables collections, the layers
        given batch norm) of the batch norm they give."""
        if not site.frames:
            return None
        named = set()  # the normalisable layers the scopes speak of (arg_scope is keyed per layer)
        for frame in site.frames:
            named |= set(frame.ops or ()) & api.NORMALIZED_LAYERS
            found = self._factory(frame, index) if frame.factory is not None else None
            if found is not None:
                named |= set(found[1].normalized_ops) & api.NORMALIZED_LAYERS
        given, first = set(), None
        for op in sorted(named):
            bn = self._bn_site(LayerCall(call=site.call, api=op, frames=site.frames, func=site.func,
                                         order=site.order, kwargs={}), index)
            if bn is not None:
                given.add(op)
                first = first or bn
        if first is not None:
            kind = first.mode.kind if first.mode.kind in (TRUE, FALSE) else UNKNOWN
            return kind, first.mode_from_params, first.updates_collection, first.own_collections, frozenset(given)
        if any(self._frame_value(site.frames, op, key, index)[1] is not None
               for op in named for key in ("normalizer_fn", "normalizer_params")) \
                or any(frame.factory is not None for frame in site.frames):
            return False
        return None

    def _inherited_normaliser(self, func: FunctionInfo, index: ProjectIndex,
                              site: Optional[CallSite] = None) -> Optional[Tuple[BNSite, frozenset]]:
        """The batch norm every caller's arg_scopes give `func`'s calls (`with slim.arg_scope(resnet_arg_scope()):`
        around the method that calls the backbone), as a site at no layer, and the layers it is given to; None when
        some caller gives none. Its mode: normalizer_params' is_training where the scope gave one (slim's
        precedence), else an `arg_scope([slim.batch_norm], is_training=...)` nearer the layers (around `site`, or
        around every call of `func`: facenet's network sets it inside the scope its caller opens), else the far
        scope's."""
        qualname = func.qualname
        while True:
            found = index.scoped_normaliser.get((self.module_name, qualname))
            if found:
                kind, from_params, updates, own, ops = found
                mode = None
                if not from_params:
                    _, expr = self._frame_value(site.frames, BN_API, "is_training", index) if site else (None, None)
                    mode = self.classify(expr, func, "is_training", site.call, index) if expr is not None else None
                    mode = mode or self._scoped_mode(func, index)
                return BNSite(None, "slim.conv2d", mode or ModeArg(kind, None), updates, mode_from_params=from_params,
                              own_collections=own), ops
            if found is False or ".<locals>." not in qualname:
                return None
            qualname = qualname.rsplit(".<locals>.", 1)[0]

    def _scoped_bn_call(self, site: CallSite, summary: FunctionSummary, index: ProjectIndex) -> Optional[BNCall]:
        """A call made inside an arg_scope that gives the callee's slim layers batch norm (the call's own
        arg_scopes, or when they say nothing of a normaliser, those every caller of the calling function opens)."""
        inherited = self._inherited_normaliser(site.func, index, site)
        if inherited is not None and self.scope_normaliser(site, index) is not None:
            inherited = None  # the call's own scopes speak of a normaliser: theirs decides
        for op in sorted(summary.slim_layers):
            bn = self._bn_site(LayerCall(call=site.call, api=op, frames=site.frames, func=site.func, order=site.order, kwargs={}), index)
            if bn is None and inherited is not None and op in inherited[1]:  # only the layers the far scope names
                bn = inherited[0]
            if bn is None:
                continue
            mode, param = bn.mode, "is_training"
            kind, slim_param = summary.slim_mode
            if not bn.mode_from_params and kind != DEFAULT:
                # The callee's own arg_scope([slim.batch_norm], is_training=...) decides (facenet, slim's nets).
                if kind == PARAM and slim_param:
                    param = slim_param
                    mode = self.attribute_argument_mode(site, summary, slim_param, index) or self.classify(
                        self.bound_arg(site, summary, slim_param), site.func, slim_param, site.call, index)
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

    def always_training_builds(self, func: FunctionInfo, index: ProjectIndex) -> List[CallSite]:
        """Calls in `func` of a project network whose batch norm always trains and that has no mode to give
        (FunctionSummary.modeless: every batch norm at the library's default, no mode parameter on the way, not even
        one dropped; or unset_by_default, a wrapper's mode left at its default of True, in a network training code
        builds too; `autoencoder.inference(x)` over `batch_norm(conv)`, `OCRTest()` over `conv(..., bn=True)`),
        and no arg_scope around the call gives another mode. Nothing at the call could make it evaluate."""
        moded = {id(call.site.call) for call in self.bn_calls(func, index) if call.modes}
        out = []
        for site in func.calls:
            if id(site.call) in moded or self.guard_dead(func, site.guards, index):
                continue
            summary = index.lookup_site(site, self.module_name)
            if summary is None or not (summary.modeless or summary.unset_by_default and self._shared_with_training(site, index)):
                continue
            scope = self.call_scope_mode(site, index)
            if scope is None or scope.kind == TRUE:
                out.append(site)
        return out

    def _shared_with_training(self, site: CallSite, index: ProjectIndex) -> bool:
        """Is the callee also reached from training code? Then the calls in it that leave a wrapper's mode at True
        are not evaluation code, nobody reports them there, and an evaluation build of it is the place."""
        found = index.resolve_site(site, self.module_name)
        if found is None or found not in index.training_callees:
            return False
        if any(any(k in MODE_PARAM_NAMES for k in frame.kwargs) for frame in site.frames):
            return False  # `with slim.arg_scope([conv_bn_relu], is_training=False):` may set the wrappers' mode
        # A mode of the object's or the call's own (`Net(is_training=False).build(x, mode='test')`) that goes
        # unread is another shape's finding (SL201's unread flag, SL209), reported where it is dropped.
        owners = [found[1]] + ([found[1].rsplit(".", 1)[0] + ".__init__"] if "." in found[1] else [])
        for qual in owners:
            summary = index.modules.get(found[0], {}).get(qual)
            if summary is not None and any(context.words(p) & _MODE_WORDS for p in summary.params):
                return False
        return True

    def derived_mode_unread(self, func: FunctionInfo, index: ProjectIndex) -> Optional[DerivedMode]:
        """A mode flag `func` works out from a string parameter and never hands on (derived_modes.py), while all the
        batch norm it builds trains whatever the flag says, and the project calls it with a string the test reads
        as evaluation (`Graph("test")`)."""
        derived = unread_derived_mode(func)
        if derived is None or not index.called_with_false_mode((self.module_name, func.qualname), derived.param):
            return None
        sites = self.bn_sites(func, index)
        calls = self.bn_calls(func, index)
        fixed = [site for site in func.calls if getattr(index.lookup_site(site, self.module_name), "trains_only", False)]
        if not (sites or calls or fixed):
            return None
        if any(site.mode.kind != TRUE for site in sites) or any(
                mode.kind != TRUE for call in calls for mode in call.modes.values()):
            return None  # some batch norm follows a mode: the flag may be read another way
        return derived

    def evaluated_always_training(self, func: FunctionInfo, role: str, index: ProjectIndex,
                                  predicts: bool = False) -> List[CallSite]:
        """always_training_builds made by a script named for evaluation (`test.py`, `eval_net.py`), or by a
        function that restores a checkpoint and only predicts (`predicts`: restores_and_predicts, whatever its
        file: `def evaluate(args)` in a `main.py` that trains in another function). Not a script only found to
        restore a checkpoint (it may train through a flag: MAML's `--test`), nor a validation tower in
        training code (meta-learning code validates with batch statistics by design, as it meta-tests), nor a
        library forward pass named `inference` (training may run it), nor code named for sampling (a generator
        sampled the way it trained), nor a call of a function of the same module (judged where its calls are)."""
        if context.samples_by_name(self.module_name, func):
            return []
        if not predicts and (role != context.EVAL or not context.evaluation_module(self.module_name)):
            return []
        scoped = self._scoped_mode(func, index)
        if scoped is not None and scoped.kind != TRUE:
            return []  # `with arg_scope([slim.batch_norm], is_training=False): predict(images)`: the callers' scope
        out = []
        for site in self.always_training_builds(func, index):
            found = index.resolve_site(site, self.module_name)
            if found is not None and found[0] == self.module_name:
                continue
            if predicts or context.is_eval_context(role, func, site.order, training_callee=True):
                out.append(site)
        return out

    def training_bn(self, func: FunctionInfo, index: ProjectIndex) -> list:
        """Batch norm built in `func` (directly or through calls) that puts ops in UPDATE_OPS."""
        found = [s for s in self.bn_sites(func, index) if s.adds_update_ops]
        found += [c for c in self.bn_calls(func, index) if c.adds_update_ops]
        return sorted(found, key=lambda x: x.order)

    def op_graph_bn(self, op, index: ProjectIndex) -> list:
        """training_bn of a train op's function; for module code, only that of the op's own graph."""
        found = self.training_bn(op.func, index)
        return self.same_graph(found, op.order) if op.func.is_module else found

    def same_graph(self, built: list, order: int) -> list:
        """The module-level batch norm of `built` that lands in the same graph as module code at `order`: the
        same module-level `with <graph>.as_default():` block (or both outside every such block), and none of
        the module's `tf.reset_default_graph()` calls between them."""
        resets, blocks = self.builder.graph_resets, self.builder.graph_blocks
        if not resets and not blocks:
            return built

        def block_of(at: int):
            return next((b for b in blocks if b[0] < at <= b[1]), None)

        start = max((r for r in resets if r < order), default=0)
        end = min((r for r in resets if r > order), default=1 << 60)
        here = block_of(order)
        return [b for b in built if start < b.order < end and block_of(b.order) == here]

    def more_towers(self, later: list, earlier: list, index: ProjectIndex) -> bool:
        """Is all the batch norm in `later` built by calls of project functions that `earlier` calls too?
        Then UPDATE_OPS read between them holds one tower's updates: the multi-GPU pattern (TF's
        cifar10_multi_gpu_train) keeps those of one tower, and a validation tower's need not run."""
        def callee(b) -> Optional[Tuple[str, str]]:
            return index.resolve_site(b.site, self.module_name) if isinstance(b, BNCall) else None

        built = {callee(b) for b in earlier} - {None}
        return bool(built) and all(callee(b) in built for b in later)

    def moving_statistics_untrainable(self, index: ProjectIndex) -> bool:
        """Does this file build batch norm whose moving statistics are not trainable variables?

        False when it builds none, or when any of it chooses its own variables_collections (facenet puts
        them in TRAINABLE_VARIABLES, so a Saver of the trainable variables keeps them).
        """
        sites = [s for f in self.functions for s in self.bn_sites(f, index)]
        calls = [c for f in self.functions for c in self.bn_calls(f, index)]
        # A hand-written batch norm makes its own moving statistics: untrainable only when it says so
        # (`tf.get_variable(..., trainable=False)`); `trainable=trainable` may put them in the Saver's list.
        hand_written = [s for s in sites if s.api == "tf.nn.moments"]
        if any(not makes_untrainable(s.layer.func) for s in hand_written):
            return False
        return bool(sites or calls) and not any(s.own_collections for s in sites) and not any(
            c.summary.bn_own_collections for c in calls)


# Words of a parameter that carries a run mode (`is_training`, `mode`, `phase`, `eval_mode`).
_MODE_WORDS = {"mode", "train", "training", "phase", "test", "eval", "inference"}


def makes_untrainable(func: FunctionInfo) -> bool:
    """Does the function make a variable with `trainable=False` and none with another `trainable=` value?"""
    if func.node is None:
        return False
    values = [a.value for a in find_all(func.node, cst.Arg) if a.keyword is not None and a.keyword.value == "trainable"]
    return bool(values) and all(isinstance(v, cst.Name) and v.value == "False" for v in values)
