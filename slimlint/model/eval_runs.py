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
from typing import FrozenSet, Iterator, List, Optional, Set, Tuple

import libcst as cst
import libcst.matchers as m

from slimlint.model import context, string_modes
from slimlint.model.facts import DYNAMIC, FALSE, MODE_PARAM_NAMES, PARAM, TRUE, FunctionInfo, ModeArg, default_word
from slimlint.model.branches import branch_paths, exclusive
from slimlint.model.builder import run_feed, run_fetches, session_run
from slimlint.model.flow import computed_from
from slimlint.model.dropout import ALWAYS_DROP, kept_fraction_argument
from slimlint.model.graph_names import looked_up_name, placeholder_name, tensor_name
from slimlint.model.run_feeds import tested_flag, feeds_mode_attribute, fed_true, last_fill, mentioned, true_by_branch
from slimlint.model.guards import literal_value
from slimlint.model.import_table import dotted
from slimlint.model.summary import ProjectIndex
from slimlint.model.unread_params import mention_counts
from slimlint.model.walk import find_all

# Calls that load a graph built elsewhere (a frozen or saved export).
_GRAPH_LOADERS = frozenset({"tf.import_graph_def", "tf.train.import_meta_graph", "tf.saved_model.loader.load",
                            "tf.saved_model.load"})
# Fetched names that train: a train op, an optimizer step, update ops.
_TRAINING_FETCH_WORDS = {"train", "op", "ops", "opt", "optim", "optimizer", "update", "updates", "minimize", "apply", "step"}
# An `..._op` named for what it computes trains nothing (`loss_op`, `merged_summary_op`, `accuracy_op`).
_COMPUTED_OP_WORDS = {"loss", "losses", "summary", "summaries", "merged", "acc", "accuracy", "pred", "preds", "prediction",
                      "predictions", "logits", "prob", "probs", "softmax", "output", "outputs", "metric", "metrics", "dice", "iou"}


@dataclass
class EvalRunOnTrainingGraph:
    run: cst.Call  # the evaluation run
    build: cst.CSTNode  # where the model gets its training mode (the call, or its `True`)
    data: str  # what marks the run as evaluation, as the message shows it: "`val_images`", "the model where `training` is False"
    how: str = "a constant"  # how the build trains: "a constant", or "the default of `mode`"
    trained: bool = True  # is that build's graph the one the function trains (False: a test branch's own build)


@dataclass
class EvalRunFetchingTrainingBuild:
    run: cst.Call  # the evaluation run
    fetched: str  # the name it fetches that the training build computes (`loss`)
    build: cst.Call  # the training-mode build
    twin: cst.Call  # the inference-mode build of the same network, beside it
    data: str  # what marks the run as evaluation, as the message shows it


@dataclass
class EvalRunFedTrue:
    value: cst.BaseExpression  # the `True` fed to the flag (what a fix turns into False), or an attribute holding it
    flag: str
    run: cst.Call
    line: Optional[int] = None  # for an attribute fed (`r.is_training`): the line of the call that set it True
    tested: bool = False  # True by the `if` at `line` around the run (`if conf.training:`), not set there
    trains: Optional[str] = None  # the run also fetches this train op: it trains on the evaluation data


@dataclass
class EvalRunDropping:
    value: cst.BaseExpression  # the constant fed (what a fix turns into 1.0 / 0.0)
    flag: str  # the placeholder dropout takes its keep_prob (or rate) from
    keyword: str  # "keep_prob" or "rate"
    run: cst.Call
    targets: Tuple[str, ...] = ()  # what the run's result is assigned or appended to (`mc_probs`)


