"""Dropout sites of a file and whether each one drops: the mode it gets (`slim.dropout`'s `is_training`,
`tf.layers.dropout`'s and a Keras Dropout layer's `training`) or the constant it keeps (`tf.nn.dropout`'s
`keep_prob` / `rate`).

slim and tf.layers dropout calls come from the traversal (FunctionInfo.layers: they carry their arg_scopes
and order). `tf.nn.dropout` and applications of Keras Dropout layers are not recorded there, so this module
walks the tree once more for them; their order (for the Estimator branch test) is counted the way the
builder counts it, and dropped (None) when that count disagrees with the builder's own on any call it
recorded: an unknown order makes a site "not in an Estimator eval branch", the quiet answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, FrozenSet, List, Optional, Tuple

import libcst as cst

from slimlint.model import api, config_values
from slimlint.model.fraction_exprs import one_minus
from slimlint.model.options import reassigned
from slimlint.model.facts import DEFAULT, DYNAMIC, FALSE, MODE_PARAM_NAMES, PARAM, TRUE, UNKNOWN, CallSite, FunctionInfo, LayerCall, ModeArg
from slimlint.model.import_table import dotted
from slimlint.model.context import words
from slimlint.model.walk import FastVisitor, children, find_all, walk

@dataclass
class DropoutCall:
    """A call of a project function whose parameters choose the mode of some dropout it builds (itself or
    through its own calls), with what this call gives each of them (the callee's default when it gives none)."""

    site: CallSite
    modes: Dict[str, ModeArg]


def dropout_calls(model, func: FunctionInfo, index) -> List[DropoutCall]:
    """The calls in `func` of project functions with FunctionSummary.dropout_params (model: semantic.FileModel),
    each with the parameters through which it can make some dropout drop: one whose dropout all keeps every
    unit at this call (`inference(images, 1.0, phase_train=True)` where the keep fraction is a parameter too)
    is left out."""
    out = []
    for site in func.calls:
        summary = index.lookup_site(site, model.module_name)
        if summary is None or not summary.dropout_params:
            continue
        dropping = frozenset(p for p in summary.dropout_params if _may_drop(model, site, summary, p))
        if dropping:
            out.append(DropoutCall(site, model._bind_modes(site, summary, index, dropping)))
    return out


def _may_drop(model, site: CallSite, summary, param: str) -> bool:
    """Can a dropout whose mode is `param` drop at this call? Not when each one keeps a fraction the call gives
    as its keeping-everything value (keep_prob 1.0, rate 0.0)."""
    keeps = [(keep, identity, by_default) for mode, keep, identity, by_default in summary.dropout_keeps if mode == param]
    return not keeps or not all(_keeps_at_call(model, site, summary, *entry) for entry in keeps)


def _keeps_at_call(model, site: CallSite, summary, keep: Optional[str], identity: float, by_default: bool) -> bool:
    """Does the call make one of the callee's dropouts keep everything: its kept-fraction parameter given the
    identity value (1.0 / 0.0), or left at a default that is?"""
    if keep is None:
        return False
    expr = model.bound_arg(site, summary, keep)
    if expr is None:
        return by_default
    return constant_fraction(expr, site.func, model) == identity or _run_time_fraction(expr, site.func, model)


def dropout_params(model, func: FunctionInfo, index) -> Tuple[FrozenSet[str], Tuple[Tuple[str, Optional[str], float, bool], ...]]:
    """FunctionSummary.dropout_params and .dropout_keeps: the parameters of `func` that its own mode-taking
    dropout reads as its mode (in nested functions too, as `func`'s callers see them:
    CrossFileFacts.as_outer_modes), and those it hands on to the dropout parameters of the project functions it
    calls; and for each such dropout, the parameter that gives its kept fraction (None when nothing of ours
    does) with the value that keeps everything, and whether the parameter's default is that value."""
    params = set(func.params)
    found: Dict[str, set] = {}

    def add(mode: ModeArg, part: FunctionInfo, keep: Optional[str], identity: float) -> None:
        keep = keep if keep in params else None
        # `def inference(images, keep_prob=1.0, ...)`: a call that passes nothing keeps everything.
        default = func.defaults.get(keep) if keep is not None else None
        by_default = default is not None and constant_fraction(default, func, model) == identity
        for outer in model.as_outer_modes(func, part, mode, index):
            if outer.kind == PARAM and outer.param in params:
                found.setdefault(outer.param, set()).add((keep, identity, by_default))

    for part in model.with_nested(func):
        for layer in part.layers:
            if layer.api not in MODE_APIS or _keeps_everything(layer, model, read_options=False):
                continue
            keyword, identity = _KEEP_ARGUMENT[layer.api]
            expr = keep_expr(layer)
            if _run_time_fraction(expr, part, model):
                continue
            add(_layer_site(model, layer, index).mode, part, expr.value if isinstance(expr, cst.Name) else None, identity)
        for param, call, api_name in gated_fraction_dropouts(model, part):
            # `if is_training: x = tf.nn.dropout(x, keep_prob)`: the parameter's truth decides whether it drops.
            for keyword, expr in fraction_arguments(call, api_name):
                identity = 0.0 if keyword == "rate" else 1.0
                if constant_fraction(expr, part, model, read_options=False) == identity or _run_time_fraction(expr, part, model):
                    continue
                add(ModeArg(PARAM, param=param), part, expr.value if isinstance(expr, cst.Name) else None, identity)
        for call in dropout_calls(model, part, index):
            summary = index.lookup_site(call.site, model.module_name)
            for param, mode in call.modes.items():
                for their_mode, their_keep, identity, by_default in summary.dropout_keeps if summary is not None else ():
                    if their_mode != param or _keeps_at_call(model, call.site, summary, their_keep, identity, by_default):
                        continue  # `head(net, keep, 1.0, is_training)`: that dropout is an identity here
                    given = model.bound_arg(call.site, summary, their_keep) if their_keep is not None else None
                    add(mode, part, given.value if isinstance(given, cst.Name) else None, identity)
    keeps = tuple(sorted((mode, keep or "", identity, by_default) for mode, entries in found.items()
                         for keep, identity, by_default in entries))
    return frozenset(found), tuple((mode, keep or None, identity, by_default) for mode, keep, identity, by_default in keeps)


def gated_fraction_dropouts(model, func: FunctionInfo) -> List[Tuple[str, cst.Call, str]]:
    """Dropouts with no mode (`tf.nn.dropout`, a DropoutWrapper) that `func` builds only when a mode parameter of
    its own is true: `if is_training: x = tf.nn.dropout(x, 1.0 - p)` (also `if use_dropout and is_training:`,
    where only the mode-named conjunct counts), as (the parameter, the call, its API). Nested functions are their
    own parts (CrossFileFacts.with_nested). Only in files that build such a dropout (builder.fraction_dropout);
    kept on the model per function."""
    if not model.builder.fraction_dropout or func.node is None or func.is_module:
        return []
    cache = model.__dict__.setdefault("_gated_dropouts", {})
    if id(func) not in cache:
        cache[id(func)] = _gated_in(model, func)
    return cache[id(func)]


def _gated_in(model, func: FunctionInfo) -> List[Tuple[str, cst.Call, str]]:
    out: List[Tuple[str, cst.Call, str]] = []
    stack: List[Tuple[cst.CSTNode, Tuple[str, ...]]] = [(func.node.body, ())]
    while stack:
        node, gates = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            continue
        if isinstance(node, cst.Call) and gates:
            name = model.canonical(node.func)
            if name in ALWAYS_DROP:
                out.extend((param, node, name) for param in gates)
        if isinstance(node, cst.If):
            tested = [node.test]
            if isinstance(node.test, cst.BooleanOperation) and isinstance(node.test.operator, cst.And):
                tested = [node.test.left, node.test.right]
            params = tuple(t.value for t in tested if isinstance(t, cst.Name) and t.value in func.params
                           and t.value in MODE_PARAM_NAMES)
            stack.append((node.body, gates + params))
            if node.orelse is not None:
                stack.append((node.orelse, gates))
            continue
        stack.extend((child, gates) for child in children(node))
    return out


# Layer APIs with a mode argument -> (its keyword, does the layer drop when the call does not say?).
MODE_APIS: Dict[str, Tuple[str, bool]] = {"slim.dropout": ("is_training", True), "tf.layers.dropout": ("training", False)}
NN_DROPOUT = "tf.nn.dropout"
# Dropout with no mode: it drops whenever its kept fraction is below 1 (tf.nn.dropout and the RNN cell wrappers).
ALWAYS_DROP = api.FRACTION_DROPOUT
DROPOUT_WRAPPERS = ALWAYS_DROP - {NN_DROPOUT}
# A DropoutWrapper's keep fractions, by keyword and by position after the cell.
WRAPPER_KEEPS = ("input_keep_prob", "output_keep_prob", "state_keep_prob")
# Keras (and TF1 layers) Dropout classes: an instance applied as `layer(x, training=...)`.
KERAS_DROPOUT = frozenset(
    {f"tf.keras.layers.{n}" for n in ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                                       "AlphaDropout", "GaussianDropout")} | {"tf.layers.Dropout"})


