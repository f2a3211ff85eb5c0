"""Always-dropping dropout outside evaluation code whose graph an evaluation still runs.

    self.fm = tf.matmul(tf.nn.dropout(h, 0.8), w)        # build_network(): a constant fraction
    def test(self, data): ... self.sess.run(self.pred, feed_dict=...)    # the class's evaluation method

    dropout = tf.nn.dropout(pool, KEEP_PROB)
    ...
    test_correct = sess.run(accuracy, {inputs: x_test})  # a later run that evaluates a graph computed from it

The evaluation runs are EvalRuns.evaluation_runs'. Silent for code named for sampling or Monte-Carlo dropout
(dropout.ON_PURPOSE_WORDS), input noise (dropout.NOISE_WORDS), unit tests, and projects that train adversarially
or sample with dropout on.
"""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from slimlint.model import context
from slimlint.model.builder import run_fetches
from slimlint.model.dropout import DropoutSite, dropout_sites, input_noise, named_on_purpose, targets_on_purpose
from slimlint.model.facts import TRUE, FunctionInfo
from slimlint.model.flow import computed_from
from slimlint.model.import_table import dotted
from slimlint.model.summary import ProjectIndex
from slimlint.model.walk import find_all


def appended_to(model, func: FunctionInfo, names: tuple) -> tuple:
    """The lists the function appends these names to (`p = sess.run(...)`, then `mc_probs.append(p)`)."""
    body = model._code_of(func)
    if not names or body is None:
        return ()
    return tuple(dotted(call.func.value) for call in find_all(body, cst.Call)
                 if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("append", "extend")
                 and len(call.args) == 1 and dotted(call.args[0].value) in names and dotted(call.func.value))


def samples_on_purpose(model, func: FunctionInfo, run: cst.Call) -> bool:
    """Is a run's result named for sampling on purpose, or appended to a list so named (`mc_samples`)?"""
    targets: Tuple[str, ...] = next((tuple(t) for found, t, _, _ in model._runs(func) if found is run), ())
    return targets_on_purpose(targets + appended_to(model, func, targets))


def class_evaluator(model, site: DropoutSite, role: str, index: ProjectIndex) -> Optional[str]:
    """A method of the class that built this always-dropping dropout into its graph (`self.fm = tf.matmul(
    tf.nn.dropout(h, 0.8), w)` in `build_network`) and runs that graph over evaluation data (`def test(self,
    test_data): ... self.sess.run(self.pred, feed_dict=...)`): its name."""
    func = site.func
    if func.class_name is None or role == context.UNIT_TEST or index.adversarial:
        return None
    for method in model.functions:
        if method.class_name != func.class_name or method is func or "<locals>" in method.qualname:
            continue
        if named_on_purpose(method.name):
            continue
        if model.evaluation_runs(method, role):
            return method.name
    return None


def evaluated_after(model, site: DropoutSite, role: str, index: ProjectIndex) -> Optional[int]:
    """The line of a run, later in the same function (or script), that evaluates the graph this always-dropping
    dropout is part of (`test_corrects = sess.run(accuracy, {inputs: x_test, ...})` after `dropout =
    tf.nn.dropout(pool, KEEP_PROB)`). Not when the function has a dropout it can switch off (maybe its evaluation
    build's), nor on a graph built after `tf.reset_default_graph()`."""
    func = site.func
    if index.adversarial_program(model.module_name) or index.monte_carlo or role == context.UNIT_TEST \
            or site.order is None or named_on_purpose(func.name):
        return None
    if input_noise(site):
        return None
    named = [n for n, values in func.assignments.items() if any(v is site.call for v, _ in values)]
    if any(other.func is func and other.mode.kind != TRUE for other in dropout_sites(model, index)):
        return None
    if not named:
        return None  # its output is not bound to a name whose uses can be followed to the run
    orders = {id(run): order for run, _, _, order in model._runs(func)}
    resets = func.graph_resets if not func.is_module else model.builder.graph_resets
    for run in model.evaluation_runs(func, role):
        order = orders.get(id(run), -1)
        if order <= site.order or any(site.order < reset < order for reset in resets):
            continue
        fetches = run_fetches(run)
        fetched = model._fetch_names(fetches, func) if fetches is not None else set()
        # `accuracy` <- `logits` <- `dropout`; a test tower built again without it (`test_logits`) is not
        if fetched and computed_from(func, fetched, order, lambda _, value: value is not None and any(
                call is site.call for call in find_all(value, cst.Call))):
            return model.position(run).start.line
    return None

