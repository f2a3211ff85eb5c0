"""The semantic model of one file: what it builds, queried by the rules.

Built once per file (one parse, one traversal by builder.ModuleBuilder); questions that need other files
(does `model.resnet` build batch norm?) go through the ProjectIndex of function summaries. Each concept
lives in a module of its own, mixed in here:

- tf_naming.py        how the file names TF / slim, and the prefix a fix writes
- modes.py            what mode an expression gives batch norm, and where a missing one comes from
- object_modes.py     the mode an object handed in carries (`cfg.is_training`)
- batch_norm.py       the batch norm it builds and the calls to functions that build it
- branch_bn.py        hand-written batch norm whose mode a Python `if` chooses
- call_signatures.py  what a callee accepts (what a fix may pass)
- cross_file.py       function summaries and call edges for project-wide facts
- mode_flags.py       run-time mode placeholders
- frozen_mode_attrs.py  mode attributes the constructor hands to batch norm, assigned again too late
- eval_runs.py        session runs over evaluation data that feed the mode flag True
- train_ops.py        hand-built train ops and update-op names
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst
import libcst.matchers as m
from libcst.metadata import MetadataWrapper, PositionProvider

from slimlint.model.batch_norm import BatchNormFacts
from slimlint.model.branch_bn import BranchBatchNorm
from slimlint.model.builder import ModuleBuilder
from slimlint.model.call_signatures import CallSignatures
from slimlint.model.cross_file import CrossFileFacts
from slimlint.model import config_values, context
from slimlint.model.facts import FunctionInfo, SaverOfTrainables, TrainOp
from slimlint.model.cond_selection import CondSelections
from slimlint.model.eval_runs import EvalRuns
from slimlint.model.flag_coverage import FlagCoverage
from slimlint.model.frozen_mode_attrs import FrozenModeAttrs
from slimlint.model.gated_updates import GatedUpdates
from slimlint.model.learning_phase import LearningPhaseFacts
from slimlint.model.mode_flags import ModeFlags
from slimlint.model.modes import ModeReading
from slimlint.model.object_modes import ObjectModes
from slimlint.model.tf_naming import TfNaming
from slimlint.model.summary import ProjectIndex
from slimlint.model.train_ops import TrainOpFacts
from slimlint.model.walk import find_all, walk


# Methods a framework calls by their name (Keras, tf.Module): the project that defines them never names them.
_FRAMEWORK_HOOKS = {"call", "build", "train_step", "test_step", "predict_step"}
# Calls that make a function an entry point of its own: it opens a session or loads a checkpoint into one.
_OPTION_CALLS = ("DEFINE_", "add_argument", "set_defaults", "parse_args", "parse_known_args", "ArgumentParser",
                 "mark_flag")
_SESSION_CALLS = {"Session", "InteractiveSession", "MonitoredTrainingSession", "MonitoredSession",
                  "SingularMonitoredSession", "restore"}


def _opens_session(node: cst.FunctionDef) -> bool:
    """Does the function open a session or restore a checkpoint (`with tf.Session() as sess:`,
    `saver.restore(sess, path)`)?"""
    return any((c.func.attr.value if isinstance(c.func, cst.Attribute) else getattr(c.func, "value", None)) in _SESSION_CALLS
               for c in find_all(node, cst.Call))


class FileModel(TfNaming, ModeReading, ObjectModes, BatchNormFacts, BranchBatchNorm, CallSignatures, CrossFileFacts, ModeFlags, TrainOpFacts,
                FlagCoverage, GatedUpdates, EvalRuns, CondSelections, LearningPhaseFacts, FrozenModeAttrs):
    """Everything slimlint knows about one file, computed once and shared by every rule."""

    def __init__(self, module: cst.Module, module_name: str, star_aliases: Tuple[Tuple[str, str], ...] = (),
                 text: Optional[str] = None) -> None:
        """`text`: what `module` was parsed from, when the caller has it (else generated when first asked)."""
        self.module = module
        self.module_name = module_name
        builder = ModuleBuilder(module, star_aliases)
        walk(module, builder)
        builder.bind_redefined_calls()
        builder.parameter_calls.resolve_locally(builder.functions, builder.instances)
        self.builder = builder
        self.functions: List[FunctionInfo] = builder.functions
        self.module_func = builder.module_func
        self.aliases = builder.aliases
        self._positions = None
        self._call_index = None  # id(call) -> (callee names, enclosing function), made when a fix asks
        self._pass_memo: Optional[Tuple[object, dict]] = None  # see one_pass
        self._calls_by_callee_memo = None  # FlagCoverage's syntactic lookups, made when first asked
        self._flag_true_memo: dict = {}
        self.options = builder.options  # the file's command-line options (options.py)
        self.config_constants = config_values.EMPTY  # the project's config numbers, bound with the index
        self._code_memo: Optional[str] = text  # TfNaming.module_code

    @contextmanager
    def one_pass(self, index):
        """Within one pass over this file against an index that does not change meanwhile (its summaries), facts
        of (function, index) are computed once: a dozen summary facts each ask for a function's batch-norm calls."""
        self._pass_memo = (index, {})
        try:
            yield
        finally:
            self._pass_memo = None

    def once_per_pass(self, index, key: tuple, compute):
        """compute(), kept for the rest of a one_pass against this index (computed anew outside one)."""
        memo = self._pass_memo
        if memo is None or memo[0] is not index:
            return compute()
        if key not in memo[1]:
            memo[1][key] = compute()
        return memo[1][key]

    def result_unused(self, site) -> bool:
        """Is a call's result bound only to names its function never reads, and the same network built again
        later in the function (`result = g_net(seq, z)`, made to create the variables the later `reuse=True`
        build uses)? That build computes nothing anyone runs. (Alone, an unread build may still be what the code
        exports: `net = get_network(image)`, then `write_graph(sess.graph_def, ...)`.) A module-level name may
        be read by any function of the module (a global), or by another module: only a script's, read nowhere in
        the file, counts."""
        if not site.assigned_to or any("." in name for name in site.assigned_to):
            return False  # `self.out = net(x)`: read through the object, anywhere
        if not any(other.order > site.order and other.targets == site.targets for other in site.func.calls):
            return False
        scopes = self.functions if site.func.is_module else [site.func]
        if site.func.is_module and not self.builder.is_script:
            return False
        return all(f.loads.get(name, 0) == 0 for f in scopes for name in site.assigned_to)

    def position(self, node: cst.CSTNode):
        if self._positions is None:
            self._positions = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._positions[node]

    def path_of(self, stmt: cst.CSTNode) -> Tuple[cst.CSTNode, ...]:
        return self.builder.paths.get(id(stmt), ())

    # --- what the traversal recorded, for the rules (they never reach into the builder) ---------

    def canonical(self, expr: cst.BaseExpression) -> Optional[str]:
        """The TF / slim API an expression names (`slim.batch_norm`, `tf.train.Saver`), or None."""
        return self.builder.canonical(expr)

    def referenced_names(self) -> Set[str]:
        """Every name the file loads and every `.attribute` it uses (ProjectIndex.referenced_names); `self.m` in
        a class that defines its own `m` as "Class.m": it calls that class's method (or an override), not
        another class's `m`. An attribute used on anything but `self` is there a second time as ".m". The file's
        own module-level functions, called by their bare name, as "module:f"."""
        loads: Dict[str, int] = {}
        for f in {id(f): f for f in (self.module_func, *self.functions)}.values():
            for name, count in f.loads.items():
                loads[name] = loads.get(name, 0) + count
        not_uses = dict(self.builder.not_uses)
        own = {f.qualname for f in self.functions}
        selves = set()
        for (cls, attr), count in self.builder.self_attribute_uses.items():
            selves.add(f"{cls}.{attr}" if f"{cls}.{attr}" in own else attr)
            not_uses[attr] = not_uses.get(attr, 0) + count  # the attribute's Name node is counted as a load too
        # A bare name of one of the file's own module-level functions calls that function: "module:name", so that
        # another module's function of the same name is not taken as called (never_called).
        table = self.builder.table
        own_defs = {f.name for f in self.functions if f.class_name is None and f.qualname == f.name
                    and f.name not in table.names and f.name not in table.aliases}
        loaded = {n for n, count in loads.items() if count > not_uses.get(n, 0)}
        lambdas = self.builder.lambda_names
        return (self.builder.attribute_names | {"." + a for a in self.builder.attribute_names} | selves
                | lambdas | {"." + n for n in lambdas}
                | {f"{self.module_name}:{n}" if n in own_defs else n for n in loaded})

    def method_never_called(self, func: FunctionInfo, index: ProjectIndex) -> bool:
        """A method nothing in the project names (method_named), of a class whose bases are all the project's
        own (a hook of a library base class, `Model._optimizer` under `tensorbase.base.Model`, is called by the
        library), and not a dunder method nor a framework hook; False while the project's names are unknown."""
        if func.class_name is None or func.name.startswith("__") or func.name in _FRAMEWORK_HOOKS \
                or not index.referenced_names or index.dynamic_getattr:
            return False
        if self.method_named(func, index):
            return False
        return not self.foreign_ancestor(func.class_name, index)  # a base slimlint does not see may call it

    def never_called(self, func: FunctionInfo, index: ProjectIndex) -> bool:
        """A helper of a script that never runs: the file is a program (_is_program), and
        nothing in the project names the function (no call, no reference: `tf.app.run(main=main)`,
        `model_fn=model_fn` name it), or nothing names the method (method_never_called). A library module's
        functions are its API, called from code slimlint does not see; a function that runs a session or builds
        a train op is an entry point the author runs by editing the main block (`load_pb()` there today,
        `main()` tomorrow). Not a decorated function (a registry may call it), nor `main` where the file hands
        control to `tf.app.run()` / `app.run()` (which calls `main` without naming it), nor a nested function,
        nor while names may be picked at run time (`getattr(nets, name)`, `globals()[name]`)."""
        if not self._is_program() or func.is_module or func.node is None or func.node.decorators \
                or "." in func.qualname and func.class_name is None:
            return False
        if func.session_runs or func.train_ops or _opens_session(func.node):
            return False  # an entry point the author switches to by editing the main block (`# main()`): it runs
        if func.class_name is not None:
            return func.qualname == f"{func.class_name}.{func.name}" and self.method_never_called(func, index)
        names = index.referenced_names
        if not names or index.dynamic_names or func.name in names or "." + func.name in names \
                or f"{self.module_name}:{func.name}" in names:
            return False
        return not (func.name == "main" and "app.run(" in self.module_code())

    def _is_program(self) -> bool:
        """Does the file run something when executed: a `__main__` block, or module-level calls other than
        option definitions (a library module may define its flags, `flags.DEFINE_float(...)`, at module level)?"""
        return "__main__" in self.module_code() or any(
            not name.rsplit(".", 1)[-1].startswith(_OPTION_CALLS) for name in self.builder.script_calls)

    def dead_lines(self, index: ProjectIndex) -> List[Tuple[int, int]]:
        """The line spans of this file's functions that never run (never_called); a finding inside one is about
        code no user runs."""
        return [(self.position(f.node).start.line, self.position(f.node).end.line)
                for f in self.functions if self.never_called(f, index)]

    def foreign_ancestor(self, class_name: str, index: ProjectIndex) -> bool:
        """Does the class derive, through the project's own classes, from one slimlint does not see (a library's
        base class: `tf.keras.Model`, `tensorbase.base.Model`)?"""
        pending = [(self.module_name, b) for b in self.builder.classes.get(class_name, ((), {}))[0]]
        seen = set()
        while pending:
            module, base = pending.pop()
            if not base or base == "object" or (module, base) in seen:
                continue
            seen.add((module, base))
            if module == self.module_name and base in self.builder.classes:
                pending += [(module, b) for b in self.builder.classes[base][0]]
                continue
            qualified = self._qualified_base(base) if module == self.module_name else base
            owner, _, cls = qualified.rpartition(".")
            entry = index.classes.get(owner, {}).get(cls)
            if entry is None:
                return True
            pending += [(owner, b) for b in entry[0]]
        return False

    def class_left_unbuilt(self, class_name: Optional[str], index: ProjectIndex) -> bool:
        """A class nothing in the project names (beyond its own `super(Cls, self)`), while the project names a
        sibling class of the same base defined in this file: the scripts pick among the siblings
        (`Model_DNN(...)`, `Model_PNN(...)`) and never build this one, so its methods never run. Not a class
        with decorators (a registry may build it), nor when names are picked at run time (`getattr(m, name)`,
        `eval(...)`, `globals()[name]`, `module.__dict__[name]`)."""
        names = index.referenced_names
        if class_name is None or not names or index.dynamic_names or class_name in names \
                or class_name in self.builder.decorated_classes:
            return False
        bases = set(self.builder.classes.get(class_name, ((), {}))[0]) - {"object", ""}
        return bool(bases) and any(other != class_name and other in names and bases & set(entry[0])
                                   for other, entry in self.builder.classes.items())

    def method_named(self, func: FunctionInfo, index: ProjectIndex) -> bool:
        """Does anything in the project name this method: `obj.m` anywhere, `self.m` in its class or in one of
        its bases (ProjectIndex.referenced_names)? One nothing names is never called."""
        if func.class_name is None:
            return True
        names = index.referenced_names
        bases = self.builder.classes.get(func.class_name, ((), {}))[0]
        owners = [func.class_name] + [b.rsplit(".", 1)[-1] for b in bases]
        return func.name in names or any(f"{owner}.{func.name}" in names for owner in owners)

    @property
    def savers(self) -> List[SaverOfTrainables]:
        return self.builder.savers

    @property
    def save_receivers(self) -> Set[str]:
        """Names whose `.save(...)` is called: Savers that write checkpoints."""
        return self.builder.save_receivers

    def same_feeds(self, ops: List[TrainOp]) -> bool:
        """Is every one of these train ops run by a `sess.run` in view (by a name it is assigned to, or returned
        into: `net.d_opt` for `self.d_opt, self.g_opt = model_opt(...)`), and do all those runs feed the same
        placeholders? Then each step computes on the same inputs."""
        feeds = set()
        for op in ops:
            runs = self.run_feeds_of(op)
            if not runs or any(feed is None for feed in runs):
                return False
            feeds.update(runs)
        return len(feeds) == 1

    def run_feeds_of(self, op: TrainOp) -> list:
        """The feeds of the `sess.run`s in this file that fetch the train op (by a name it is assigned to, or
        returned into); None for a run whose feed cannot be read."""
        names = set(op.targets) | self.returned_as(op)
        attrs = {n.split(".", 1)[1] for n in names if n.startswith("self.") and n.count(".") == 1}
        return [feed for fetched, feed in self.builder.run_feeds
                if fetched & names or any(f.count(".") == 1 and f.split(".")[1] in attrs for f in fetched)]

    @property
    def restore_receivers(self) -> Set[str]:
        """Names whose `.restore(...)` is called: Savers that read checkpoints."""
        return self.builder.restore_receivers

    @property
    def keras_bn_applications(self) -> List[Tuple[cst.Call, FunctionInfo]]:
        """Keras BatchNormalization layers applied to a tensor (`BatchNormalization()(x, training=...)`)."""
        return self.builder.keras_bn_applications

    @property
    def reads_layer_updates(self) -> bool:
        """The file reads a Keras layer's or model's `.updates` (so it may run them itself)."""
        return self.builder.reads_layer_updates

    def _only_called_after_training(self, nested: FunctionInfo, outer: FunctionInfo) -> bool:
        """Does `outer` call its nested helper only after its last train op (an evaluation head built with
        `reuse=True` once the op exists)? Layers built after the op are not what it trains."""
        if not outer.train_ops or outer.node is None:
            return False
        calls = m.findall(outer.node.body, m.Call(func=m.Name(nested.name)))
        if not calls:
            return False  # handed on (`tf.map_fn(body, ...)`): runs where it is used
        def at(node):
            start = self.position(node).start
            return start.line, start.column

        last_op = max(at(op.call) for op in outer.train_ops)
        in_ops = {id(c) for op in outer.train_ops for c in m.findall(op.call, m.Call())}  # `minimize(loss + head(h))`
        return all(at(c) > last_op and id(c) not in in_ops for c in calls)

    def is_training_code(self, func: FunctionInfo, index: ProjectIndex, role: str) -> bool:
        """Does `func` build (part of) a graph a train op trains? It builds a train op, training code calls it
        (directly or not), it is a training script's module code, or it calls a method of its class that
        builds a train op (methods share their object's graph: layers built in __init__, which then calls
        the method building the train op, are what that op trains). A sibling method that only builds an
        inference graph is not training code."""
        if self.class_left_unbuilt(func.class_name, index):
            return False
        if func.train_ops or func.trains_via_callback or (self.module_name, func.qualname) in index.trained_graph_callees:
            return True
        if role == context.TRAIN and func.is_module:
            return True
        if ".<locals>." in func.qualname:
            # A helper defined inside a function builds part of that function's graph (see with_nested).
            outer_name = func.qualname.rsplit(".<locals>.", 1)[0]
            outer = next((f for f in self.functions if f.qualname == outer_name), None)
            if outer is not None and self.is_training_code(outer, index, role) and not self._only_called_after_training(func, outer):
                return True
        methods = {f.qualname for f in self.functions if f.class_name and f.train_ops}
        return any(t in methods for c in func.calls for t in c.targets)

