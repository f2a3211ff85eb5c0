"""Session runs that evaluate with the mode flag fed True.

    phase_train = tf.placeholder(tf.bool)
    loss, pred = inference(images, labels, phase_train)
    ...
    _val_loss, _val_pred = sess.run([loss, pred], feed_dict={images: val_images_batch, phase_train: True})

The graph is built once and its batch norm follows a boolean placeholder; a run over validation (or test)
data that feeds it True normalises those batches with their own statistics, and batch norm that updates in
place folds them into the moving statistics the test run later reads.

The same holds when the script builds its only model with the mode written out True and validates on it:

    logits = models.create_model(inputs, settings, is_training=True)
    ...
    val_acc = sess.run(accuracy, feed_dict={inputs: validation_inputs})

A run counts as evaluation when it fetches nothing that trains (no train op, optimizer or update) and its
data or its results are named for evaluation (`val_images_batch`, `_val_loss`), or it sits in evaluation
code. The flag must reach this file's batch norm as its mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Set, Tuple

import libcst as cst
import libcst.matchers as m

from slimlint.model import context
from slimlint.model.facts import DYNAMIC, TRUE, FunctionInfo
from slimlint.model.builder import run_feed
from slimlint.model.import_table import dotted
from slimlint.model.summary import ProjectIndex

# Fetched names that train: a train op, an optimizer step, update ops.
_TRAINING_FETCH_WORDS = {"train", "op", "ops", "opt", "optim", "optimizer", "update", "updates", "minimize", "apply", "step"}


@dataclass
class EvalRunOnTrainingGraph:
    run: cst.Call  # the evaluation run
    build: cst.CSTNode  # where the model gets its training mode (the call, or its `True`)
    data: str  # the evaluation-named data or result that marks the run


@dataclass
class EvalRunFedTrue:
    value: cst.Name  # the `True` fed to the flag (what a fix turns into False)
    flag: str
    run: cst.Call


class EvalRuns:
    """Part of FileModel (semantic.py): uses its builder, functions, mode placeholders and batch-norm calls."""

    def eval_runs_fed_true(self, func: FunctionInfo, role: str, index: ProjectIndex) -> List[EvalRunFedTrue]:
        if func.node is None or not any("True" in fed for fed in self.builder.bool_fed.values()):
            return []
        flags = self._bn_mode_placeholders(func, index)
        if not flags:
            return []
        runs = list(self._runs(func))
        # What the training runs feed: a run over the same batch is training's own log, not an evaluation.
        trained = {n for run, _, feed, _ in runs if self._fetches_training(run) for n in self._fed_data(feed, None)}
        out = []
        for run, targets, feed, order in runs:
            element = next((e for e in feed.elements if isinstance(e, cst.DictElement) and dotted(e.key) in flags
                            and isinstance(e.value, cst.Name) and e.value.value == "True"), None)
            if element is None or self._fetches_training(run):
                continue
            data = self._fed_data(feed, element)
            if data and data <= trained:
                continue
            named = any(_eval_named(n) for n in data | set(targets))
            if named or context.is_eval_context(role, func, order):
                out.append(EvalRunFedTrue(element.value, dotted(element.key), run))
        return out

    def eval_runs_on_training_graph(self, func: FunctionInfo, index: ProjectIndex) -> List[EvalRunOnTrainingGraph]:
        """Runs over evaluation data in a training function whose one model build puts batch norm in training
        mode by a constant: no placeholder or flag could switch it for the evaluation."""
        if func.node is None or not func.calls:
            return []
        builds = [(call.order, mode) for call in self.bn_calls(func, index) for mode in call.modes.values()]
        builds += [(site.order, site.mode) for site in self.bn_sites(func, index) if site.mode.expr is not None]
        if not builds or any(mode.kind != TRUE for _, mode in builds):
            return []  # another mode somewhere in the function: maybe an evaluation tower, or a switch
        built_at, first = min(builds, key=lambda b: b[0])
        runs = list(self._runs(func))
        trained = [(order, feed) for run, _, feed, order in runs if self._fetches_training(run)]
        if not trained:
            return []  # not a training function: the script's role decides (the other SL201 shapes)
        trained_data = {n for _, feed in trained for n in self._fed_data(feed, None)}
        out = []
        for run, targets, feed, order in runs:
            if order < built_at or self._fetches_training(run) or self._feeds_constant(feed):
                continue
            data = self._fed_data(feed, None)
            if data and data <= trained_data:
                continue  # training's own batch, logged
            named = sorted(n for n in data if _eval_named(n)) + sorted(n for n in targets if _eval_named(n))
            if named:
                build = first.expr if first.expr is not None else first.owner
                out.append(EvalRunOnTrainingGraph(run, build if isinstance(build, cst.CSTNode) else run, named[0]))
        return out

    @staticmethod
    def _feeds_constant(feed: cst.Dict) -> bool:
        """A literal True / False fed: a mode switch the model may read (the fed-True shape covers it)."""
        return any(isinstance(e, cst.DictElement) and isinstance(e.value, cst.Name) and e.value.value in ("True", "False")
                   for e in feed.elements)

    def samples_in_training_run(self) -> bool:
        """Does a run that trains nothing draw samples (`samples = sess.run(model.g, {model.z: sample_z})`)? A
        project that samples from networks whose batch norm always trains uses batch statistics by design."""
        for func in self.functions:
            if func.node is None or not func.session_runs:
                continue
            for run, targets, feed, _ in self._runs(func):
                if self._fetches_training(run):
                    continue
                fetches = run.args[0].value if run.args and run.args[0].keyword is None else None
                named = set(targets) | self._fed_data(feed, None) | (self.builder.value_names(fetches) if fetches is not None else set())
                if any(_sample_named(n) for n in named):
                    return True
        return False

    def _fed_data(self, feed: cst.Dict, flag: Optional[cst.DictElement]) -> Set[str]:
        return {n for e in feed.elements if e is not flag and isinstance(e, cst.DictElement)
                for n in self.builder.value_names(e.value)}

    def _bn_mode_placeholders(self, func: FunctionInfo, index: ProjectIndex) -> Set[str]:
        """Boolean placeholders of `func` (or module level) that this file's batch norm takes as its mode."""
        placeholders = set(self.mode_placeholders(func))
        if not placeholders:
            return set()
        found = set()
        for f in (func, self.module_func):
            modes = [mode for call in self.bn_calls(f, index) for mode in call.modes.values()]
            modes += [site.mode for site in self.bn_sites(f, index)]
            found |= {mode.expr.value for mode in modes
                      if mode.kind == DYNAMIC and isinstance(mode.expr, cst.Name) and mode.expr.value in placeholders}
        return found

    def _fetches_training(self, run: cst.Call) -> bool:
        fetches = run.args[0].value if run.args and run.args[0].keyword is None else None
        if fetches is None:
            return True  # cannot tell what it runs
        train_targets = {t for f in self.functions for op in f.train_ops for t in op.targets}
        names = self.builder.value_names(fetches)
        # `evaluation_step`, `eval_op`: named for evaluation first, whatever their last word says.
        return bool(names & train_targets) or any(context.words(n.split(".")[-1]) & _TRAINING_FETCH_WORDS and not _eval_named(n)
                                                  for n in names)

    def _runs(self, func: FunctionInfo) -> Iterator[Tuple[cst.Call, Tuple[str, ...], cst.Dict, int]]:
        """(run call, names its result is assigned to, its literal feed dict, order) for `*.run(...)` calls whose
        feed is a dict literal, or a name bound once in the function to one that no other run uses."""
        dicts = self._feed_dict_names(func)
        used: Dict[str, int] = {}
        runs = []
        for stmt in m.findall(func.node, m.SimpleStatementLine()):
            for small in stmt.body:
                value = small.value if isinstance(small, (cst.Assign, cst.Expr)) else None
                if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "run"):
                    continue
                targets = tuple(n for t in small.targets for n in _names(t.target)) if isinstance(small, cst.Assign) else ()
                feed = run_feed(value)
                if isinstance(feed, cst.Name):
                    used[feed.value] = used.get(feed.value, 0) + 1
                runs.append((value, targets, feed))
        for run, targets, feed in runs:
            if isinstance(feed, cst.Name) and used.get(feed.value) == 1:
                feed = dicts.get(feed.value)
            if isinstance(feed, cst.Dict):
                yield run, targets, feed, self.builder.run_orders.get(id(run), 0)

    @staticmethod
    def _feed_dict_names(func: FunctionInfo) -> Dict[str, cst.Dict]:
        return {name: values[0][0] for name, values in func.assignments.items()
                if len(values) == 1 and isinstance(values[0][0], cst.Dict)}


_EVAL_LEADING_WORDS = {"val", "validation", "test", "testing", "eval", "evaluation"}


def _eval_named(name: str) -> bool:
    """Named for evaluation by its leading word (`val_images_batch`, `_val_loss`, `valid_x`), not by a later one
    (`loss_val` is a loss value) nor a bare `valid` (a mask)."""
    parts = context.word_list(name.rsplit(".", 1)[-1])
    if not parts:
        return False
    return parts[0] in _EVAL_LEADING_WORDS or (parts[0] == "valid" and len(parts) > 1)


_SAMPLE_LEADING_WORDS = {"sample", "samples", "sampled", "sampling", "generated"}


def _sample_named(name: str) -> bool:
    """`samples`, `sample_z`, `generated_images`: drawn from a generator, by the leading word."""
    parts = context.word_list(name.rsplit(".", 1)[-1])
    return bool(parts) and parts[0] in _SAMPLE_LEADING_WORDS


def _names(target: cst.BaseExpression) -> List[str]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _names(e.value)]
    text = dotted(target)
    return [text] if text else []