@dataclass
class DropoutSite:
    """One dropout the code builds, and whether it drops whatever the run does."""

    call: cst.Call  # the dropout call (for Keras: the layer's application to a tensor)
    api: str
    func: FunctionInfo
    order: Optional[int]  # None: not known (see the module docstring)
    mode: ModeArg  # TRUE: drops on every run; for tf.nn.dropout, TRUE when it keeps a constant fraction < 1
    constant: Optional[str] = None  # tf.nn.dropout: the constant, as the code gives it (`keep_prob=0.5`)
    constant_value: Optional[str] = None  # the number a named constant holds (`config.keep_prob` over 0.8)
    in_frame: bool = False  # the mode comes from an enclosing arg_scope (its `with` holds the edit)
    guarded: bool = False  # under `if is_training:` (a test naming the training path): built for training
    fed_fraction: bool = False  # keeps a placeholder's fraction: each run's feed decides whether it drops


# Words of a condition that picks the training path (`if is_training:`, `if FLAGS.mode == "train":`, `if mode
# == ModeKeys.TRAIN:`, `if keep_prob < 1:`): dropout under it is built for training. `if mode == ModeKeys.PREDICT:`
# is not one: dropout under it is evaluation code (the Estimator branch test).
_MODE_TEST_WORDS = {"train", "training", "trainable", "dropout", "drop", "keep"}
# The other side of the switch, negated: `if not forward_only:`, `if not is_test:`, `mode != ModeKeys.PREDICT`.
_OTHER_SIDE_WORDS = {"test", "testing", "eval", "evaluation", "evaluate", "infer", "inference", "forward", "decode",
                     "decoding", "predict", "prediction", "serving", "export"}