class EvalRuns:
    """Part of FileModel (semantic.py): uses its builder, functions, mode placeholders and batch-norm calls."""

    def imported_training_graphs(self, func: FunctionInfo, role: str, index: ProjectIndex) -> List[cst.Call]:
        """`tf.train.import_meta_graph(...)` calls in evaluation code of a project whose batch norm only ever trains
        (ProjectIndex.batch_norm_always_trains): the graph a training run saved, batch norm in training mode. Not a
        meta file named by a literal path (a downloaded pretrained network: `'../resnet/ResNet-L152.meta'`), nor
        code named for sampling."""
        if not index.batch_norm_always_trains or context.samples_by_name(self.module_name, func):
            return []
        out = []
        for call, order in func.meta_graph_imports:
            path = call.args[0].value if call.args else None
            if isinstance(literal_value(path, func, self.module_func), str):
                continue
            if context.is_eval_context(role, func, order, training_callee=True):
                out.append(call)
        return out

    def eval_runs_fed_true(self, func: FunctionInfo, role: str, index: ProjectIndex) -> List[EvalRunFedTrue]:
        if self._code_of(func) is None:
            return []  # (a script's module-level code counts: a notebook validates on its own graph too)
        if not any("True" in fed for fed in self.builder.bool_fed.values()) and not feeds_mode_attribute(self._runs(func)):
            return []
        flags = self._bn_mode_placeholders(func, index) | self._object_mode_flags(func, index)
        named = index.mode_tensor_names  # a restored graph's mode tensor, fed by name: `{'is_training:0': True}`
        if not flags and not named:
            return []
        runs = list(self._runs(func))
        # What the training runs feed: a run over the same batch is training's own log, not an evaluation.
        trained = {d for run, _, feed, order in runs if self._fetches_training(run, func) for d in self._bound_data(func, feed, None, order)}
        out = []
        for run, targets, feed, order in runs:
            element = next((e for e in feed.elements if isinstance(e, cst.DictElement)
                            and fed_true(self, func, e.value, order) is not None
                            and (dotted(e.key) in flags or tensor_name(e.key) in named)), None)
            if element is None:
                continue
            if self._fetches_training(run, func):
                # `for img, truth in shuffle(..., eval_ids): sess.run([train_op, loss], {..., istraining: True})`:
                # an evaluation loop that takes training steps on the evaluation data.
                op = self._train_fetch(run, func)
                if op is not None and not index.adversarial and self._over_eval_data(func, feed, element, order) \
                        and self._measures(func, targets) and self._trains_elsewhere(func, runs, run):
                    flag = dotted(element.key) or cst.Module([]).code_for_node(element.key)
                    out.append(EvalRunFedTrue(element.value, flag, run, trains=op))
                continue
            if index.adversarial and any(_sample_named(t) for t in targets):
                continue  # a GAN's samples drawn as it trains (`samples = sess.run(G_sample, {..., is_training: True})`)
            if _initializes_only(run, self.module):
                continue  # `sess.run(tf.global_variables_initializer(), feed_dict={is_training: True})`: no output
            if self._evaluates(func, role, feed, element, targets, order, trained):
                flag = dotted(element.key) or cst.Module([]).code_for_node(element.key)
                setter = fed_true(self, func, element.value, order)
                line = self.position(setter).start.line if setter is not element.value else None
                tested = setter is not element.value and true_by_branch(self, func, element.value) is setter
                out.append(EvalRunFedTrue(element.value, flag, run, line, tested))
        return out

    def _over_eval_data(self, func: FunctionInfo, feed: cst.Dict, element: cst.DictElement, order: int) -> bool:
        """Does a run feed data that evaluation data makes: a loop over an evaluation set (`shuffle(..., eval_ids)`,
        `test_ids`), an evaluation split (`mnist.test.images`), or names bound from such data?"""
        data = self._fed_data(feed, element)
        around = [loop for loop in self._loops(func) if any(d is feed for d in find_all(loop.body, cst.Dict))]
        if around and any(_eval_data_named(n) and "train" not in context.words(n)  # not `X_train_val`
                          for n in self.builder.value_names(around[-1].iter)):
            return True  # the innermost loop around the run goes over an evaluation set (`batches(eval_ids)`)
        return any(_eval_data_named(n) for n in self._loop_data_names(func, feed)) \
            or bool(self._fed_splits(feed, element)) or any(_eval_named(n) for n in data) \
            or any(self._read_from_eval_data(func, n, order) for n in data)

    def _measures(self, func: FunctionInfo, targets) -> bool:
        """Is a run's result kept as an evaluation number: a target named so (`loss_eval_sub`, `_test`), or one
        added into such a name (`eval_loss += batch_loss`)? A step that trains on held-out data on purpose
        (a final refit, fine-tuning on the validation split, pseudo-labels) keeps no such number."""
        if any(_eval_data_named(t) for t in targets):
            return True
        body = self._code_of(func)
        for aug in find_all(body, cst.AugAssign) if body is not None else []:
            if _eval_data_named(dotted(aug.target) or "") and set(mentioned(aug.value)) & set(targets):
                return True
        return False

    def _trains_elsewhere(self, func: FunctionInfo, runs, run: cst.Call) -> bool:
        """Does the function (or one nested in it) also train over data not named for evaluation? Then the run
        over evaluation data is its evaluation, not its training."""
        for other, _, feed, order in runs:
            if other is not run and self._fetches_training(other, func) \
                    and not self._over_eval_data(func, feed, None, order):
                return True
        return self._trains_in_nested(func)

    def _train_fetch(self, run: cst.Call, func: FunctionInfo) -> Optional[str]:
        """The fetched name that trains (`train_op`, `model.optimizer`), as written."""
        fetches = run_fetches(run)
        if fetches is None:
            return None
        for name in sorted(self._fetch_names(fetches, func)):
            found = context.words(name.rsplit(".", 1)[-1])
            if found & {"optimizer", "optim", "opt", "minimize"} or ("train" in found and found & {"op", "ops", "step"}):
                return name
        return None

    def evaluation_runs(self, func: FunctionInfo, role: str) -> List[cst.Call]:
        """Runs in `func` that train nothing and evaluate (eval_runs_fed_true's test without a flag: the data or
        results named for evaluation, a function named for inference, or evaluation code), not over the training
        runs' own batch."""
        if self._code_of(func) is None:
            return []
        runs = list(self._runs(func))
        trained = {d for run, _, feed, order in runs if self._fetches_training(run, func) for d in self._bound_data(func, feed, None, order)}
        return [run for run, targets, feed, order in runs if not self._fetches_training(run, func)
                and self._fed_data(feed, None) and self._evaluates(func, role, feed, None, targets, order, trained)]

    def eval_runs_dropping(self, func: FunctionInfo, role: str, index: ProjectIndex, sites) -> List[EvalRunDropping]:
        """Evaluation runs (eval_runs_fed_true's test) that feed dropout's keep_prob placeholder a constant
        below 1 (or its rate one above 0) while that dropout drops in the run: `tf.nn.dropout` always does; a
        mode-taking one when its mode is True or is a flag the same run feeds True."""
        kept = {}
        for site in sites:
            if site.guarded:
                continue  # under `if is_training:`: the evaluation graph has no such dropout
            found = kept_fraction_argument(site)
            name = dotted(found[1]) if found is not None else None
            if name:
                kept[name] = (found[0], site)
        if not kept or self._code_of(func) is None:
            return []
        runs = list(self._runs(func))
        trained = {d for run, _, feed, order in runs if self._fetches_training(run, func) for d in self._bound_data(func, feed, None, order)}
        out = []
        for run, targets, feed, order in runs:
            if self._fetches_training(run, func):
                continue
            fed_true = {dotted(e.key) for e in feed.elements if isinstance(e, cst.DictElement)
                        and isinstance(e.value, cst.Name) and e.value.value == "True"}
            for element in feed.elements:
                if not (isinstance(element, cst.DictElement) and dotted(element.key) in kept
                        and isinstance(element.value, (cst.Float, cst.Integer))):
                    continue
                keyword, site = kept[dotted(element.key)]
                if not 0.0 < float(element.value.evaluated_value) < 1.0:
                    continue
                mode = site.mode
                drops = site.api in ALWAYS_DROP or mode.kind == TRUE or (mode.expr is not None and dotted(mode.expr) in fed_true)
                if drops and self._evaluates(func, role, feed, element, targets, order, trained):
                    out.append(EvalRunDropping(element.value, dotted(element.key), keyword, run, targets))
        return out

    def _evaluates(self, func: FunctionInfo, role: str, feed: cst.Dict, element: cst.DictElement, targets, order: int,
                   trained: Set[Tuple[str, int]]) -> bool:
        """Is a run that trains nothing an evaluation: its data or results named for evaluation, its function
        named for inference, or evaluation code; not a run over the training runs' own batch (a log)."""
        data = self._fed_data(feed, element)
        if data and self._bound_data(func, feed, element, order) <= trained:
            return False
        named = any(_eval_named(n) for n in data | set(targets)) or bool(self._fed_splits(feed, element)) \
            or any(self._read_from_eval_data(func, n, order) for n in data)
        # A function that runs the model and is named for inference (`def predict(self, sess, x)`): the
        # forward-pass exemption of `predict` / `inference` is for graph builders, not for runs.
        inferring = bool(context.words(func.name) & _INFERENCE_RUN_WORDS)
        return named or inferring or context.is_eval_context(role, func, order)

    def _read_from_eval_data(self, func: FunctionInfo, name: str, order: int) -> bool:
        """Is `name`'s binding before the run read from data named for evaluation (`image, label =
        sess.run(next_element_test)`, `batch = x_val[i:j]`)? What is called does not count (`train_test_split(...)`)."""
        bound = [value for value, at in func.assignments.get(name, ()) if at < order]
        fill = last_fill(self, func, name, self._feed_of(func, order))
        source = fill if fill is not None else bound.pop() if bound else None
        while source is not None:
            names = self.builder.value_names(source) | mentioned(source)
            if any(_eval_data_named(n) for n in names):
                return True
            # `batch = batch.reshape(...)` after `batch = X_test`: what the name held before (not when a loop or
            # `with` also binds the name: its bindings are not in the assignments, so the chain would skip them)
            source = bound.pop() if name in names and bound and fill is None \
                and name not in self._block_targets(func) else None
        return False

    def eval_runs_on_training_graph(self, func: FunctionInfo, index: ProjectIndex) -> List[EvalRunOnTrainingGraph]:
        """Runs over evaluation data in a training function whose one model build puts batch norm in training
        mode by a constant: no placeholder or flag could switch it for the evaluation."""
        if self._code_of(func) is None or not func.calls:
            return []
        calls = self.bn_calls(func, index)
        if any(not call.modes and not call.summary.trains_only for call in calls):
            return []  # a network built with no mode of ours (`create_eval_model(x)`): maybe the evaluation tower
        # A network with no mode to give whose batch norm always trains (`encoder(x)` over `batch_norm(conv)`
        # at the library's default): a build in training mode too.
        counted = {id(call.site.call) for call in calls}
        fixed = [site for site in func.calls if id(site.call) not in counted
                 and getattr(index.lookup_site(site, self.module_name), "trains_only", False)]
        counted |= {id(site.call) for site in fixed}
        # Classes built by a counted constructor call: their methods' batch norm has the constructor's mode
        # (`model = Model('train')`, then `model.build_graph()`).
        built = {found for found in (index.resolve_site(c.site, self.module_name) for c in calls)
                 if found is not None and found[1].endswith(".__init__")}
        built_classes = {(module, qual.rsplit(".", 1)[0]) for module, qual in built}
        for site in func.calls:
            found = index.resolve_site(site, self.module_name) if id(site.call) not in counted else None
            summary = index.modules.get(found[0], {}).get(found[1]) if found else None
            if summary is not None and summary.has_bn and not summary.mode_params \
                    and (found[0], found[1].rsplit(".", 1)[0]) in built_classes:
                continue
            if summary is not None and summary.has_bn:
                return []  # builds batch norm in a mode we did not count (an inference tower helper)
        builds = [(call.order, mode, call.site.call) for call in calls for mode in call.modes.values()]
        # Their batch norm trains unless an arg_scope around the call says otherwise (a test tower under
        # `arg_scope([slim.batch_norm], is_training=False)`).
        builds += [(site.order, self.call_scope_mode(site, index) or ModeArg(TRUE, None, owner=site.call), site.call)
                   for site in [c.site for c in calls if not c.modes] + fixed]
        builds += [(site.order, site.mode, site.layer.call) for site in self.bn_sites(func, index) if site.mode.expr is not None]
        # A build after `tf.reset_default_graph()` (the test graph r2rt's tutorial builds once training is done)
        # is in another graph: the first graph's runs cannot evaluate it.
        resets = func.graph_resets if not func.is_module else self.builder.graph_resets
        if builds and resets:
            first = min(order for order, _, _ in builds)
            cut = min((reset for reset in resets if reset > first), default=None)
            if cut is not None:
                builds = [b for b in builds if b[0] < cut]
        if not builds or any(mode.kind != TRUE and not self._trains_by_default(func, mode, index) for _, mode, _ in builds):
            return []  # another mode somewhere in the function: maybe an evaluation tower, or a switch
        if any(self.builds_inference_twin(site, index) for site in [c.site for c in calls] + fixed):
            return []  # the model builds an inference head of its own (`self.build(x, False, reuse=True)`)
        if index.adversarial and not _reaches_other_mode_builds(
                index, [index.network_key(site, self.module_name) for site in [c.site for c in calls] + fixed]):
            return []  # a GAN's networks, never built in another mode: it validates as it trains (pix2pix)
        built_at = min(order for order, _, _ in builds)
        # A model object's own placeholders (`model = LSTMOCR('train')`, then `{model.inputs: ...}`).
        objects = {name for call in calls for name in call.site.assigned_to}
        out = []
        paths = branch_paths(self._code_of(func))
        training_runs = [run for run, _, _, _ in self._runs(func) if self._fetches_training(run, func)]
        for run, named in self.training_graph_evaluations(func, [call for _, _, call in builds], built_at, objects):
            # `if mode == 'train': build(x, True) ... elif mode == 'test': build(x, True); sess.run(...)`: a run
            # sees only the builds its branch can pass through; the message names the first of them.
            reaching = [b for b in builds if not exclusive(paths.get(id(b[2])), paths.get(id(run)))]
            if not reaching:
                continue
            _, first, first_call = min(reaching, key=lambda b: b[0])
            # Batch norm never given a mode at all (FunctionSummary.modeless), or one a config or scope gives True.
            summary = next((c.summary for c in calls if c.site.call is first_call), None)
            fixed_site = next((site for site in fixed if site.call is first_call), None)
            if summary is None and fixed_site is not None:
                summary = index.lookup_site(fixed_site, self.module_name)
            unset = summary is None or summary.modeless
            build = first.expr if first.expr is not None else first.owner
            how = f"the default of `{first.param}`" if first.kind == PARAM else \
                "a constant" if first.expr is not None else "the library's default (nothing sets a mode)" if unset \
                else "a build that passes it no mode (its batch norm always trains)"
            trained = any(not exclusive(paths.get(id(first_call)), paths.get(id(training))) for training in training_runs)
            out.append(EvalRunOnTrainingGraph(run, build if isinstance(build, cst.CSTNode) else run, named, how, trained))
        return out

    def eval_runs_fetching_training_build(self, func: FunctionInfo, index: ProjectIndex) -> List[EvalRunFetchingTrainingBuild]:
        """Runs over evaluation data in a training function that builds the same network twice, in training mode
        and in inference mode (`box_pred = self.build()`, `box_pred_val = self.build(istraining=False)`), when the
        run fetches a result computed from the training build only (`loss` where `loss_val` was meant): the
        validation number uses each batch's own statistics although the inference build is there for it."""
        if self._code_of(func) is None or not func.calls or index.adversarial:
            return []
        trained, inferred = [], []
        for call in self.bn_calls(func, index):
            kinds = {mode.kind for mode in call.modes.values()}
            key = index.network_key(call.site, self.module_name)
            if not call.site.assigned_to or key is None:
                continue
            if kinds == {FALSE}:
                inferred.append((key, call))
            elif kinds and kinds <= {TRUE} or not kinds and call.summary.trains_only:
                trained.append((key, call))
        twins = [(t, i) for key, t in trained for other, i in inferred if other == key]
        if not twins:
            return []
        if not any(self._fetches_training(run, func) for run, _, _, _ in self._runs(func)):
            return []  # not a training function
        out = []
        for build, twin in twins:
            made = set(build.site.assigned_to)
            twin_made = set(twin.site.assigned_to)
            for run, _, feed, order in self._runs(func):
                if order < max(build.order, twin.order) or self._fetches_training(run, func):
                    continue
                fed = [n for e in feed.elements if isinstance(e, cst.DictElement) for n in sorted(self.builder.value_names(e.value))]
                data = [n for n in dict.fromkeys(fed) if _eval_data_named(n) or self._read_from_eval_data(func, n, order)]
                data += sorted(n for n in self._loop_data_names(func, feed) if _eval_data_named(n))
                fetches = run_fetches(run)
                if not data or fetches is None:
                    continue
                fetched = sorted(n for n in self._fetch_names(fetches, func)
                                 if not context.words(n.rsplit(".", 1)[-1]) & {"summary", "summaries", "merged", "op"}
                                 and computed_from(func, {n}, order, lambda name, _: name in made)
                                 and not computed_from(func, {n}, order, lambda name, _: name in twin_made))
                if fetched:
                    out.append(EvalRunFetchingTrainingBuild(run, fetched[0], build.site.call, twin.site.call, f"`{data[0]}`"))
        return out

    def builds_inference_twin(self, site, index: ProjectIndex) -> bool:
        """Does the function (or constructor) this call builds with also build a network with a mode False
        (`self.eval_logits = self.build(x, False, reuse=True)`)? Its outputs may be what the runs evaluate."""
        summary = index.lookup_site(site, self.module_name)
        return summary is not None and bool(summary.calls_with_false_mode)

    def training_graph_evaluations(self, func: FunctionInfo, builds: List[cst.Call], built_at: int,
                                   objects: Set[str]) -> List[Tuple[cst.CSTNode, str]]:
        """(run, the evaluation-named data or result that marks it) for the runs of a training function (one that
        runs a train op) that evaluate the graph `builds` made from `built_at` on: they feed the model's inputs
        with evaluation data (`val_images`, `mnist.test.images`, a batch read from `X_test`) or name their results
        so, fetch nothing that trains, and are not training's own batch logged. Also a call of an evaluation helper
        of this file (`inference(sess, model, val_gen)`: evaluation-named, or handed evaluation data) given the
        model object (`objects`: the names the builds' results are assigned to) after the build, when the helper
        runs a session and trains nothing."""
        # The model's inputs: a run that feeds none of them (a preprocessing graph) does not evaluate the model.
        inputs = {n for call in builds for a in call.args for n in self.builder.value_names(a.value)}
        # And what they are made from (`inputs = iterator.get_next()` over `from_string_handle(handle, ...)`: a
        # run feeding `handle: valid_handle` evaluates the model on the validation set).
        inputs |= self._sources(func, inputs)
        runs = list(self._runs(func))
        trained = [(order, feed) for run, _, feed, order in runs if self._fetches_training(run, func)]
        if not trained and not self._trains_in_nested(func):
            # Trained through an input pipeline (no feed): only the runs after an evaluation iterator's
            # initialisation can be told apart (`sess.run(val_init_op)`); otherwise the script's role decides.
            if any(self._fetches_training(call, func) for call in find_all(self._code_of(func), cst.Call)
                   if session_run(call) and run_feed(call) is None and run_fetches(call) is not None):
                return self._runs_after_eval_initializer(func, built_at, objects, inputs)
            return []  # not a training function: the script's role decides (the other SL201 shapes)
        trained_data = {d for order, feed in trained for d in self._bound_data(func, feed, None, order)}
        fed_in_training = {n for _, feed in trained for n in self._fed_data(feed, None)}
        # and what the training loops iterate over (`for data_step in np.array_split(data_epoch, 16):`)
        looped = {n for _, feed in trained for n in self._loop_data_names(func, feed)}
        trained_sources = fed_in_training | looped | self._sources(func, fed_in_training | looped)
        out: List[Tuple[cst.CSTNode, str]] = []
        resets = func.graph_resets if not func.is_module else self.builder.graph_resets
        for run, targets, feed, order in runs:
            if order < built_at or self._fetches_training(run, func):
                continue
            if any(built_at < reset < order for reset in resets):
                continue  # `tf.reset_default_graph()` between: the run is on another graph, built after it
            # `{is_val: True}`: a switch between input pipelines (`tf.cond(is_val, lambda: val_batch, ...)`) set to
            # the evaluation data; any other bool fed is a mode switch the model may read (the fed-True shape).
            selector = _evaluation_selector(feed)
            if selector is None and self._feeds_constant(feed):
                continue
            keys = {dotted(e.key) for e in feed.elements if isinstance(e, cst.DictElement)}
            if selector is not None:
                if not self._selects_inputs(func, selector, inputs):
                    continue
                out.append((run, f"the data `{selector}` picks (fed True)"))
                continue
            if not keys & inputs and not any(k and k.split(".", 1)[0] in objects for k in keys):
                continue
            fetched = self._fetch_names(run_fetches(run), func) if run_fetches(run) is not None else set()
            if fetched and fetched <= inputs:
                continue  # it fetches the model's inputs (a preprocessing preview), not what the model computes
            data = self._fed_data(feed, None)
            if data and self._bound_data(func, feed, None, order) <= trained_data:
                continue  # training's own batch, logged
            named = sorted(n for n in data if _eval_named(n)) + sorted(n for n in targets if _eval_named(n)) \
                + sorted(n for n in data if _test_split_named(n) and not self._sampled_from(func, n, trained_sources)) \
                + sorted(n for n in self._loop_data_names(func, feed) if _eval_data_named(n)) \
                + sorted(self._fed_splits(feed, None)) \
                + sorted(n for n in data if self._read_from_eval_data(func, n, order))  # `batch = X_test`
            if named:
                out.append((run, f"`{named[0]}`"))
                continue
            flag = self._flag_off_at(func, run)
            if flag is not None:
                out.append((run, f"the model (in the branch where `{flag}` is False)"))
        out += [(call, f"`{data}`" if data else "the model")
                for call, data in self._evaluation_helper_calls(func, objects, built_at, fed_in_training, inputs)]
        reported = {id(run) for run, _ in out}
        out += [(run, data) for run, data in self._runs_after_eval_initializer(func, built_at, objects, inputs)
                if id(run) not in reported]
        return out

    def _runs_after_eval_initializer(self, func: FunctionInfo, built_at: int, objects: Set[str],
                                     inputs: Set[str]) -> List[Tuple[cst.Call, str]]:
        """Runs that read the input pipeline after the iterator feeding the model (`inputs`: what the builds read)
        was re-initialised on evaluation data, before any training run (`sess.run(val_init_op)` over
        `iterator.make_initializer(val_data)`, `sess.run(ds.iterator.initializer, {ds.is_training: False})`, then
        `sess.run(accuracy)`): a reinitializable tf.data iterator feeds the model with nothing in the feed dict
        to show it. Only runs fetching what the model's builds (`objects`) compute, with no feed but mode
        switches (a feedable iterator's handle picks its own data), on the graph the builds made."""
        body = self._code_of(func)
        if body is None or not objects:
            return []
        bound = context.initializer_names(self.module)
        feeders = inputs | self._sources(func, inputs) | self._sources(self.module_func, inputs)
        resets = func.graph_resets if not func.is_module else self.builder.graph_resets
        runs = sorted(((self.builder.run_orders.get(id(call), 0), call) for call in find_all(body, cst.Call)
                       if session_run(call) and self.builder.run_orders.get(id(call), 0) > built_at),
                      key=lambda pair: pair[0])
        out: List[Tuple[cst.Call, str]] = []
        split: Optional[str] = None  # what the latest initialisation of the model's iterator reads, when evaluation data
        for order, run in runs:
            if any(built_at < reset < order for reset in resets):
                break  # `tf.reset_default_graph()`: the runs from here on are on another graph
            fetches = run_fetches(run)
            if fetches is None:
                continue  # `tf.app.run()`, an op's own `.run()`: nothing read from the model
            initialised = self._iterator_initialization(func, run, fetches, order, bound, feeders)
            if initialised is not None:
                split = initialised or None  # "" marks a training (or unknown) split
                continue
            if self._fetches_training(run, func):
                split = None
                continue
            feed = run_feed(run)
            if split is None or feed is not None and not (isinstance(feed, cst.Dict) and all(
                    isinstance(e, cst.DictElement) and literal_value(e.value, None, None) in (True, False)
                    for e in feed.elements)):
                continue
            fetched = self._fetch_names(fetches, func)
            if fetched and computed_from(func, fetched, order, lambda name, _: name in objects):
                out.append((run, split))
                split = None  # one finding for each pass over the evaluation data
        return out

    def _iterator_initialization(self, func: FunctionInfo, run: cst.Call, fetches: cst.BaseExpression, order: int,
                                 bound: FrozenSet[str], feeders: Set[str]) -> Optional[str]:
        """For a run that initialises the iterator the model reads (`val_init_op` bound to
        `iterator.make_initializer(val_data)`, `ds.iterator.initializer`, also in a list with other
        initializers): how it marks evaluation data (the dataset handed to make_initializer, else the op's name,
        else a mode flag fed False / an evaluation selector fed True in its feed), as the message shows it, or ""
        when it does not; None for any other run (variables' initializers, another pipeline's iterator)."""
        elements = [e.value for e in fetches.elements] if isinstance(fetches, (cst.List, cst.Tuple)) else [fetches]
        found: Optional[str] = None
        for element in elements:
            if not context.is_initializer(element, bound):
                continue
            made = self._initialized_iterator(func, element, order)
            if made is None or not _feeds_model(made[0], feeders):
                continue
            data = made[1]
            found = ""
            data_names = sorted(self.builder.value_names(data)) if data is not None else []
            if data_names:
                if any(_split_named(n) for n in data_names):
                    return f"`{cst.Module([]).code_for_node(data)}` (loaded into the input iterator)"
                continue  # it names its dataset, and not as evaluation data (`make_initializer(train_data)`)
            name = dotted(element) or ""
            if any(_split_named(part) for part in name.split(".")):
                return f"the data `{name}` loads into the input iterator"
            feed = run_feed(run)
            for item in feed.elements if isinstance(feed, cst.Dict) else ():
                if not isinstance(item, cst.DictElement):
                    continue
                key = dotted(item.key) or ""
                value = literal_value(item.value, None, None)
                if value is False and _mode_flag_name(key) or value is True and _evaluation_selector(cst.Dict([item])):
                    return f"the data the input iterator loads with `{key}` fed {value}"
                if any(_eval_data_named(n) for n in self.builder.value_names(item.value)):
                    return f"the data the input iterator loads from `{key}`"
        return found

    def _initialized_iterator(self, func: FunctionInfo, expr: cst.BaseExpression,
                              order: int) -> Optional[Tuple[str, Optional[cst.BaseExpression]]]:
        """(the iterator, the dataset it is given or None) an initializer expression initialises: `it.initializer`,
        `it.make_initializer(data)`, or a name bound to one of those (as last bound before `order`)."""
        for _ in range(3):
            if isinstance(expr, cst.Attribute) and expr.attr.value == "initializer" and dotted(expr.value):
                return dotted(expr.value), None
            if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) \
                    and expr.func.attr.value == "make_initializer" and dotted(expr.func.value) and expr.args:
                return dotted(expr.func.value), expr.args[0].value
            name = dotted(expr)
            if name is None:
                return None
            bound = [(v, at) for scope in (self.module_func, func) for v, at in scope.assignments.get(name, ())
                     if at < order or scope is not func]
            if not bound:
                return None
            expr = bound[-1][0]
        return None

    def _selects_inputs(self, func: FunctionInfo, selector: str, inputs: Set[str]) -> bool:
        """Is the model's input made by a `tf.cond` on the selector (`data = tf.cond(is_val, lambda: val_batch,
        lambda: train_batch)`, the input computed from `data`)?"""
        for name in inputs:
            for value, _ in func.assignments.get(name, ()):
                if isinstance(value, cst.Call) and (dotted(value.func) or "").endswith("cond") and value.args \
                        and dotted(value.args[0].value) == selector:
                    return True
        return False

    def _flag_off_at(self, func: FunctionInfo, node: cst.CSTNode) -> Optional[str]:
        """The mode flag (`training`, `args.is_train`) whose `if` puts `node` in the branch where it is False
        (`if not training:`, the `else` of `if training:`, `if training == False:`): the script's test mode."""
        cache = self.__dict__.setdefault("_flag_tests_cache", {})
        if id(func) not in cache:
            body = self._code_of(func)
            cache[id(func)] = [(branch, flag) for node_if in (find_all(body, cst.If) if body is not None else [])
                               for flag, truthy in [tested_flag(node_if.test)]
                               if flag is not None and _mode_flag_name(flag)
                               for branch in [node_if.orelse if truthy else node_if.body] if branch is not None]
        for branch, flag in cache[id(func)]:
            if any(found is node for found in find_all(branch, type(node))):
                return flag
        return None

    def _trains_in_nested(self, func: FunctionInfo) -> bool:
        """Does a function nested in `func` run a train op (`def train_batch(gen): ... sess.run([model.optimizer,
        ...])`, called by the training loop of `func`)?"""
        prefix = func.qualname + ".<locals>."
        return any(f.qualname.startswith(prefix) and f.session_runs
                   and any(self._fetches_training(run, f) for run, _, _, _ in self._runs(f)) for f in self.functions)

    def _evaluation_helper_calls(self, func: FunctionInfo, objects: Set[str], built_at: int,
                                 fed_in_training: Set[str] = frozenset(),
                                 inputs: Set[str] = frozenset()) -> List[Tuple[cst.CSTNode, str]]:
        """Calls after the build of a function of this file handed the model object (`inference(sess, lprnet,
        val_gen)`), named for evaluation or handed evaluation-named data, whose own session runs train nothing.
        In a script, also a module function that runs the script's own graph through its globals (its runs feed
        the model's input placeholders, `score('valid', BATCH_SIZE)`), handed an evaluation split by name."""
        if not objects and not (func.is_module and inputs):
            return []
        local = {f.qualname: f for f in self.functions if f.session_runs and "<locals>" not in f.qualname}
        out: List[Tuple[cst.CSTNode, str]] = []
        for site in func.calls:
            if site.order < built_at or not site.targets:
                continue
            target = site.targets[0]
            helper = local.get(target[len(self.module_name) + 1:] if target.startswith(self.module_name + ".") else target)
            if helper is None or helper is func:
                continue
            handed = {dotted(a.value) for a in site.call.args}
            if not handed & objects and not (func.is_module and self._feeds_globals(helper, inputs)):
                continue
            handed_names = {n for a in site.call.args for n in self.builder.value_names(a.value)}
            data = sorted(n for n in handed_names if _eval_data_named(n)) + sorted(
                f"'{a.value.evaluated_value}'" for a in site.call.args
                if isinstance(a.value, cst.SimpleString) and str(a.value.evaluated_value).lower() in _SPLIT_NAMES)
            # An evaluation-named helper handed the training data (`evaluate(sess, model, x_train)`) logs training.
            # By its name only when named for evaluation (`validate`, `test`): `predict_action` acts as it trains.
            if not data and (not context.eval_function(helper, training_callee=True)
                             or any("train" in context.words(n) for n in handed_names)
                             or handed_names & fed_in_training):
                continue  # (training's own batch handed on, `evaluate(sess, model, batch_x, batch_y)`: logged)
            if any(self._fetches_training(run, helper) for run, _, _, _ in self._runs(helper)):
                continue  # a training step helper
            out.append((site.call, data[0] if data else ""))
        return out

    @staticmethod
    def _sampled_from(func: FunctionInfo, name: str, sources: Set[str]) -> bool:
        """Is `name` a slice of data the training runs feed from (`data_test = data_epoch[ind[:2]]`, a preview of
        the training set, whatever its name says)?"""
        return any(isinstance(value, cst.Subscript) and dotted(value.value) in sources
                   for value, _ in func.assignments.get(name, ()))

    def _feeds_globals(self, helper: FunctionInfo, inputs: Set[str]) -> bool:
        """Does a module function's run feed a model input it does not bind itself (`sess.run(loss, feed_dict={X:
        score_imgs, ...})` with `X` the script's placeholder)?"""
        if helper.class_name is not None or "<locals>" in helper.qualname:
            return False
        for _, _, feed, _ in self._runs(helper):
            keys = {dotted(e.key) for e in feed.elements if isinstance(e, cst.DictElement)}
            if any(k in inputs and k not in helper.assignments and k not in helper.params for k in keys if k):
                return True
        return False

    def _sources(self, func: FunctionInfo, names: Set[str], depth: int = 3) -> Set[str]:
        """The names the function's assignments of `names` are computed from, followed `depth` steps back."""
        out: Set[str] = set()
        frontier = set(names)
        appended = self._appended(func)
        for _ in range(depth):
            values = [value for name in frontier for value, _ in func.assignments.get(name, ())]
            values += [value for name in frontier for value in appended.get(name, ())]
            found = {n for value in values for n in mentioned(value)} - out - names
            if not found:
                break
            out |= found
            frontier = found
        return out

    def _appended(self, func: FunctionInfo) -> dict:
        """What the function adds to each list it grows (`logits.append(logit)` in a loop over GPU towers, then
        `logits = tf.concat(logits, 0)`): list name -> the values added."""
        cache = self.__dict__.setdefault("_appended_values", {})
        if func.qualname not in cache:
            out: dict = {}
            if func.node is not None:
                for call in find_all(func.node, cst.Call):
                    if m.matches(call.func, m.Attribute(value=m.Name(), attr=m.Name("append") | m.Name("extend"))) \
                            and len(call.args) == 1:
                        out.setdefault(call.func.value.value, []).append(call.args[0].value)
            cache[func.qualname] = out
        return cache[func.qualname]

    def _trains_by_default(self, func: FunctionInfo, mode, index: ProjectIndex) -> bool:
        """A mode parameter of the training function whose default trains (`def train(..., mode='train')`,
        `LSTMOCR(mode)`), that nothing else in it reads (`if mode == 'train':`, `validate = mode == 'val'` would
        split training from evaluation) and that no call in the project gives a mode that does not train
        (`train(..., mode='finetune')`): the one model it builds is the training graph."""
        if mode.kind != PARAM or mode.param not in func.params or func.node is None:
            return False
        default = func.defaults.get(mode.param)
        word = string_modes.default_word(mode.predicate, default) if mode.predicate else default_word(default)
        if word != "true" or index.called_with_false_mode((self.module_name, func.qualname), mode.param):
            return False
        return mention_counts(func.node, [mode.param]).get(mode.param, 0) <= 1

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
                if self._fetches_training(run, func):
                    continue
                fetches = run_fetches(run)
                # What it returns or fetches is named for samples; fed data named so (audio `samples`) is not.
                named = set(targets) | (self.builder.value_names(fetches) if fetches is not None else set())
                if any(_sample_named(n) for n in named):
                    return True
        return False

    def _bound_data(self, func: FunctionInfo, feed: cst.Dict, flag: Optional[cst.DictElement], order: int) -> Set[Tuple[str, int]]:
        """The data a run feeds, each name with the binding it holds at the run (`image_batch` read from the
        training queue, then rebound from the validation queue, is two different batches)."""
        out = set()
        for name in self._fed_data(feed, flag):
            loop = self._loop_binding(func, feed, name)
            if loop is not None:
                out.add((name, id(loop)))  # `for batch in minibatches(x_test, ...)`: each pass binds it anew
                continue
            fill = last_fill(self, func, name, feed)
            if fill is not None:
                out.add((name, id(fill)))  # `patches[b], labels[b] = read_patch(test_path)`: filled anew
                continue
            bound = [value for value, at in func.assignments.get(name, ()) if at < order]
            out.add((name, id(bound[-1]) if bound else 0))
        return out

    def _feed_of(self, func: FunctionInfo, order: int) -> Optional[cst.Dict]:
        return next((feed for _, _, feed, at in self._runs(func) if at == order), None)

    def _loops(self, func: FunctionInfo) -> List[cst.For]:
        """The function's `for` loops, outer ones first."""
        cache = self.__dict__.setdefault("_loops_cache", {})
        if id(func) not in cache:
            body = self._code_of(func)
            cache[id(func)] = find_all(body, cst.For) if body is not None else []
        return cache[id(func)]

    def _block_targets(self, func: FunctionInfo) -> Set[str]:
        """Names a `for` loop or a `with` item of the function binds."""
        cache = self.__dict__.setdefault("_block_targets_cache", {})
        if id(func) not in cache:
            body = self._code_of(func)
            loops = find_all(body, (cst.For, cst.CompFor)) if body is not None else []
            items = find_all(body, cst.WithItem) if body is not None else []
            cache[id(func)] = {n for loop in loops for n in _names(loop.target)} | {
                n for item in items if item.asname is not None for n in _names(item.asname.name)}
        return cache[id(func)]

    def _loop_binding(self, func: FunctionInfo, feed: cst.Dict, name: str) -> Optional[cst.For]:
        """The innermost `for` loop around the feed dict whose target binds `name`, when its body does not rebind it."""
        found = None
        for loop in self._loops(func):
            if name in _names(loop.target) and any(d is feed for d in find_all(loop.body, cst.Dict)):
                found = loop
        if found is not None and name in {n for t in find_all(found.body, cst.AssignTarget) for n in _names(t.target)}:
            return None
        return found

    def _loop_data_names(self, func: FunctionInfo, feed: cst.Dict) -> Set[str]:
        """What the loops binding the fed names iterate over (`minibatches(inputs=self.x_test, ...)` gives
        `self.x_test`): evidence of the data a run evaluates."""
        out: Set[str] = set()
        fed = self._fed_data(feed, None)
        for name in fed:
            loop = self._loop_binding(func, feed, name)
            if loop is not None:
                out |= set(self.builder.value_names(loop.iter))
        # Arrays the loop around the run fills element by element (`support[i] = test_dataset[cls, picked]`).
        around = [loop for loop in self._loops(func) if any(d is feed for d in find_all(loop.body, cst.Dict))]
        if around:
            for assign in find_all(around[-1].body, cst.Assign):
                if any(isinstance(t.target, cst.Subscript) and dotted(t.target.value) in fed for t in assign.targets):
                    # The dataset indexed, not the indices (`n_test_shot` in `selected[:n_test_shot]`).
                    source = assign.value.value if isinstance(assign.value, cst.Subscript) else assign.value
                    out |= set(self.builder.value_names(source))
        return out

    @staticmethod
    def _fed_splits(feed: cst.Dict, flag: Optional[cst.DictElement]) -> Set[str]:
        """Evaluation splits of a dataset object the run feeds (`{x: mnist.test.images}`)."""
        return {n for e in feed.elements if e is not flag and isinstance(e, cst.DictElement)
                for n in mentioned(e.value) if _eval_split(n)}

    def _fed_data(self, feed: cst.Dict, flag: Optional[cst.DictElement]) -> Set[str]:
        return {n for e in feed.elements if e is not flag and isinstance(e, cst.DictElement)
                for n in self.builder.value_names(e.value)}

    def _bn_mode_placeholders(self, func: FunctionInfo, index: ProjectIndex) -> Set[str]:
        """The mode flags a run in `func` can feed: the boolean placeholders batch norm takes as its mode here
        (_placeholders_taken_here), and names bound to a tensor whose graph name is a batch-norm mode tensor of
        the project (graph_names.py: `self.is_training = graph.get_tensor_by_name('prefix/is_training:0')`, or
        a placeholder made with that name while a layer helper looks it up)."""
        found = self._placeholders_taken_here(func, index)
        # `is_training = graph.get_tensor_by_name("Placeholder_1:0")` after import_meta_graph, in the function or
        # one around it (`def run_model(mri): ... {is_training: True}`): a restored graph's mode flag by its name,
        # whatever graph name the placeholder got.
        outer = [f for f in self.functions if f.node is not None and "<locals>" not in f.qualname
                 and func.qualname.startswith(f.qualname + ".<locals>.")]
        for scope in [func, *outer]:
            if not scope.meta_graph_imports and not any(o.meta_graph_imports for o in outer):
                continue
            for name, values in scope.assignments.items():
                if len(values) == 1 and "." not in name and _mode_flag_name(name) and looked_up_name(values[0][0]):
                    found.add(name)
        wanted = index.mode_tensor_names
        if not wanted:
            return found
        scopes = [func, self.module_func]
        if func.class_name is not None:
            scopes += [f for f in self.functions if f.class_name == func.class_name and f is not func]
        for scope in scopes:
            for name, values in scope.assignments.items():
                if len(values) != 1 or (scope is not func and scope is not self.module_func and not name.startswith("self.")):
                    continue
                if self._graph_name(values[0][0]) in wanted:
                    found.add(name)
        return found

    def named_mode_placeholders(self, index: ProjectIndex) -> FrozenSet[str]:
        """The `name=` of each boolean placeholder of this file that its batch norm takes as its mode
        (FunctionSummary.mode_tensors of the file's MODULE_CODE summary)."""
        out = set()
        for func in self.functions:
            named = {name: placeholder_name(values[0][0]) for name, values in func.assignments.items()
                     if len(values) == 1 and self.is_bool_placeholder(values[0][0])}
            named = {name: graph_name for name, graph_name in named.items() if graph_name}
            if named:
                out |= {named[name] for name in self._placeholders_taken_here(func, index) if name in named}
        return frozenset(out)

    def _graph_name(self, value: cst.BaseExpression) -> Optional[str]:
        """The graph name a bound value stands for: a lookup's, or a boolean placeholder's `name=`."""
        looked_up = looked_up_name(value)
        if looked_up is not None:
            return looked_up
        return placeholder_name(value) if self.is_bool_placeholder(value) else None

    def _placeholders_taken_here(self, func: FunctionInfo, index: ProjectIndex) -> Set[str]:
        """Boolean placeholders of `func` (or module level) that this file's batch norm takes as its mode, and
        a method's `self.<flag>` placeholder (made in a method of its class) that the class's batch norm takes."""
        placeholders = set(self.mode_placeholders(func))
        # A name some run feeds a boolean is a placeholder wherever it was made (`images, labels, is_training =
        # inputs.placeholder_inputs()`): when batch norm takes it as its mode, it is a mode flag too.
        placeholders |= {name for name in self.builder.bool_fed if "." not in name and name.isidentifier()
                         and (name in func.assignments or name in self.module_func.assignments)}
        found = set()
        if placeholders:
            for f in (func, self.module_func):
                modes = [mode for call in self.bn_calls(f, index) for mode in call.modes.values()]
                modes += [site.mode for site in self.bn_sites(f, index)]
                found |= {mode.expr.value for mode in modes
                          if mode.kind == DYNAMIC and isinstance(mode.expr, cst.Name) and mode.expr.value in placeholders}
        if func.class_name is not None:
            found |= self.class_mode_attrs(func.class_name, index)
        return found

    def class_mode_attrs(self, class_name: str, index: ProjectIndex) -> Set[str]:
        """The `self.<flag>` boolean placeholders (made in a method of the class) that the class's batch norm
        takes as its mode: what a run feeds to choose the mode of this class's model."""
        methods = [f for f in self.functions if f.class_name == class_name]
        attrs = {name for f in methods for name, values in f.assignments.items()
                 if name.startswith("self.") and len(values) == 1 and self.is_bool_placeholder(values[0][0])}
        if not attrs:
            return set()
        modes = [mode for f in methods for call in self.bn_calls(f, index) for mode in call.modes.values()]
        modes += [site.mode for f in methods for site in self.bn_sites(f, index)]
        return {dotted(mode.expr) for mode in modes if mode.expr is not None and dotted(mode.expr) in attrs}

    def _object_mode_flags(self, func: FunctionInfo, index: ProjectIndex) -> Set[str]:
        """`net.is_training`, `self.network.train_phase`: the mode placeholder of a model object a run can feed,
        where every binding of the object (in `func`, at module level, or `self.<obj>` in a method of its class)
        constructs a project class whose batch norm takes that attribute as its mode (FunctionSummary.mode_attrs)."""
        keys = {dotted(e.key) for run in self._runs(func) for e in run[2].elements
                if isinstance(e, cst.DictElement) and (isinstance(e.value, cst.Name) and e.value.value == "True"
                                                       or (dotted(e.value) or "").rsplit(".", 1)[-1] in MODE_PARAM_NAMES)}
        out = set()
        for key in keys:
            if not key or key.count(".") < 1:
                continue
            holder, attr = key.rsplit(".", 1)
            scopes = [func, self.module_func]
            if holder.startswith("self.") and func.class_name is not None:
                scopes = [f for f in self.functions if f.class_name == func.class_name]
            values = [value for scope in scopes for value, _ in scope.assignments.get(holder, ())]
            if values and all(f"self.{attr}" in self._constructed_mode_attrs(value, scopes, index) for value in values):
                out.add(key)
        return out

    def _constructed_mode_attrs(self, value: cst.BaseExpression, scopes, index: ProjectIndex) -> FrozenSet[str]:
        """The mode attributes of the project class `value` constructs (`Net(...)`), if it is such a call."""
        if not isinstance(value, cst.Call):
            return frozenset()
        site = next((s for scope in scopes for s in scope.calls if s.call is value), None)
        found = index.resolve_site(site, self.module_name) if site is not None else None
        if found is None:
            return frozenset()
        if found[1].endswith(".__init__"):
            classes = [(found[0], found[1][: -len(".__init__")])]
        else:
            # A factory that returns one of several project classes (`select_net(name, ...)`): what all share.
            summary = index.modules.get(found[0], {}).get(found[1])
            classes = []
            for qualified in summary.returned_classes if summary is not None else ():
                init = index.resolve(f"{qualified}.__init__", found[0])
                if init is None:
                    return frozenset()  # a candidate we cannot read: nothing shared is known
                classes.append((init[0], init[1][: -len(".__init__")]))
        shared: Optional[FrozenSet[str]] = None
        for module, cls in classes:
            attrs = _class_mode_attrs(index, module, cls)
            shared = attrs if shared is None else shared & attrs
        return shared or frozenset()

    def restores_and_predicts(self, func: FunctionInfo, index: ProjectIndex) -> bool:
        """A function that restores a checkpoint and then only runs what the model predicts (the slim
        walkthrough's "apply the fine-tuned model": build the network, `init_fn(sess)` from the latest
        checkpoint, `sess.run(probabilities)`): evaluation code, whatever its name. It builds and runs no train
        op (every run's fetches are named, none for training), is not named for training, and calls no project
        function after building the network but the network's own builders and helpers that run no session
        (a resumed training loop's helper runs one; a data loader's `next_batch()` does not)."""
        if not func.restores or func.is_module or func.node is None or func.train_ops or func.trains_via_callback:
            return False
        if context.words(func.name) & context.TRAIN_NAME_WORDS:
            return False
        runs = [c for c in find_all(func.node, cst.Call) if session_run(c)]
        if not runs or any(self._fetches_training(run, func) for run in runs):
            return False
        if any(dotted(c.func.value) in self.builder.save_receivers
               for c in m.findall(func.node, m.Call(func=m.Attribute(attr=m.Name("save"))))):
            return False  # it writes a checkpoint: fine-tuning, not prediction
        built = [call.order for call in self.bn_calls(func, index)] + [site.order for site in self.bn_sites(func, index)]
        if not built:
            return False
        for site in func.calls:
            found = index.resolve_site(site, self.module_name) if site.order > min(built) else None
            if found is None:
                continue
            summary = index.modules.get(found[0], {}).get(found[1])
            if summary is not None and not summary.has_bn and _runs_a_session(index, found):
                return False
        return True

    def class_evaluator(self, func: FunctionInfo, role: str, index: ProjectIndex) -> Optional[str]:
        """A method of `func`'s class that runs the class's one graph over evaluation data (`def predict(self, X):
        ... self.sess.run(self.out, feed_dict)`), in a class that also trains that graph and gives its batch norm
        no mode anywhere (no parameter, no placeholder, no False): the evaluation normalises with batch statistics.
        Not in GANs nor unit tests; not for methods named for sampling."""
        if func.class_name is None or role == context.UNIT_TEST or index.adversarial:
            return None
        # The class and the base classes of this file it inherits from (a `base_model` with fit() / predict(),
        # the network's layers in the subclass): one object, one graph.
        family, todo = set(), [func.class_name]
        while todo:
            name = todo.pop()
            if name not in family and name in self.builder.classes:
                family.add(name)
                todo.extend(self.builder.classes[name][0])
        methods = [f for f in self.functions if f.class_name in family and "<locals>" not in f.qualname]
        if any(set(f.params) & set(MODE_PARAM_NAMES) for f in methods):
            return None  # a mode the class can be given: its builds are judged where they are made
        if any(site.mode.kind != TRUE for f in self.functions for site in self.bn_sites(f, index)):
            return None  # the file builds batch norm in another mode too (an inference subclass or sibling)
        if not any(self.training_run_orders(f) for f in methods):
            return None
        for method in methods:
            if method is func or not method.name or context.words(method.name) & {"sample", "sampling", "generate"}:
                continue
            if method.node is not None and any(
                    self.builder.canonical(c.func) in _GRAPH_LOADERS for c in find_all(method.node, cst.Call)):
                continue  # it runs a graph it loads (a frozen export), not the one the class builds
            if self.evaluation_runs(method, role):
                return method.name
        return None

    def runs_train_op(self) -> bool:
        """Does some `*.run(...)` of the file fetch a train op by its name (`model.train_op`, `train_step`,
        `self.optimizer`)? (`global_step` alone does not count: evaluation scripts fetch it too.)"""
        for run in (c for c in find_all(self.module, cst.Call) if session_run(c)):
            fetches = run_fetches(run)
            names = self._fetch_names(fetches) if fetches is not None else set()
            if fetches is not None and _looks_up_train_op(fetches):
                return True
            for name in names:
                found = context.words(name.rsplit(".", 1)[-1])
                if found & {"optimizer", "optim", "opt", "minimize"} or ("train" in found and found & {"op", "ops", "step"}):
                    return True
        return self._trains_through_method()

    def _trains_through_method(self) -> bool:
        """Does a loop of the file call a method named for training on an object (`model.train(left, right,
        disp)`, `net.train_step(batch)`)? The model's own method runs the train op; the script trains."""
        for loop in find_all(self.module, (cst.For, cst.While)):
            for call in find_all(loop.body, cst.Call):
                if isinstance(call.func, cst.Attribute) and isinstance(call.func.value, (cst.Name, cst.Attribute)) \
                        and (dotted(call.func.value) or "tf").split(".")[0] not in ("tf", "tf1", "keras", "K") \
                        and context.word_list(call.func.attr.value)[:1] in (["train"], ["training"]) \
                        and not context.words(call.func.attr.value) & {"eval", "evaluate", "test", "valid", "validation"}:
                    return True  # `model.train(...)`, `net.train_step(...)`; not `data.next_train_batch(...)`
        return False

    def training_run_orders(self, func: FunctionInfo) -> List[int]:
        """Orders of the function's session runs that fetch a train op (`sess.run([train_op, loss])`)."""
        if func.node is None or func.is_module or not func.session_runs:
            return []
        runs = [c for c in find_all(func.node, cst.Call) if session_run(c)]
        return [self.builder.run_orders.get(id(run), 0) for run in runs
                if run_fetches(run) is not None and self._fetches_training(run, func)]

    def _fetches_training(self, run: cst.Call, func: FunctionInfo) -> bool:
        fetches = run_fetches(run)
        if fetches is None:
            return True  # cannot tell what it runs
        train_targets = {t for f in self.functions for op in f.train_ops for t in op.targets}
        # `iou, iou_update = tf.metrics.mean_iou(...)`: a metric's update op accumulates, it trains nothing.
        names = self._fetch_names(fetches, func) - self._metric_names(func)
        # `evaluation_step`, `eval_op`: named for evaluation first, whatever their last word says.
        if names & train_targets or _looks_up_train_op(fetches):
            return True
        training = [n for n in names if _training_named(n)]
        if not training:
            return False
        # Only an `..._op` of unknown kind (`write_op` from a project's summary helper): what the run's results
        # are named says what it computes (`summary_valid = write_op.eval(...)`, `loss, acc = sess.run(...)`).
        weak = all(_training_words(n) <= {"op", "ops"} for n in training)
        targets = self._run_targets(func).get(id(run), ())
        return not (weak and targets and all(context.words(t.split(".")[-1]) & _COMPUTED_OP_WORDS for t in targets))

    def _run_targets(self, func: FunctionInfo) -> dict:
        """id(run) -> the names its result is assigned to, for the function's runs (_runs)."""
        cache = self.__dict__.setdefault("_run_targets_cache", {})
        if id(func) not in cache:
            cache[id(func)] = {}  # set first: _runs does not call back here, but keep recursion impossible
            cache[id(func)] = {id(run): targets for run, targets, _, _ in self._runs(func)}
        return cache[id(func)]

    def _fetch_names(self, fetches: cst.BaseExpression, func: Optional[FunctionInfo] = None, depth: int = 0) -> Set[str]:
        """The names a run's fetches name (`model.train_op` whole too: value_names keeps only `model`), not the
        keys that pick them (`endpoints[opt.layer]` fetches from `endpoints`); with `func`, also what a fetch
        list bound to a name holds (`fetches = [model.train_op, model.loss]`)."""
        if isinstance(fetches, (cst.List, cst.Tuple)):
            return {n for e in fetches.elements for n in self._fetch_names(e.value, func, depth)}
        if isinstance(fetches, cst.Dict):
            return {n for e in fetches.elements if isinstance(e, cst.DictElement)
                    for n in self._fetch_names(e.value, func, depth)}
        if isinstance(fetches, cst.Subscript):
            return self._fetch_names(fetches.value, func, depth)
        names = self.builder.value_names(fetches) | _attribute_names(fetches)
        if func is not None and isinstance(fetches, cst.Name) and depth < 3:
            for value, _ in func.assignments.get(fetches.value) or self.module_func.assignments.get(fetches.value, ()):
                if isinstance(value, (cst.List, cst.Tuple, cst.Dict)):
                    names |= self._fetch_names(value, func, depth + 1)
        return names

    def _metric_names(self, func: FunctionInfo, helpers: bool = True) -> Set[str]:
        """Names bound only to what `tf.metrics.*` returns (the value and its update op), directly or through a
        helper of this file that returns only such names (`iou, iou_update = self.calculate_iou(mask, logits)`)."""
        metric_helpers = self._metric_helpers() if helpers else set()
        out = set()
        for f in (func, self.module_func):
            for name, values in f.assignments.items():
                if values and all(isinstance(v, cst.Call) and self._is_metric_call(v, metric_helpers) for v, _ in values):
                    out.add(name)
        return out

    def _metric_helpers(self) -> Set[str]:
        """Functions of this file that return only `tf.metrics` results (computed once per file)."""
        cached = self.__dict__.get("_metric_helpers_cache")
        if cached is None:
            cached = {f.name for f in self.functions
                      if f.node is not None and f.returned_names and f.returned_names <= self._metric_names(f, helpers=False)}
            self.__dict__["_metric_helpers_cache"] = cached
        return cached

    def _is_metric_call(self, call: cst.Call, metric_helpers: Set[str]) -> bool:
        if (self.canonical(call.func) or "").startswith("tf.metrics."):
            return True
        name = dotted(call.func) or ""
        return name.rsplit(".", 1)[-1] in metric_helpers and (name.count(".") == 0 or name.startswith("self."))

    def _runs(self, func: FunctionInfo) -> Iterator[Tuple[cst.Call, Tuple[str, ...], cst.Dict, int]]:
        """(run call, names its result is assigned to, its literal feed dict, order) for `*.run(...)` calls whose
        feed is a dict literal, or a name whose latest binding before the run is one (`feed_dict = {...}` is
        rebound for the training and the validation loop). Computed once per function: three queries read them."""
        cache = self.__dict__.setdefault("_runs_cache", {})
        if id(func) not in cache:
            cache[id(func)] = list(self._find_runs(func))
        return iter(cache[id(func)])

    def _code_of(self, func: FunctionInfo) -> Optional[cst.CSTNode]:
        """The code a function runs: its node; for a script's module-level code (a notebook's cells), the module's
        statements outside its function and class definitions (the same nodes: facts keyed by id still apply)."""
        if not func.is_module:
            return func.node
        cache = self.__dict__.setdefault("_module_code", [])
        if not cache:
            cache.append(self.module.with_changes(body=[s for s in self.module.body
                                                        if not isinstance(s, (cst.FunctionDef, cst.ClassDef))]))
        return cache[0]

    def _find_runs(self, func: FunctionInfo) -> Iterator[Tuple[cst.Call, Tuple[str, ...], cst.Dict, int]]:
        body = self._code_of(func)
        if body is None:
            return
        for stmt in find_all(body, cst.SimpleStatementLine):
            for small in stmt.body:
                value = small.value if isinstance(small, (cst.Assign, cst.AugAssign, cst.Expr, cst.Return)) else None
                if isinstance(value, cst.Subscript):
                    value = value.value  # `sess.run(fetches, feed)[0]`
                collected = _collected_run(value)
                if collected is not None:
                    value = collected
                if not (isinstance(value, cst.Call) and session_run(value)):
                    continue
                targets = tuple(n for t in small.targets for n in _names(t.target)) if isinstance(small, cst.Assign) \
                    else tuple(_names(small.target)) if isinstance(small, cst.AugAssign) \
                    else tuple(_names(small.value.func.value)) if collected is not None else ()  # `total += sess.run(acc)`
                order = self.builder.run_orders.get(id(value), 0)
                feed = run_feed(value)
                if isinstance(feed, cst.Name):
                    bound = [v for v, at in func.assignments.get(feed.value, ()) if at < order]
                    feed = bound[-1] if bound else None
                if isinstance(feed, cst.Dict):
                    yield value, targets, feed, order


