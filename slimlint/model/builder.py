"""One traversal of a parsed file that records what the code builds (see facts.py).

Names resolve through the file's import table (import_table.py): imports plus one assignment-alias step
(`slim = tf.contrib.slim`, `tf1 = tf.compat.v1`).
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst
import libcst.matchers as m
from slimlint.model import api, fluent, kwargs_flow
from slimlint.model.context import word_list
from slimlint.model.options import CommandLineOptions
from slimlint.model.dynamic_imports import DynamicImports, option_of
from slimlint.model.star_imports import project_star_modules, star_candidates
from slimlint.model.guards import else_guard, parameter_guard
from slimlint.model.learning_phase import SET_LEARNING_PHASE, learning_phase_value
from slimlint.model.import_table import ImportTable, dotted, literal_string
from slimlint.model.parameter_instances import SELF_NAMES, ParameterCalls
from slimlint.model.walk import FastVisitor, children, find_all
from slimlint.model.facts import (
    Guard,
    SaverOfTrainables,
    SplatKwargs,
    ArgScopeFrame,
    CallSite,
    CondSelection,
    ControlBlock,
    FunctionInfo,
    Grouping,
    LayerCall,
    MODE_PARAM_NAMES,
    TrainOp,
    UpdateOpsRead,
)

# Values of a script's own mode option that name an evaluation path.
_RUN_MODE_WORDS = {"test", "testing", "eval", "evaluate", "evaluation", "export", "inference", "infer", "predict", "sample",
                   "val", "valid", "validation", "demo"}
_TRAIN_MODE_WORDS = {"train", "training", "finetune", "fine_tune", "pretrain"}
# Last words of an option that picks what a script runs (`args.mode`, `FLAGS.phase`, `opt.run_task`),
# unlike `split == "val"` or `dataset == "test"`, which pick data.
_RUN_MODE_OPTIONS = {"mode", "phase", "task", "action", "stage", "command", "cmd", "run"}
_EVAL_MODE_KEYS = ("ModeKeys.PREDICT", "ModeKeys.EVAL", "ModeKeys.INFER")
# Writing the graph out for serving or freezing: an export script's work (`tf.train.write_graph` then
# freeze_graph, a SavedModel, constants folded in).
_EXPORT_APIS = (
    "tf.train.write_graph",
    "tf.io.write_graph",
    "tf.graph_util.convert_variables_to_constants",
    "tf.python.framework.graph_util.convert_variables_to_constants",
    "tf.saved_model.simple_save",
    "tf.saved_model.builder.SavedModelBuilder",
)
_RESTORE_APIS = {
    "slim.assign_from_checkpoint_fn",
    "slim.assign_from_checkpoint",
    "tf.train.init_from_checkpoint",
    "slim.evaluation.evaluate_once",
    "slim.evaluation.evaluation_loop",
    "tf.saved_model.loader.load",
}


def _calls_in(node: cst.CSTNode) -> List[cst.Call]:
    out = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            out.append(current)
        if isinstance(current, cst.Lambda):
            continue
        stack.extend(children(current))
    return out


def keyword_args(call: cst.Call) -> Dict[str, cst.BaseExpression]:
    return {a.keyword.value: a.value for a in call.args if a.keyword is not None}


# tf.make_template's own keywords: any other is bound to the wrapped function's parameters
_TEMPLATE_KEYWORDS = {"name_", "func_", "create_scope_now_", "unique_name_", "custom_getter_"}


def _template_function(value: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """The function `tf.make_template('pixel_vae', pixel_vae)` wraps (calling the template calls it, sharing its
    variables); None when the template also binds some of its arguments."""
    if not (isinstance(value, cst.Call) and (dotted(value.func) or "").rsplit(".", 1)[-1] == "make_template"):
        return None
    positional = [a for a in value.args if a.keyword is None]
    if any(a.star for a in value.args) or len(positional) > 2 or any(
            a.keyword.value not in _TEMPLATE_KEYWORDS for a in value.args if a.keyword is not None):
        return None
    given = positional[1].value if len(positional) == 2 else next(
        (a.value for a in value.args if a.keyword is not None and a.keyword.value == "func_"), None)
    return given if isinstance(given, (cst.Name, cst.Attribute)) else None


# Keys of a params dict that decide what slimlint reports (batch norm's mode and collections, a mode handed on).
_DECIDING_KEYS = frozenset(MODE_PARAM_NAMES) | {"updates_collections", "variables_collections", "normalizer_fn",
                                                "normalizer_params"}


def _only_aliases(body: cst.BaseSuite) -> FrozenSet[str]:
    """The names a `with` body binds others to (`train_op = train_op_G`), when all it does is that: no call, so
    it creates no op; empty otherwise."""
    statements = list(getattr(body, "body", ()))
    aliased = set()
    for stmt in statements:
        smalls = stmt.body if isinstance(stmt, cst.SimpleStatementLine) else None
        if smalls is None or find_all(stmt, cst.Call):
            return frozenset()
        for small in smalls:
            if isinstance(small, cst.Assign) and dotted(small.value):
                aliased.add(dotted(small.value))
            elif not isinstance(small, cst.Pass):
                return frozenset()
    return frozenset(aliased)


def _main_guard(test: cst.BaseExpression) -> bool:
    """`if __name__ == '__main__':` (a script's whole body)."""
    return isinstance(test, cst.Comparison) and dotted(test.left) == "__name__" and len(test.comparisons) == 1 \
        and isinstance(test.comparisons[0].comparator, cst.SimpleString) \
        and test.comparisons[0].comparator.evaluated_value == "__main__"


def _tests_not_none(test: cst.BaseExpression, value: cst.BaseExpression) -> bool:
    """`if value is not None:`"""
    return isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
        and isinstance(test.comparisons[0].operator, cst.IsNot) and dotted(test.comparisons[0].comparator) == "None" \
        and dotted(test.left) is not None and dotted(test.left) == dotted(value)


# dict methods that change its items (for literal_dict: the dict is then no longer the literal it was bound to)
_DICT_CHANGES = {"update", "setdefault", "pop", "popitem", "clear"}


def literal_dict(expr: Optional[cst.BaseExpression], func: FunctionInfo, module_func: FunctionInfo,
                 depth: int = 0, at: Optional[int] = None) -> Optional[Dict[str, cst.BaseExpression]]:
    """The items of a dict literal, `dict(k=v)`, or a name bound (last, in `func` or at module level) to
    one; None when they cannot be read (a `**spread` inside, a dict built by a call)."""
    if isinstance(expr, cst.Name) and depth < 3:
        scope = func if expr.value in func.assignments else module_func
        assigned = scope.assignments.get(expr.value)
        if not assigned:
            return None
        items = literal_dict(assigned[-1][0], func, module_func, depth + 1)
        writes = scope.item_writes.get(expr.value, ())
        if items is None or writes is None:
            return None  # changed in ways this does not read (`params.update(...)`)
        # `params['is_training'] = is_training` after the literal (also under `if is_training is not None:`),
        # before the use at order `at` (a module-level dict used in a function: whatever the module wrote)
        if at is not None and scope is not func:
            at = None
        return {**items, **{key: value for key, value, binding, order in writes
                            if binding == len(assigned) and (at is None or order < at)}}
    if isinstance(expr, cst.Dict):
        items = {}
        for el in expr.elements:
            if not isinstance(el, cst.DictElement) or not isinstance(el.key, cst.SimpleString):
                return None
            items[str(el.key.evaluated_value)] = el.value
        return items
    # `dict(key=value)` only: `dict(base, ...)` copies a dict this cannot read
    if isinstance(expr, cst.Call) and dotted(expr.func) == "dict" and all(a.keyword is not None and not a.star for a in expr.args):
        return keyword_args(expr)
    return None


def returned_dict(call: cst.Call, functions: List[FunctionInfo], module_func: FunctionInfo) -> Optional[Dict[str, cst.BaseExpression]]:
    """The items of the one dict literal a module-level function returns, for a call of it by name, its parameters
    read as what the call passes (or their defaults): `def bn_params(is_training): return {"is_training":
    is_training, "updates_collections": None}`, then `normalizer_params=bn_params(flag)` or `**bn_params(flag)`.
    Items whose parameter the call does not give (or spreads) are left out; None when it cannot be read."""
    if not isinstance(call.func, cst.Name) or any(a.star for a in call.args):
        return None
    callee = next((f for f in functions if f.qualname == call.func.value and f.node is not None), None)
    if callee is None:
        return None
    returns = [r for r in m.findall(callee.node.body, m.Return()) if r.value is not None]
    items = literal_dict(returns[0].value, callee, module_func) if len(returns) == 1 else None
    if items is None:
        return None
    passed = dict(zip(callee.params, [a.value for a in call.args if a.keyword is None]))
    passed.update({a.keyword.value: a.value for a in call.args if a.keyword is not None})
    out = {}
    for key, value in items.items():
        if isinstance(value, cst.Name) and value.value in callee.params and value.value not in callee.assignments:
            value = passed.get(value.value, callee.defaults.get(value.value))
            if value is None:
                continue
        out[key] = value
    return out


def session_run(call: cst.Call) -> bool:
    """A session run: `sess.run(...)`, or `tensor.eval(feed_dict=...)` (a session run of the tensor; the feed
    or session keyword tells it from a `model.eval()` that switches a PyTorch module's mode)."""
    if not isinstance(call.func, cst.Attribute):
        return False
    attr = call.func.attr.value
    return attr == "run" or attr == "eval" and any(
        a.keyword is not None and a.keyword.value in ("feed_dict", "session") for a in call.args)


def _tensor_eval(run: cst.Call) -> bool:
    """`tensor.eval(feed_dict=...)`, or an op's own `train_step.run(feed_dict=...)` (no fetches given: the receiver
    is what runs)."""
    if not isinstance(run.func, cst.Attribute):
        return False
    if run.func.attr.value == "eval":
        return True
    return run.func.attr.value == "run" and not any(a.keyword is None or a.keyword.value == "fetches" for a in run.args) \
        and any(a.keyword is not None and a.keyword.value == "feed_dict" for a in run.args)


def run_feed(run: cst.Call) -> Optional[cst.BaseExpression]:
    """What a `sess.run(fetches, feed_dict)` call feeds: its `feed_dict=` or its second positional argument
    (the first of a `tensor.eval(feed_dict)`)."""
    feed = next((a.value for a in run.args if a.keyword is not None and a.keyword.value == "feed_dict"), None)
    positional = [a.value for a in run.args if a.keyword is None and not a.star]
    at = 0 if _tensor_eval(run) else 1
    return feed if feed is not None else (positional[at] if len(positional) > at else None)


def run_fetches(run: cst.Call) -> Optional[cst.BaseExpression]:
    """What a `sess.run(fetches, ...)` call fetches: its first positional argument or its `fetches=`; the
    tensor a `tensor.eval(feed_dict=...)` evaluates."""
    if _tensor_eval(run):
        return run.func.value
    if run.args and run.args[0].keyword is None and not run.args[0].star:
        return run.args[0].value
    return next((a.value for a in run.args if a.keyword is not None and a.keyword.value == "fetches"), None)


def _minimizes(fn: cst.BaseExpression) -> bool:
    """`lambda loss: optimizer.minimize(loss, ...)`: a callback that builds a train op."""
    body = fn.body if isinstance(fn, cst.Lambda) else None
    return isinstance(body, cst.Call) and isinstance(body.func, cst.Attribute) and body.func.attr.value in api.TRAIN_OP_METHODS


def positional_args(call: cst.Call) -> Tuple[cst.BaseExpression, ...]:
    return tuple(a.value for a in call.args if a.keyword is None and not a.star)


# Links of a call chain followed (`self.feed('data').conv(...).pool(...)`): the index resolves each link from the
# one before it, recursively.
_CHAIN_LIMIT = 60
# Packages whose calls return no project class (FunctionInfo.returned_classes need not list them).
_LIBRARY_ROOTS = frozenset({"tensorflow", "tf", "numpy", "np", "keras", "tf_slim", "scipy", "cv2"})

class ModuleBuilder(FastVisitor):
    def __init__(self, module: cst.Module, star_aliases: Tuple[Tuple[str, str], ...] = ()) -> None:
        super().__init__()
        self.module_func = FunctionInfo(node=None, name="<module>", qualname="<module>", class_name=None)
        self.functions: List[FunctionInfo] = [self.module_func]
        self.table = ImportTable(module, star_aliases)
        self.options = CommandLineOptions(module)  # the file's command-line options, scanned when first asked
        self._dynamic_imports = DynamicImports(module, self.table, self.options)
        # `network = importlib.import_module(args.model_def)`: name -> the project modules it may hold
        self.dynamic_modules: Dict[str, Tuple[str, ...]] = {}
        self.dynamic_options: Dict[str, str] = {}  # name -> the option its module name comes from (`args.model_def`)
        self.instance_param_classes: Set[str] = set()  # classes passing `normalizer_params=self.<name>`
        self.lambda_names: Set[str] = set()  # names (and attribute names) in lambda bodies, which are not walked
        self.attribute_names: Set[str] = set()  # every `.name` the file reads or writes, but `self.name` in a class
        self.self_attribute_uses: Dict[Tuple[str, str], int] = {}  # (class, name) -> how often `self.name` in its methods
        # Names that are not uses of a value: a def's own name, a keyword argument's name (visit_Name counts them).
        self.not_uses: Dict[str, int] = {}
        self.aliases = self.table.aliases
        module_defs = _module_level_defs(module.body)
        self.local_functions = {d.name.value for d in module_defs}
        # A module-level function defined more than once (a notebook redefines `encoder` after
        # `tf.reset_default_graph()`): each earlier definition gets a qualname of its own, `encoder~1`, so
        # module-level calls reach the definition in effect when they run; function bodies and other modules,
        # which run later, reach the last one (the plain name).
        self._redefinitions = _redefinition_names(module_defs)  # id(def) -> its qualname
        self._defined_now: Dict[str, str] = {}  # name -> qualname of the definition module code reaches now
        self._top_functions = {d.name.value for d in module_defs if isinstance(d, cst.FunctionDef)}
        self._definitions: Dict[str, List[Tuple[int, str]]] = {}  # redefined name -> (order, qualname) of each def
        # Calls of a redefined name in function bodies: bound once the module's calls of the function are known
        self._late_bound: List[Tuple[CallSite, str, str]] = []
        self._fluent_decorators: Set[str] = set()  # module functions that are fluent layer decorators (fluent.py)
        self._star_modules = project_star_modules(module.body)
        self.has_train_ops = False
        self.restores_checkpoint = False
        self.evaluation_loop = False  # slim.evaluation.evaluate_once / evaluation_loop
        # key -> where it can enter a `**kwargs` dict (kwargs_flow.py; ProjectIndex.keys_written)
        self.keys_written: Dict[str, Set[tuple]] = {}
        self.graph_resets: List[int] = []  # orders of module-level `tf.reset_default_graph()` calls (a notebook's parts)
        self._applied_classes: Set[int] = set()  # ids of `tf.layers.BatchNormalization(...)` applied at once
        self.graph_blocks: List[Tuple[int, int]] = []  # order spans of module-level `with <graph>.as_default():`
        self._graph_blocks: Dict[int, int] = {}
        self.exports_graph = False  # writes the graph out for serving or freezing (_EXPORT_APIS)
        self.is_script = False  # has an `if __name__ == "__main__":` block, or calls something at module level
        self.decorated_classes: Set[str] = set()
        self.framework_markers = False  # a TestCase, a test framework's import, tf.test's own API
        self.script_calls: Set[str] = set()  # what module-level statements call (`main()`, `tf.app.run()`)
        self._test_functions: Set[str] = set()  # module-level `def test...` names
        self.runs: List[frozenset] = []  # names fetched by each `sess.run(...)` / slim.learning.train(...)
        # (names fetched, names of the feed_dict's keys or None when it cannot be read) of each `sess.run(...)`
        self.run_feeds: List[Tuple[frozenset, Optional[frozenset]]] = []
        self.keras_bn_applications: List[Tuple[cst.Call, FunctionInfo]] = []
        self.reads_layer_updates = False
        self.classes: Dict[str, Tuple[Tuple[str, ...], Dict[str, cst.BaseExpression]]] = {}  # name -> (bases, constants)
        self.class_method_calls: Dict[str, FrozenSet[str]] = {}
        # instance name (or "Class.self.attr") -> the qualified names of the classes assigned to it, in order
        # (`if kind == "ctc": self.encoder = CTCEncoder(...)` / `else: self.encoder = XEEncoder(...)`)
        self.instances: Dict[str, Tuple[str, ...]] = {}
        # `model.compute_loss(...)` where `model` is a parameter (or `self.model`, kept from one): resolved through
        # what callers pass once the whole file is read, and again once the project's callers are known
        self.parameter_calls = ParameterCalls()
        self._param_attrs: Dict[str, Tuple[str, str]] = {}  # "Class.self.attr" -> (method, parameter) it was kept from
        self._func_stack: List[FunctionInfo] = [self.module_func]
        # `Dropout = tf.layers.dropout` inside a function (alpha-zero-general's style): bound in that function
        # (and the functions nested in it) from the assignment on, unlike module-level aliases (ImportTable).
        self._local_aliases: List[Dict[str, str]] = [{}]
        self._class_stack: List[str] = []
        self._stmt_stack: List[cst.CSTNode] = []
        self._frames: List[ArgScopeFrame] = []
        self._blocks: List[ControlBlock] = []
        self._groupings: List[Grouping] = []
        self._call_kinds: List[str] = []
        self._with_pushes: List[Tuple[int, int, int]] = []
        self._scope_asnames: Dict[str, Tuple[ArgScopeFrame, ...]] = {}
        self._skip_calls: Set[int] = set()
        self._region_blocks: Dict[int, str] = {}  # Estimator mode branches: block -> "eval" | "train"
        self._guard_blocks: Dict[int, Tuple[FunctionInfo, Guard]] = {}  # `if bn:` bodies -> the parameter test
        self._guards: List[Tuple[FunctionInfo, Guard]] = []
        self._region_starts: List[int] = []
        self.savers: List[SaverOfTrainables] = []  # Saver(trainable variables)
        self.save_receivers: Set[str] = set()  # `x.save(...)`: x (a saver that writes checkpoints)
        self.restore_receivers: Set[str] = set()  # `x.restore(...)`: x (a saver that reads checkpoints)
        self.restoring_calls: Set[int] = set()  # ids of calls whose result is restored from at once
        self.fraction_dropout = False  # calls tf.nn.dropout or an RNN DropoutWrapper somewhere
        self.bool_fed: Dict[str, Set[str]] = {}  # name -> constants fed somewhere: `{is_training: False}` -> {"False"}
        self._reuse_depth = 0
        self._in_target = 0
        self._targets: Tuple[str, ...] = ()
        self._stmt: Optional[cst.SimpleStatementLine] = None
        self._returning = False
        self.order = 0
        self.run_orders: Dict[int, int] = {}  # id(`*.run(...)` call) -> its order
        # name -> order of the statement that gave it (statement paths, for moving statements)
        self.paths: Dict[int, Tuple[cst.CSTNode, ...]] = {}
        self._arg_scope_wrappers = self._find_arg_scope_wrappers(module)

    def _find_arg_scope_wrappers(self, module: cst.Module) -> FrozenSet[str]:
        """Functions of this module that return `slim.arg_scope(<their first parameter>, **...)`: slim's own
        `safe_arg_scope(funcs, **kwargs)` (mobilenet) drops None values and opens the scope; a `with` of one
        is an arg_scope over the ops it is given."""
        out = set()
        for stmt in module.body:
            if not isinstance(stmt, cst.FunctionDef) or not stmt.params.params:
                continue
            first = stmt.params.params[0].name.value
            for ret in find_all(stmt.body, cst.Return):
                call = ret.value
                if isinstance(call, cst.Call) and (call.args and call.args[0].keyword is None and not call.args[0].star
                        and isinstance(call.args[0].value, cst.Name) and call.args[0].value.value == first
                        and self.canonical(call.func) in api.ARG_SCOPE):
                    out.add(stmt.name.value)
        return frozenset(out)

    def is_arg_scope_call(self, call: cst.Call) -> bool:
        """`slim.arg_scope(...)`, or a call of one of this module's arg_scope wrappers (_find_arg_scope_wrappers)."""
        if self.canonical(call.func) in api.ARG_SCOPE:
            return True
        return isinstance(call.func, cst.Name) and call.func.value in self._arg_scope_wrappers and not self._bound_here(call.func.value)

    # --- name resolution ------------------------------------------------------------------

    def qualified(self, node: cst.CSTNode) -> List[str]:
        """Candidate qualified names: the import-resolved one, or a function of this module."""
        full = self.table.resolve(node)
        text = dotted(node)
        head, _, rest = (text or "").partition(".")
        if full is not None:
            if rest and head in self.table.alternatives and head not in self.table.mode_picked \
                    and full.startswith(self.table.names.get(head, "\0") + "."):
                # `if arch == 'reg': import model_reg as model` / `elif ...: import model_dan as model`: any of them
                return [f"{module}.{rest}" for module in self.table.alternatives[head]]
            return [full]
        if head in self.local_functions:
            if head not in self._top_functions or not self.func.is_module:
                return [text]  # a function body: bound later if the name is redefined (bind_redefined_calls)
            # Module code runs in order: a function it calls before any `def` of it is not this module's
            # (NameError in a script; in a notebook, a cell that did not parse defined it).
            now = self._defined_now.get(head)
            return [now + text[len(head):]] if now else []
        if head in self.dynamic_modules and rest:
            return [f"{module}.{rest}" for module in self.dynamic_modules[head]]
        if text and self._star_modules and not self._bound_here(head):
            return star_candidates(text, self._star_modules)
        return []

    def _bound_here(self, name: str) -> bool:
        """A parameter or variable of the current function or the module: not a star-imported name."""
        func = self.func
        return name in func.params or name in func.assignments or name in self.module_func.assignments or name == "self"

    def resolve(self, node: cst.CSTNode) -> Optional[str]:
        """The fully qualified name of a Name / Attribute chain: the enclosing functions' aliases, then imports."""
        local = self._local_aliases[-1]
        if local:
            head, _, rest = (dotted(node) or "").partition(".")
            if head in local:
                return f"{local[head]}.{rest}" if rest else local[head]
        return self.table.resolve(node)

    def call_kwargs(self, call: cst.Call) -> Dict[str, cst.BaseExpression]:
        """The keywords a call passes, `**params` included when params is a dict literal bound in view
        (`batch_norm_params = {...}`); a SplatKwargs when it spreads a dict that cannot be read."""
        out: Dict[str, cst.BaseExpression] = {}
        opaque = False
        for arg in call.args:
            if arg.keyword is not None:
                out[arg.keyword.value] = arg.value
            elif arg.star == "**":
                items = literal_dict(arg.value, self.func, self.module_func, at=self.order)
                if items is None and isinstance(arg.value, cst.Call):
                    items = returned_dict(arg.value, self.functions, self.module_func)
                if items is None:
                    opaque = True
                else:
                    for key, value in items.items():
                        out.setdefault(key, value)
        return SplatKwargs(out) if opaque else out

    def canonical(self, node: cst.CSTNode) -> Optional[str]:
        full = self.resolve(node)
        return api.canonical(full) if full is not None else None

    # --- traversal bookkeeping --------------------------------------------------------------

    @property
    def func(self) -> FunctionInfo:
        return self._func_stack[-1]

    def _tick(self) -> int:
        self.order += 1
        return self.order

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self._stmt_stack.append(node)
            self.paths[id(node)] = tuple(self._stmt_stack)
        if id(node) in self._region_blocks:
            self._region_starts.append(self.order)
        if id(node) in self._guard_blocks:
            self._guards.append(self._guard_blocks[id(node)])
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        kind = self._region_blocks.get(id(original_node))
        if kind is not None and self._region_starts:
            region = (self._region_starts.pop(), self.order)
            regions = {"eval": self.func.eval_regions, "train": self.func.train_regions, "run-mode": self.func.run_mode_regions}
            regions[kind].append(region)
        if id(original_node) in self._guard_blocks and self._guards:
            self._guards.pop()
        if isinstance(original_node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self._stmt_stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._class_stack.append(node.name.value)
        self.not_uses[node.name.value] = self.not_uses.get(node.name.value, 0) + 1  # its own name is no use
        if node.decorators:
            self.decorated_classes.add(node.name.value)  # `@register('pin')`: a registry may build it by name
        bases = []
        for base in node.bases:
            text = dotted(base.value) or ""
            bases.append(text)
            if text.endswith("TestCase"):
                self.framework_markers = True
        # Class-level constants (`class Config: TRAIN_BN = False`), read later through instances.
        attrs: Dict[str, cst.BaseExpression] = {}
        if isinstance(node.body, cst.IndentedBlock):
            for stmt in node.body.body:
                if isinstance(stmt, cst.SimpleStatementLine):
                    for small in stmt.body:
                        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                            attrs[small.targets[0].target.value] = small.value
        self.classes[node.name.value] = (tuple(bases), attrs)
        # Method names its body calls (`self.feed('data').conv_bn(...)`): which of a base class's layers it builds.
        self.class_method_calls[node.name.value] = frozenset(
            call.func.attr.value for call in find_all(node.body, cst.Call) if isinstance(call.func, cst.Attribute))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._class_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.not_uses[node.name.value] = self.not_uses.get(node.name.value, 0) + 1
        outer = self.func
        class_name = self._class_stack[-1] if self._class_stack else None
        if outer.is_module:
            qual = f"{class_name}.{node.name.value}" if class_name else node.name.value
            if id(node) in self._redefinitions:
                qual = self._redefinitions[id(node)]
                self._definitions.setdefault(node.name.value, []).append((self.order, qual))
            if class_name is None:
                self._defined_now[node.name.value] = qual
        else:
            qual = f"{outer.qualname}.<locals>.{node.name.value}"
        params = node.params
        names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
        defaults = {p.name.value: p.default for p in (*params.posonly_params, *params.params, *params.kwonly_params) if p.default is not None}
        n_positional = len(params.posonly_params) + len(params.params)
        n_required = sum(1 for p in (*params.posonly_params, *params.params) if p.default is None)
        if outer.is_module and class_name is None and fluent.wraps_as_layer(node):
            self._fluent_decorators.add(node.name.value)
        fluent_layer = class_name is not None and len(names) >= 2 and any(
            isinstance(d.decorator, cst.Name) and d.decorator.value in self._fluent_decorators for d in node.decorators)
        if fluent_layer:
            # caffe-tensorflow's `@layer`: the decorator hands the layer its input and returns the network, so
            # `self.feed('data').conv(3, 3, 64, 1, 1, name='conv1')` passes the arguments after `input`.
            names = [names[0]] + names[2:]
            n_positional, n_required = n_positional - 1, n_required - 1
        info = FunctionInfo(node=node, name=node.name.value, qualname=qual, class_name=class_name, params=tuple(names), defaults=defaults,
                            n_positional=n_positional, n_required=n_required,
                            varargs=isinstance(params.star_arg, cst.Param), varkw=isinstance(params.star_kwarg, cst.Param))
        if fluent_layer:
            info.returned_classes = (class_name,)
        if node.name.value.startswith("test") and class_name is None and outer.is_module:
            # pytest style; one `def test_net(...)` alone is an evaluation script's entry point (detectron)
            if not any(p.default is None for p in node.params.params):
                # pytest calls a test with no arguments; `def test(model_dir, batch_size)` is a script's step
                self._test_functions.add(node.name.value)
        self.functions.append(info)
        self._func_stack.append(info)
        self._local_aliases.append(dict(self._local_aliases[-1]))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._func_stack.pop()
        self._local_aliases.pop()

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        # Not walked, but what its body names is called or read (`tf.cond(p, lambda: tower(x), ...)`).
        self.lambda_names.update(n.value for n in find_all(node.body, cst.Name))
        return False

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._stmt = node
        targets: List[str] = []
        first = node.body[0] if node.body else None
        if isinstance(first, cst.Assign):
            for t in first.targets:
                targets.extend(self._target_names(t.target))
        elif isinstance(first, (cst.AnnAssign, cst.AugAssign)):
            targets.extend(self._target_names(first.target))
        self._targets = tuple(targets)
        self._returning = isinstance(first, cst.Return)
        if self.func.is_module and not self._class_stack and isinstance(first, cst.Expr) and isinstance(first.value, cst.Call) \
                and not _setup_call(first.value):
            self.is_script = True  # runs something when executed (`main()`, `tf.app.run()`)
            self.script_calls.add(dotted(first.value.func) or "?")
        for block in self._blocks:
            block.assigned_inside.update(targets)
        if isinstance(first, (cst.Import, cst.ImportFrom)):
            self._note_import(first)
            if not self.func.is_module:
                self.table.add(first)

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self._stmt = None
        self._targets = ()
        self._returning = False

    def _note_import(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Import):
            names = [dotted(a.name) or "" for a in node.names]
        else:
            mod = dotted(node.module) if node.module is not None else ""
            names = [mod or ""]
            if not isinstance(node.names, cst.ImportStar):
                names += [f"{mod}.{a.name.value}" for a in node.names if isinstance(a.name, cst.Name)]
        for name in names:
            if name in ("unittest", "pytest", "absl.testing", "absl.testing.absltest") or name.startswith(("absl.testing", "unittest.")):
                self.framework_markers = True

    def _target_names(self, target: cst.BaseExpression) -> List[str]:
        if isinstance(target, cst.Name):
            return [target.value]
        if isinstance(target, cst.Attribute):
            d = dotted(target)
            return [d] if d else []
        if isinstance(target, (cst.Tuple, cst.List)):
            out: List[str] = []
            for el in target.elements:
                out.extend(self._target_names(el.value))
            return out
        return []

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._in_target += 1

    def leave_AssignTarget(self, original_node: cst.AssignTarget) -> None:
        self._in_target -= 1

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:  # `kwargs["is_training"] = ...`
            target = t.target
            if isinstance(target, cst.Subscript) and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index) \
                    and isinstance(target.slice[0].slice.value, cst.SimpleString):
                owner = target.value.value if isinstance(target.value, cst.Name) else None
                self._key_written(str(target.slice[0].slice.value.evaluated_value), owner, value=node.value)
                if owner is not None:
                    self._item_written(owner, str(target.slice[0].slice.value.evaluated_value), node.value)
            elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
                self._item_written(target.value.value, None, node.value)  # `params[key] = ...`: any key
        order = self.order
        func = self.func
        if not func.is_module and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            local, name = self._local_aliases[-1], node.targets[0].target.value
            full = self.resolve(node.value)
            if full is not None and api.canonical(full) is not None:
                local[name] = full
            else:
                local.pop(name, None)  # rebound to something else: no longer the TF function
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            modules = self._dynamic_imports.candidates(node.value)
            if modules:
                self.dynamic_modules[node.targets[0].target.value] = modules
                option = option_of(node.value)
                if option is not None:
                    self.dynamic_options[node.targets[0].target.value] = option
        value_is_updates = self.is_update_read(node.value) or self._only_update_names(node.value, func)
        if not value_is_updates and isinstance(node.value, cst.Call) and self.canonical(node.value.func) is None \
                and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            # `update_ops = get_update_ops()`: a project helper may read UPDATE_OPS (helper_reads.py decides)
            func.helper_results[node.targets[0].target.value] = (node.value, self._stmt)
        callee = node.value.func if isinstance(node.value, cst.Call) else None
        classes = self.qualified(callee) if callee is not None else []
        picked = isinstance(callee, cst.Name) and callee.value in self.table.alternatives
        if picked:
            classes = list(self.table.alternatives[callee.value])  # a class picked at run time: any of them
        # `self.d_bn1 = batch_norm(name='d_bn1')` under several star imports: the index knows which module
        # defines the class, so the instance keeps every candidate (unresolved ones resolve to nothing).
        picked = picked or (isinstance(callee, cst.Name) and len(classes) > 1 and self.table.resolve(callee) is None
                            and callee.value not in self.local_functions and callee.value not in self.dynamic_modules)
        for t in node.targets:
            for name in self._target_names(t.target):
                func.assignments.setdefault(name, []).append((node.value, order))
                if value_is_updates:
                    func.update_names.add(name)
                if name.startswith("self.") and self._class_stack and isinstance(node.value, cst.Name) \
                        and node.value.value in func.params and node.value.value not in SELF_NAMES:
                    # `self.loss_fn = loss_fn`: the attribute holds what callers pass for the parameter
                    self._param_attrs[f"{self._class_stack[-1]}.{name}"] = (func.qualname, node.value.value)
                if classes:
                    # `model = Net(...)`, `self.bn0 = batch_norm(...)`: what the name's methods resolve to.
                    key = f"{self._class_stack[-1]}.{name}" if name.startswith("self.") and self._class_stack else name
                    for found in classes if picked else classes[:1]:
                        if found not in self.instances.get(key, ()):
                            self.instances[key] = self.instances.get(key, ()) + (found,)

    # --- expressions ------------------------------------------------------------------------

    def value_names(self, expr: cst.CSTNode) -> Set[str]:
        """Names an expression reads (`self.x` kept whole), not counting what is called."""
        out: Set[str] = set()

        def walk(node: cst.CSTNode) -> None:
            if isinstance(node, cst.Name):
                out.add(node.value)
            elif isinstance(node, cst.Attribute):
                d = dotted(node)
                if d and d.startswith("self."):
                    out.add(d)
                else:
                    walk(node.value)
            elif isinstance(node, cst.Call):
                for a in node.args:
                    walk(a.value)
                if not isinstance(node.func, (cst.Name, cst.Attribute)):
                    walk(node.func)
                elif isinstance(node.func, cst.Attribute) and not isinstance(node.func.value, (cst.Name, cst.Attribute)):
                    walk(node.func.value)
            elif isinstance(node, (cst.Lambda,)):
                return
            else:
                for child in children(node):
                    walk(child)

        walk(expr)
        return out

    def loss_names(self, expr: cst.CSTNode) -> Set[str]:
        """TrainOp.loss_names: value_names, plus attributes by their dotted names (`gan.d_loss` and `gan.g_loss`
        are two losses, not one `gan`)."""
        return self.value_names(expr) | {d for d in map(dotted, find_all(expr, cst.Attribute)) if d}

    def is_update_read(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.IfExp):
            # `None if not self.update_mean_var else tf.get_collection(UPDATE_OPS)`: the updates, or on purpose none
            sides = (node.body, node.orelse)
            return any(self.is_update_read(side) for side in sides) and all(
                self.is_update_read(side) or _empty_value(side) for side in sides)
        if not isinstance(node, cst.Call):
            return False
        if self.canonical(node.func) not in api.GET_COLLECTION:
            return False
        key = None
        for a in node.args:
            if a.keyword is None or a.keyword.value in ("key", "name"):
                key = a.value
                break
        return key is not None and self._is_update_ops_key(key)

    def _is_update_ops_key(self, key: cst.BaseExpression) -> bool:
        if isinstance(key, cst.Name):
            # `UPDATE_OPS_COLLECTION = 'update_ops'` at module level (the widely copied ResNet batch norm): the
            # very string tf.GraphKeys.UPDATE_OPS holds
            bound = self.module_func.assignments.get(key.value, ())
            if len(bound) == 1 and isinstance(bound[0][0], cst.SimpleString):
                key = bound[0][0]
            elif not bound and key.value not in self.func.assignments \
                    and {"update", "updates"} & set(word_list(key.value)) and {"op", "ops"} & set(word_list(key.value)) \
                    and (key.value in self.table.names or self._star_modules):
                # the same constant imported from the model's module (`from resnet import UPDATE_OPS_COLLECTION`, or
                # `from resnet import *`): its value is that module's; named for update ops, read as them (not an
                # `EMA_UPDATES` collection of the code's own)
                return True
        if isinstance(key, cst.SimpleString):
            return key.evaluated_value == "update_ops"
        return self.canonical(key) in api.UPDATE_OPS_KEYS or (dotted(key) or "").endswith("GraphKeys.UPDATE_OPS")

    def contains_update_read(self, expr: cst.CSTNode) -> bool:
        if self.is_update_read(expr):
            return True
        return any(self.contains_update_read(c) for c in children(expr))

    def _only_update_names(self, expr: cst.BaseExpression, func: FunctionInfo) -> bool:
        known = func.update_names | self.module_func.update_names
        if not known:
            return False
        if isinstance(expr, (cst.ListComp, cst.GeneratorExp)) and expr.for_in.inner_for_in is None:
            # `[x for x in update_ops if 'generator' in x.name]`: one network's update ops
            loop = expr.for_in
            return isinstance(loop.iter, cst.Name) and loop.iter.value in known and isinstance(loop.target, cst.Name) \
                and isinstance(expr.elt, cst.Name) and expr.elt.value == loop.target.value
        names = self.value_names(expr)
        return bool(names) and names <= known

    # --- with blocks -------------------------------------------------------------------------

    def visit_With(self, node: cst.With) -> None:
        if self.func.is_module and not self._class_stack:
            self.is_script = True  # a module-level `with tf.Session():` runs when the file is executed
            if any(isinstance(i.item, cst.Call) and isinstance(i.item.func, cst.Attribute)
                   and i.item.func.attr.value == "as_default" and not i.item.args for i in node.items):
                self._graph_blocks[id(node)] = self.order  # `with tf.Graph().as_default():` builds another graph
        frames = blocks = reuse = 0
        for item in node.items:
            call = item.item
            if not isinstance(call, cst.Call):
                continue
            name = self.canonical(call.func)
            if name in api.CONTROL_DEPENDENCIES and call.args:
                arg = call.args[0].value
                names = set(self.value_names(arg))
                if isinstance(arg, cst.Call) and self.canonical(arg.func) is None:
                    # `with tf.control_dependencies(get_update_ops()):`: the helper's result, used here, is
                    # what a name bound to it would be (helper_reads.py decides whether it is UPDATE_OPS).
                    inline = f"{dotted(arg.func) or 'helper'}()"  # named as the code writes it, for messages
                    self.func.helper_results[inline] = (arg, self._stmt)
                    self.func.helper_uses.setdefault(inline, []).append((self.order, tuple(self._stmt_stack), None))
                    names.add(inline)
                block = ControlBlock(
                    node=node,
                    arg=arg,
                    arg_names=frozenset(names),
                    inline_read=self.contains_update_read(arg),
                    func=self.func,
                    order=self._tick(),
                    aliased=_only_aliases(node.body),
                )
                self.func.blocks.append(block)
                self._blocks.append(block)
                blocks += 1
            elif self.is_arg_scope_call(call):
                frame = self._arg_scope_frame(call)
                self._frames.append(frame)
                frames += 1
                if item.asname is not None and isinstance(item.asname.name, cst.Name):
                    self._scope_asnames[item.asname.name.value] = tuple(self._frames)
            elif name in ("tf.variable_scope", "tf.name_scope"):
                if name == "tf.name_scope":
                    self.func.opens_name_scope = True
                else:
                    first = call.args[0].value if call.args and call.args[0].keyword is None \
                        else keyword_args(call).get("name_or_scope")
                    self.func.variable_scopes.append(literal_string(first))
                kw = keyword_args(call)
                reuse_arg = kw.get("reuse")
                if reuse_arg is not None and (dotted(reuse_arg) or "") in ("True", "tf.AUTO_REUSE", "tf1.AUTO_REUSE"):
                    self._reuse_depth += 1
                    reuse += 1
        self._with_pushes.append((frames, blocks, reuse))

    def leave_With(self, original_node: cst.With) -> None:
        if id(original_node) in self._graph_blocks:
            self.graph_blocks.append((self._graph_blocks.pop(id(original_node)), self.order))
        frames, blocks, reuse = self._with_pushes.pop()
        for _ in range(frames):
            self._frames.pop()
        for _ in range(blocks):
            self._blocks.pop().end_order = self.order
        self._reuse_depth -= reuse

    def _arg_scope_frame(self, call: cst.Call) -> ArgScopeFrame:
        ops = None
        factory = None
        first = call.args[0].value if call.args and call.args[0].keyword is None else None
        if isinstance(first, (cst.List, cst.Tuple)):
            names = set()
            for el in first.elements:
                c = self.canonical(el.value)
                names.add(c or (dotted(el.value) or "?"))
            ops = frozenset(names)
        elif isinstance(first, cst.Call):
            factory = self._call_site(first)
            self._skip_calls.add(id(first))
        elif isinstance(first, cst.Name) and first.value in self._scope_asnames:
            # `with arg_scope(sc):` re-enters a scope captured earlier in this file.
            frames = self._scope_asnames[first.value]
            return ArgScopeFrame(call=call, ops=None, kwargs={}, factory=None) if not frames else frames[-1]
        elif isinstance(first, cst.Name):
            assigned = self.func.assignments.get(first.value) or self.module_func.assignments.get(first.value)
            if assigned and isinstance(assigned[-1][0], cst.Call):
                factory = self._call_site(assigned[-1][0])
        elif isinstance(first, cst.Attribute) and (dotted(first) or "").startswith("self."):
            # `self.arg_scope = my_arg_scope(config, is_training=False)` in one method, `with
            # slim.arg_scope(self.arg_scope):` in another: the factory call is the scope's, if it is the only one.
            assigned = self._class_attribute_values(dotted(first))
            if len(assigned) == 1 and isinstance(assigned[0], cst.Call):
                factory = self._call_site(assigned[0])
        return ArgScopeFrame(call=call, ops=ops, kwargs=self.call_kwargs(call), factory=factory)

    @property
    def unit_test_markers(self) -> bool:
        """Written as a unit test: a test framework's marks, or two module-level `def test...` functions (pytest
        style) in a module whose own statements run nothing but those tests (a `__main__` block calling
        `test_output_shape()` keeps a test file runnable by hand). A script whose statements run something else
        (`main()` trains, `test()` and `test_model(sess, graph)` evaluate) is run by hand, not collected by pytest."""
        if self.framework_markers:
            return True
        return len(self._test_functions) >= 2 and not (self.script_calls - self._test_functions - _BENIGN_SCRIPT_CALLS)

    def _class_attribute_values(self, name: str) -> List[cst.BaseExpression]:
        """Values assigned to `self.<attr>` in the methods of the enclosing class read so far (this one included)."""
        cls = self.func.class_name
        if cls is None:
            return []
        return [value for f in self.functions if f.class_name == cls for value, _ in f.assignments.get(name, ())]

    def _run_mode_branch(self, node: cst.If, comp: cst.ComparisonTarget) -> None:
        """`if args.mode == "test":` / `if FLAGS.phase in ("export", "eval"):`: a script's own evaluation path.

        The whole value names evaluation ("train_and_eval" does not) and none of the values names training.
        """
        if not isinstance(comp.operator, (cst.Equal, cst.Is, cst.In)) or not _names_run_mode_option(node.test.left):
            return
        values = comp.comparator.elements if isinstance(comp.comparator, (cst.Tuple, cst.List, cst.Set)) else [comp.comparator]
        words = set()
        for value in values:
            value = value.value if isinstance(value, cst.BaseElement) else value
            if not isinstance(value, cst.SimpleString):
                return
            words.add(str(value.evaluated_value).strip().lower().replace("-", "_"))
        if words & _RUN_MODE_WORDS and not words & _TRAIN_MODE_WORDS:
            self._region_blocks[id(node.body)] = "run-mode"
        elif words and words <= _TRAIN_MODE_WORDS and isinstance(node.orelse, cst.Else):
            self._region_blocks[id(node.orelse)] = "run-mode"  # `if mode == "train": ... else:  # test & eval`

    def _run_flag_branch(self, node: cst.If) -> None:
        """`if args.test:` / `if not FLAGS.eval:` / `training = not args.test` then `if training: ... else:`:
        a script's evaluation path chosen by a boolean option."""
        flag = self._option_flag(node.test)
        if flag is None:
            return
        evaluates_when_true = flag
        if evaluates_when_true:
            self._region_blocks[id(node.body)] = "run-mode"
        elif isinstance(node.orelse, cst.Else):
            self._region_blocks[id(node.orelse)] = "run-mode"

    def _option_flag(self, expr: cst.BaseExpression, depth: int = 0) -> Optional[bool]:
        """For a test that reads a boolean option (an attribute of an options object, not of `self`, or a local
        name assigned from one): does it hold when the script evaluates (True) or when it trains (False)?"""
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
            inner = self._option_flag(expr.expression, depth)
            return None if inner is None else not inner
        if isinstance(expr, cst.Name) and depth == 0:
            assigned = self.func.assignments.get(expr.value)
            return self._option_flag(assigned[-1][0], depth + 1) if assigned and len(assigned) == 1 else None
        if not isinstance(expr, cst.Attribute) or not isinstance(expr.value, cst.Name) or expr.value.value in SELF_NAMES:
            return None
        words = set(expr.attr.value.lower().split("_"))
        if words & _RUN_MODE_WORDS and not words & _TRAIN_MODE_WORDS:
            return True
        if words & _TRAIN_MODE_WORDS and not words & _RUN_MODE_WORDS:
            return False
        return None

    def _note_restore(self) -> None:
        self.func.restores = True
        # A restore in a method of a class (a model's warm-start / resume helper, an agent's loader)
        # says nothing about what the whole file does; a script's own restore does.
        if self.func.class_name is None:
            self.restores_checkpoint = True

    def _current_guards(self) -> Tuple[Guard, ...]:
        return tuple(guard for func, guard in self._guards if func is self.func)

    def visit_If(self, node: cst.If) -> None:
        guard = parameter_guard(node.test, self.func.params)
        if guard is not None:
            self._guard_blocks[id(node.body)] = (self.func, guard)
            negated = else_guard(guard) if isinstance(node.orelse, cst.Else) else None
            if negated is not None:
                self._guard_blocks[id(node.orelse.body)] = (self.func, negated)
        test = node.test
        if isinstance(test, cst.Name):
            # `training = mode == tf.estimator.ModeKeys.TRAIN`, then `if training:`: the comparison it holds.
            values = self.func.assignments.get(test.value) or []
            if len(values) == 1 and isinstance(values[0][0], cst.Comparison) and any(
                    "ModeKeys." in (dotted(side) or "") for side in (values[0][0].left, *(c.comparator for c in values[0][0].comparisons))):
                test = values[0][0]
        if not isinstance(test, cst.Comparison):
            self._run_flag_branch(node)
            return
        if len(test.comparisons) != 1:
            return
        comp = test.comparisons[0]
        sides = [dotted(test.left) or "", dotted(comp.comparator) or ""]
        if self.func.is_module and {"__name__", "__main__"} <= {s.strip("'\"") for s in sides} | {
                getattr(comp.comparator, "evaluated_value", None)}:
            self.is_script = True
            # what the block's statements call, assignments included (`parser = build_parser()`): a test
            # module's block only runs its tests (set-up calls aside)
            for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
                for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
                    value = small.value if isinstance(small, (cst.Expr, cst.Assign)) else None
                    if isinstance(value, cst.Call) and not _setup_call(value):
                        self.script_calls.add(dotted(value.func) or "?")
        key = next((s for s in sides if "ModeKeys." in s), None)
        if key is None:
            self._run_mode_branch(node, comp)
            return
        equal = isinstance(comp.operator, (cst.Equal, cst.Is))
        unequal = isinstance(comp.operator, (cst.NotEqual, cst.IsNot))
        is_eval_key = key.endswith(_EVAL_MODE_KEYS)
        if (equal and is_eval_key) or (unequal and key.endswith("ModeKeys.TRAIN")):
            self._region_blocks[id(node.body)] = "eval"
        elif equal and key.endswith("ModeKeys.TRAIN"):
            self._region_blocks[id(node.body)] = "train"
            if node.orelse is not None:
                self._region_blocks[id(node.orelse)] = "eval"

    def visit_Dict(self, node: cst.Dict) -> None:
        for el in node.elements:
            if not isinstance(el, cst.DictElement):
                continue
            if isinstance(el.value, cst.Name) and (el.value.value in self.func.update_names
                                                    or el.value.value in self.module_func.update_names):
                # `targets = {'train_op': train_op, 'update': update_ops}`: a dict of fetches another module's
                # `sess.run(self.targets['gen'])` runs, update ops and all; where it goes is not followed.
                self.func.update_other_use = True
            if isinstance(el.key, cst.SimpleString):
                self._key_written(str(el.key.evaluated_value))
                if isinstance(el.value, cst.Name) and el.value.value in ("True", "False") \
                        and str(el.key.evaluated_value).endswith(":0"):
                    # `{'is_training:0': True}`: a restored graph's tensor fed by its name (graph_names.py)
                    self.bool_fed.setdefault(str(el.key.evaluated_value), set()).add(el.value.value)
            elif isinstance(el.value, cst.Name) and el.value.value in ("True", "False") and dotted(el.key):
                # `{is_training: False}`, `{self.is_training: True}` (a model's own placeholder), `{net.is_training:
                # True}` (a model object's)
                self.bool_fed.setdefault(dotted(el.key), set()).add(el.value.value)

    # --- calls -------------------------------------------------------------------------------

    def visit_Return(self, node: cst.Return) -> None:
        value = node.value
        func = self.func
        if value is not None:
            func.returned_names.update(self.value_names(value))
        if self._blocks and self._blocks[-1].func is func:
            self._blocks[-1].returns_inside = True
        if isinstance(value, cst.Name) and value.value in self._scope_asnames:
            func.returns_arg_scope = self._scope_asnames[value.value]
        elif isinstance(value, cst.Call) and self.is_arg_scope_call(value):
            func.returns_arg_scope = tuple(self._frames) + (self._arg_scope_frame(value),)
        elif isinstance(value, cst.Call):
            func.returns_call = value
        if value is not None and (self.is_update_read(value) or self._only_update_names(value, func)):
            func.returns_update_ops = True
        for cls in self._returned_classes(value):
            if cls not in func.returned_classes:
                func.returned_classes += (cls,)
        if isinstance(value, (cst.Name, cst.Attribute)) and not func.is_module and self.canonical(value) is None:
            # `return dp_multitask` in `select_model(name)`: a function handed back to be called (`model_fn =
            # select_model(FLAGS.model_type)`, then `model_fn(images, ..., False)`)
            head = (dotted(value) or "").partition(".")[0]
            if head and head not in func.assignments and head not in func.params and head not in SELF_NAMES:
                for name in self.qualified(value):
                    if name.partition(".")[0] not in _LIBRARY_ROOTS and name not in func.returned_callables:
                        func.returned_callables += (name,)

    def _returned_classes(self, value: Optional[cst.BaseExpression]) -> Tuple[str, ...]:
        """FunctionInfo.returned_classes of one `return`: the candidates the index resolves (a function among
        them is no class, and resolves to nothing then)."""
        if isinstance(value, cst.Name) and value.value in SELF_NAMES and self._class_stack:
            return (self._class_stack[-1],)  # `return self`: a fluent method
        if isinstance(value, cst.Name):
            return self._instance_classes(value.value)  # `net = Net(...)`, then `return net`
        if isinstance(value, cst.Call) and self.canonical(value.func) is None:
            found = tuple(q for q in self.qualified(value.func) if q.partition(".")[0] not in _LIBRARY_ROOTS)
            return found or self._table_targets(value.func)
        return ()

    def visit_Name(self, node: cst.Name) -> None:
        if self._in_target:
            return
        func = self.func
        func.loads[node.value] = func.loads.get(node.value, 0) + 1
        known = node.value in func.update_names or node.value in self.module_func.update_names
        if not known and node.value not in func.helper_results:
            return
        kind = self._call_kinds[-1] if self._call_kinds else ("other" if self._returning else None)
        if kind in ("ctrl", "group", "create"):
            grouping = self._groupings[-1] if kind == "group" and self._groupings else None
            uses = func.update_uses if known else func.helper_uses
            uses.setdefault(node.value, []).append((self.order, tuple(self._stmt_stack), grouping))
        elif kind == "other":
            if known:
                func.update_other_use = True
            else:
                func.helper_other_uses.add(node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.not_uses[node.keyword.value] = self.not_uses.get(node.keyword.value, 0) + 1

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self._class_stack and isinstance(node.value, cst.Name) and node.value.value == "self":
            key = (self._class_stack[-1], node.attr.value)
            self.self_attribute_uses[key] = self.self_attribute_uses.get(key, 0) + 1
        else:
            self.attribute_names.add(node.attr.value)
        if node.attr.value in ("updates", "get_updates_for"):
            self.reads_layer_updates = True  # keras layers' updates wired by hand (model.updates)

    def visit_Call(self, node: cst.Call) -> None:
        order = self._tick()
        self._note_keras_bn_application(node)
        self._note_applied_layer_class(node, order)
        if self._class_stack and any(a.keyword is not None and a.keyword.value == "normalizer_params"
                                     and (dotted(a.value) or "").startswith("self.") for a in node.args):
            self.instance_param_classes.add(self._class_stack[-1])
        if any(a.keyword is not None and a.keyword.value == "train_op_fn" and _minimizes(a.value) for a in node.args):
            self.func.trains_via_callback = True  # lambdas are not walked: note the train op it builds
        if isinstance(node.func, cst.Name) and node.func.value == "super" and node.args \
                and isinstance(node.args[0].value, cst.Name) and node.args[0].value.value in self._class_stack:
            # `super(Model_PIN, self).__init__(...)` in its own class: names the class without using it
            name = node.args[0].value.value
            self.not_uses[name] = self.not_uses.get(name, 0) + 1
        if isinstance(node.func, cst.Name) and node.func.value == "setattr" and node.args \
                and isinstance(node.args[0].value, cst.Name):
            for func in self._func_stack:  # an enclosing function's body holds it too
                func.setattr_names.add(node.args[0].value.value)
        attr = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
        if attr in api.TRAIN_OP_METHODS and node.args and self._optimizer_like(node.func.value):
            # `opt.minimize(...)`, also `tf.train.AdamOptimizer(0.01).minimize(...)`, which resolves to a TF name
            self._train_op(node, attr, node.func.value, order)
            kind = "other"
        else:
            name = self.canonical(node.func)
            kind = self._on_api_call(node, name, order) if name is not None else self._on_method_call(node, attr, order)
        self._call_kinds.append(kind)
        if attr in _DICT_CHANGES and isinstance(node.func.value, cst.Name):
            receiver = node.func.value.value
            if attr == "update" and node.args and all(a.keyword is not None and not a.star for a in node.args):
                for a in node.args:  # `params.update(center=True, scale=True)`
                    self._item_written(receiver, a.keyword.value, a.value)
            else:
                self._item_written(receiver, None, node)  # `params.update(other)`, `.pop(key)`: any key
        self._note_keys_written(node, attr)

    def _note_keys_written(self, node: cst.Call, attr: Optional[str]) -> None:
        """Where keys can enter a `**kwargs` dict (kwargs_flow.py): keyword arguments, with the project
        functions the call may reach (not those of a layer, `batch_norm(is_training=...)`), `**` forwardings,
        and `d.setdefault("key")` / `d.update(key=...)` on a named dict."""
        if not any(a.keyword is not None or a.star == "**" for a in node.args) and attr != "setdefault":
            return  # most calls: nothing to note, no name to resolve
        if self.canonical(node.func) in _MODE_TAKING_LAYERS:
            return
        receiver = node.func.value.value if attr in ("setdefault", "update") and isinstance(node.func.value, cst.Name) else None
        targets = tuple(self.qualified(node.func))
        for a in node.args:
            if a.star == "**":
                self.keys_written.setdefault(kwargs_flow.FORWARDED, set()).add((kwargs_flow.FORWARD, targets))
            elif a.keyword is not None:
                self._key_written(a.keyword.value, receiver, (kwargs_flow.KW, targets))
        if attr == "setdefault" and node.args and isinstance(node.args[0].value, cst.SimpleString):
            self._key_written(str(node.args[0].value.evaluated_value), receiver)

    def visit_Del(self, node: cst.Del) -> None:
        if isinstance(node.target, cst.Subscript) and isinstance(node.target.value, cst.Name):
            self._item_written(node.target.value.value, None, node.target)

    def _item_written(self, name: str, key: Optional[str], value: cst.BaseExpression) -> None:
        """`name['key'] = value` (key None: a change of any of the dict's items). literal_dict reads the dict's
        literal with its unconditional writes made before the use; a write it cannot place (a key computed, a
        key that decides batch norm or a mode written under a condition) makes the dict unreadable: its value
        there depends on the run."""
        writes = self.func.item_writes
        if writes.get(name, ()) is None:
            return
        if key is None or (key in _DECIDING_KEYS and not self._unconditional_write(value)):
            writes[name] = None
        elif key in _DECIDING_KEYS or self._unconditional_write(value):
            # which binding of the name it writes to (the one made last before it), and when
            writes.setdefault(name, []).append((key, value, len(self.func.assignments.get(name, ())), self.order))

    def _unconditional_write(self, value: cst.BaseExpression) -> bool:
        """Does the current statement run whenever its function does: only `with` blocks around it, or
        `if flag is not None:` around a write of that flag (slim's arg-scope factories: a mode left None
        keeps the layer's default, which slimlint then reads as given)."""
        node = self.func.node
        start = next((i + 1 for i, s in enumerate(self._stmt_stack) if s is node), 0)
        stack = self._stmt_stack[start:]
        # The enclosing statements; the last is the write's own line, unless the write sits in a one-line suite
        # (`if not training: params['is_training'] = False`), whose compound statement is then the last.
        enclosing = stack[:-1] if stack and isinstance(stack[-1], cst.SimpleStatementLine) else stack
        for i, s in enumerate(enclosing):
            if isinstance(s, cst.With):
                continue
            inner = stack[i + 1] if i + 1 < len(stack) else None
            in_body = isinstance(s, (cst.If, cst.Try)) and (
                any(inner is b for b in s.body.body) if inner is not None
                else isinstance(s.body, cst.SimpleStatementSuite) and not getattr(s, "orelse", None))
            if isinstance(s, cst.If) and in_body and (_tests_not_none(s.test, value) or _main_guard(s.test)):
                continue
            if isinstance(s, cst.Try) and in_body:
                continue  # a `try:` body runs (up to an exception)
            return False
        return True

    def _key_written(self, key: str, receiver: Optional[str] = None, record: Optional[tuple] = None,
                     value: Optional[cst.BaseExpression] = None) -> None:
        if receiver is not None:
            # Ordered after the last call; its value kept when a literal and the write is not conditional.
            literal = kwargs_flow.literal_text(value) if self._unconditional() else None
            record = (kwargs_flow.WRITE, self.func.qualname, receiver, self.order + 0.5, literal)
        self.keys_written.setdefault(key, set()).add(record or (kwargs_flow.LITERAL,))

    def _unconditional(self) -> bool:
        """Does the current statement run whenever its function does (only `with` blocks around it)?"""
        node = self.func.node
        start = next((i + 1 for i, s in enumerate(self._stmt_stack) if s is node), 0)
        return all(isinstance(s, cst.With) for s in self._stmt_stack[start:-1])

    def _note_keras_bn_application(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Call) and self.canonical(node.func.func) in api.KERAS_BATCH_NORM:
            self.keras_bn_applications.append((node, self.func))  # BatchNormalization(...)(x, training=...)
            return
        d = dotted(node.func)
        owner = self._instance_class(d) if d else None
        if owner and api.canonical(owner) in api.KERAS_BATCH_NORM:
            self.keras_bn_applications.append((node, self.func))  # bn = BatchNormalization(); bn(x, training=...)

    def _on_api_call(self, node: cst.Call, name: str, order: int) -> str:
        """A call of a TF / slim API (or of a project function): the handler of its canonical name, by table."""
        if name.startswith("tf.keras.") and not name.startswith("tf.keras.backend."):
            self.func.keras_call_orders.append(order)  # maybe a Keras model built (learning_phase.py)
        if name in api.FRACTION_DROPOUT:
            self.fraction_dropout = True  # kept_fractions.py walks only files that build one
        handler = _API_HANDLERS.get(name)
        if handler is not None:
            return getattr(self, handler)(node, name, order) or "other"
        if name.startswith("tf.test.") and name not in _TF_TEST_UTILITIES:
            self.framework_markers = True
        elif api.zoo_network(name) is not None or name.startswith("slim.nets."):
            self._record_call_site(node, order)
        return "other"

    def _on_method_call(self, node: cst.Call, attr: Optional[str], order: int) -> str:
        """A call through an object the import table cannot name (`saver.restore`, `sess.run`, a project call)."""
        kind = "other"
        if attr == "restore":
            self._note_restore()
            if dotted(node.func.value):
                self.restore_receivers.add(dotted(node.func.value))
            elif isinstance(node.func.value, cst.Call):
                self.restoring_calls.add(id(node.func.value))  # `tf.train.Saver(...).restore(sess, path)`
        elif attr == "save" and dotted(node.func.value):
            self._note_save_receiver(dotted(node.func.value))
        elif session_run(node):
            kind = "run"
            self.run_orders[id(node)] = order
            self.func.session_runs += 1
            self.func.run_call_orders.append(order)
            fetches = run_fetches(node)
            if fetches is not None:
                self.runs.append(frozenset(self.value_names(fetches)))
                # fetched attributes by their dotted names too (`sess.run(net.d_opt, ...)`: "net.d_opt")
                fetched_attrs = {dotted(a) for a in find_all(fetches, cst.Attribute)} - {None}
                self.run_feeds.append((self.runs[-1] | fetched_attrs, self._feed_keys(node)))
        if id(node) not in self._skip_calls:
            self._record_call_site(node, order)
        return kind

    def _feed_keys(self, node: cst.Call) -> Optional[frozenset]:
        """The names a `sess.run(fetches, {x: ..., z: ...})` feeds (also `feed_dict=`, or a name bound to a dict
        literal before the run: `feed_dict = {...}` shared by a GAN's two steps); None when that cannot be read."""
        feed = run_feed(node)
        if feed is None:
            return frozenset()
        if isinstance(feed, cst.Name):
            bound = self.func.assignments.get(feed.value, ())
            if not bound or feed.value in self.func.item_writes or (isinstance(bound[-1][0], cst.Dict)
                                                                    and not bound[-1][0].elements):
                return None  # filled or changed item by item (`feed_dict[x] = ...`): not the literal's keys
            feed = bound[-1][0]
        if not isinstance(feed, cst.Dict) or any(not isinstance(e, cst.DictElement) or dotted(e.key) is None
                                                 for e in feed.elements):
            return None
        return frozenset(dotted(e.key) for e in feed.elements)

    def _note_save_receiver(self, receiver: str) -> None:
        self.save_receivers.add(receiver)
        # `saver = self.best_saver if best else self.saver; saver.save(...)`
        for value, _ in self.func.assignments.get(receiver, ()):
            for option in (value.body, value.orelse) if isinstance(value, cst.IfExp) else (value,):
                if dotted(option):
                    self.save_receivers.add(dotted(option))

    def _on_repeat_or_stack(self, node: cst.Call, name: str, order: int) -> None:
        # slim.repeat(inputs, n, slim.conv2d, ...) / slim.stack(inputs, slim.fully_connected, ...)
        # build the layer they are given, which picks up the surrounding arg_scopes.
        positional = positional_args(node)
        index = 2 if name == "slim.repeat" else 1
        layer = self.canonical(positional[index]) if len(positional) > index else None
        if layer in api.NORMALIZED_LAYERS or layer in api.BATCH_NORM:
            self._on_layer(node, layer, order)

    def _note_applied_layer_class(self, node: cst.Call, order: int) -> None:
        """`tf.layers.BatchNormalization(momentum=0.9)(x, training=t)`: the TF1 layer class built and applied in
        one expression is `tf.layers.batch_normalization` with the two calls' arguments (`training` the second
        positional one of the application); its findings and fixes go to the application."""
        inner = node.func
        if not (isinstance(inner, cst.Call) and self.canonical(inner.func) == _LAYER_CLASS_BN):
            return
        kwargs = {**self.call_kwargs(inner), **self.call_kwargs(node)}
        positional = positional_args(node)
        if len(positional) > 1:
            kwargs.setdefault("training", positional[1])
        self._applied_classes.add(id(inner))
        self.func.layers.append(LayerCall(call=node, api=_LAYER_FUNCTION_BN, frames=tuple(self._frames), func=self.func,
                                          order=order, kwargs=kwargs, guards=self._current_guards()))

    def _on_layer(self, node: cst.Call, name: str, order: int) -> None:
        if id(node) in self._applied_classes:
            return  # counted with its application
        func = self.func
        func.layers.append(LayerCall(call=node, api=name, frames=tuple(self._frames), func=func, order=order,
                                     kwargs=self.call_kwargs(node), guards=self._current_guards()))

    def _on_hand_written_bn(self, node: cst.Call, name: str, order: int) -> None:
        """`tf.nn.moments` (batch statistics) and `tf.nn.batch_normalization` (the formula): the parts of a
        hand-written batch norm, whose mode a Python `if` may choose (branch_bn.py)."""
        if name == "tf.nn.moments":
            self.func.batch_moments.append((node, order, tuple(self._stmt_stack)))
        else:
            self.func.normalizes = True

    def _on_control_dependencies(self, node: cst.Call, name: str, order: int) -> str:
        return "ctrl"

    def _on_grouping(self, node: cst.Call, name: str, order: int) -> str:
        args = [a.value for a in node.args]
        grouping = Grouping(
            call=node,
            api=name,
            arg_names=frozenset(n for a in args for n in self.value_names(a)),
            inline_read=any(self.contains_update_read(a) for a in args),
            contains=(),
            func=self.func,
            order=order,
            targets=self._targets,
            first_arg_names=frozenset(self.value_names(args[0])) if args else frozenset(),
            bare=self._stmt is not None and len(self._stmt.body) == 1 and isinstance(self._stmt.body[0], cst.Expr)
            and self._stmt.body[0].value is node,
        )
        self.func.groupings.append(grouping)
        self._groupings.append(grouping)
        return "group"

    def _on_create_train_op(self, node: cst.Call, name: str, order: int) -> str:
        self._train_op(node, "create_train_op", None, order)
        return "create"

    def _on_get_collection(self, node: cst.Call, name: str, order: int) -> None:
        if not self.is_update_read(node):
            return
        stmt = self._stmt
        target = None
        if stmt is not None and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
            assign = stmt.body[0]
            if assign.value is node and len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name):
                target = assign.targets[0].target.value
        self.func.reads.append(UpdateOpsRead(call=node, func=self.func, order=order, target=target, statement=stmt,
                                             scoped=len(node.args) > 1))

    def _on_restore(self, node: cst.Call, name: str, order: int) -> None:
        self._note_restore()
        if name.startswith("slim.evaluation."):
            self.evaluation_loop = True  # it runs the evaluation itself: no `sess.run` in view

    def _on_set_learning_phase(self, node: cst.Call, name: str, order: int) -> None:
        phase = learning_phase_value(node)
        if phase is not None:
            self.func.learning_phases.append((phase, order, node))

    def _on_import_meta_graph(self, node: cst.Call, name: str, order: int) -> None:
        self.func.meta_graph_imports.append((node, order))

    def _on_export(self, node: cst.Call, name: str, order: int) -> None:
        if self.func.class_name is None:  # as for a restore: a class's own export helper says nothing of the file
            self.exports_graph = True

    def _on_loop(self, node: cst.Call, name: str, order: int) -> None:
        keyword, position = api.LOOP_BODIES[name]
        body = keyword_args(node).get(keyword)
        positional = positional_args(node)
        if body is None and len(positional) > position:
            body = positional[position]
        if body is not None:
            self.func.loop_bodies.append(body)  # runs in a while-loop frame (batch_norm.builds_bn_in_loop)

    def _on_reset_graph(self, node: cst.Call, name: str, order: int) -> None:
        if self.func.is_module:
            self.graph_resets.append(order)
        else:
            self.func.graph_resets.append(order)  # `main()` building one model, resetting, building the next

    def _on_cond(self, node: cst.Call, name: str, order: int) -> None:
        """`tf.cond(is_training, lambda: batch_norm(x, is_training=True, ...), lambda: batch_norm(x, is_training=False,
        reuse=True, ...))`: one batch norm whose mode is the predicate. Lambdas are not walked otherwise."""
        kw, positional = keyword_args(node), positional_args(node)
        parts = [kw.get(k) or kw.get(old) or (positional[i] if len(positional) > i else None)
                 for i, (k, old) in enumerate((("pred", "pred"), ("true_fn", "fn1"), ("false_fn", "fn2")))]
        pred, true_fn, false_fn = parts
        if pred is None or (isinstance(pred, cst.Name) and pred.value in ("True", "False")):
            return  # a constant predicate: TF1's cond rejects it, nothing to model
        names = [fn.body.value for fn in (true_fn, false_fn) if isinstance(fn, cst.Lambda) and isinstance(fn.body, cst.Name)]
        if names:
            # The branches pick tensors built before the cond: those ops run whatever the predicate says.
            self.func.cond_selections.append(CondSelection(node, tuple(names), order))
        calls = [fn.body if isinstance(fn, cst.Lambda) and isinstance(fn.body, cst.Call) else None for fn in (true_fn, false_fn)]
        if None in calls:
            return
        apis = [self.canonical(c.func) for c in calls]
        if apis[0] not in api.BATCH_NORM or apis[0] != apis[1]:
            return
        keyword = api.BATCH_NORM[apis[0]][0]
        modes = [dotted(keyword_args(c).get(keyword)) for c in calls]
        if modes != ["True", "False"]:
            return  # not the train / inference pair this reads as one layer
        kwargs = {**self.call_kwargs(calls[0]), keyword: pred}
        self.func.layers.append(LayerCall(call=calls[0], api=apis[0], frames=tuple(self._frames), func=self.func,
                                          order=order, kwargs=kwargs, guards=self._current_guards()))

    def _on_add_to_collection(self, node: cst.Call, name: str, order: int) -> None:
        if node.args and self._is_update_ops_key(node.args[0].value):
            self.func.adds_to_update_ops = True  # a hand-written batch norm that hands its updates to UPDATE_OPS

    def _on_saver(self, node: cst.Call, name: str, order: int) -> None:
        func = self.func
        arg = keyword_args(node).get("var_list") or (node.args[0].value if node.args and node.args[0].keyword is None else None)
        via = None
        if isinstance(arg, cst.Name):
            # `weights = tf.trainable_variables(scope=...)`, then `tf.train.Saver(weights)`
            via = arg.value
            assigned = func.assignments.get(via) or self.module_func.assignments.get(via)
            arg = assigned[0][0] if assigned and len(assigned) == 1 else None
        if isinstance(arg, cst.Call) and self.canonical(arg.func) in api.TRAINABLE_TO_ALL:
            self.savers.append(SaverOfTrainables(node, arg, func, via, self._targets))

    def _on_slim_train(self, node: cst.Call, name: str, order: int) -> None:
        self.has_train_ops = True
        if node.args:
            self.runs.append(frozenset(self.value_names(node.args[0].value)))

    def leave_Call(self, original_node: cst.Call) -> None:
        self._call_kinds.pop()
        if self._groupings and self._groupings[-1].call is original_node:
            self._groupings.pop()

    def _optimizer_like(self, receiver: cst.BaseExpression) -> bool:
        for q in self.qualified(receiver):
            if q.split(".")[0] in api.NOT_OPTIMIZER_ROOTS:
                return False
        return True

    def _train_op(self, node: cst.Call, kind: str, receiver, order: int) -> None:
        self.has_train_ops = True
        loss = None
        for a in node.args:
            if a.keyword is None or a.keyword.value in ("loss", "total_loss"):
                loss = a.value
                break
        loss_names = frozenset(self.loss_names(loss)) if loss is not None else frozenset()
        var_list = None
        if kind == "minimize":  # minimize(loss, global_step=None, var_list=None, ...)
            positional = positional_args(node)
            var_list = keyword_args(node).get("var_list") or (positional[2] if len(positional) > 2 else None)
        if kind == "apply_gradients":
            loss_names, var_list = self._gradient_loss_names(loss_names)
        op = TrainOp(
            call=node,
            kind=kind,
            receiver=receiver,
            func=self.func,
            order=order,
            statement=self._stmt,
            targets=self._targets,
            blocks=tuple(b for b in self._blocks if b.func is self.func),
            loss_names=loss_names,
            free_variables_only=self._free_variables(var_list),
            var_list=var_list,
        )
        self.func.train_ops.append(op)
        for g in self._groupings:
            g.contains = g.contains + (node,)

    def _free_variables(self, var_list: Optional[cst.BaseExpression]) -> bool:
        """A literal list of names, each bound once to `tf.Variable(...)` (TrainOp.free_variables_only)."""
        if not isinstance(var_list, (cst.List, cst.Tuple)) or not var_list.elements:
            return False
        for element in var_list.elements:
            if not isinstance(element.value, cst.Name):
                return False
            values = self.func.assignments.get(element.value.value) or self.module_func.assignments.get(element.value.value)
            if not values or len(values) != 1 or not isinstance(values[0][0], cst.Call) \
                    or self.canonical(values[0][0].func) != "tf.Variable":
                return False
        return True

    def _gradient_loss_names(self, names: frozenset) -> Tuple[frozenset, Optional[cst.BaseExpression]]:
        """For apply_gradients(grads): the loss the gradients came from (compute_gradients / tf.gradients),
        followed back through the assignments that clip or filter them, and the var_list given there."""
        func = self.func
        seen = set()
        todo = list(names)
        found = set()
        var_list = None
        while todo and len(seen) < 20:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for value, _ in func.assignments.get(name, ()):
                calls = [value] if isinstance(value, cst.Call) else []
                calls += [c for c in _calls_in(value) if c is not value]
                for call in calls:
                    attr = call.func.attr.value if isinstance(call.func, cst.Attribute) else None
                    if (attr == "compute_gradients" or self.canonical(call.func) == "tf.gradients") and call.args:
                        found |= self.loss_names(call.args[0].value)
                        kwargs = keyword_args(call)
                        positional = positional_args(call)
                        var_list = kwargs.get("var_list") or (positional[1] if len(positional) > 1 else None)
                if not found:
                    todo.extend(self.value_names(value))
        return frozenset(found) or names, var_list

    def _instance_class(self, name: str) -> Optional[str]:
        classes = self._instance_classes(name)
        return classes[0] if classes else None

    def _instance_classes(self, name: str) -> Tuple[str, ...]:
        if name.startswith("self.") and self._class_stack:
            return self.instances.get(f"{self._class_stack[-1]}.{name}", ())
        return self.instances.get(name, ())

    def _call_site_targets(self, node: cst.Call) -> Tuple[str, ...]:
        """The candidate qualified names of what a call reaches (also for an inner call of a chain)."""
        targets = tuple(self.qualified(node.func))
        d = dotted(node.func)
        if not targets and isinstance(node.func, cst.Name):
            # `model = tf.make_template('model', build_net)`, then `model(x)`: a call of build_net
            scope = next((f for f in reversed(self._func_stack) if node.func.value in f.assignments), None)
            wrapped = _template_function(scope.assignments[node.func.value][-1][0]) if scope is not None else None
            if wrapped is not None:
                return tuple(self.qualified(wrapped))
        if not targets and d is not None:
            owner, _, method = d.rpartition(".")
            if self._instance_classes(d):
                targets = tuple(f"{c}.__call__" for c in self._instance_classes(d))  # bn0(x): the instance's __call__
            elif owner and self._instance_classes(owner):
                targets = tuple(f"{c}.{method}" for c in self._instance_classes(owner))  # model.forward(x)
            elif owner == "self" and self._class_stack:
                targets = (f"{self._class_stack[-1]}.{method}",)
        if not targets:
            targets = self._table_targets(node.func)  # `networks_map[name](...)`, `func = networks_map[name]; func(...)`
        if not targets:
            targets = self._getattr_targets(node.func)  # `getattr(ops, self.conf.first_conv)(...)`
        if not targets and isinstance(node.func, cst.Call) and not isinstance(node.func.func, cst.Call):
            # `VGG(num_classes)(images, is_training=False)`: an object made and called at once (its __call__)
            made = self._call_site_targets(node.func)
            targets = tuple(f"{t}.__call__" for t in made if t.count(".") < _CHAIN_LIMIT)
        if not targets and isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Call):
            # `get_model(name).inference(x)`, `self.feed('data').conv(...)`: a method of what the inner call returns
            inner = self._call_site_targets(node.func.value)
            targets = tuple(f"{t}.{node.func.attr.value}" for t in inner if t.count(".") < _CHAIN_LIMIT)
        if not targets and self._super_call(node.func):
            # `super().__init__(...)` / `super(Net, self).build(...)`: the base classes' method.
            bases = self.classes.get(self._class_stack[-1], ((), {}))[0]
            targets = tuple(f"{q}.{node.func.attr.value}" for b in bases if b and b != "object"
                            for q in (self.qualified(cst.parse_expression(b)) or [b]))
        return targets

    def _getattr_targets(self, func: cst.BaseExpression) -> Tuple[str, ...]:
        """`getattr(ops, 'graph_conv')(...)`: that function of the module. With a name picked at run time
        (`getattr(ops, self.conf.first_conv)`), any function of the module: "ops.*", which the project index
        expands to the module's functions that take the call's arguments (ProjectIndex._site_targets)."""
        if not (isinstance(func, cst.Call) and isinstance(func.func, cst.Name) and func.func.value == "getattr"
                and len(func.args) == 2 and all(a.keyword is None and not a.star for a in func.args)):
            return ()
        owner = func.args[0].value
        owner_names = self.qualified(owner) if isinstance(owner, (cst.Name, cst.Attribute)) else []
        if not owner_names or (isinstance(owner, cst.Name) and owner.value in ("self", "cls")):
            return ()
        name = func.args[1].value
        if isinstance(name, cst.SimpleString):
            return tuple(f"{o}.{name.evaluated_value}" for o in owner_names)
        return tuple(f"{o}.*" for o in owner_names)

    def _call_site(self, node: cst.Call) -> CallSite:
        targets = self._call_site_targets(node)
        d = dotted(node.func)
        kw = keyword_args(node)
        reuse = self._reuse_depth > 0 or (dotted(kw["reuse"]) or "") in ("True", "tf.AUTO_REUSE") if "reuse" in kw else self._reuse_depth > 0
        site = CallSite(
            call=node,
            targets=targets,
            func=self.func,
            order=self.order,
            positional=positional_args(node),
            kwargs=kw,
            has_star=any(a.star for a in node.args),
            assigned_to=self._targets,
            in_reuse_scope=reuse,
            frames=tuple(self._frames),
            guards=self._current_guards(),
            blocks=tuple(self._blocks),
        )
        head = (d or "").partition(".")[0]
        if not self.func.is_module and head in self._definitions and len(self._func_stack) > 1:
            self._late_bound.append((site, head, self._func_stack[1].qualname))
        return site

    def bind_redefined_calls(self) -> None:
        """A function body's call of a redefined name runs the definition in effect when module code calls
        the function (a notebook calls `generator()` before it redefines `decoder`): each such definition is a
        candidate. A function module code never calls (called from other functions, or not at all) gets the
        last definition, the plain name."""
        for site, head, enclosing in self._late_bound:
            orders = [s.order for s in self.module_func.calls if enclosing in s.targets]
            effective = {max(((o, q) for o, q in self._definitions[head] if o < order), default=(0, head))[1]
                         for order in orders}
            rest = site.targets[0][len(head):] if site.targets else ""
            site.targets = tuple(q + rest for q in sorted(effective)) or site.targets

    def _table_targets(self, callee: cst.BaseExpression) -> Tuple[str, ...]:
        """The functions of a module-level dict of them a call picks from (slim's nets_factory: `networks_map =
        {'inception_v3': inception.inception_v3, ...}`, then `func = networks_map[name]` ... `func(images, ...)`,
        also from a function nested in the one that picked it)."""
        if isinstance(callee, cst.Name):
            for scope in reversed(self._func_stack):
                values = scope.assignments.get(callee.value)
                if values:
                    if all(isinstance(v, (cst.Name, cst.Attribute)) and dotted(v) for v, _ in values):
                        # `model_arch = MobilePaf` in one branch, `= MobilePose` in another, then `model_arch(...)`:
                        # every class or function bound to the name is a candidate.
                        out: List[str] = []
                        for value, _ in values:
                            out.extend(q for q in self.qualified(value) if q not in out)
                        return tuple(out)
                    callee = values[0][0] if len(values) == 1 else None
                    break
            else:
                return ()
        if not (isinstance(callee, cst.Subscript) and isinstance(callee.value, (cst.Name, cst.Dict))):
            return ()
        if isinstance(callee.value, cst.Dict):
            table = callee.value  # `{'small': Small, 'large': Large}[name]()`
        else:
            # The dict may be the picking function's own (`models = {'mini': Mini}; return models[name](n)`).
            scope = next((f for f in reversed(self._func_stack) if callee.value.value in f.assignments), self.module_func)
            tables = scope.assignments.get(callee.value.value)
            table = tables[0][0] if tables and len(tables) == 1 else None
        if not isinstance(table, cst.Dict) or not table.elements:
            return ()
        out: List[str] = []
        for element in table.elements:
            if not isinstance(element, cst.DictElement) or dotted(element.value) is None:
                return ()
            out.extend(q for q in self.qualified(element.value) if q not in out)
        return tuple(out)

    def _super_call(self, func: cst.BaseExpression) -> bool:
        return (bool(self._class_stack) and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call)
                and isinstance(func.value.func, cst.Name) and func.value.func.value == "super")

    def _record_call_site(self, node: cst.Call, order: int) -> None:
        site = self._call_site(node)
        if site.targets:
            self.func.calls.append(site)
            return
        owner, _, method = (dotted(node.func) or "").rpartition(".")
        if owner in self.func.params and owner not in SELF_NAMES:
            self.parameter_calls.add(site, self.func.qualname, owner, method)
        elif owner.startswith("self.") and self._class_stack and f"{self._class_stack[-1]}.{owner}" in self._param_attrs:
            self.parameter_calls.add(site, *self._param_attrs[f"{self._class_stack[-1]}.{owner}"], method)