def dropout_sites(model, index) -> List[DropoutSite]:
    """Every dropout site of the file (model: semantic.FileModel), in source order."""
    finder = walked_finder(model)
    sites = [_layer_site(model, layer, index) for func in model.functions for layer in func.layers
             if layer.api in MODE_APIS]
    sites += _walked_sites(model, finder, index)
    for site in sites:
        site.guarded = id(site.call) in finder.guarded
    return sorted(sites, key=lambda s: (s.order is None, s.order or 0))


def given_mode(model, layer: LayerCall, index) -> Tuple[Optional[cst.BaseExpression], cst.CSTNode, bool]:
    """What gives a mode-taking dropout its mode: its own argument (`is_training=` / `training=`, or by position),
    else the innermost arg_scope over it that sets one. (The expression, None when nothing does; the node that
    holds it; whether that is an arg_scope.) One reading for the site's mode and for the summary's fixed fraction."""
    keyword, _ = MODE_APIS[layer.api]
    expr = layer.kwargs.get(keyword)
    if expr is None:
        expr = model.passed_by_position(layer.call, keyword, index)
    if expr is not None:
        return expr, layer.call, False
    frame, expr = model._frame_value(layer.frames, layer.api, keyword, index)
    return (expr, frame.call, True) if frame is not None else (None, layer.call, False)


def unread_scope(layer: LayerCall) -> bool:
    """Is the layer under an arg_scope whose op list cannot be read, or one a factory builds? It may set the mode."""
    return any(f.ops is None or f.factory is not None for f in layer.frames)


def _layer_site(model, layer: LayerCall, index) -> DropoutSite:
    keyword, drops_by_default = MODE_APIS[layer.api]
    expr, owner, in_frame = given_mode(model, layer, index)
    mode = model.classify(expr, layer.func, keyword, owner, index)
    if mode.kind == DEFAULT:
        scoped = unread_scope(layer) or scoped_by_callers(model, layer.func, index)
        kind = UNKNOWN if scoped else (TRUE if drops_by_default else FALSE)
        mode = replace(mode, kind=kind)
    if mode.kind == TRUE and _keeps_everything(layer, model):
        mode = replace(mode, kind=FALSE)  # `slim.dropout(net, 1.0)`: an identity in either mode
    return DropoutSite(layer.call, layer.api, layer.func, layer.order, mode, in_frame=in_frame,
                       fed_fraction=_run_time_fraction(keep_expr(layer), layer.func, model))


