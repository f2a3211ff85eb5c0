"""Mode flags that stop on the way: a function hands its mode parameter to some of its layers but calls a
dropout helper of the project without it, so the helper's default of True keeps that dropout on.

    def bottleneck(x, ..., is_training=True):
        x = slim.batch_norm(x, is_training=is_training)
        x = spatial_dropout(x, p=0.1)          # spatial_dropout(..., is_training=True): `if is_training: ...`

Built with `is_training=False` (an evaluation or export build, or one SL201 sets to False), the batch norm
follows the flag and the dropout does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Tuple

import libcst as cst

from slimlint.model.dropout import dropout_calls
from slimlint.model.facts import FALSE, MODE_PARAM_NAMES, TRUE, CallSite, FunctionInfo
from slimlint.model.summary import ProjectIndex
from slimlint.model.unread_params import mention_counts


@dataclass
class UnthreadedMode:
    """A call that leaves a dropout-mode parameter of the callee at its default True."""

    site: CallSite
    param: str  # the callee's parameter (it decides whether the callee's dropout drops)
    flag: str  # the caller's own mode parameter, the one to pass on
    # How the project builds a network that reaches the caller in another mode: "False" or "evaluation".
    built: str
    kept: str = ""  # param "": the callee takes no mode and keeps this fraction (`keep_prob=0.5`) on every run


def unthreaded_dropout_modes(model, func: FunctionInfo, index: ProjectIndex) -> List[UnthreadedMode]:
    """Calls in `func` that leave a callee's dropout mode at its True default while `func` hands a mode parameter
    of its own to other layers (its batch norm or other dropout follow it), when the project builds `func` in
    another mode: with that parameter False, or (through the networks that call it) in evaluation code."""
    own = index.modules.get(model.module_name, {}).get(func.qualname)
    if own is None or func.is_module:
        return []
    # A flag read through a string test (`is_training=(mode == 'train')`) is no boolean to hand on.
    flags = [p for p in func.params if (p in own.mode_params or p in own.dropout_params) and own.predicate_of(p) is None]
    if not flags:
        return []
    out = []
    for call in dropout_calls(model, func, index):
        if any(mode.kind != TRUE or mode.expr is not None for mode in call.modes.values()):
            continue  # the call gives some of the callee's dropout a mode of its own: it hands the flag on
        for param, mode in sorted(call.modes.items()):
            if mode.owner is not call.site.call:
                continue  # one from an arg_scope is the scope's
            flag = param if param in flags else (flags[0] if len(flags) == 1 else None)
            if flag is None:
                continue
            built = _built_otherwise(index, (model.module_name, func.qualname), flag)
            if built is not None:
                out.append(UnthreadedMode(call.site, param, flag, built))
    # `return FCN8(inputs, num_classes)` in `build_model(..., is_training)`, which hands `is_training` to its
    # other networks: a network that takes no mode at all and keeps its dropout on (FunctionSummary.fixed_fraction).
    if len(flags) == 1 and index.any_summary("fixed_fraction"):
        built = _built_otherwise(index, (model.module_name, func.qualname), flags[0])
        for site in func.calls if built is not None and _hands_flag(model, func, flags[0], index) else ():
            summary = index.lookup_site(site, model.module_name)
            if summary is None or summary.fixed_fraction is None or site.has_star or site.frames \
                    or summary.mode_params or summary.dropout_params or summary.fraction_params \
                    or set(summary.params) & set(MODE_PARAM_NAMES):
                continue
            out.append(UnthreadedMode(site, "", flags[0], built, summary.fixed_fraction[0]))
    return out


def _hands_flag(model, func: FunctionInfo, flag: str, index: ProjectIndex) -> bool:
    """Does `func` pass its mode flag to some project network's mode parameter (`PSPNet(x, n, is_training)`)?"""
    for site in func.calls:
        summary = index.lookup_site(site, model.module_name)
        for param in (summary.mode_params | summary.dropout_params) if summary is not None and not site.has_star else ():
            expr = model.bound_arg(site, summary, param)
            if isinstance(expr, cst.Name) and expr.value == flag:
                return True
    return False


@dataclass
class TrueOverFlag:
    """A True written for batch norm's mode in a function whose own mode parameter goes unread."""

    expr: cst.BaseExpression  # the written True
    flag: str  # the function's unread mode parameter
    built: str  # as UnthreadedMode.built


