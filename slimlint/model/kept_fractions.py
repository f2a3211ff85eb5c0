"""Kept fractions handed in: a parameter that becomes the fraction a dropout with no mode keeps
(`def recognizer(x, keep_prob=0.8): ... tf.nn.dropout(x, keep_prob)`, a DropoutWrapper's `output_keep_prob`),
and the calls that give it, or leave it at, a value below 1.

Such a dropout drops on every run its fraction is below 1, so the fraction is its mode: a call in evaluation
code that leaves `keep_prob=0.8` at its default evaluates a thinned, random network (SL208). The parameter may
be its own function's, one of a function it is nested in (a closure), one it hands on to another project
function's, or a constructor's that a method reads back as `self.<attr>`: the class's constructor is where
callers choose it (FunctionSummary.fraction_params of `__init__`).

Dropout under a condition that names the training path (`if is_training:`), or inside a lambda (`tf.cond(
is_training, lambda: tf.nn.dropout(x, keep_prob), ...)`), or whose fraction is re-bound in the function
(`keep_prob = keep_prob if is_training else 1.0`), is not one: its fraction is not simply what the caller
gives.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Tuple

import libcst as cst

from slimlint.model import context
from slimlint.model.dropout import (ALWAYS_DROP, NN_DROPOUT, constant_fraction, walked_finder, fraction_arguments, given_mode,
                                    keep_expr, scoped_by_callers, unread_scope)
from slimlint.model.fraction_exprs import one_minus
from slimlint.model.facts import INIT_PREFIX, CallSite, FunctionInfo, method_param
from slimlint.model.walk import find_all
from slimlint.model.dropped_fractions import reported_in_callee

# (parameter, how its dropout reads it: "keep_prob" | "rate" | "" for tf.nn.dropout's second positional argument
# (TF1: keep_prob, TF2: rate), the parameter's default when it is a number)
FractionParam = Tuple[str, str, Optional[float]]


@dataclass(frozen=True)
class FractionCall:
    """A call of a project function with fraction_params, and what it gives one of them."""

    site: CallSite
    param: str
    how: str
    value: Optional[float]  # the number given (or the default left), None when it is not a number
    expr: Optional[cst.BaseExpression]  # what the call passes; None: it leaves the default


def identity_of(how: str) -> Optional[str]:
    """The value that makes such a dropout keep everything, as code; None when the reading is ambiguous."""
    return {"keep_prob": "1.0", "rate": "0.0"}.get(how)


def _how(api: str, keyword: str) -> str:
    if api == NN_DROPOUT:
        return keyword  # "keep_prob", "rate" or "" (positional)
    return "keep_prob"  # a DropoutWrapper's input / output / state keep fraction


# Calls that run one of the functions they are handed depending on a tensor: a nested function given to them is a
# branch (`tf.cond(is_training, with_dropout, without)`), built for the mode the predicate picks.
_COND_APIS = frozenset({"tf.cond", "tf.case", "tf.smart_cond", "tf.contrib.framework.smart_cond"})


@dataclass(frozen=True)
class _Walk:
    sites: Dict[str, List[Tuple[cst.Call, str, bool]]]  # qualname -> (call, api, under some condition)
    guarded: frozenset  # ids of calls under a condition naming the training path
    conditional: frozenset  # ids of calls under any condition but a presence test


def _walk(model, conditions: bool = False) -> _Walk:
    """The dropouts with no mode built in each function, outside a condition naming the training path and outside
    a nested function handed to `tf.cond`; and which calls sit under conditions. One walk of the file, kept on
    the model; none in a file that builds no such dropout, unless the conditions are asked for."""
    cached = getattr(model, "_fraction_walk", None)
    if cached is None and not model.builder.fraction_dropout and not conditions:
        return _NO_SITES
    if cached is None:
        finder = walked_finder(model)
        branches = _cond_branches(model)
        sites: Dict[str, List[Tuple[cst.Call, str, bool]]] = {}
        for call, func, kind in finder.found:
            if kind in ALWAYS_DROP and id(call) not in finder.guarded and func.qualname not in branches:
                sites.setdefault(func.qualname, []).append((call, kind, id(call) in finder.conditional))
        cached = model._fraction_walk = _Walk(sites, frozenset(finder.guarded), frozenset(finder.conditional))
    return cached


_NO_SITES = _Walk({}, frozenset(), frozenset())


def _cond_branches(model) -> set:
    """Qualnames of nested functions handed to a `tf.cond` (or `tf.case`) by the function they are defined in,
    or called by a lambda handed to it (`tf.cond(is_training, lambda: apply_dropout(x), lambda: x)`)."""
    out = set()
    for func in model.functions:
        if func.node is None:
            continue
        for call in find_all(func.node.body, cst.Call):
            if model.canonical(call.func) in _COND_APIS:
                for arg in call.args:
                    if isinstance(arg.value, cst.Name):
                        out.add(f"{func.qualname}.<locals>.{arg.value.value}")
                    elif isinstance(arg.value, cst.Lambda):
                        out.update(f"{func.qualname}.<locals>.{inner.func.value}"
                                   for inner in find_all(arg.value.body, cst.Call) if isinstance(inner.func, cst.Name))
    return out


def _param_of(model, func: FunctionInfo, part: FunctionInfo, expr: cst.BaseExpression) -> Optional[str]:
    """The parameter of `func` an expression in `part` (func or a function nested in it) reads, unchanged:
    its own parameter, an enclosing one (a closure), or `__init__:p` for `self.<attr>` kept from the constructor's p."""
    if isinstance(expr, cst.Name):
        name = expr.value
        if name in part.assignments:
            return None  # re-bound here (`keep_prob = keep_prob if is_training else 1.0`)
        if part is func:
            return name if name in func.params else None
        if name in part.params:
            return None  # the nested function's own parameter: its calls decide
        return name if name in func.params and name not in func.assignments else None
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self" \
            and func.class_name is not None and part is func:
        kept = model._constructor_param(expr, func)
        if kept is not None and "." not in kept and not any(
                f"self.{expr.attr.value}" in f.assignments for f in model.functions
                if f.class_name == func.class_name and not f.qualname.endswith(".__init__")):
            return INIT_PREFIX + kept
    return None