def _collected_run(value) -> Optional[cst.Call]:
    """The run in `valid_losses.append(sess.run(loss, feed))`: its result goes to the list it is appended to."""
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in ("append", "extend") \
            and len(value.args) == 1 and isinstance(value.args[0].value, cst.Call) and session_run(value.args[0].value):
        return value.args[0].value
    return None


_EVAL_LEADING_WORDS = {"val", "validation", "test", "testing", "eval", "evaluation"}


_INFERENCE_RUN_WORDS = {"predict", "prediction", "infer", "inference", "test", "eval", "evaluate", "evaluation", "deploy"}


# Graph names TF gives an optimizer's update op (`Adam`, `Momentum_1`) when the code does not name it.
_OPTIMIZER_OP_WORDS = {"adam", "momentum", "gradient", "descent", "rms", "rmsprop", "adagrad", "adadelta", "ftrl", "sgd"}


def _looks_up_train_op(fetches: cst.BaseExpression) -> bool:
    """Does a fetch look a train op up in a restored graph by name (`graph.get_operation_by_name('Adam')`,
    `get_tensor_by_name('train_op:0')`)?"""
    lookups = m.findall(fetches, m.Call(func=m.Attribute(attr=m.Name("get_operation_by_name") | m.Name("get_tensor_by_name"))))
    for call in lookups:
        value = call.args[0].value if call.args else None
        text = value.evaluated_value if isinstance(value, cst.SimpleString) else None
        if isinstance(text, str):
            words = context.words(text.split(":")[0].rsplit("/", 1)[-1])
            if words & _OPTIMIZER_OP_WORDS or ("train" in words and words & {"op", "ops", "step"}):
                return True
    return False


