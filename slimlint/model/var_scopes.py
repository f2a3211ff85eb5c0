"""Which networks a train op trains, when its var_list picks variables by scope, and whether their moving
statistics are ever read.

A GAN trains its discriminator with `minimize(d_loss, var_list=d_vars)`, where
`d_vars = [v for v in tf.trainable_variables() if v.name.startswith('discriminator')]` (or
`tf.get_collection(TRAINABLE_VARIABLES, scope='discriminator')`, `tf.trainable_variables('d')`). The variables
are those of the functions that open `tf.variable_scope('discriminator')`. When every build of those
networks, anywhere in the project, runs batch norm in training mode, nothing ever reads their moving
statistics: the update ops this train op leaves out would change no output (the generator's op, whose network
has an inference build, is the one that must run them).
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst
import libcst.matchers as m

from slimlint.model.facts import PARAM, TRUE, FunctionInfo, TrainOp
from slimlint.model.import_table import dotted, literal_string

# Calls that list variables under a scope (a `re.match` of the scope: a prefix of the variable's name).
_SCOPED_GETTERS = {
    "tf.get_collection": 1,
    "tf.trainable_variables": 0,
    "tf.global_variables": 0,
    "slim.get_variables": 0,
    "slim.get_trainable_variables": 0,
    "slim.get_model_variables": 0,
}

Filter = Tuple[str, str]  # ("prefix" | "substring", text) | ("substrings", texts joined by NUL)


def variable_filter(model, op: TrainOp) -> Optional[Filter]:
    """How the op's var_list picks variables by name, when it does."""
    expr = _bound_value(model, op.func, op.var_list)
    if isinstance(expr, cst.Call):
        getter = model.builder.canonical(expr.func)
        if getter not in _SCOPED_GETTERS:
            return None
        scope = next((a.value for a in expr.args if a.keyword is not None and a.keyword.value == "scope"), None)
        positional = [a.value for a in expr.args if a.keyword is None]
        if scope is None and len(positional) > _SCOPED_GETTERS[getter]:
            scope = positional[_SCOPED_GETTERS[getter]]
        text = literal_string(scope)
        return ("prefix", text) if text else None
    if isinstance(expr, cst.ListComp) and len(expr.for_in.ifs) == 1 and expr.for_in.inner_for_in is None:
        target = expr.for_in.target
        if not (isinstance(target, cst.Name) and isinstance(expr.elt, cst.Name) and expr.elt.value == target.value):
            return None
        return _name_test(expr.for_in.ifs[0].test, target.value)
    return None


def var_list_scope(model, op: TrainOp) -> Tuple[Optional[Filter], Optional[str]]:
    """Which variables a train op trains (variable_filter), and the scope a fix can pass to get_collection: a
    prefix names one; a substring (`[v for v in t_vars if "d_" in v.name]`, DCGAN's idiom) tells networks apart
    but names no scope, since get_collection matches at the start of an op's name only. (None, None): all
    variables, or unknown."""
    key = variable_filter(model, op)
    if key is None:
        return None, None
    return key, collection_scope(key[1]) if key[0] == "prefix" else None


def collection_scope(prefix: str) -> Optional[str]:
    """The get_collection scope for a name prefix: "discriminator/" would leave out the ops of a reused call
    (`discriminator_1/...`), so the slash goes; anything but a plain scope path gets no fix."""
    prefix = prefix.rstrip("/")
    return prefix if re.fullmatch(r"[A-Za-z0-9_]+(/[A-Za-z0-9_]+)*", prefix) else None