# `tf.nn.dropout(x, 1 - rate)`: the parameter is the other reading of the fraction ("" stays ambiguous).
_INVERTED = {"keep_prob": "rate", "rate": "keep_prob", "": ""}


def _fraction_param_of(model, func: FunctionInfo, part: FunctionInfo, expr: cst.BaseExpression,
                       how: str) -> Tuple[Optional[str], str]:
    """The parameter a dropout's fraction reads (_param_of) and how: as written, or as `1 - p` (a rate handed in
    where the dropout takes the kept fraction, or the reverse)."""
    if isinstance(expr, cst.Name) and len(part.assignments.get(expr.value, ())) == 1:
        expr = part.assignments[expr.value][0][0]  # `keep_prob = 1.0 - drop_rate`, then `tf.nn.dropout(x, keep_prob)`
        if one_minus(expr) is None:
            return None, how
    complement = one_minus(expr)
    if complement is not None:
        return _param_of(model, func, part, complement), _INVERTED.get(how, "")
    return _param_of(model, func, part, expr), how


def default_fraction(model, func: FunctionInfo, param: str) -> Optional[float]:
    """A parameter's default, when it is a number (or a module constant bound once to one)."""
    default = func.defaults.get(param)
    return constant_fraction(default, model.module_func, model) if default is not None else None


def fraction_params(model, func: FunctionInfo, index) -> Tuple[FractionParam, ...]:
    """FunctionSummary.fraction_params of `func` (model: semantic.FileModel), before a method's `__init__:p`
    entries move to the constructor (kept_by_constructor)."""
    found: Dict[str, str] = {}
    walked = _walk(model)
    for part in model.with_nested(func):
        for call, api, _ in walked.sites.get(part.qualname, ()):
            for keyword, expr in fraction_arguments(call, api):
                param, how = _fraction_param_of(model, func, part, expr, _how(api, keyword))
                if param is not None:
                    found.setdefault(param, how)
        for given in fraction_calls(model, part, index):
            if given.expr is not None and id(given.site.call) not in _walk(model, conditions=True).guarded:
                param, how = _fraction_param_of(model, func, part, given.expr, given.how)
                if param is not None:
                    found.setdefault(param, how)
    return tuple(sorted((param, how, None if method_param(param) else default_fraction(model, func, param))
                        for param, how in found.items()))