def _training_words(name: str) -> Set[str]:
    """The words of a fetched name that say it trains. The global step is a counter the training op increments:
    fetched beside a validation loss for the summary writer, it trains nothing (`increment_global_step` neither
    touches batch norm)."""
    found = context.words(name.split(".")[-1])
    trains = found & _TRAINING_FETCH_WORDS
    return trains - {"step"} if "global" in found else trains


def _training_named(name: str) -> bool:
    """A fetch named for training (`train_op`, `optimizer`, `update_ops`, `g_step`), not one named for evaluation
    first (`eval_op`) nor an op named for what it computes (`loss_op`, `summary_op`, `accuracy_op`)."""
    found = context.words(name.split(".")[-1])
    trains = _training_words(name)
    if not trains or _eval_named(name):
        return False
    return bool(trains - {"op", "ops"}) or not found & _COMPUTED_OP_WORDS


def _runs_a_session(index: ProjectIndex, key) -> bool:
    """Does the project function run a session or build a train op, itself or through what it calls
    (`fit()` calling `run_epoch()`, which runs the train op)?"""
    for module, qualname in index.reached_from([key]):
        summary = index.modules.get(module, {}).get(qualname)
        if summary is not None and summary.runs_session:
            return True
    return False


def _reaches_other_mode_builds(index: ProjectIndex, networks) -> bool:
    """Do these builds reach a project function that some call also builds in a mode other than training (an
    export's `generator(x, is_training=False)` under a training script's `create_model(x)`)? Unknown ones do."""
    if any(key is None for key in networks):
        return True
    cache = index.__dict__.setdefault("_other_mode_builds", [])
    if not cache:
        roots = [key for key, kinds in index.network_call_modes.items() if kinds - {TRUE, "judged"}]
        cache.append(index.reached_from(roots) if roots else frozenset())
    return bool(cache[0] & (index.reached_from(networks) | set(networks)))


