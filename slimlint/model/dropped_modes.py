"""Modes dropped on the way to a layer: a function that takes a mode and hands it to its batch norm calls one of
the project's batch-norm wrappers without it (`_conv_1x1_bn(x, 64, name='pw')` in a block that passes
`is_training=is_training` to its other layers). That wrapper's batch norm runs at its own default, True or
False, whatever mode the block is given (SL209)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

import libcst as cst

from slimlint.model import context
from slimlint.model.facts import MODE_PARAM_NAMES, TRUE, FALSE, CallSite, FunctionInfo
from slimlint.model.import_table import dotted
from slimlint.model.summary import FunctionSummary, ProjectIndex
from slimlint.model.walk import find_all


@dataclass(frozen=True)
class DroppedMode:
    site: CallSite
    callee: str  # as written at the call
    param: str  # the wrapper's mode parameter, left out
    default: str  # "True" | "False": what its batch norm runs at
    own: str  # the caller's mode parameter to pass
    handed_at: int  # a line where the caller hands it to another layer (0: it reads it nowhere)
    no_fix: str  # why passing it on might not build ("" when it does)


def modes_left_at_default(model, func: FunctionInfo, index: ProjectIndex) -> List[DroppedMode]:
    """Calls in `func` of a project function whose mode parameter reaches batch norm, that leave it at a literal
    default while `func` hands a mode parameter of its own, by keyword, to another layer's mode, or never reads
    that parameter at all while the project gives it False (FunctionSummary.unread_left_at_default). Silent when
    an arg_scope around the call gives that parameter, for calls with `*args` / `**kwargs`, and when `func`
    passes the wrapper's parameter something else elsewhere (it chose the default here), and where SL201 speaks
    (the project builds `func` with its flag False)."""
    own = index.modules.get(model.module_name, {}).get(func.qualname)
    if own is None or func.node is None or not (own.mode_params or own.unread_left_at_default):
        return []
    key = (model.module_name, func.qualname)
    handed = _handed_modes(model, func, own, index) if own.mode_params else {}
    # `create_mobilenet(x, settings, is_training)` calling `mobilenet(x)`: the flag goes nowhere, and the
    # project builds the function with it False
    unread = {p for p in own.unread_left_at_default if index.called_with_false_mode(key, p)}
    if not handed and not unread:
        return []
    reported = None  # SL201's already (Model.bn_ignoring_mode_flag): asked only when a call qualifies
    out = []
    for site, found, summary, param, default in wrapper_calls_at_default(model, func, index):
        mine = _own_mode(param, handed) or (_own_mode(param, unread) if default == "True" else None)
        if mine is None or _given_elsewhere(model, func, site, found, param, index) \
                or any(guard[0] == mine for guard in site.guards):  # under `if is_training:`, True is its mode
            continue
        # The default matters only where `func` is built the other way; a default of False in a function
        # that builds no batch norm of its own may freeze a pretrained trunk on purpose.
        if mine in handed and key not in _built_other_than(index, TRUE if default == "True" else FALSE) \
                or default == "False" and not summary.direct_bn:
            continue
        if reported is None:  # the project builds this function with its flag False: SL201 speaks
            reported = {id(ignored.call) for ignored in model.bn_ignoring_mode_flag(func, index)}
        if id(site.call) in reported:
            continue
        no_fix = "the wrapper tests it in Python, and a tensor cannot be" if param in summary.python_tested else \
            "a subclass overrides the method without it" if _overridden_without(index, site, found, param) else ""
        out.append(DroppedMode(site, dotted(site.call.func) or found[1], param, default, mine,
                               handed.get(mine, 0), no_fix))
    # `resblock(x, channel)` inside `generator(x, is_training)`: a helper that takes no mode at all and builds
    # batch norm at a wrapper's (or the library's) training default, in a function built in another mode.
    if len(handed) == 1 and key in _built_other_than(index, TRUE):
        mine = next(iter(handed))
        for site in func.calls:
            found = index.resolve_site(site, model.module_name) if not site.has_star else None
            summary = index.modules[found[0]][found[1]] if found is not None else None
            if summary is None or summary.zoo or summary.mode_params or set(summary.params) & set(MODE_PARAM_NAMES) \
                    or summary.arg_scoped or summary.factory \
                    or not (summary.has_bn and (summary.always_training or summary.trains_only)) or summary.accepts_any_keyword \
                    or site.frames or any(guard[0] == mine for guard in site.guards):
                continue
            out.append(DroppedMode(site, dotted(site.call.func) or found[1], "", "True", mine, handed[mine],
                                   "it takes no mode: give it one and pass it on to its batch norm"))
    return out


def _own_mode(param: str, mine) -> Optional[str]:
    """Which of the caller's mode parameters goes to the wrapper's `param`: the one of that name, else the only one."""
    return param if param in mine else (next(iter(mine)) if len(mine) == 1 else None)


def left_at_default(model, func: FunctionInfo, param: str, index: ProjectIndex) -> bool:
    """Does `func` call a project wrapper that leaves its mode at a default True, a call `param` (a mode
    parameter `func` never reads) could be handed to? FunctionSummary.unread_left_at_default."""
    return any(default == "True" and _own_mode(wrapper_param, {param}) == param
               and not _given_elsewhere(model, func, site, found, wrapper_param, index)
               for site, found, _, wrapper_param, default in wrapper_calls_at_default(model, func, index))


def wrapper_calls_at_default(model, func: FunctionInfo, index: ProjectIndex):
    """(call, callee key, callee summary, its mode parameter, "True" | "False") for calls in `func` of a project
    function whose mode parameter reaches batch norm and that the call leaves at its literal default: not given,
    not given by an arg_scope around the call, no `*args` / `**kwargs`, and the call builds batch norm."""
    for site in func.calls:
        if site.has_star:
            continue
        found = index.resolve_site(site, model.module_name)
        summary = index.modules[found[0]][found[1]] if found is not None else None
        if summary is None or summary.zoo or not summary.mode_params or summary.arg_scoped \
                or model.call_guard(site, summary, index)[0] is True:  # `conv(x, 10, use_bn=False)`: none built
            continue
        defaults = dict(summary.mode_defaults)
        for param in sorted(summary.mode_params):
            default = {"true": "True", "false": "False"}.get(defaults.get(param, ""))
            if default is None or model.bound_arg(site, summary, param) is not None \
                    or _scope_gives(model, site, param, index) or param not in summary.params:
                continue
            yield site, found, summary, param, default


def _built_other_than(index: ProjectIndex, kind: str):
    """The project functions some call builds, directly or through the functions it calls, in a mode other than
    `kind` (a placeholder, a flag, the other constant): where a layer fixed at `kind` differs from the rest."""
    cache = index.__dict__.setdefault("_built_other_than", {})
    if kind not in cache:
        roots = [key for key, kinds in index.network_call_modes.items() if kinds - {kind, "judged"}]
        cache[kind] = index.reached_from(roots) if roots else frozenset()
    return cache[kind]


def _overridden_without(index: ProjectIndex, site: CallSite, found, param: str) -> bool:
    """A `self.<method>(...)` call whose method some subclass overrides without `param` (a group-norm variant):
    passing it would break that subclass."""
    if not (isinstance(site.call.func, cst.Attribute) and isinstance(site.call.func.value, cst.Name)
            and site.call.func.value.value == "self") or "." not in found[1]:
        return False
    owner, _, method = found[1].rpartition(".")
    for module, name in index._subclasses((found[0], owner)):
        override = index.modules.get(module, {}).get(f"{name}.{method}")
        if override is not None and param not in override.params and not override.accepts_any_keyword:
            return True
    return False


def _handed_modes(model, func: FunctionInfo, own: FunctionSummary, index: ProjectIndex) -> dict:
    """The function's own mode parameters (reaching batch norm) that it passes to a layer's mode, by keyword
    (`is_training=is_training`, `training=phase`) or by position to a project wrapper's mode parameter
    (`conv_bn(x, 64, 3, 2, is_training)`): parameter -> the line of the first such call."""
    found: list = []
    for call in find_all(func.node, cst.Call):
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in MODE_PARAM_NAMES and isinstance(arg.value, cst.Name):
                found.append((arg.value.value, call))
    for site in func.calls:
        summary = index.lookup_site(site, model.module_name)
        for param in summary.mode_params if summary is not None and not site.has_star else ():
            expr = model.bound_arg(site, summary, param)
            if isinstance(expr, cst.Name) and param not in site.kwargs:
                found.append((expr.value, site.call))
    out: dict = {}
    for name, call in sorted(found, key=lambda f: model.position(f[1]).start.line):
        if name in own.mode_params and name in func.params:
            out.setdefault(name, model.position(call).start.line)
    return out


def _scope_gives(model, site: CallSite, param: str, index: ProjectIndex) -> bool:
    """An arg_scope around the call sets the parameter (`arg_scope([conv_bn], is_training=x)`), or one slimlint
    cannot read may."""
    frame, _ = model._frame_value(site.frames, dotted(site.call.func) or "", param, index)
    return frame is not None or model.opaque_scope(site.frames, index)


def _given_elsewhere(model, func: FunctionInfo, site: CallSite, found, param: str, index: ProjectIndex) -> bool:
    """Does `func` give this wrapper's parameter a value at another call (`is_training=False` for a frozen
    stem)? Then leaving it out here may be a choice as well."""
    for other in func.calls:
        if other is site or index.resolve_site(other, model.module_name) != found:
            continue
        summary = index.modules[found[0]][found[1]]
        if model.bound_arg(other, summary, param) is not None:
            expr = model.bound_arg(other, summary, param)
            if not (isinstance(expr, cst.Name) and expr.value in func.params):
                return True
    return False



def wrappers_left_in_inference(model, index: ProjectIndex, role: str) -> List[tuple]:
    """(call, callee as written, its mode parameter) for calls in training code, in functions that take no mode
    of their own, of a project batch-norm wrapper whose mode parameter defaults to False and is left out
    (`fc('out_1', x, 512)` over `def fc(..., is_training=False, bn=True)`), when other calls in the project give
    that parameter a mode that is not False (a flag, a placeholder, True): the wrapper's False is a default for
    evaluation, and this training code runs its batch norm in inference mode (SL202's shape, one call away)."""
    out = []
    for func in (model.module_func, *model.functions):
        if set(func.params) & set(MODE_PARAM_NAMES) or not model.is_training_code(func, index, role) \
                or context.eval_function(func):
            continue  # `def eval(...)` / `def infer(...)` in a training script: False is what they want
        for site, found, summary, param, default in wrapper_calls_at_default(model, func, index):
            if default != "False" or not summary.direct_bn:
                continue
            if not index.network_call_modes.get(found, frozenset()) - {FALSE, "judged"}:
                continue  # every call leaves it False: a frozen layer by design
            out.append((site, dotted(site.call.func) or found[1], param))
    return out
