"""Dropout the training graph builds to drop on every run, evaluated by the training run itself.

    logit = inference_c3d(images_placeholder, 0.5, ...)     # the kept fraction handed in: a constant
    ...
    sess.run(train_op, feed_dict={images_placeholder: train_images})
    acc = sess.run(accuracy, feed_dict={images_placeholder: val_images})   # validation on that graph

or `model = LPRnet(is_train=True)` (the dropout's mode a constant) handed to `inference(sess, model, val_gen)`.
No placeholder can turn that dropout off, so the validation numbers come from a thinned, random network.

The evaluation runs are EvalRuns.training_graph_evaluations' (the same test as batch norm's training graph).
Silent when the function also builds the network keeping everything or with another mode (maybe its
evaluation tower), when a fraction is chosen at run time (a placeholder: the feeds decide, eval_runs_dropping),
and in a project that trains adversarially (pix2pix's dropout is its noise, on at test time by design).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Tuple

import libcst as cst

from slimlint.model import context
from slimlint.model.builder import run_fetches, session_run
from slimlint.model.dropout import NOISE_WORDS, dropout_calls
from slimlint.model.facts import TRUE, FunctionInfo
from slimlint.model.import_table import dotted
from slimlint.model.kept_fractions import fraction_calls
from slimlint.model.summary import ProjectIndex


@dataclass(frozen=True)
class DroppingTrainingGraph:
    build: cst.CSTNode  # what keeps the dropout on: the constant fraction or the True given, else the call
    what: str  # how, as the message says it: "`_dropout` is given 0.5", "`is_train=True`"
    run: cst.CSTNode  # the first run (or evaluation helper call) over evaluation data
    data: str  # what marks the run as evaluation, as the message shows it (EvalRuns.training_graph_evaluations)
    switch: str  # how the dropout reads what a placeholder would carry instead: "keep_prob", "rate", "" (either), "mode"


def dropout_runs_on_training_graph(model, func: FunctionInfo, index: ProjectIndex,
                                   on_purpose: Callable[[cst.CSTNode], bool] = lambda run: False) -> List[DroppingTrainingGraph]:
    """One entry per build of `func` whose dropout always drops, when a later run of `func` evaluates that graph
    (`on_purpose(run)`: the rule's test for runs that keep dropout on by design, Monte-Carlo sampling)."""
    if index.adversarial or not func.calls or model._code_of(func) is None:
        return []
    builds: List[Tuple[int, cst.CSTNode, str, cst.Call, Tuple[str, ...], str]] = []
    seen = set()
    for given in fraction_calls(model, func, index):
        if given.value is None or not 0.0 < given.value < 1.0:
            return []  # a fraction chosen at run time, or a build that keeps everything (an evaluation tower)
        if context.words(given.param) & NOISE_WORDS:
            return []  # `corruption_keep`: input noise of a denoising objective, by design
        shown = cst.Module([]).code_for_node(given.expr) if given.expr is not None else f"{given.value:g}"
        what = f"`{given.param}` is {'given' if given.expr is not None else 'left at its default'} {shown}"
        node = given.expr if given.expr is not None else given.site.call
        builds.append((given.site.order, node, what, given.site.call, given.site.assigned_to, given.how))
        seen.add(id(given.site.call))
    for call in dropout_calls(model, func, index):
        for param, mode in sorted(call.modes.items()):
            if mode.kind != TRUE:
                return []  # a mode of another kind here: a switch, or the evaluation build
            keyword = mode.keyword or param
            what = f"`{keyword}=True`" if mode.expr is not None else f"`{keyword}` is left at its default True"
            node = mode.expr if mode.expr is not None else call.site.call
            if id(call.site.call) not in seen:
                builds.append((call.site.order, node, what, call.site.call, call.site.assigned_to, "mode"))
                seen.add(id(call.site.call))
    for site in func.calls if index.any_summary("fixed_fraction") else ():
        summary = index.lookup_site(site, model.module_name)
        if summary is not None and summary.fixed_fraction is not None and id(site.call) not in seen \
                and not (summary.fraction_by_slim_default and site.frames):
            constant, where = summary.fixed_fraction
            if context.words(where.rsplit(".", 1)[-1]) & NOISE_WORDS:
                return []  # `corrupt(x)`: dropout as input noise, a denoising objective by design
            builds.append((site.order, site.call, f"`{where}` fixes its dropout at {constant}", site.call,
                           site.assigned_to, ""))
            seen.add(id(site.call))
    if not builds:
        return []
    sites = {id(site.call): site for site in func.calls}
    if any(model.builds_inference_twin(sites[id(b[3])], index) for b in builds if id(b[3]) in sites):
        return []  # the model builds an inference head of its own (`self.build(x, False, reuse=True)`)
    counted = {id(b[3]) for b in builds}
    for site in func.calls:
        summary = index.lookup_site(site, model.module_name) if id(site.call) not in counted else None
        if summary is not None and (summary.has_bn or summary.has_dropout or summary.slim_layers):
            return []  # another network build (an evaluation tower through a helper): maybe what the runs evaluate
    built_at = min(b[0] for b in builds)
    objects = {name for b in builds for name in b[4]}
    runs = [(run, data) for run, data in model.training_graph_evaluations(func, [b[3] for b in builds], built_at, objects)
            if not _feeds_keeping_all(model, func, run) and not on_purpose(run) and _fetches_built(model, func, run, objects)]
    if not runs:
        return []
    run, data = runs[0]
    return [DroppingTrainingGraph(node, what, run, data, switch) for _, node, what, _, _, switch in builds]


def _fetches_built(model, func: FunctionInfo, run: cst.Call, built: set) -> bool:
    """Does a session run fetch something made from what the builds returned (`accuracy` from `logits`, or an
    attribute of the model object)? A run of another tower's output (`eval_logits`) evaluates that tower. An
    evaluation helper's call is handed the model object itself."""
    if not session_run(run):
        return True
    fetches = run_fetches(run)
    names = model._fetch_names(fetches, func) if fetches is not None else set()
    if any(name.split(".", 1)[0] in built for name in names):
        return True
    return bool(model._sources(func, names) & built)


def _feeds_keeping_all(model, func: FunctionInfo, run: cst.Call) -> bool:
    """Does the run (or, for an evaluation helper's call, one of the helper's runs) feed some placeholder 1.0 or
    0.0 (`dropout_prob: 1.0`)? A kept fraction fed at run time may switch the dropout off whatever its mode."""
    if session_run(run):
        feeds = [feed for found, _, feed, _ in model._runs(func) if found is run]
    else:
        called = dotted(run.func) or ""
        helper = next((f for f in model.functions if f.qualname == called), None)
        feeds = [feed for _, _, feed, _ in model._runs(helper)] if helper is not None else []
    return any(isinstance(e, cst.DictElement) and isinstance(e.value, (cst.Float, cst.Integer))
               and float(e.value.value) in (0.0, 1.0) for feed in feeds for e in feed.elements)