def _class_mode_attrs(index: ProjectIndex, module: str, cls: str, depth: int = 0) -> FrozenSet[str]:
    """FunctionSummary.mode_attrs of a class's constructor, and of its project base classes' (a subclass that
    calls `Base.__init__(self, ...)` keeps the base's `self.bn_is_training`)."""
    summary = index.modules.get(module, {}).get(f"{cls}.__init__")
    out = summary.mode_attrs if summary is not None else frozenset()
    if depth < 4:
        for base in index.classes.get(module, {}).get(cls, ((),))[0]:
            found = index.resolve(f"{base}.__init__", module) if base else None  # `from ResNet import ResNet`
            if found is not None:
                out = out | _class_mode_attrs(index, found[0], found[1][: -len(".__init__")], depth + 1)
    return out


def _eval_named(name: str) -> bool:
    """Named for evaluation by its leading word (`val_images_batch`, `_val_loss`, `valid_x`), not by a later one
    (`loss_val` is a loss value) nor a bare `valid` (a mask)."""
    parts = context.word_list(name.rsplit(".", 1)[-1])
    if not parts:
        return False
    return parts[0] in _EVAL_LEADING_WORDS or (parts[0] == "valid" and len(parts) > 1)


def _test_split_named(name: str) -> bool:
    """Data named as a test split by its last word (`x_test`, `left_test`)."""
    parts = context.word_list(name.rsplit(".", 1)[-1])
    return len(parts) > 1 and parts[-1] == "test"


