"""Dropout with a constant fraction in Estimator model_fn code (SL208).

    def model_fn(features, labels, mode, params):
        h = tf.nn.dropout(tf.layers.dense(features, 64), 0.7)     # built for TRAIN, EVAL and PREDICT alike
        loss, logits = create_model(features, labels, is_training)   # create_model drops keep_prob=0.5, no mode

An Estimator calls its model_fn once per mode: what the function builds outside its TRAIN branch is the
evaluation and the serving graph too, so a dropout there with no mode and a constant fraction below 1 zeroes
random activations in `evaluate()` and `predict()` and in the exported model. The model_fn's own dropouts are
reported, and its calls of a project function whose dropout keeps a fixed fraction (FunctionSummary.fixed_fraction).

Only in a project whose Estimator evaluates, predicts or exports (a train-only Estimator never builds the other
modes), and not where dropout left on at prediction is the method: Monte-Carlo dropout, adversarial training.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Optional, Tuple

import libcst as cst

from slimlint.model.context import words
from slimlint.model.dropout import DropoutSite, input_noise, named_on_purpose, scoped_by_callers
from slimlint.model.dropped_fractions import reported_in_callee
from slimlint.model.estimator_fns import model_fn_mode
from slimlint.model.facts import CallSite, FunctionInfo
from slimlint.model.import_table import dotted

_ALL = frozenset({"train", "eval", "predict"})
_SERVED = frozenset({"eval", "predict"})
# A mode's value as code writes it: `ModeKeys.EVAL`, `'infer'`.
_MODE_VALUES = {"train": "train", "training": "train", "eval": "eval", "evaluate": "eval", "evaluation": "eval",
                "test": "eval", "valid": "eval", "validation": "eval", "predict": "predict", "infer": "predict",
                "inference": "predict", "serve": "predict", "serving": "predict"}


def model_fn_code(model, func: FunctionInfo, index) -> bool:
    """Is `func` model_fn code of an Estimator that serves other modes, where dropout on is no method?"""
    return (index.estimator_serves and not index.monte_carlo and not index.adversarial and func.node is not None
            and not named_on_purpose(func.name) and model_fn_mode(model, func)[0])


def served_constant_dropout(model, site: DropoutSite, index) -> bool:
    """Does a constant-fraction dropout (its mode TRUE, no training-path test over it) sit in model_fn code where
    EVAL or PREDICT reaches it? Not input noise (`noisy = tf.nn.dropout(x, 0.7)`)."""
    return model_fn_code(model, site.func, index) and not input_noise(site) \
        and bool(_reaching_modes(site.func).get(id(site.call), _ALL) & _SERVED)


def served_fixed_fractions(model, func: FunctionInfo, index) -> List[Tuple[CallSite, Tuple[str, str]]]:
    """The calls model_fn code makes, outside its TRAIN branch, of a project function that keeps a fixed fraction,
    with that fraction (shown, where). A callee that is model_fn code itself is judged at its own dropouts."""
    if not model_fn_code(model, func, index):
        return []
    reaching = _reaching_modes(func)
    own = {f.qualname: f for f in model.functions}
    mine = index.modules.get(model.module_name, {}).get(func.qualname)
    own_asks = mine.asks_no_dropout if mine is not None else ()
    out = []
    for site in func.calls:
        if not reaching.get(id(site.call), _ALL) & _SERVED:
            continue  # only TRAIN builds it (`if mode == ModeKeys.TRAIN:`, after `if mode != TRAIN: return ...`)
        found = index.resolve_site(site, model.module_name)
        summary = index.lookup_site(site, model.module_name)
        if found is None or summary is None or summary.fixed_fraction is None:
            continue
        callee = own.get(found[1]) if found[0] == model.module_name else None
        if callee is not None and model_fn_mode(model, callee)[0]:
            continue
        if summary.fraction_by_slim_default and (site.frames or scoped_by_callers(model, func, index, bn_scopes=False)):
            continue  # slim.dropout at slim's default mode, under a scope that may give it one
        if reported_in_callee(summary, [param for c, param, _ in own_asks if c == found]):
            continue
        out.append((site, summary.fixed_fraction))
    return out


def _reaching_modes(func: FunctionInfo) -> Dict[int, FrozenSet[str]]:
    """id(call) -> the Estimator modes that reach it in the function's body: an `if` (or a conditional
    expression) testing the mode narrows its branches, and one whose body returns narrows what follows it
    (`if mode == ModeKeys.PREDICT: return spec` leaves TRAIN and EVAL). A test it cannot read narrows nothing."""
    cache = func.__dict__.get("_reaching_modes")
    if cache is None:
        cache = func.__dict__["_reaching_modes"] = {}
        if func.node is not None:
            _walk_block(func.node.body, _ALL, cache)
    return cache


def _walk_block(block: cst.CSTNode, modes: FrozenSet[str], out: Dict[int, FrozenSet[str]]) -> FrozenSet[str]:
    """Record the modes reaching each call of a block's statements; the modes that fall through its end."""
    for stmt in getattr(block, "body", ()):
        if isinstance(stmt, cst.If):
            modes = _walk_if(stmt, modes, out)
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue  # its calls run when it is called
        elif isinstance(stmt, cst.BaseCompoundStatement):
            _walk_block(stmt.body, modes, out)
            for part in ("orelse", "finalbody"):  # `else:` of a loop or try, `finally:`
                if getattr(stmt, part, None) is not None:
                    _walk_block(getattr(stmt, part).body, modes, out)
            for handler in getattr(stmt, "handlers", ()):
                _walk_block(handler.body, modes, out)
        else:
            _record(stmt, modes, out)
            if any(isinstance(small, (cst.Return, cst.Raise)) for small in getattr(stmt, "body", ())):
                return frozenset()
    return modes


