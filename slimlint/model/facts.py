"""The facts the semantic model records about one file: plain dataclasses over LibCST nodes.

Orders (``order``) are a running count in source order, so "before" and "after" are comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from slimlint.model.walk import find_all

# Mode values an is_training / training argument can take.
TRUE = "true"
FALSE = "false"
PARAM = "param"  # a parameter of the enclosing function: the caller decides
DYNAMIC = "dynamic"  # a placeholder, a tensor, `mode == ModeKeys.TRAIN`: decided at run time
UNKNOWN = "unknown"  # FLAGS.x, self.x, anything we cannot read statically
DEFAULT = "default"  # not passed: the API's (or callee's) default applies


# The value of a keyword that an unresolvable `**params` may or may not set: classified as UNKNOWN.
OPAQUE: cst.BaseExpression = cst.Ellipsis()


class SplatKwargs(dict):
    """Keyword arguments of a call (or arg_scope) that also spreads a dict slimlint cannot read
    (`**batch_norm_params` built elsewhere): any keyword not written out may be in it."""

    def get(self, key, default=None):
        return super().get(key, OPAQUE)

    def __missing__(self, key):
        return OPAQUE

    def __contains__(self, key) -> bool:
        return True


@dataclass(frozen=True)
class ModeArg:
    """How one batch norm (or a network's mode parameter) gets its mode: the kind, and where a fix edits."""

    kind: str
    expr: Optional[cst.BaseExpression] = None  # the expression passed, for fixes
    param: Optional[str] = None  # for PARAM
    keyword: Optional[str] = None  # the keyword it is (or would be) passed as
    owner: Optional[cst.CSTNode] = None  # the call / dict that holds (or would hold) it
    # PARAM read through a string test (`is_training=(mode == 'train')`, string_modes.py): (strings, negated)
    predicate: Optional[Tuple[Tuple[str, ...], bool]] = None
    # Given as a string the callee tests (`Model(images, 'eval')`): no boolean can be written in its place.
    via_string: bool = False
    # FALSE read from a boolean option's default (`is_training=FLAGS.train`, the flag False unless given): the
    # option as the code spells it, for messages.
    by_option: Optional[str] = None


UPDATE_OPS = "UPDATE_OPS"
BN_API = "slim.batch_norm"
SLIM_PACKAGES = ("tensorflow.contrib.slim", "tf_slim")
INIT_PREFIX = "__init__:"  # a mode parameter of the class's constructor, reached through self.<attr>


def method_param(param: str) -> Optional[Tuple[str, str]]:
    """("__init__", "is_training") for "__init__:is_training": a parameter of one of the class's methods (the
    constructor, or a `build(self, is_training)` that sets `self.is_training`), read through self.<attr>."""
    method, sep, name = param.partition(":")
    return (method, name) if sep else None
# Parameter names a hand-written batch norm takes its mode by.
MODE_PARAM_NAMES = ("is_training", "training", "is_train", "train", "phase_train", "train_phase", "phase")


def updates_collection_of(expr: Optional[cst.BaseExpression], given: bool) -> Optional[str]:
    """Where batch norm puts its update ops, from its `updates_collections` argument: UPDATE_OPS (the
    default, or named), None (`None`: updated in place, nothing collected), or the name of another
    collection (a string, or another `GraphKeys.X`). A list holding UPDATE_OPS counts as UPDATE_OPS; what
    cannot be read (a parameter passed through, as slim's arg_scopes do) is taken as the default."""
    if not given or expr is None:
        return UPDATE_OPS
    if isinstance(expr, cst.Name) and expr.value == "None":
        return None
    values = [e.value for e in expr.elements] if isinstance(expr, (cst.List, cst.Tuple)) else [expr]
    names = []
    for value in values:
        if isinstance(value, cst.SimpleString):
            names.append(str(value.evaluated_value))
        elif isinstance(value, cst.Attribute) and isinstance(value.value, (cst.Attribute, cst.Name)) and (
                (value.value.attr.value if isinstance(value.value, cst.Attribute) else value.value.value) == "GraphKeys"):
            names.append(value.attr.value)
        else:
            return UPDATE_OPS
    if not names or UPDATE_OPS in names or "update_ops" in names:  # GraphKeys.UPDATE_OPS is "update_ops"
        return UPDATE_OPS
    return names[0]


def default_word(default: Optional[cst.BaseExpression]) -> str:
    """A parameter's default expression as FunctionSummary.mode_defaults records it: "true" | "false" | "none",
    or "other" for anything else (and for no default)."""
    if isinstance(default, cst.Name) and default.value in ("True", "False", "None"):
        return default.value.lower()
    return "other"


def mode_from_default(default: Optional[str]) -> str:
    """A parameter's default ("true" | "false" | "none" | "other", see FunctionSummary.mode_defaults) as a
    mode. None is UNKNOWN: slim's batch norm treats is_training=None as "decide at run time", tf.layers as
    False, so only the callee could say."""
    return {"true": TRUE, "false": FALSE}.get(default or "", UNKNOWN)


@dataclass
class ArgScopeFrame:
    """One `with slim.arg_scope(...)` level as the visitor saw it."""

    call: cst.Call
    ops: Optional[FrozenSet[str]]  # canonical op names it applies to; None when not a literal list
    kwargs: Dict[str, cst.BaseExpression]
    factory: Optional["CallSite"] = None  # `arg_scope(my_arg_scope(...))`: resolved with the project index


@dataclass
class LayerCall:
    """A call to batch norm itself, or to a slim layer that may normalise with it."""

    call: cst.Call
    api: str  # canonical name
    frames: Tuple[ArgScopeFrame, ...]
    func: "FunctionInfo"
    order: int
    kwargs: Dict[str, cst.BaseExpression]
    guards: Tuple["Guard", ...] = ()  # the function's `if <parameter>:` tests around it (guards.py)


# `if bn:` -> ("bn", "truthy", None); `if norm == "batch":` -> ("norm", "eq", "batch"); `if norm_fn is not None:`
# -> ("norm_fn", "notnone", None): a test of one of the enclosing function's parameters.
Guard = Tuple[str, str, Optional[str]]


@dataclass
class CallSite:
    """A call to something that is not TF itself: maybe a project function or a model-zoo net."""

    call: cst.Call
    targets: Tuple[str, ...]  # candidate qualified names of the callee
    func: "FunctionInfo"
    order: int
    positional: Tuple[cst.BaseExpression, ...]
    kwargs: Dict[str, cst.BaseExpression]
    has_star: bool
    assigned_to: Tuple[str, ...] = ()
    in_reuse_scope: bool = False
    frames: Tuple["ArgScopeFrame", ...] = ()  # arg_scopes around the call: they reach the callee's layers
    blocks: Tuple["ControlBlock", ...] = ()  # control_dependencies blocks around the call: ops the callee builds depend on them
    guards: Tuple[Guard, ...] = ()  # the function's `if <parameter>:` tests around it (guards.py)

    @property
    def bound(self) -> bool:
        """Called on something (`self.encoder(x)`, `model.build(x)`): a method's `self` is not passed."""
        return isinstance(self.call.func, cst.Attribute)


@dataclass
class ControlBlock:
    """`with tf.control_dependencies(arg):` ."""

    node: cst.With
    arg: cst.BaseExpression
    arg_names: FrozenSet[str]
    inline_read: bool  # the arg itself reads UPDATE_OPS
    func: "FunctionInfo"
    order: int
    end_order: int = 0
    assigned_inside: set = field(default_factory=set)
    returns_inside: bool = False  # a `return` inside the block
    # Names its body only rebinds, when the body calls nothing (`train_op = train_op_G`): such a block makes no op,
    # so its dependencies reach nothing (control_dependencies applies to ops created inside it)
    aliased: FrozenSet[str] = frozenset()


@dataclass
class TrainOp:
    call: cst.Call
    kind: str  # minimize | apply_gradients | create_train_op
    receiver: Optional[cst.BaseExpression]
    func: "FunctionInfo"
    order: int
    statement: Optional[cst.SimpleStatementLine]
    targets: Tuple[str, ...]
    blocks: Tuple[ControlBlock, ...]  # enclosing control_dependencies blocks, outermost first
    loss_names: FrozenSet[str]
    # Its var_list names only variables made with tf.Variable (`[input_modulations_var]`): it tunes an input or
    # a probe, not the network, whose batch norm it does not train.
    free_variables_only: bool = False
    var_list: Optional[cst.BaseExpression] = None  # the variables it trains, when it names them (var_scopes.py)


@dataclass
class UpdateOpsRead:
    call: cst.Call
    func: "FunctionInfo"
    order: int
    target: Optional[str]  # the name it is assigned to, when a plain `name = get_collection(...)`
    statement: Optional[cst.SimpleStatementLine]
    scoped: bool


@dataclass
class Grouping:
    """tf.group / tf.tuple / with_dependencies / tf.identity: places where ops get tied together."""

    call: cst.Call
    api: str
    arg_names: FrozenSet[str]
    inline_read: bool
    contains: Tuple[cst.Call, ...]  # train-op calls nested in its arguments
    func: "FunctionInfo"
    order: int
    targets: Tuple[str, ...]
    first_arg_names: FrozenSet[str] = frozenset()  # with_dependencies(deps, output): the deps
    bare: bool = False  # a statement of its own: `tf.group(*update_ops)` whose result is dropped


@dataclass
class SaverOfTrainables:
    """`tf.train.Saver(tf.trainable_variables(...))`, or of a name bound once to that list."""

    call: cst.Call  # the Saver
    variables: cst.Call  # the trainable-variables call
    func: "FunctionInfo"
    via_name: Optional[str] = None  # `Saver(weights)`: the name the list was bound to
    targets: Tuple[str, ...] = ()  # what the Saver is assigned to (`self.saver`)


@dataclass
class CondSelection:
    """`tf.cond(pred, lambda: a, lambda: b)` whose branches only return tensors built before the cond."""

    call: cst.Call
    branch_names: Tuple[str, ...]  # the names the branch functions return (bare names only)
    order: int


@dataclass
class FunctionInfo:
    node: Optional[cst.FunctionDef]  # None for module-level code
    name: str
    qualname: str  # "resnet", "Model.build", "<module>"
    class_name: Optional[str]
    params: Tuple[str, ...] = ()
    n_positional: int = 1 << 30  # params[:n_positional] may be passed by position (the rest follow `*`)
    n_required: int = 0  # params[:n_required] have no default
    varargs: bool = False  # takes *args
    varkw: bool = False  # takes **kwargs
    defaults: Dict[str, cst.BaseExpression] = field(default_factory=dict)
    layers: List[LayerCall] = field(default_factory=list)
    calls: List[CallSite] = field(default_factory=list)
    train_ops: List[TrainOp] = field(default_factory=list)
    reads: List[UpdateOpsRead] = field(default_factory=list)
    blocks: List[ControlBlock] = field(default_factory=list)
    groupings: List[Grouping] = field(default_factory=list)
    # name -> value expressions assigned to it, in order
    assignments: Dict[str, List[Tuple[cst.BaseExpression, int]]] = field(default_factory=dict)
    update_names: set = field(default_factory=set)  # names holding update ops
    update_other_use: bool = False  # update ops used somewhere we cannot follow (silent: maybe wired)
    # name -> (order, statement path) of each use in control_dependencies / tf.group / create_train_op
    update_uses: Dict[str, List[Tuple[int, tuple, Optional["Grouping"]]]] = field(default_factory=dict)
    loads: Dict[str, int] = field(default_factory=dict)  # how often each name is read
    returns_arg_scope: Optional[Tuple[ArgScopeFrame, ...]] = None
    returned_names: set = field(default_factory=set)  # names its `return` statements give back
    returns_call: Optional[cst.Call] = None  # `return lib.training_scope(**kwargs)`: maybe a factory passed through
    # Classes (call targets, as written) it returns an instance of: `return Net(...)`, `return nets[name](...)`
    # over a dict of classes, `return self` in a fluent method (`self.feed('data').conv(...)`).
    returned_classes: Tuple[str, ...] = ()
    # Functions (qualified as written) it returns to be called: `return dp_multitask` in `select_model(name)`
    returned_callables: Tuple[str, ...] = ()
    eval_regions: List[Tuple[int, int]] = field(default_factory=list)  # Estimator PREDICT/EVAL branches
    train_regions: List[Tuple[int, int]] = field(default_factory=list)  # `if mode == ModeKeys.TRAIN:` bodies
    run_mode_regions: List[Tuple[int, int]] = field(default_factory=list)  # `if args.mode == "test":` bodies
    opens_name_scope: bool = False  # `with tf.name_scope(...)`: op names no longer start with the variable scope
    # `with tf.variable_scope('generator'):` names, in order; None for one not written as a string literal
    variable_scopes: List[Optional[str]] = field(default_factory=list)
    adds_to_update_ops: bool = False  # `tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, ...)`: hand-written batch norm
    returns_update_ops: bool = False  # `return tf.get_collection(tf.GraphKeys.UPDATE_OPS)`: a helper that reads them
    loop_bodies: List[cst.BaseExpression] = field(default_factory=list)  # functions / lambdas tf.map_fn, tf.while_loop... run
    # `name = helper(...)`, a call that may return UPDATE_OPS: name -> (call, statement); the name's uses are kept
    # as for update names until the project says whether the helper reads them (helper_reads.py)
    helper_results: Dict[str, Tuple[cst.Call, Optional[cst.SimpleStatementLine]]] = field(default_factory=dict)
    helper_uses: Dict[str, List[Tuple[int, tuple, Optional["Grouping"]]]] = field(default_factory=dict)
    helper_other_uses: Set[str] = field(default_factory=set)
    # `tf.cond(pred, lambda: bn_train, lambda: bn_infer)`: conds whose branch functions return names bound earlier
    cond_selections: List["CondSelection"] = field(default_factory=list)
    session_runs: int = 0  # `*.run(...)` calls in its body
    # `params['is_training'] = flag`: name -> (key, value, how many bindings of the name precede it, order) of
    # each item written under a string key (ModuleBuilder._item_written); None for a name whose items change in a
    # way that cannot be read (`params.update(other)`, `params[key] = ...`, `del params[...]`)
    item_writes: Dict[str, Optional[List[Tuple[str, cst.BaseExpression, int, int]]]] = field(default_factory=dict)
    setattr_names: Set[str] = field(default_factory=set)  # `setattr(cfg, ...)`: the names whose attributes it sets
    # `head.create_estimator_spec(..., train_op_fn=lambda loss: opt.minimize(loss))`: it trains through a callback
    trains_via_callback: bool = False
    # `tf.nn.moments(...)` calls: (call, order, the statements around it), and whether it applies the batch-norm
    # formula itself (`tf.nn.batch_normalization`): a hand-written batch norm (branch_bn.py)
    batch_moments: List[Tuple[cst.Call, int, tuple]] = field(default_factory=list)
    normalizes: bool = False
    restores: bool = False  # restores a checkpoint itself (`saver.restore`, `slim.assign_from_checkpoint_fn`, ...)
    # `tf.keras.backend.set_learning_phase(1 / 0)` calls with a literal phase: (training?, order, call)
    learning_phases: List[Tuple[bool, int, cst.Call]] = field(default_factory=list)
    keras_call_orders: List[int] = field(default_factory=list)  # calls of Keras APIs other than the backend's
    run_call_orders: List[int] = field(default_factory=list)  # `*.run(...)` calls (session_runs counts them)
    graph_resets: List[int] = field(default_factory=list)  # orders of its `tf.reset_default_graph()` calls
    meta_graph_imports: List[Tuple[cst.Call, int]] = field(default_factory=list)  # `tf.train.import_meta_graph(...)`

    @property
    def is_module(self) -> bool:
        return self.node is None


def is_abstract(node: Optional[cst.CSTNode]) -> bool:
    """A method body that only raises NotImplementedError (or holds nothing but a docstring, `pass`, `...` or a
    bare `return`): a template step its subclasses define."""
    if not isinstance(node, cst.FunctionDef) or not isinstance(node.body, cst.IndentedBlock):
        return False
    raises = False
    for stmt in node.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            return False
        for small in stmt.body:
            if isinstance(small, cst.Pass) or (isinstance(small, cst.Expr) and isinstance(
                    small.value, (cst.SimpleString, cst.ConcatenatedString, cst.Ellipsis))):
                continue
            if isinstance(small, cst.Return) and (small.value is None or
                                                  isinstance(small.value, cst.Name) and small.value.value == "None"):
                continue  # `return` / `return None` after the docstring: nothing built here
            exc = small.exc.func if isinstance(small, cst.Raise) and isinstance(small.exc, cst.Call) else \
                small.exc if isinstance(small, cst.Raise) else None
            if isinstance(exc, cst.Name) and exc.value == "NotImplementedError":
                raises = True
                continue
            return False
    return raises or bool(node.body.body)


def arg_scoped(node: Optional[cst.CSTNode]) -> bool:
    """Decorated with `@slim.add_arg_scope` (or `@add_arg_scope`): arg_scopes may set its parameters."""
    if not isinstance(node, cst.FunctionDef):
        return False
    for decorator in node.decorators:
        target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        name = target.attr.value if isinstance(target, cst.Attribute) else getattr(target, "value", None)
        if name == "add_arg_scope":
            return True
    return False


def python_tested(node: Optional[cst.CSTNode], params: Tuple[str, ...]) -> FrozenSet[str]:
    """The parameters a function's Python control flow tests (`if is_training:`, `while not training`,
    `a if train else b`, outside any call in the test): they must be Python values, not tensors."""
    if not isinstance(node, cst.FunctionDef):
        return frozenset()
    if not params:
        return frozenset()
    tests = [n.test for n in find_all(node, (cst.If, cst.While, cst.IfExp))]
    out = set()
    for test in tests:
        inside_calls = {id(n) for call in find_all(test, cst.Call) for n in find_all(call, cst.Name)}
        out.update(n.value for n in find_all(test, cst.Name) if n.value in params and id(n) not in inside_calls)
    return frozenset(out)