# The argument that says how much a mode-taking dropout keeps, and the value at which it keeps everything.
_KEEP_ARGUMENT = {"slim.dropout": ("keep_prob", 1.0), "tf.layers.dropout": ("rate", 0.0)}


def keep_expr(layer: LayerCall) -> Optional[cst.BaseExpression]:
    """What a mode-taking dropout is given as its kept fraction (`keep_prob` / `rate`, or second by position)."""
    keyword, _ = _KEEP_ARGUMENT[layer.api]
    expr = layer.kwargs.get(keyword)
    positional = [a.value for a in layer.call.args if a.keyword is None and not a.star]
    if expr is None and len(positional) > 1:
        expr = positional[1]
    return expr


def _keeps_everything(layer: LayerCall, model, read_options: bool = True) -> bool:
    """Does this dropout keep every unit (keep_prob 1.0, rate 0.0), given as a literal or a name bound once to one
    (`read_options`: or an option defaulting to one, as the script runs with its defaults)?"""
    expr = keep_expr(layer)
    return expr is not None and constant_fraction(expr, layer.func, model, read_options=read_options) == _KEEP_ARGUMENT[layer.api][1]


def scoped_by_callers(model, func: FunctionInfo, index, bn_scopes: bool = True) -> bool:
    """May the callers' arg_scopes set slim.dropout's mode in `func`? Yes when the project's callers wrap it
    in an arg_scope that sets batch norm's mode (the two are scoped together: `arg_scope([batch_norm,
    dropout], is_training=False)`), or when some chain of calls in this file that reaches it (a nested
    function is reached through its outer one) passes a call inside an arg_scope over slim.dropout (or
    over ops that cannot be read)."""
    seen, todo = set(), [func]
    while todo:
        current = todo.pop()
        if current.is_module or current.qualname in seen:
            continue
        seen.add(current.qualname)
        if bn_scopes and (model.module_name, current.qualname) in index.scoped_bn_mode:
            return True
        names = {current.qualname, current.name, f"{model.module_name}.{current.qualname}"}
        for caller in model.functions:
            for site in caller.calls:
                if names & set(site.targets):
                    if any(f.ops is None or "slim.dropout" in f.ops for f in site.frames):
                        return True
                    todo.append(caller)
        if ".<locals>." in current.qualname:
            outer = current.qualname.rsplit(".<locals>.", 1)[0]
            todo.extend(f for f in model.functions if f.qualname == outer)
    return False


# --- tf.nn.dropout and Keras Dropout layers: a walk of their own ------------------------------------


def walked_finder(model) -> "DropoutFinder":
    """The file's DropoutFinder after one walk of its module, kept on the model: the sites, the kept fractions and
    the config names all read the same walk."""
    finder = getattr(model, "_dropout_finder", None)
    if finder is None:
        finder = model._dropout_finder = DropoutFinder(model)
        walk(model.module, finder)
    return finder


class DropoutFinder(FastVisitor):
    """Finds tf.nn.dropout calls and Keras Dropout applications, counting calls as the builder orders them."""

    def __init__(self, model) -> None:
        super().__init__()
        self.model = model
        self.order = 0
        self.orders: Dict[int, int] = {}
        self.found: List[Tuple[cst.Call, FunctionInfo, str]] = []
        self._by_node = {id(f.node): f for f in model.functions if f.node is not None}
        self._stack: List[FunctionInfo] = [model.module_func]
        self.guarded: set = set()  # ids of calls under a condition that names the training path
        self.conditional: set = set()  # ids of calls under any condition but a presence test (`if x is not None:`)
        self._guards: List[Optional[bool]] = []  # one per enclosing if / conditional expression / while: names the
        # training path (True), other (False), a presence test (None)

    def _guard(self, test: cst.BaseExpression) -> None:
        if _tests_presence(test):
            self._guards.append(None)  # `if dropout_rate is not None:` asks whether a fraction was given, not the mode
            return
        names = [n for n in _names_in(test)]
        self._guards.append(any(words(n) & _MODE_TEST_WORDS for n in names)
                            or _negated(test) and any(words(n) & _OTHER_SIDE_WORDS for n in names))

    def visit_If(self, node: cst.If) -> None:
        self._guard(node.test)

    def leave_If(self, original_node: cst.If) -> None:
        self._guards.pop()

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._guard(node.test)

    def leave_IfExp(self, original_node: cst.IfExp) -> None:
        self._guards.pop()

    def visit_While(self, node: cst.While) -> None:
        self._guard(node.test)

    def leave_While(self, original_node: cst.While) -> None:
        self._guards.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._stack.append(self._by_node.get(id(node), self._stack[-1]))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._stack.pop()

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False  # the builder does not look inside lambdas either

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            call = item.item
            if isinstance(call, cst.Call) and call.args and self.model.canonical(call.func) in api.CONTROL_DEPENDENCIES:
                self.order += 1  # the builder numbers a control_dependencies block before its calls

    def visit_Call(self, node: cst.Call) -> None:
        self.order += 1
        self.orders[id(node)] = self.order
        if any(self._guards):
            self.guarded.add(id(node))
        if any(g is not None for g in self._guards):
            self.conditional.add(id(node))
        func = self._stack[-1]
        name = self.model.canonical(node.func)
        if name in ALWAYS_DROP:
            self.found.append((node, func, name))
            return
        layer_class = _keras_class(self.model, node.func, func)
        if layer_class is not None:
            self.found.append((node, func, layer_class))