_SAMPLE_LEADING_WORDS = {"sample", "samples", "sampled", "sampling", "generated"}


def _sample_named(name: str) -> bool:
    """`samples`, `sample_z`, `generated_images`: drawn from a generator, by the leading word."""
    parts = context.word_list(name.rsplit(".", 1)[-1])
    return bool(parts) and parts[0] in _SAMPLE_LEADING_WORDS


def _eval_split(name: str) -> bool:
    """An evaluation split of a dataset object, named by an inner attribute (`mnist.test.images`,
    `data.validation.labels`)."""
    return any(part in _EVAL_LEADING_WORDS for part in name.split(".")[1:-1])


# A split handed by name (`score('valid', BATCH_SIZE)`, `data_iterator('test', 32)`).
_SPLIT_NAMES = {"val", "valid", "validation", "test", "eval", "dev"}


def _eval_data_named(name: str) -> bool:
    """A dataset named for evaluation by any of its words (`x_test`, `X_val`, `test_images`): what a loop iterates
    over is data, so a later word counts here (unlike `_eval_named`, where `loss_val` is a loss value)."""
    return bool(set(context.word_list(name.rsplit(".", 1)[-1])) & (_EVAL_LEADING_WORDS | {"valid"}))


def _names(target: cst.BaseExpression) -> List[str]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _names(e.value)]
    text = dotted(target)
    return [text] if text else []