# `tf.test` functions scripts call to see the machine (a notebook prints its GPU): not a test framework.
_TF_TEST_UTILITIES = frozenset(f"tf.test.{n}" for n in (
    "gpu_device_name", "is_gpu_available", "is_built_with_cuda", "is_built_with_gpu_support", "is_built_with_rocm",
    "is_built_with_xla"))
_LAYER_CLASS_BN, _LAYER_FUNCTION_BN = "tf.layers.BatchNormalization", "tf.layers.batch_normalization"
_MODE_TAKING_LAYERS = frozenset((*api.BATCH_NORM, *api.NORMALIZED_LAYERS, *api.DROPOUT))


def _module_level_defs(body) -> List[cst.CSTNode]:
    """The functions and classes module code defines, in order: also those inside a module-level `with`
    (`with graph.as_default():`), `if`, `try` or loop, not those inside a function or class."""
    out: List[cst.CSTNode] = []
    for stmt in body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            out.append(stmt)
        elif isinstance(stmt, cst.BaseCompoundStatement):
            for block in (stmt, getattr(stmt, "orelse", None), getattr(stmt, "finalbody", None),
                          *getattr(stmt, "handlers", ())):
                inner = getattr(block, "body", None)
                if isinstance(inner, cst.BaseSuite) and isinstance(inner.body, (list, tuple)):
                    out += _module_level_defs(inner.body)
    return out