def _negated(test: cst.BaseExpression) -> bool:
    """`not x`, `x != y`, `x not in y`, `x is not y`."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return True
    return isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(
        test.comparisons[0].operator, (cst.NotEqual, cst.NotIn, cst.IsNot))


def _tests_presence(test: cst.BaseExpression) -> bool:
    """`x is not None` / `x is None`: a test of whether something was given."""
    return isinstance(test, cst.Comparison) and all(
        isinstance(c.operator, (cst.Is, cst.IsNot)) and isinstance(c.comparator, cst.Name)
        and c.comparator.value == "None" for c in test.comparisons)


def _keras_class(model, callee: cst.BaseExpression, func: FunctionInfo) -> Optional[str]:
    """The Keras Dropout class `callee` is an instance of: `Dropout(0.5)` itself, or a name (`drop`,
    `self.drop`) bound once, in this function, at module level or in the class's constructor, to one."""
    if isinstance(callee, cst.Call):
        name = model.canonical(callee.func)
        return name if name in KERAS_DROPOUT else None
    value = _bound_once(model, callee, func)
    if isinstance(value, cst.Call):
        name = model.canonical(value.func)
        return name if name in KERAS_DROPOUT else None
    return None


def _bound_once(model, expr: cst.BaseExpression, func: FunctionInfo) -> Optional[cst.BaseExpression]:
    """The one value a name or `self.<attr>` is bound to, in this function, at module level or in the
    class's constructor; None when it is bound more than once, or nowhere we look."""
    text = dotted(expr)
    if not text or text in func.params:
        return None
    scopes = [func, model.module_func]
    if text.startswith("self.") and func.class_name:
        scopes += [f for f in model.functions if f.qualname == f"{func.class_name}.__init__"]
    for scope in scopes:
        values = scope.assignments.get(text)
        if values:
            return values[0][0] if len(values) == 1 else None
    return None


def kept_config_copy(model, expr: cst.BaseExpression, func: FunctionInfo) -> Optional[Tuple[FunctionInfo, cst.BaseExpression]]:
    """(the constructor, the value) for `self.keep_prob` that the constructor sets once from a config or an option
    (`self.keep_prob = config.keep_prob`, `self.keep_prob = FLAGS.keep_prob`) and no other method of the class
    sets: the object keeps the config's number."""
    text = dotted(expr) if isinstance(expr, cst.Attribute) else None
    if not text or text.count(".") != 1 or not text.startswith("self.") or func.class_name is None:
        return None
    init = next((f for f in model.functions if f.qualname == f"{func.class_name}.__init__"), None)
    values = init.assignments.get(text) if init is not None else None
    if not values or len(values) != 1 or not isinstance(values[0][0], (cst.Attribute, cst.Subscript)):
        return None
    if any(text in f.assignments for f in model.functions if f.class_name == func.class_name and f is not init):
        return None  # set again by a method (`def eval(self): self.keep_prob = 1.0`)
    return init, values[0][0]