def _name_test(test: cst.BaseExpression, var: str) -> Optional[Filter]:
    """`v.name.startswith('d')` -> prefix; `'d_' in v.name` -> substring."""
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and test.func.attr.value == "startswith" \
            and dotted(test.func.value) == f"{var}.name" and len(test.args) == 1:
        text = literal_string(test.args[0].value)
        return ("prefix", text) if text else None
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
            and isinstance(test.comparisons[0].operator, cst.In) \
            and dotted(test.comparisons[0].comparator) in (f"{var}.name", f"{var}.op.name"):
        text = literal_string(test.left)
        return ("substring", text) if text else None
    if isinstance(test, cst.Call) and dotted(test.func) == "any" and len(test.args) == 1 \
            and isinstance(test.args[0].value, cst.GeneratorExp):
        # `any(x in v.name for x in ['wg', 'bg', 'gen'])`: any of several substrings
        gen = test.args[0].value
        if not isinstance(gen.for_in.target, cst.Name) or gen.for_in.ifs or gen.for_in.inner_for_in is not None \
                or not isinstance(gen.for_in.iter, (cst.List, cst.Tuple)):
            return None
        texts = [literal_string(e.value) for e in gen.for_in.iter.elements]
        inner = _name_test(gen.elt, var) if isinstance(gen.elt, cst.Comparison) else None
        if not texts or None in texts or inner is not None or not (
                isinstance(gen.elt, cst.Comparison) and len(gen.elt.comparisons) == 1
                and isinstance(gen.elt.comparisons[0].operator, cst.In)
                and dotted(gen.elt.left) == gen.for_in.target.value
                and dotted(gen.elt.comparisons[0].comparator) in (f"{var}.name", f"{var}.op.name")):
            return None
        return ("substrings", "\0".join(texts))
    return None


def _bound_value(model, func: FunctionInfo, expr: Optional[cst.BaseExpression]) -> Optional[cst.BaseExpression]:
    """The expression a var_list name holds: bound once in the function (or the module), or `self.d_vars`
    bound once in one method of the class."""
    text = dotted(expr) if expr is not None else None
    if text is None or text.count(".") > 1:
        return expr
    if extended(model, func, text):
        return None  # `d_vars += [...]`, `d_vars.extend(...)`: more than the filter picks
    if text.startswith("self."):
        values = [v for f in model.functions if f.class_name == func.class_name for v in f.assignments.get(text, ())]
    else:
        values = func.assignments.get(text) or model.module_func.assignments.get(text) or []
    return values[0][0] if len(values) == 1 else None


def extended(model, func: FunctionInfo, name: str, adding=None) -> bool:
    """Is the list `name` added to after it is bound (`+=`, `.extend`, `.append`, `.insert`), in the
    function or, for `self.<name>`, anywhere in the module? `adding`: only by what this test accepts (the
    added expression's text)."""
    scope = model.module if name.startswith("self.") or func.node is None else func.node
    for node in m.findall(scope, m.AugAssign() | m.Call(func=m.Attribute(attr=m.Name("extend") | m.Name("append") | m.Name("insert")))):
        target = node.target if isinstance(node, cst.AugAssign) else node.func.value
        if dotted(target) == name:
            added = node.value if isinstance(node, cst.AugAssign) else node
            if adding is None or adding(cst.Module([]).code_for_node(added)):
                return True
    return False


def _matches(scope: str, wanted: Filter) -> bool:
    kind, text = wanted
    if kind == "substrings":
        return any(part in scope for part in text.split("\0"))
    return scope.startswith(text) if kind == "prefix" else text in scope


def trains_only_unread_networks(model, op: TrainOp, index) -> bool:
    """Does `op` train only networks of this module whose batch norm never runs in inference mode, in a module
    that builds some other network in inference mode (or a project that samples in training mode)? Then
    the update ops it leaves out are never read."""
    if model.module_name not in index.inference_build_modules and not index.samples_drawn:
        return False
    networks = _scoped_networks(model, op, index)
    return networks is not None and all(_training_only(model, f, index, set(), top=True) for f in networks[1])


def holds_all_batch_norm(model, op: TrainOp, index) -> bool:
    """Is every batch norm this module builds inside the networks `op` trains (the literal variable scopes its
    var_list picks)? A GAN whose critic has no batch norm: an unscoped UPDATE_OPS read over the generator's step
    runs only the generator's own updates."""
    networks = _scoped_networks(model, op, index)
    return networks is not None and not any(_builds_bn(model, f, index) for f in networks[0] if f not in networks[1])