def _redefinition_names(defs_in_order) -> Dict[int, str]:
    """id(def) -> qualname for module-level functions defined more than once: `name~1`, `name~2`, ... in
    order, and the plain name for the last."""
    defs: Dict[str, List[cst.FunctionDef]] = {}
    for stmt in defs_in_order:
        if isinstance(stmt, cst.FunctionDef):
            defs.setdefault(stmt.name.value, []).append(stmt)
    return {id(node): f"{name}~{k}" if k < len(nodes) else name
            for name, nodes in defs.items() if len(nodes) > 1 for k, node in enumerate(nodes, 1)}


def _empty_value(expr: cst.BaseExpression) -> bool:
    """`None`, `[]`, `()`: no ops at all."""
    return isinstance(expr, cst.Name) and expr.value == "None" or isinstance(expr, (cst.List, cst.Tuple)) and not expr.elements


def _names_run_mode_option(expr: cst.BaseExpression) -> bool:
    """`mode`, `args.mode`, `FLAGS.run_phase`, `self.config["mode"]`: an option that picks what runs."""
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        key = expr.slice[0].slice.value
        name = str(key.evaluated_value) if isinstance(key, cst.SimpleString) else ""
    else:
        name = (dotted(expr) or "").rsplit(".", 1)[-1]
    return bool(set(name.lower().split("_")) & _RUN_MODE_OPTIONS)