def fixed_fraction_origin(model, func: FunctionInfo, index) -> Tuple[Optional[Tuple[str, str]], bool]:
    """FunctionSummary.fixed_fraction: a dropout with no mode that `func` builds (itself, in a nested function, or
    through the project functions it calls) keeping a constant fraction below 1, written there or given to (or
    left at) a kept-fraction parameter's default: (the constant as written, the qualname of the function that
    fixes it). Such a network drops on every run, evaluation included. Only what it builds whatever its
    arguments: nothing under a condition (a factory's `if name == 'train': return TrainNet()`) but a test of
    whether a fraction was given. A `slim.dropout` nothing gives a mode counts too; the second value says the
    fraction comes from one (FunctionSummary.fraction_by_slim_default): a caller's arg_scope may still give it a
    mode, so calls made under an arg_scope do not pass it on."""
    walked = _walk(model)
    for part in model.with_nested(func):
        for call, api, under_condition in walked.sites.get(part.qualname, ()):
            for _, expr in [] if under_condition else fraction_arguments(call, api):
                value = constant_fraction(expr, part, model)
                if value is not None and 0.0 < value < 1.0:
                    return (cst.Module([]).code_for_node(expr), func.qualname), False
        for layer in part.layers:
            kept = _slim_dropout_left_on(model, layer, part, index)
            if kept is not None:
                return (kept, func.qualname), True
        for given in fraction_calls(model, part, index):
            if given.value is not None and 0.0 < given.value < 1.0 \
                    and id(given.site.call) not in _walk(model, conditions=True).conditional:
                shown = cst.Module([]).code_for_node(given.expr) if given.expr is not None else f"{given.value:g}"
                return (f"{given.param}={shown}", func.qualname), False
        for site in part.calls if index.any_summary("fixed_fraction") else ():
            summary = index.lookup_site(site, model.module_name)
            if summary is not None and summary.fixed_fraction is not None \
                    and id(site.call) not in _walk(model, conditions=True).conditional \
                    and not (summary.fraction_by_slim_default and site.frames):
                return summary.fixed_fraction, summary.fraction_by_slim_default
    return None, False


def _slim_dropout_left_on(model, layer, func: FunctionInfo, index) -> Optional[str]:
    """`slim.dropout(net, keep_prob=0.5)` that nothing gives a mode (no `is_training`, no arg_scope over it): slim's
    default True keeps it dropping on every run, like a constant `tf.nn.dropout`. Its kept fraction as shown."""
    if layer.api != _SLIM_DROPOUT or id(layer.call) in _walk(model, conditions=True).conditional \
            or any(a.star for a in layer.call.args):
        return None
    if given_mode(model, layer, index)[0] is not None or unread_scope(layer):
        return None  # it is given a mode, or a factory's scope (`arg_scope(cifarnet_arg_scope(...))`) may give one
    expr = keep_expr(layer)
    if expr is None:
        return "keep_prob=0.5 (slim's default)"
    value = constant_fraction(expr, func, model)
    return f"keep_prob={cst.Module([]).code_for_node(expr)}" if value is not None and 0.0 < value < 1.0 else None


_SLIM_DROPOUT = "slim.dropout"


def kept_by_constructor(model, summaries: dict, qual: str, entries: Tuple[FractionParam, ...]) -> None:
    """Move a method's `__init__:p` fraction parameters to its class's constructor summary (in `summaries`, by
    qualname), with the constructor's default: the call that makes the object chooses them. When the constructor
    does not run that method itself, the constructor's summary also names the methods that reach it
    (fraction_methods): only code that calls one of them drops."""
    owned = [(method_param(p)[1], how) for p, how, _ in entries if method_param(p) is not None]
    if not owned:
        return
    summaries[qual] = replace(summaries[qual], fraction_params=tuple(e for e in entries if method_param(e[0]) is None))
    init_name = qual.rsplit(".", 1)[0] + ".__init__"
    init = summaries.get(init_name)
    info = next((f for f in model.functions if f.qualname == init_name), None)
    if init is None or info is None:
        return
    # A method the caller picks later (`model.build_train(x)` beside `build_predict`), or that the constructor
    # runs under a condition (`if mode == 'train': self.build_training_graph()`), drops only on the builds that
    # choose it.
    chosen_later = qual != init_name and qual.rsplit(".", 1)[-1] not in _run_by_constructor(model, info)
    merged = {p: (how, default) for p, how, default in init.fraction_params}
    methods = dict(init.fraction_methods)
    for param, how in owned:
        if param not in merged:
            merged[param] = (how, default_fraction(model, info, param))
            if chosen_later:
                methods[param] = _methods_reaching(model, qual)
        elif param in methods:
            methods[param] = tuple(sorted(set(methods[param]) | set(_methods_reaching(model, qual)))) \
                if chosen_later else ()
    summaries[init_name] = replace(init, fraction_params=tuple(sorted((p, h, d) for p, (h, d) in merged.items())),
                                   fraction_methods=tuple(sorted((p, m) for p, m in methods.items() if m)))


def _methods_reaching(model, qual: str) -> Tuple[str, ...]:
    """Names of the methods of `qual`'s class that run it, itself included: called on self, directly or not."""
    class_name, name = qual.rsplit(".", 1)
    methods = {f.qualname.rsplit(".", 1)[-1]: f for f in model.functions if f.qualname.rsplit(".", 1)[0] == class_name}
    conditional = _walk(model, conditions=True).conditional
    callers: Dict[str, set] = {}
    for caller, func in methods.items():
        for site in func.calls:
            if id(site.call) in conditional:
                continue  # `if self.mode == 'train': self._regularize(x)`: that build chooses it
            for target in site.targets:
                callee = target.rsplit(".", 1)[-1]
                if callee in methods and (target.startswith("self.") or target.endswith(f"{class_name}.{callee}")):
                    callers.setdefault(callee, set()).add(caller)
    reached, todo = {name}, [name]
    while todo:
        for caller in callers.get(todo.pop(), ()):
            if caller not in reached:
                reached.add(caller)
                todo.append(caller)
    return tuple(sorted(reached))