def _scoped_networks(model, op: TrainOp, index) -> Optional[Tuple[List[FunctionInfo], List[FunctionInfo]]]:
    """(the module's functions that open a literal variable scope, those of them `op` trains), when its var_list
    picks variables by scope, it trains one of them, and no batch norm of the module lies outside them."""
    wanted = variable_filter(model, op)
    if wanted is None:
        return None
    scoped = {f.qualname: f for f in model.functions if f.variable_scopes and f.variable_scopes[0] is not None}
    trained = [f for f in scoped.values() if _matches(f.variable_scopes[0], wanted)]
    if not trained or _unscoped_builders(model, index, scoped):
        return None
    return list(scoped.values()), trained


def scope_builds_bn(model, op: TrainOp, index) -> bool:
    """Do the networks the op's var_list names by scope (functions of this module opening that variable scope)
    build batch norm? A scoped read of UPDATE_OPS over a head with none would be empty."""
    found = _scoped_networks(model, op, index)
    return found is not None and any(_builds_bn(model, f, index) for f in found[1])


def _builds_bn(model, func: FunctionInfo, index) -> bool:
    return any(model.bn_sites(part, index) or model.bn_calls(part, index) for part in model.with_nested(func))


def _unscoped_builders(model, index, scoped: Dict[str, FunctionInfo]) -> bool:
    """Does the module build batch norm outside the literal variable scopes (a scope named by a parameter,
    or none, outside any scoped network)? Its variables may be the op's too."""
    callers: Dict[str, Set[str]] = {}
    for f in model.functions:
        for site in f.calls:
            found = index.resolve_site(site, model.module_name)
            if found is not None and found[0] == model.module_name:
                callers.setdefault(found[1], set()).add(f.qualname)
    for f in model.functions:
        if f.qualname in scoped or any(f.qualname.startswith(q + ".<locals>.") for q in scoped):
            continue  # a scoped network, or a helper nested in one (its batch norm is the network's)
        # Its own batch norm, or a helper of another module's: this module's networks are checked themselves.
        direct = bool(model.bn_sites(f, index)) or any(
            (index.resolve_site(c.site, model.module_name) or ("",))[0] != model.module_name
            for c in model.bn_calls(f, index))
        if direct and not (callers.get(f.qualname) and callers[f.qualname] <= set(scoped)):
            return True
    return False


def _training_only(model, func: FunctionInfo, index, seen: Set[str], top: bool) -> bool:
    """Is every batch norm `func` builds (its own, and that of this module's functions it calls) in training
    mode? A mode parameter is its callers': at the top, every call in the project must give it True."""
    if func.qualname in seen:
        return True
    seen.add(func.qualname)
    calls = index.network_call_modes.get((model.module_name, func.qualname), frozenset())
    if "judged" in calls or (top and not calls <= {TRUE}):
        return False
    kinds: List[str] = []
    for part in model.with_nested(func):  # helpers nested in it: their parameters take its calls' arguments
        kinds += [m.kind for s in model.bn_sites(part, index) for m in model.as_outer_modes(func, part, s.mode, index)]
        for call in model.bn_calls(part, index):
            kinds += [m.kind for given in call.modes.values() for m in model.as_outer_modes(func, part, given, index)]
            kinds += [TRUE] if call.summary.always_training else []
            found = index.resolve_site(call.site, model.module_name)
            callee = next((f for f in model.functions if found and found[0] == model.module_name
                           and f.qualname == found[1]), None)
            if callee is not None and not _training_only(model, callee, index, seen, top=False):
                return False
    # Below the top, a parameter's mode is the one the calling network gives, counted with that call.
    return all(k == TRUE or (k == PARAM and (calls or not top)) for k in kinds)