def true_over_unread_flag(model, func: FunctionInfo, index: ProjectIndex) -> List[TrueOverFlag]:
    """`is_training=True` written at a batch-norm layer or a call of a function that builds one, in a function
    that takes a mode parameter of its own and never reads it (`def block(x, ..., is_training=True):
    conv_lstm(x, is_training=True)`), when the project builds the function in evaluation or inference code
    through the networks that call it, none of them handing it a False (that call is reported instead). The
    written True stands where the parameter was meant."""
    if func.node is None or func.is_module or not any(p in MODE_PARAM_NAMES for p in func.params):
        return []
    written = []
    for call in model.bn_calls(func, index):
        written += [mode.expr for mode in call.modes.values() if mode.kind == TRUE and mode.expr is not None
                    and any(a.value is mode.expr for a in call.site.call.args)]
    for site in model.bn_sites(func, index):
        if site.mode.kind == TRUE and site.mode.expr is not None and any(a.value is site.mode.expr for a in site.layer.call.args):
            written.append(site.mode.expr)
    written = [expr for expr in written if isinstance(expr, cst.Name) and expr.value == "True"]
    if not written:
        return []
    counts = mention_counts(func.node, (p for p in func.params if p in MODE_PARAM_NAMES))
    unread = [p for p, n in counts.items() if n == 0]
    if len(unread) != 1:
        return []
    built = _built_otherwise(index, (model.module_name, func.qualname), unread[0])
    if built != "evaluation":
        return []  # a call handing it False is SL209's finding at that call (ignored_mode_args): one report per mistake
    return [TrueOverFlag(expr, unread[0], built) for expr in written]


@dataclass
class UnthreadedScope:
    """A call of an arg-scope factory that leaves its mode at a True default, inside a function that hands its
    own flag to the network built under that scope."""

    site: CallSite
    factory: str  # the factory's name (one of several when the call picks from a dict of them)
    param: str  # its mode parameter
    flag: str  # the flag the function hands on (its own parameter, or its enclosing function's)
    built: str  # as UnthreadedMode.built
    only_target: bool  # the call reaches only this factory (a fix may pass the flag)


def unthreaded_scope_modes(model, func: FunctionInfo, index: ProjectIndex) -> List[UnthreadedScope]:
    """Calls of arg-scope factories whose mode sits in `normalizer_params` (so it overrides the network's own
    `arg_scope([slim.batch_norm], is_training=...)`) left at its True default, in a function that passes a
    mode flag of its own (or of the function it is nested in: slim's `network_fn` closure) to another call, when
    the project builds that function with the flag False or in evaluation code. Also when the call picks the
    factory from a dict of them (`arg_scopes_map[name](weight_decay=weight_decay)`)."""
    if func.is_module or not func.calls:
        return []
    owner, flags = _flag_owner(model, func)
    if not flags:
        return []
    handed = {a.value.value for site in func.calls for a in site.call.args
              if isinstance(a.value, cst.Name) and a.value.value in flags}
    if not handed:
        return []
    out = []
    for site in func.calls:
        if site.has_star:
            continue
        factories = []
        for target in site.targets:
            found = index.resolve(target, model.module_name)
            summary = index.modules[found[0]][found[1]] if found is not None else None
            config = summary.factory if summary is not None else None
            if config is not None and config.mode_param and config.mode_from_params \
                    and summary.default_of(config.mode_param) == "true" and config.mode_param not in site.kwargs:
                factories.append((summary, config.mode_param))
        for summary, param in factories[:1]:
            if model.bound_arg(site, summary, param) is not None:
                continue
            flag = param if param in handed else sorted(handed)[0]
            built = _built_otherwise(index, owner, flag)
            if built is not None:
                out.append(UnthreadedScope(site, summary.qualname.rsplit(".", 1)[-1], param, flag, built,
                                           len(site.targets) == 1))
    return out


def _flag_owner(model, func: FunctionInfo):
    """The function whose mode-named parameters `func` can hand on: itself, or (a nested function) the one it
    is defined in, whose parameters it reads as free variables. (key, flags)."""
    own = [p for p in func.params if p in MODE_PARAM_NAMES]
    if own or ".<locals>." not in func.qualname:
        return (model.module_name, func.qualname), own
    outer_name = func.qualname.rsplit(".<locals>.", 1)[0]
    outer = next((f for f in model.functions if f.qualname == outer_name), None)
    if outer is None:
        return None, []
    return (model.module_name, outer.qualname), [p for p in outer.params if p in MODE_PARAM_NAMES]


def _built_otherwise(index: ProjectIndex, key: Tuple[str, str], flag: str) -> Optional[str]:
    if index.called_with_false_mode(key, flag):
        return "False"
    return "evaluation" if key in _reached_from_other_builds(index) else None


def _reached_from_other_builds(index: ProjectIndex) -> FrozenSet[Tuple[str, str]]:
    """Project functions reached from a network some call builds in inference mode or in evaluation code (a
    build SL201 judges, whose fix gives it False). Kept on the index."""
    cached = index._other_mode_reach
    if cached is None:
        roots = [key for key, kinds in index.network_call_modes.items() if FALSE in kinds or "judged" in kinds]
        cached = index._other_mode_reach = index.reached_from(roots) if roots else frozenset()
    return cached