def _run_time_fraction(expr: Optional[cst.BaseExpression], func: FunctionInfo, model) -> bool:
    """Is a kept fraction a placeholder (`self.keep_prob = tf.placeholder_with_default(1.0, [])`), decided by
    what each run feeds? Feeds are judged where they are written (EvalRuns.eval_runs_dropping)."""
    value = _bound_once(model, expr, func) if expr is not None else None
    if isinstance(value, cst.Call) and model.canonical(value.func) in _PLACEHOLDERS:
        return True
    # A fraction the caller hands in, with no number for a default: a parameter (`keep_prob`), or an attribute
    # the constructor sets from one (`self.keep_prop = keep_prop`). The caller's argument decides, often a
    # placeholder fed 1.0 at evaluation: calls passing a number are judged where they are written.
    if isinstance(expr, cst.Name) and expr.value in func.params:
        return _no_number(func.defaults.get(expr.value))
    if isinstance(value, cst.Name) and expr is not None and (dotted(expr) or "").startswith("self.") and func.class_name:
        init = next((f for f in model.functions if f.qualname == f"{func.class_name}.__init__"), None)
        return init is not None and value.value in init.params and _no_number(init.defaults.get(value.value))
    return False


def _no_number(default: Optional[cst.BaseExpression]) -> bool:
    return not isinstance(default, (cst.Float, cst.Integer))


_PLACEHOLDERS = {"tf.placeholder", "tf.placeholder_with_default"}


def _names_in(expr: cst.CSTNode) -> List[str]:
    """Identifiers and attribute names read in an expression (`FLAGS.is_training` -> FLAGS, is_training)."""
    out, stack = [], [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            out.append(node.value)
        elif isinstance(node, cst.SimpleString):
            out.append(str(node.evaluated_value))  # `mode == "train"`
        stack.extend(children(node))
    return out


def config_fraction_names(model) -> FrozenSet[str]:
    """The config attribute names this file's dropouts with no mode read as their kept fraction (config_values.py)."""
    if not model.builder.fraction_dropout:
        return frozenset()
    found = [(call, func, kind) for call, func, kind in walked_finder(model).found if kind in ALWAYS_DROP]
    return config_values.fraction_attribute_names(model, found, fraction_arguments)


def _walked_sites(model, finder: DropoutFinder, index) -> List[DropoutSite]:
    orders_agree = all(finder.orders.get(id(x.call)) == x.order for f in model.functions for x in (*f.layers, *f.calls))
    sites = []
    for call, func, kind in finder.found:
        order = finder.orders[id(call)] if orders_agree else None
        if kind in ALWAYS_DROP:
            mode, constant, value = _fraction_mode(call, kind, func, model)
            sites.append(DropoutSite(call, kind, func, order, mode, constant, value))
        else:
            expr = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "training"), None)
            mode = model.classify(expr, func, "training", call, index)
            if mode.kind == DEFAULT:
                mode = replace(mode, kind=FALSE)  # the learning phase decides: 0 in a TF1 session unless set
            sites.append(DropoutSite(call, kind, func, order, mode))
    return sites


def fraction_arguments(call: cst.Call, api: str) -> List[Tuple[str, cst.BaseExpression]]:
    """The kept fractions a dropout with no mode is given: (keyword, expression); keyword "" for tf.nn.dropout's
    second positional argument (TF1 reads it as keep_prob, TF2 as rate)."""
    kwargs = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    if api == NN_DROPOUT:
        found = [(k, kwargs[k]) for k in ("keep_prob", "rate") if k in kwargs]
        return found or ([("", positional[1])] if len(positional) > 1 else [])
    return [(k, kwargs[k] if k in kwargs else positional[i + 1]) for i, k in enumerate(WRAPPER_KEEPS)
            if k in kwargs or i + 1 < len(positional)]


def _fraction_mode(call: cst.Call, api: str, func: FunctionInfo, model) -> Tuple[ModeArg, Optional[str], Optional[str]]:
    """TRUE when a dropout with no mode keeps a constant fraction below 1: `keep_prob=0.5`, `rate=0.3`, a second
    positional argument strictly between 0 and 1 (both TF readings drop), a DropoutWrapper's
    `output_keep_prob=0.8`; UNKNOWN when a fraction is decided elsewhere; FALSE when it keeps everything. With the
    constant as the code gives it, and the number a named one holds."""
    unknown = None
    for keyword, expr in fraction_arguments(call, api):
        value = constant_fraction(expr, func, model)
        if value is not None and 0.0 < value < 1.0:
            text = cst.Module([]).code_for_node(expr)
            shown = f"{value:g}" if isinstance(expr, cst.Attribute) else None  # a config's or an option's value
            return ModeArg(TRUE, expr, keyword=keyword or None, owner=call), f"{keyword}={text}" if keyword else text, shown
        if value is None and unknown is None:
            unknown = ModeArg(UNKNOWN, expr, keyword=keyword or None, owner=call)
    if unknown is not None:
        return unknown, None, None
    if any(a.star for a in call.args):
        return ModeArg(UNKNOWN, None, owner=call), None, None
    return ModeArg(FALSE, None, owner=call), None, None  # keeps everything (TF1's tf.nn.dropout requires a fraction anyway)