def _attribute_names(expr: cst.BaseExpression) -> Set[str]:
    """Dotted names of the attributes an expression (a fetch list) names whole: `model.train_op`."""
    if isinstance(expr, (cst.List, cst.Tuple)):
        return {n for e in expr.elements for n in _attribute_names(e.value)}
    if isinstance(expr, cst.Dict):
        return {n for e in expr.elements if isinstance(e, cst.DictElement) for n in _attribute_names(e.value)}
    text = dotted(expr) if isinstance(expr, cst.Attribute) else None
    return {text} if text else set()


# A flag named only for the run's mode: `training`, `is_train`, `args.do_train`; not `train_from_scratch`.
_FLAG_WORDS = {"is", "do", "train", "training", "mode", "phase"}


def _mode_flag_name(flag: str) -> bool:
    found = context.words(flag.rsplit(".", 1)[-1])
    return bool(found & {"train", "training"}) and found <= _FLAG_WORDS


def _evaluation_selector(feed: cst.Dict) -> Optional[str]:
    """The key of a flag named for evaluation data fed True (`{is_val: True}`, `{self.use_test_set: True}`)."""
    for element in feed.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.value, cst.Name) and element.value.value == "True":
            key = dotted(element.key)
            if key and context.words(key.rsplit(".", 1)[-1]) & {"val", "valid", "validation", "test", "testing", "eval"}:
                return key
    return None


def _split_named(name: str) -> bool:
    """Named for an evaluation split by any of its words (`val_data`, `dev_init_op`, `test_iterator`, `x_valid`)."""
    return bool(set(context.word_list(name)) & (_EVAL_LEADING_WORDS | _SPLIT_NAMES))


def _feeds_model(iterator: str, feeders: Set[str]) -> bool:
    """Is this iterator where the model's inputs come from: one of the names they are computed from, or an
    attribute of the same object (`self.dataset.iterator` beside `self.dataset.image_batch`)?"""
    if iterator in feeders:
        return True
    owner = iterator.rpartition(".")[0]
    if "." not in owner:
        return False  # `self.val_iterator` beside `self.images`: the same object, not the same pipeline
    return any(f == owner or f.startswith(owner + ".") for f in feeders)


def _initializes_only(run: cst.Call, module: cst.Module) -> bool:
    """Does this session run fetch initializers only (`sess.run(tf.global_variables_initializer(), ...)`, a name
    bound to one, a list or group of them: context.is_initializer)?"""
    fetch = next((a.value for a in run.args if a.keyword is None or a.keyword.value == "fetches"), None)
    return fetch is not None and context.is_initializer(fetch, context.initializer_names(module))
