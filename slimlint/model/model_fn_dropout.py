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

from typing import List, Tuple

from slimlint.model.dropout import DropoutSite, named_on_purpose, scoped_by_callers, training_branch_calls
from slimlint.model.dropped_fractions import reported_in_callee
from slimlint.model.estimator_fns import model_fn_mode
from slimlint.model.facts import CallSite, FunctionInfo


def model_fn_code(model, func: FunctionInfo, index) -> bool:
    """Is `func` model_fn code of an Estimator that serves other modes, where dropout on is no method?"""
    return (index.estimator_serves and not index.monte_carlo and not index.adversarial and func.node is not None
            and not named_on_purpose(func.name) and model_fn_mode(model, func)[0])


def served_constant_dropout(model, site: DropoutSite, index) -> bool:
    """Does a constant-fraction dropout (its mode TRUE, no training-path test over it) sit in model_fn code,
    outside the TRAIN branch?"""
    return model_fn_code(model, site.func, index) and id(site.call) not in training_branch_calls(site.func.node)[0]


def served_fixed_fractions(model, func: FunctionInfo, index) -> List[Tuple[CallSite, Tuple[str, str]]]:
    """The calls model_fn code makes, outside its TRAIN branch, of a project function that keeps a fixed fraction,
    with that fraction (shown, where). A callee that is model_fn code itself is judged at its own dropouts."""
    if not model_fn_code(model, func, index):
        return []
    training, _ = training_branch_calls(func.node)
    own = {f.qualname: f for f in model.functions}
    mine = index.modules.get(model.module_name, {}).get(func.qualname)
    own_asks = mine.asks_no_dropout if mine is not None else ()
    out = []
    for site in func.calls:
        if id(site.call) in training:
            continue
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