def option_fraction(expr: cst.BaseExpression, model) -> Optional[Tuple[str, float]]:
    """("--keep_prob", 0.5) for `FLAGS.keep_prob` / `args.keep_prob` when this file defines that option with a
    literal number for its default, reads it through what holds the parsed options (options.option_attribute),
    and never writes it (`FLAGS.keep_prob = 1.0` before the build)."""
    name = model.options.option_attribute(expr)
    if name is None or reassigned(name, model.module_code()):
        return None
    return model.options.number_option(name)


def constant_fraction(expr: cst.BaseExpression, func: FunctionInfo, model, depth: int = 0,
                      read_options: bool = True) -> Optional[float]:
    """A number literal, `1 - ` one, a name bound once (in the function, else at module level) to one, a
    command-line option this file defines with a literal default (`FLAGS.keep_prob` over `DEFINE_float('keep_prob',
    0.5, ...)`), or a config attribute the project gives one number (config_values.py): run as its defaults run
    it, the program keeps that fraction."""
    if isinstance(expr, (cst.Float, cst.Integer)):
        return float(expr.evaluated_value)
    option = option_fraction(expr, model) if read_options else None
    if option is not None:
        return option[1]
    configured = config_values.resolve(expr, func, model, model.config_constants) if read_options else None
    if configured is not None:
        return configured  # `config.keep_prob` over `keep_prob = 0.8` in config.py, the project's only value
    complement = one_minus(expr)
    if complement is not None and depth < 3:
        value = constant_fraction(complement, func, model, depth + 1, read_options)
        return None if value is None else 1.0 - value
    kept = kept_config_copy(model, expr, func) if read_options and depth < 3 else None
    if kept is not None:
        return constant_fraction(kept[1], kept[0], model, depth + 1, read_options)
    if isinstance(expr, cst.Name) and depth < 3 and expr.value not in func.params:
        values = func.assignments.get(expr.value) or model.module_func.assignments.get(expr.value)
        if values and len(values) == 1:
            return constant_fraction(values[0][0], func, model, depth + 1, read_options)
        if values and func.is_module:
            # A notebook-like script that sets `KEEP_PROB = 0.5`, later `KEEP_PROB = 0.8`, before each model: the
            # fraction is a constant when every binding is one below 1 (the last one before the use counts).
            found = [constant_fraction(value, func, model, depth + 1, read_options) for value, _ in values]
            if all(v is not None and 0.0 < v < 1.0 for v in found):
                return found[-1]
    return None


def kept_fraction_argument(site: DropoutSite) -> Optional[Tuple[str, cst.BaseExpression]]:
    """How a dropout site is told how much to keep: ("keep_prob" | "rate", the expression), by keyword or in
    second position (tf.nn.dropout's second argument is keep_prob in TF1); a DropoutWrapper's first kept
    fraction, by its keyword (`output_keep_prob`)."""
    if site.api in DROPOUT_WRAPPERS:
        found = fraction_arguments(site.call, site.api)
        return found[0] if found else None
    if site.api not in (NN_DROPOUT, *MODE_APIS):
        return None
    kwargs = {a.keyword.value: a.value for a in site.call.args if a.keyword is not None}
    for keyword in ("keep_prob", "rate"):
        if keyword in kwargs:
            return keyword, kwargs[keyword]
    positional = [a.value for a in site.call.args if a.keyword is None and not a.star]
    if len(positional) > 1:
        return ("rate" if site.api == "tf.layers.dropout" else "keep_prob"), positional[1]
    return None