_HAND_WRITTEN_BN_APIS = ("tf.nn.moments", "tf.nn.batch_normalization", "tf.nn.batch_norm_with_global_normalization")


def _handler_table() -> Dict[str, str]:
    """Canonical API name -> ModuleBuilder handler; the first group that names an API wins."""
    groups = (
        (("slim.repeat", "slim.stack"), "_on_repeat_or_stack"),
        ((*api.BATCH_NORM, *api.NORMALIZED_LAYERS, *api.DROPOUT), "_on_layer"),
        (api.CONTROL_DEPENDENCIES, "_on_control_dependencies"),
        (api.GROUPING, "_on_grouping"),
        (api.CREATE_TRAIN_OP, "_on_create_train_op"),
        (api.GET_COLLECTION, "_on_get_collection"),
        (_RESTORE_APIS, "_on_restore"),
        (_EXPORT_APIS, "_on_export"),
        (tuple(api.LOOP_BODIES), "_on_loop"),
        (("tf.cond",), "_on_cond"),
        (("tf.reset_default_graph",), "_on_reset_graph"),
        (("tf.add_to_collection",), "_on_add_to_collection"),
        (("tf.train.Saver",), "_on_saver"),
        (("slim.learning.train",), "_on_slim_train"),
        (_HAND_WRITTEN_BN_APIS, "_on_hand_written_bn"),
        ((SET_LEARNING_PHASE,), "_on_set_learning_phase"),
        (("tf.train.import_meta_graph",), "_on_import_meta_graph"),
    )
    table: Dict[str, str] = {}
    for names, handler in groups:
        for name in names:
            table.setdefault(name, handler)
    return table


_API_HANDLERS = _handler_table()


# Module-level calls that set the process up (a library module does them too): `sys.path.append('../base')`,
# `warnings.filterwarnings(...)`, `matplotlib.use('Agg')`, `np.random.seed(0)`. They run nothing of the program.
_SETUP_PREFIXES = ("sys.path.", "warnings.", "logging.", "tf.logging.", "tf.compat.v1.logging.", "os.environ.",
                   "matplotlib.", "plt.", "np.set_printoptions", "print")
_SETUP_LAST_NAMES = {"seed", "set_random_seed", "set_verbosity", "filterwarnings", "simplefilter", "basicConfig",
                     "disable_eager_execution", "disable_v2_behavior", "setdefault"}


# Calls a test module's own statements may make besides its tests.
_BENIGN_SCRIPT_CALLS = frozenset({"print", "pytest.main", "unittest.main", "tf.test.main", "absltest.main"})


def _setup_call(call: cst.Call) -> bool:
    name = dotted(call.func) or ""
    return name.startswith(_SETUP_PREFIXES) or name.rsplit(".", 1)[-1] in _SETUP_LAST_NAMES