def _calls_method(model, index, where: FunctionInfo, module: str, class_name: str, methods: Tuple[str, ...]) -> bool:
    """Does `where` (the function making the object; for module-level code, any function of the file) call
    one of `methods` of the class (module, class_name)? Another function's call (`train()` beside `test()`)
    builds another object."""
    cache = model.__dict__.setdefault("_methods_called", {})
    key = (module, class_name, where.qualname)
    if key not in cache:
        called = set()
        for func in model.functions if where.is_module else model.with_nested(where):
            for site in func.calls:
                found = index.resolve_site(site, model.module_name)
                if found is not None and found[0] == module and found[1].rsplit(".", 1)[0] == class_name:
                    called.add(found[1].rsplit(".", 1)[-1])
        cache[key] = frozenset(called)
    return any(m in cache[key] for m in methods)


def _run_by_constructor(model, init: FunctionInfo) -> set:
    """Names of the methods of `init`'s class that the constructor runs whatever its arguments: called on self
    outside any condition, from it or from such a method."""
    class_name = init.qualname.rsplit(".", 1)[0]
    methods = {f.qualname.rsplit(".", 1)[-1]: f for f in model.functions if f.qualname.rsplit(".", 1)[0] == class_name}
    conditional = _walk(model, conditions=True).conditional
    reached, todo = set(), [init]
    while todo:
        for site in todo.pop().calls:
            if id(site.call) in conditional:
                continue
            for target in site.targets:
                name = target.rsplit(".", 1)[-1]
                if name in methods and name not in reached and (target.startswith("self.") or target.startswith(class_name + ".")
                                                                 or target.endswith(f"{class_name}.{name}")):
                    reached.add(name)
                    todo.append(methods[name])
    return reached


def fraction_calls(model, func: FunctionInfo, index) -> List[FractionCall]:
    """The calls in `func` of project functions with fraction_params, one entry per such parameter."""
    out = []
    if not index.any_summary("fraction_params"):
        return out
    for site in func.calls:
        summary = index.lookup_site(site, model.module_name)
        if summary is None or not summary.fraction_params:
            continue
        needs = dict(summary.fraction_methods)
        for param, how, default in summary.fraction_params:
            if param in needs and not _chooses_method(model, index, site, needs[param]):
                continue
            expr = model.bound_arg(site, summary, param)
            value = default if expr is None else constant_fraction(expr, site.func, model)
            out.append(FractionCall(site, param, how, value, expr))
    return out


def _chooses_method(model, index, site: CallSite, methods: Tuple[str, ...]) -> bool:
    """Does the file that makes an object with this constructor call call one of the methods that drop?"""
    found = index.resolve_site(site, model.module_name)
    return found is not None and _calls_method(model, index, site.func, found[0], found[1].rsplit(".", 1)[0], methods)


def evaluated_fixed_fractions(model, func: FunctionInfo, role: str, index) -> List[Tuple[CallSite, Tuple[str, str], bool]]:
    """Calls made by a script named for evaluation (`test.py`, `predict.py`: BatchNorm's evaluated_always_training
    test) of another module's project function with a fixed_fraction, with it. Not in a project that trains
    adversarially (pix2pix keeps its generator's dropout on at test time by design), nor in code named for
    sampling, nor in a project that samples with dropout on (Monte-Carlo dropout: project_text.MONTE_CARLO)."""
    if role != context.EVAL or index.adversarial or index.monte_carlo or not context.evaluation_module(model.module_name) \
            or context.samples_by_name(model.module_name, func):
        return []
    out = []
    mine = index.modules.get(model.module_name, {}).get(func.qualname)  # module code: "<module>" both ways
    own_asks = mine.asks_no_dropout if mine is not None else ()
    for site in func.calls:
        found = index.resolve_site(site, model.module_name)
        if found is None or found[0] == model.module_name:
            continue  # a function of the same module: judged where its calls are
        summary = index.lookup_site(site, model.module_name)
        if summary is not None and summary.fixed_fraction is not None \
                and not (summary.fraction_by_slim_default and (site.frames or scoped_by_callers(model, func, index, bn_scopes=False))) \
                and context.is_eval_context(role, func, site.order, training_callee=True):
            asked = [param for callee, param, _ in own_asks if callee == found]
            if reported_in_callee(summary, asked):
                continue  # `TextCNN(..., dropout_keep_prob=1.0)` ignored by the callee: reported at its dropout
            out.append((site, summary.fixed_fraction, summary.fraction_by_slim_default))
    return out