def training_branch_calls(node: cst.CSTNode) -> Tuple[set, set]:
    """Ids of the calls in the body of an `if` whose test picks the training path by name (`if is_training:`,
    `if self.mode == tf.estimator.ModeKeys.TRAIN:`, `if mode == 'train':`), code that only runs in training;
    and of the calls in its `else:`, code that never does. Negated tests (`not`, `!=`) are left out."""
    training: set = set()
    other: set = set()
    for branch in find_all(node, cst.If):
        if _picks_training(branch.test):
            training.update(id(c) for c in find_all(branch.body, cst.Call))
            if branch.orelse is not None:
                other.update(id(c) for c in find_all(branch.orelse, cst.Call))
        elif _and_operands(branch.test) and any(_picks_training(t) for t in _and_operands(branch.test)):
            # `if self.dropout and is_training:`: the body runs only in training (its `else` may run there too)
            training.update(id(c) for c in find_all(branch.body, cst.Call))
    return training, other


def _and_operands(test: cst.BaseExpression) -> List[cst.BaseExpression]:
    """The operands of `a and b and c` (none for any other test)."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return (_and_operands(test.left) or [test.left]) + (_and_operands(test.right) or [test.right])
    return []


def _picks_training(test: cst.BaseExpression) -> bool:
    """`is_training`, `self.is_train`; `mode == ModeKeys.TRAIN`, `self.mode == 'train'`."""
    if isinstance(test, (cst.Name, cst.Attribute)):
        return bool(words((dotted(test) or "").rsplit(".", 1)[-1]) & {"train", "training"})
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
            and isinstance(test.comparisons[0].operator, cst.Equal):
        return any(_training_value(side) for side in (test.left, test.comparisons[0].comparator))
    return False


def _training_value(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.SimpleString):
        return expr.evaluated_value in ("train", "training")
    return isinstance(expr, cst.Attribute) and expr.attr.value == "TRAIN"


# Names of dropout used as input noise of a denoising objective (`corruption_keep`, `noisy = tf.nn.dropout(x, .7)`).
NOISE_WORDS = {"corrupt", "corruption", "noise", "noisy", "denoise", "denoising", "mask", "masking"}

# Code that keeps dropout on at inference on purpose: Monte-Carlo dropout (uncertainty from repeated
# stochastic passes), and sampling from a generative model, where dropout is the noise source (pix2pix
# applies it at test time by design).
ON_PURPOSE_WORDS = {"mc", "mcdropout", "monte", "carlo", "uncertainty", "bayes", "bayesian",
                    "sample", "sampler", "sampling", "generate", "generator"}


def named_on_purpose(name: Optional[str]) -> bool:
    """Is a function or a file stem named for dropout kept on by design (`mc_predict`, `sample.py`)?"""
    return bool(name) and bool(words(name) & ON_PURPOSE_WORDS)


def targets_on_purpose(targets) -> bool:
    """Is a result bound to a name so named (`self.sampler = ...`, `mc_probs`), by its last dotted part?"""
    return any(named_on_purpose(t.rsplit(".", 1)[-1]) for t in targets)


def input_noise(site: DropoutSite) -> bool:
    """`noisy = tf.nn.dropout(x, 0.7)`: a denoising objective's input noise, by design (its result named so)."""
    named = [name for name, values in site.func.assignments.items() if any(value is site.call for value, _ in values)]
    return any(words(name.rsplit(".", 1)[-1]) & NOISE_WORDS for name in named)


def ignores_function_mode(model, site: DropoutSite, sites: List[DropoutSite], index) -> Optional[str]:
    """The mode parameter a constant-fraction dropout ignores while the other dropouts of its function follow
    it (`tf.nn.dropout(inp, rate=.2)` beside `tf.layers.dropout(h, rate=.5, training=training)`), when the
    project builds that function with the mode False or a run-time mode some run feeds False (or it is an
    Estimator model_fn, whose other dropouts follow `mode`): evaluation still drops there. The author switches dropout by the mode everywhere else, so this one is left over, not meant."""
    if site.api not in ALWAYS_DROP or site.mode.kind != TRUE or site.guarded or site.fed_fraction or index.monte_carlo:
        return None
    func = site.func
    if input_noise(site):
        return None
    followed = {other.mode.param for other in sites if other is not site and other.func is func
                and other.mode.kind == PARAM and other.mode.param in func.params}
    key = (model.module_name, func.qualname)
    for param in sorted(p for p in followed if p):
        if index.called_with_false_mode(key, param) or index.run_time_mode(key, param) is not None:
            return param
    # An Estimator model_fn whose other dropouts follow `training = mode == ModeKeys.TRAIN`: it builds the EVAL
    # and PREDICT graphs too.
    if "mode" in func.params and ("features" in func.params or "model_fn" in (func.name or "")) and any(
            other is not site and other.func is func and other.mode.kind == DYNAMIC for other in sites):
        return "mode"
    return None