def _walk_if(stmt: cst.If, modes: FrozenSet[str], out: Dict[int, FrozenSet[str]]) -> FrozenSet[str]:
    _record(stmt.test, modes, out)
    tested = _modes_of(stmt.test)
    inside = modes & tested if tested is not None else modes
    after = _walk_block(stmt.body, inside, out)
    rest = modes - tested if tested is not None else modes
    if isinstance(stmt.orelse, cst.If):
        after |= _walk_if(stmt.orelse, rest, out)
    elif stmt.orelse is not None:
        after |= _walk_block(stmt.orelse.body, rest, out)
    else:
        after |= rest
    return after


def _record(node: cst.CSTNode, modes: FrozenSet[str], out: Dict[int, FrozenSet[str]]) -> None:
    """The calls of a simple statement or expression, narrowed inside conditional expressions that test the mode
    (`net = block(net) if is_training else net`)."""
    stack = [(node, modes)]
    while stack:
        current, here = stack.pop()
        if isinstance(current, cst.IfExp):
            tested = _modes_of(current.test)
            stack.append((current.test, here))
            stack.append((current.body, here & tested if tested is not None else here))
            stack.append((current.orelse, here - tested if tested is not None else here))
            continue
        if isinstance(current, (cst.Lambda, cst.FunctionDef)):
            continue
        if isinstance(current, cst.Call):
            out[id(current)] = here
        stack.extend((child, here) for child in current.children)


def _modes_of(test: cst.BaseExpression) -> Optional[FrozenSet[str]]:
    """The modes a test is true in: `is_training` / `mode == ModeKeys.TRAIN` ({train}), `mode != ModeKeys.TRAIN`,
    `mode in (EVAL, PREDICT)`, `not is_training`; None when it does not test the mode."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _modes_of(test.expression)
        return _ALL - inner if inner is not None else None
    if isinstance(test, (cst.Name, cst.Attribute)):
        return frozenset({"train"}) if words((dotted(test) or "").rsplit(".", 1)[-1]) & {"train", "training"} else None
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    operator, other = test.comparisons[0].operator, test.comparisons[0].comparator
    values = _mode_values(other) or _mode_values(test.left)
    if not values:
        return None
    if isinstance(operator, (cst.Equal, cst.Is, cst.In)):
        return values
    if isinstance(operator, (cst.NotEqual, cst.IsNot, cst.NotIn)):
        return _ALL - values
    return None


def _mode_values(expr: cst.BaseExpression) -> FrozenSet[str]:
    """The modes a written value names: `ModeKeys.TRAIN`, `'eval'`, `(ModeKeys.EVAL, ModeKeys.PREDICT)`."""
    if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        found = [_mode_values(e.value) for e in expr.elements]
        return frozenset().union(*found) if found and all(found) else frozenset()
    if isinstance(expr, cst.SimpleString) and isinstance(expr.evaluated_value, str):
        value = _MODE_VALUES.get(expr.evaluated_value.lower())
    elif isinstance(expr, cst.Attribute) and "ModeKeys" in (dotted(expr) or ""):
        value = _MODE_VALUES.get(expr.attr.value.lower())
    else:
        value = None
    return frozenset({value}) if value else frozenset()
