"""What one function means to its callers, and the project-wide index of those summaries.

Summaries carry no LibCST nodes, so they can be cached and sent between processes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from slimlint.model import api, config_values, kwargs_flow, signatures
from slimlint.model.facts import DEFAULT, PARAM, TRUE, UPDATE_OPS, method_param
from slimlint.model.parameter_instances import skips_self


@dataclass(frozen=True)
class FactoryConfig:
    """A function that returns an arg_scope configuring batch norm (resnet_arg_scope and friends)."""

    normalized_ops: FrozenSet[str]  # layers the scope gives normalizer_fn=batch_norm; "slim.batch_norm" for BN itself
    mode: str  # facts.TRUE / FALSE / PARAM / DEFAULT / UNKNOWN
    mode_param: Optional[str]
    updates_collection: Optional[str]  # see facts.updates_collection_of
    mode_from_params: bool = False  # the mode sits in normalizer_params: it overrides arg_scope([batch_norm], ...)
    # a mode-named parameter the factory takes and never reads while its batch norm always trains
    # (`def net_arg_scope(is_training): with arg_scope([conv], normalizer_fn=slim.batch_norm): ...`)
    dropped_mode_param: Optional[str] = None
    # (parameter, its default) of `normalizer_fn=slim.batch_norm if use_batch_norm else None`: read at the default,
    # a call passing the other value gets no batch norm from this scope
    normalizer_switch: Optional[Tuple[str, bool]] = None


@dataclass(frozen=True)
class FunctionSummary:
    qualname: str
    params: Tuple[str, ...]  # keyword-only ones last
    mode_params: FrozenSet[str]  # parameters that reach batch norm's is_training / training
    mode_defaults: Tuple[Tuple[str, str], ...]  # (param, "true" | "false" | "none" | "other")
    builds_bn_updates: bool  # builds batch norm that puts ops in UPDATE_OPS (for some argument values)
    always_training: bool  # batch norm in training mode whatever the arguments
    factory: Optional[FactoryConfig] = None
    # slim layers it builds with no normalizer of their own: an arg_scope around the call can add batch norm
    slim_layers: FrozenSet[str] = frozenset()
    # The is_training its own arg_scopes give that batch norm (`arg_scope([slim.batch_norm], is_training=p)`):
    # (mode kind, parameter name when the kind is PARAM); ("default", None) when they give none.
    slim_mode: Tuple[str, Optional[str]] = ("default", None)
    has_bn: bool = False  # builds batch norm in any mode (tf.layers BN without training= included)
    # builds a mode-taking dropout left at its default (tf.layers' False, slim's True), itself or through its calls:
    # the prefilter reads its callers, which may train it (SL202) or evaluate it (SL208)
    has_dropout: bool = False
    bn_own_collections: bool = False  # some of that batch norm picks its own variables_collections
    opens_name_scope: bool = False  # see FunctionInfo.opens_name_scope
    accepts_any_keyword: bool = False  # takes **kwargs: a fix may pass it a keyword it does not name
    zoo: bool = False  # a slim model-zoo network (its signature comes from the generated table)
    n_positional: int = 1 << 30  # params[:n_positional] may be passed by position (the rest follow `*`)
    n_required: int = 0  # params[:n_required] have no default
    accepts_any_positional: bool = False  # takes *args
    # mode-named parameters (`is_training`, `train`, ...) the body never reads while it always trains batch norm
    unread_mode_params: FrozenSet[str] = frozenset()
    # those of them it could hand to a project wrapper it calls that leaves its own mode at a default True
    # (`create_mobilenet(x, is_training)` calling `mobilenet(x)`): SL209 reports that call (dropped_modes.py)
    unread_left_at_default: FrozenSet[str] = frozenset()
    # every batch norm it builds that puts ops in UPDATE_OPS runs at the library's training-mode default
    updates_only_by_default: bool = False
    # ((callee module, callee qualname), parameter, classes) for the project instances its calls pass: what a
    # method called on that parameter resolves to (parameter_instances.py)
    passes_instances: Tuple[Tuple[Tuple[str, str], str, Tuple[str, ...]], ...] = ()
    returns_update_ops: bool = False  # returns tf.get_collection(UPDATE_OPS): calling it reads them (helper_reads.py)
    # (network, mode parameter) its calls give False (`resnet(x, is_training=False)`): the network's key is
    # ProjectIndex.network_key's. The author's own inference call: SL201's fix is then safe.
    calls_with_false_mode: Tuple[Tuple[Tuple[str, str], str], ...] = ()
    # The same given a boolean option False by default (`Model(is_training=FLAGS.train)`), with the option's text:
    # the author's inference build when run as the defaults run it.
    calls_with_false_option: Tuple[Tuple[Tuple[str, str], str, str], ...] = ()
    # The same given a mode decided at run time (a boolean placeholder, `mode == ModeKeys.TRAIN`), with its text:
    # the runs choose, so some build of the network is evaluated with it False.
    calls_with_run_time_mode: Tuple[Tuple[Tuple[str, str], str, str], ...] = ()
    # (network, its mode parameter, our parameter) for calls handing a mode parameter of ours on
    # (`MyNet(x, trainable=trainable)`; `__init__:p` for a method's `self.p`): False given to ours reaches theirs.
    passes_mode_params: Tuple[Tuple[Tuple[str, str], str, str], ...] = ()
    # It hangs the update ops on what it returns (`with tf.control_dependencies(update_ops): x = tf.identity(x)`,
    # then `return x`): a train op on a loss computed from its output runs them (flow: wired through the model).
    wires_updates_to_output: bool = False
    # A constructor's `self.<attr> = <param>`: (param, "self.<attr>"), how its methods read a mode it is given.
    keeps_params: Tuple[Tuple[str, str], ...] = ()
    builds_bn_in_loop: bool = False  # some of its batch norm is made in a TF loop body (batch_norm.builds_bn_in_loop)
    # A method's `self.<attr> = value`: (attr, "true" | "false" | "other"), what it sets on its object.
    sets_attrs: Tuple[Tuple[str, str], ...] = ()
    # A config factory's object (`cfg = edict(); cfg.TRAINING = True; return cfg`): (attr, "true" | "false" |
    # "other") it sets on the one object it returns, and the call targets that object came from
    # (`mc = base_model_config(); ...; return mc`), whose own returned attributes it keeps.
    returned_attrs: Tuple[Tuple[str, str], ...] = ()
    returned_from: Tuple[str, ...] = ()
    returned_classes: Tuple[str, ...] = ()  # FunctionInfo.returned_classes: `f(...).method(...)` is theirs
    returned_callables: Tuple[str, ...] = ()  # FunctionInfo.returned_callables: `f(name)(...)` may be any of them
    # Attributes of its parameters it changes ("cfg.is_training" for `cfg.is_training = False`, "cfg.*" for
    # `setattr(cfg, k, v)`): an object handed to it may come back with other values.
    mutated_params: FrozenSet[str] = frozenset()
    # `if bn:` around all of its batch norm, or else around all of the batch norm that fills UPDATE_OPS (the
    # `else:` of `if in_place_update:`; guards.py): the guard, and its parameter's default
    # (("value", literal) or ("unknown",))
    bn_guard: Optional[Tuple[Tuple[str, str, Optional[str]], Tuple]] = None
    # the guard is the second kind: a call closing it still builds batch norm (in place), only no update ops
    bn_guard_updates_only: bool = False
    # (callee, closed) for each of its calls of a function with a bn_guard: closed when the argument fails the test
    guard_calls: Tuple[Tuple[Tuple[str, str], bool], ...] = ()
    # (param, (strings, negated)): mode parameters its batch norm reads through a string test (`mode == 'train'`,
    # string_modes.py): a call passing a string builds it in the mode the test gives.
    mode_predicates: Tuple[Tuple[str, Tuple[Tuple[str, ...], bool]], ...] = ()
    # A mode flag it works out from a string parameter (derived_modes.derived_flag): (the parameter, the predicate
    # the mode is training for). Calls passing a string the predicate rejects count as passing False.
    derived_mode: Optional[Tuple[str, Tuple[Tuple[str, ...], bool]]] = None
    # It sets Keras's learning phase to 0 right before a session run (learning_phase.py): a switch for a model
    # built earlier, which a phase fixed at 1 when that model was built ignores.
    inference_phase_switch: bool = False
    # It fixes Keras's learning phase to 1 (not as a switch before a run): the prefilter looks for its callers,
    # the program's entry that also runs the switch.
    training_phase_fixed: bool = False
    # parameters that reach a mode-taking dropout's mode (`slim.dropout(is_training=)`, `tf.layers.dropout(training=)`),
    # its own or through the project functions it calls: SL208 at the calls that leave them True
    dropout_params: FrozenSet[str] = frozenset()
    # For each dropout behind those: (mode parameter, the parameter giving its kept fraction or None, the value
    # that keeps every unit, is that the parameter's default): a call giving (or leaving) that value
    # (`keep_prob=1.0`) makes that dropout an identity
    dropout_keeps: Tuple[Tuple[str, Optional[str], float, bool], ...] = ()
    # parameters that become the kept fraction of a dropout with no mode (`tf.nn.dropout(x, keep_prob)`, a
    # DropoutWrapper's `output_keep_prob`), its own or through its calls; a constructor's too when a method reads
    # it back as self.<attr>: (param, "keep_prob" | "rate" | "" (either), its default when a number). kept_fractions.py
    fraction_params: Tuple[Tuple[str, str, Optional[float]], ...] = ()
    # On a constructor: those of its fraction_params that only some methods read, which the constructor does not
    # run itself: (param, the names of the class's methods that reach the dropout). The object drops only in a
    # file that calls one of them (kept_fractions.kept_by_constructor).
    fraction_methods: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    # A method whose body only raises NotImplementedError (or is empty): a template step a subclass defines
    # (caffe-tensorflow's `Network.setup`). Called on self from its class, it runs a subclass's (resolve).
    abstract: bool = False
    # decorated with `@slim.add_arg_scope`: an arg_scope around any caller, in any file, may set its parameters
    arg_scoped: bool = False
    # builds batch norm in its own body (a layer wrapper), not only through the functions it calls
    direct_bn: bool = False
    # parameters it tests in Python (`if is_training:`, `x if training else y`): a tensor passed there fails
    python_tested: FrozenSet[str] = frozenset()
    # It builds such a dropout keeping a constant fraction below 1 (kept_fractions.fixed_fraction): (the constant as
    # written, the qualname of the function that fixes it). Built by evaluation code, it drops there too.
    fixed_fraction: Optional[Tuple[str, str]] = None
    # That fraction is a `slim.dropout` left at slim's default mode: an arg_scope around a call may give it one
    fraction_by_slim_default: bool = False
    # (callee with a fixed_fraction, its parameter, the argument) for calls asking it for no dropout (`keep_prob=1`,
    # `is_training=False`): dropped_fractions.py
    asks_no_dropout: Tuple[Tuple[Tuple[str, str], str, str], ...] = ()
    # With a fixed_fraction of its own: its kept-fraction and mode parameters that the body never mentions
    # (`def VGG16(x, is_training, keep_prob)` dropping a constant 0.5): dropped_fractions.py
    unread_dropout_params: FrozenSet[str] = frozenset()
    # a method returning `self.<ema>.apply(...)` whose class reads `self.<ema>.average(...)`: calling it builds a
    # hand-written batch norm's moving-average update, which the caller must run (average_updates.py)
    returns_average_update: bool = False
    # all the batch norm it builds (some) trains whatever its callers pass: no mode parameter, no False
    trains_only: bool = False
    modeless: bool = False  # trains_only, every batch norm at the library's default, no mode on the way (strict)
    # as modeless, but a wrapper's mode may be left at its default of True on the way (`inference(x)` calling
    # `batch_norm(conv)` over `def batch_norm(x, is_train=True)`): nothing its callers pass reaches batch norm
    unset_by_default: bool = False
    # Graph names of boolean tensors that reach batch norm as its mode (graph_names.py): what its batch norm, or
    # its callees', looks up (`get_tensor_by_name('is_training:0')`); on a file's MODULE_CODE summary, the
    # `name=` of each of the file's boolean placeholders that its batch norm takes as its mode.
    mode_tensors: FrozenSet[str] = frozenset()
    # On a class's `__init__`: the `self.<flag>` boolean placeholders (made in any of its methods) that the
    # class's batch norm takes as its mode, `self.is_training`: what a run feeds on an object of the class.
    mode_attrs: FrozenSet[str] = frozenset()
    # (method name, mode-named keyword) of its method calls that pass the keyword False (`model.get_feed_dict(
    # batch, is_training=False)`), whatever object they are called on: a class's method of that name and
    # parameter may be the one called when the object's class cannot be told (mode_flags.unread_object_flags).
    false_method_keywords: Tuple[Tuple[str, str], ...] = ()
    # Mode attributes (`training` for `self.training`) it hands to batch norm while an object is being built (a
    # constructor, or a method one calls on self), and mode-named attributes it reads otherwise, when it runs
    # (frozen_mode_attrs.py): an attribute only the first kind reads is fixed once the object exists.
    captured_mode_attrs: FrozenSet[str] = frozenset()
    # The same for a method called on a finished object to build its graph (`model.network_fn(images)`).
    built_mode_attrs: FrozenSet[str] = frozenset()
    late_mode_reads: FrozenSet[str] = frozenset()
    constructs: bool = False  # it runs while an object is built (`__init__`, a method it calls on self)

    # On a class's `__init__`: attributes its methods append moving-average updates to (`self._extra_train_ops`)
    # that its module never reads otherwise (update_lists.py): an object's train op must group them itself.
    unread_update_lists: FrozenSet[str] = frozenset()
    # It runs a session or builds a train op itself (`train_epoch(sess, ...)`), unlike a data helper
    # (`loader.next_batch()`): called after a build, it may train what was built.
    runs_session: bool = False

    def default_of(self, param: str) -> Optional[str]:
        return dict(self.mode_defaults).get(param)

    def predicate_of(self, param: str) -> Optional[Tuple[Tuple[str, ...], bool]]:
        return dict(self.mode_predicates).get(param) if self.mode_predicates else None

    def accepts(self, positional: int, keywords: Iterable[str], skip: int) -> bool:
        """Could a call with this many positional arguments and these keywords bind to this signature?
        (`skip`: leading parameters the call does not pass, its `self`.)"""
        given = positional + skip
        if given > self.n_positional and not self.accepts_any_positional:
            return False
        keywords = set(keywords)
        if not self.accepts_any_keyword and keywords - set(self.params):
            return False
        return all(p in keywords for p in self.params[given:self.n_required]) and not self.binds_twice(
            positional, keywords, skip)

    def binds_twice(self, positional: int, keywords: Iterable[str], skip: int) -> bool:
        """Does a call give a parameter both by position and by keyword (`bn(x, self.is_t, name='bn')` to
        `def bn(x, name='scope', is_t=True)`)? Python rejects it: the call raises TypeError and builds nothing."""
        filled = self.params[:min(positional + skip, self.n_positional)]
        return bool(set(keywords) & set(filled))


def nearest_module(name: str, from_module: str, modules: Iterable[str]) -> Optional[str]:
    """The module of `modules` a bare or dotted `name` means from `from_module`: one whose dotted name ends with
    it, the nearest to the caller first (scripts import siblings by their bare name)."""
    candidates = [m for m in modules if m == name or m.endswith("." + name)]
    if not candidates:
        return None
    here = from_module.split(".")

    def shared(m: str) -> int:
        n = 0
        for a, b in zip(m.split("."), here):
            if a != b:
                break
            n += 1
        return n

    return max(candidates, key=lambda m: (shared(m), -len(m)))


@lru_cache(maxsize=1024)
def zoo_summary(canonical: str) -> FunctionSummary:
    """A slim model-zoo entry point, from its real signature: builds batch norm, `is_training` True by default."""
    signature = signatures.lookup(canonical)
    params = signature.params if signature is not None and signature.positions_known else ()
    default = (signature.default_of("is_training") if signature is not None else None) or "other"
    return FunctionSummary(
        qualname="<zoo>",
        params=params,
        mode_params=frozenset({"is_training"}),
        mode_defaults=(("is_training", default),),
        builds_bn_updates=True,
        always_training=False,
        accepts_any_keyword=False,
        zoo=True,
    )


@lru_cache(maxsize=256)
def zoo_factory_summary(canonical: str) -> FunctionSummary:
    """A model-zoo arg_scope factory: batch norm on the convolutions under it (UPDATE_OPS); its mode is its own
    `is_training` (True by default) when it takes one, else what scopes and slim's default give. The zoo's
    factories set it with `arg_scope([slim.batch_norm], is_training=...)`, not in normalizer_params: a zoo
    network's own `arg_scope([slim.batch_norm, slim.dropout], is_training=is_training)`, nearer its layers, wins
    (`with arg_scope(mobilenet_v1_arg_scope()): mobilenet_v1(x, is_training=False)` evaluates)."""
    signature = signatures.lookup(canonical)
    params = signature.params if signature is not None and signature.positions_known else ()
    moded = "is_training" in params
    factory = FactoryConfig(normalized_ops=frozenset({"slim.conv2d", "slim.separable_conv2d"}),
                            mode=PARAM if moded else DEFAULT, mode_param="is_training" if moded else None,
                            updates_collection=UPDATE_OPS, mode_from_params=False)
    return FunctionSummary(qualname="<zoo>", params=params, mode_params=frozenset(),
                           mode_defaults=(("is_training", "true"),) if moded else (), builds_bn_updates=False,
                           always_training=False, factory=factory, zoo=True)


# A zoo helper building plain slim convolutions (resnet_utils.conv2d_same): a caller's arg_scope gives them batch norm.
ZOO_CONV_HELPER = FunctionSummary(qualname="<zoo>", params=(), mode_params=frozenset(), mode_defaults=(),
                                  builds_bn_updates=False, always_training=False, zoo=True, accepts_any_keyword=True,
                                  accepts_any_positional=True, slim_layers=frozenset({"slim.conv2d"}))


def callee_table(edges) -> Dict[tuple, list]:
    """caller -> its callees, from (caller, callee) pairs."""
    callees: Dict[tuple, list] = {}
    for caller, callee in edges:
        callees.setdefault(caller, []).append(callee)
    return callees


def reachable(roots, callees: Dict[tuple, list]) -> FrozenSet[tuple]:
    """The roots and everything they call, directly or not."""
    seen = set(roots)
    todo = list(seen)
    while todo:
        for callee in callees.get(todo.pop(), ()):
            if callee not in seen:
                seen.add(callee)
                todo.append(callee)
    return frozenset(seen)


# Modules with more functions than this are helper libraries: `getattr(ops, name)` over them is not followed.
_DISPATCH_LIMIT = 40


class ProjectIndex:
    """Function summaries of every module in the checked tree, looked up by qualified call targets."""

    def __init__(self, modules: Optional[Dict[str, Dict[str, FunctionSummary]]] = None, unparsed: Iterable[str] = (),
                 classes: Optional[Dict[str, Dict[str, tuple]]] = None,
                 reexports: Optional[Dict[str, Dict[str, str]]] = None,
                 keys_written: Optional[Dict[str, Set[Tuple[str, tuple]]]] = None, arg_scopes: bool = True) -> None:
        self.modules: Dict[str, Dict[str, FunctionSummary]] = modules or {}
        # Does any file of the checked tree (parsed or not) mention `arg_scope`? When none does, a zoo network whose
        # batch norm comes only from its `*_arg_scope()` builds none (api.ZOO_SCOPE_BN_MODULES).
        self.arg_scopes = arg_scopes
        # key -> (module, record) of every place the parsed files can put that key into a dict (kwargs_flow.py)
        self.keys_written: Dict[str, Set[Tuple[str, tuple]]] = keys_written or {}
        # module -> name -> the qualified name it imports or aliases (reexports.py)
        self.reexports: Dict[str, Dict[str, str]] = reexports or {}
        # module -> class -> (qualified bases, {attribute: "true" | "false"}, method names called): config classes'
        # constants, and what a subclass calls of its base's layers
        self.classes: Dict[str, Dict[str, tuple]] = classes or {}
        # Modules of the checked tree that were not parsed (the prefilter passed them over).
        self.unparsed = frozenset(unparsed)
        self._unparsed_by_last: Dict[str, list] = {}
        for name in self.unparsed:
            self._unparsed_by_last.setdefault(name.rsplit(".", 1)[-1], []).append(name)
        # (module, qualname) of functions some caller invokes after building training-mode batch norm:
        # a train-op helper (`def train(total_loss, global_step)`) trains that caller's graph.
        self.called_after_bn: FrozenSet[Tuple[str, str]] = frozenset()
        # (module, qualname) of functions called from training code (a train-role file, or a function
        # that builds a train op): a `predict()` or `inference()` among them is a forward pass, not eval.
        self.training_callees: FrozenSet[Tuple[str, str]] = frozenset()
        # Those of them called before the caller's last train op: they build (part of) what the op trains.
        self.trained_graph_callees: FrozenSet[Tuple[str, str]] = frozenset()
        # Those reached from a function that builds a train op itself (not just from a training file).
        self.train_op_callees: FrozenSet[Tuple[str, str]] = frozenset()
        # (module, qualname) of train-op helpers every caller calls inside control_dependencies(update ops).
        self.trained_under_update_deps: FrozenSet[Tuple[str, str]] = frozenset()
        # Does any batch norm of the project run in inference mode (or a mode decided at run time)? When
        # none does, nothing ever reads the moving statistics: un-run updates change no output.
        self.moving_statistics_read = True
        # Modules whose batch norm always trains in a project that samples in training mode (engine.py).
        self.unread_statistics_modules: FrozenSet[str] = frozenset()
        # (module, qualname) of a network -> the modes its calls, anywhere in the project, build it in ("judged":
        # an evaluation build SL201 reports); and the modules that build some network in inference mode.
        self.network_call_modes: Dict[Tuple[str, str], FrozenSet[str]] = {}
        self.inference_build_modules: FrozenSet[str] = frozenset()
        self.samples_drawn = False  # the project draws samples in a run that trains nothing
        self.adversarial = False  # the project trains adversarially (two train ops over their own var_lists)
        self.adversarial_modules: FrozenSet[str] = frozenset()  # the files that do
        # Every batch norm of the project trains (the library's default, a written or default True; no False, no
        # placeholder, no run-time mode), and the project does not train adversarially: any graph it saves does.
        self.batch_norm_always_trains = False
        # Modules that build some batch norm in a mode other than training (False, a placeholder, ...).
        self.moded_modules: FrozenSet[str] = frozenset()
        # Some call is made under `arg_scope([slim.batch_norm], is_training=...)`: it reaches slim batch norm
        # at its default mode anywhere below the call.
        self.bn_mode_scoped = False
        # Every name the parsed files load and every `.attribute` they use: a method named in none is never called
        # (semantic.FileModel.referenced_names: "Class.m" for `self.m` in a class defining m, ".m" for `obj.m`).
        self.referenced_names: FrozenSet[str] = frozenset()
        self.dynamic_getattr = False  # some file calls getattr with a name built at run time (engine.py)
        self.fed_false_names: FrozenSet[str] = frozenset()  # mode names some run sets False (project_text.FED_FALSE)
        self.config_constants = config_values.EMPTY  # numbers config attributes hold (config_values.py)
        self.stale_modules: FrozenSet[str] = frozenset()  # copies nothing imports beside a used twin (stale_copies.py)
        self.estimator_serves = False  # an Estimator evaluates, predicts or exports (project_text.py)
        self.monte_carlo = False  # the project samples with dropout on (project_text.MONTE_CARLO)
        self.keras_phase_named = False  # some file names Keras's learning phase (sets it, feeds it, reads it)
        self.eager_training = False  # some file trains with tf.GradientTape (TF2 eager: Keras passes `training`)
        self.dynamic_names = False  # some file picks names at run time: getattr(m, name), eval, globals(), __dict__[...]
        # (module, qualname) -> the mode an enclosing arg_scope gives batch norm in every call of the function.
        self.scoped_bn_mode: Dict[Tuple[str, str], str] = {}
        # (module, qualname) -> the batch norm enclosing arg_scopes give the slim convolutions of every call the
        # function makes (BatchNormFacts.scope_normaliser), or False when some caller's scopes give none.
        self.scoped_normaliser: Dict[Tuple[str, str], object] = {}
        # (caller, callee) between project functions (engine.py), for what one program reaches
        self.call_edges: FrozenSet[Tuple[Tuple[str, str], Tuple[str, str]]] = frozenset()
        self._callees: Optional[Dict[Tuple[str, str], List[Tuple[str, str]]]] = None
        self._resolved: Dict[Tuple[str, str], Optional[Tuple[str, str]]] = {}
        # id(site), from_module -> (site, what lookup_site found): keeping the site keeps its id from being reused
        self._site_lookups: Dict[Tuple[int, str], tuple] = {}
        self._passed: Optional[Dict[Tuple[str, str, str], Tuple[str, ...]]] = None
        self._false_modes: Optional[FrozenSet[Tuple[Tuple[str, str], str]]] = None
        self._written_false_modes: Optional[FrozenSet[Tuple[Tuple[str, str], str]]] = None
        self._run_time_modes: Optional[Dict[Tuple[Tuple[str, str], str], str]] = None
        self._run_time_mode_params: Optional[Dict[Tuple[str, str], FrozenSet[str]]] = None
        self._average_updates: Optional[bool] = None
        self._by_last: Dict[str, list] = {}
        self._attrs_set: Optional[Tuple[FrozenSet[str], FrozenSet[str]]] = None
        self._mode_tensor_names: Optional[FrozenSet[str]] = None
        self._subclass_table: Optional[Dict[Tuple[str, str], List[Tuple[str, str]]]] = None
        self._bn_names: Optional[FrozenSet[str]] = None
        self._false_method_keywords: Optional[FrozenSet[Tuple[str, str]]] = None
        self._other_mode_reach: Optional[FrozenSet[Tuple[str, str]]] = None  # unthreaded_modes.py
        for name in self.modules:
            self._by_last.setdefault(name.rsplit(".", 1)[-1], []).append(name)

    def _find_module(self, name: str, from_module: str) -> Optional[str]:
        return nearest_module(name, from_module, self._by_last.get(name.rsplit(".", 1)[-1], ()))

    def _modules_named(self, name: str, from_module: str) -> List[str]:
        """The module `name` means from `from_module` (the nearest), then its sibling of that name: inside package
        `config`, Python 2's implicit relative `from config import f` means `config/config.py`."""
        nearest = self._find_module(name, from_module)
        out = [nearest] if nearest is not None else []
        sibling = f"{from_module.rsplit('.', 1)[0]}.{name}" if "." in from_module else None
        if sibling is not None and sibling != nearest and sibling in self.modules:
            out.append(sibling)
        return out

    def resolve(self, target: str, from_module: str) -> Optional[Tuple[str, str]]:
        """(module, qualname) of a project function a call target names, or None."""
        key = (target, from_module)
        if key not in self._resolved:
            self._resolved[key] = None  # in progress: a cycle (`f` returns what `f.m` needs resolved) finds nothing
            self._resolved[key] = self._overriding(self._resolve(target, from_module))
        return self._resolved[key]

    def _overriding(self, found: Optional[Tuple[str, str]]) -> Optional[Tuple[str, str]]:
        """For an abstract method (FunctionSummary.abstract), the first subclass's override in module order: what
        runs when the base class calls it on self (`self.setup(is_training)` in `Network.__init__`)."""
        if found is None or "." not in found[1] or not self.modules[found[0]][found[1]].abstract:
            return found
        owner, _, method = found[1].rpartition(".")
        overrides = [(module, f"{name}.{method}") for module, name in self._subclasses((found[0], owner))
                     if f"{name}.{method}" in self.modules.get(module, {})
                     and not self.modules[module][f"{name}.{method}"].abstract]
        # Only when the subclasses agree on what the step builds: one resolution stands for every subclass
        # (a frozen-trunk sibling beside a trained one would lend either its batch norm).
        kinds = {_bn_kind(self.modules[module][qual]) for module, qual in overrides}
        return overrides[0] if len(kinds) == 1 else found

    def any_summary(self, field: str) -> bool:
        """Does some summary of the index have `field` set (fraction_params, fixed_fraction, has_dropout)? Kept: a
        query that looks at every call of every function can stop early in a project with none."""
        cache = self.__dict__.setdefault("_any_field", {})
        if field not in cache:
            cache[field] = any(getattr(summary, field) for functions in self.modules.values() for summary in functions.values())
        return cache[field]

    @property
    def mode_tensor_names(self) -> FrozenSet[str]:
        """Graph names of the project's boolean tensors that reach batch norm as its mode (every summary's
        mode_tensors): a tensor looked up by one of them is a batch-norm mode flag."""
        if self._mode_tensor_names is None:
            self._mode_tensor_names = frozenset(name for functions in self.modules.values()
                                                for summary in functions.values() for name in summary.mode_tensors)
        return self._mode_tensor_names

    def built_in_other_modes(self, network: Optional[Tuple[str, str]]) -> bool:
        """Does some call in the project build this network in a mode other than training (False, a placeholder,
        a run-time value)? Unknown networks count as built so."""
        if network is None:
            return True
        return bool(self.network_call_modes.get(network, frozenset()) - {TRUE, "judged"})

    def method_given_false(self, method: str, param: str, owner: str) -> bool:
        """Does some method call of the project pass `param=False` to a method named `method`, on an object of
        class `owner` (module.Class) or of a class not known?"""
        if self._false_method_keywords is None:
            self._false_method_keywords = frozenset(entry for functions in self.modules.values()
                                                    for summary in functions.values()
                                                    for entry in summary.false_method_keywords)
        return any(name == method and keyword == param and (not classes or owner in classes)
                   for name, keyword, classes in self._false_method_keywords)

    def passed_instances(self, module: str) -> Dict[Tuple[str, str], Tuple[str, ...]]:
        """(qualname, parameter) -> the classes of the instances the project's calls pass to it, for `module`'s
        functions (from every summary's passes_instances)."""
        if self._passed is None:
            self._passed = {}
            for functions in self.modules.values():
                for summary in functions.values():
                    for (callee_module, callee), param, classes in summary.passes_instances:
                        key = (callee_module, callee, param)
                        self._passed[key] = self._passed.get(key, ()) + tuple(
                            c for c in classes if c not in self._passed.get(key, ()))
        return {(q, p): classes for (m, q, p), classes in self._passed.items() if m == module}

    def hands_out_average_updates(self) -> bool:
        """Does some project method return a hand-written batch norm's moving-average update
        (FunctionSummary.returns_average_update)? Most projects have none: their callers need no look."""
        if self._average_updates is None:
            self._average_updates = any(s.returns_average_update for functions in self.modules.values()
                                        for s in functions.values())
        return self._average_updates

    def network_keys(self, site, from_module: str, param: str) -> List[Tuple[str, str]]:
        """network_key, and every other project function the site may reach that takes `param` too (`layers =
        SmallLayers(self)` in one branch, `LargeLayers(self)` in another, then `layers.generative0(...)`):
        what the call gives `param`, it gives each of them."""
        first = self.network_key(site, from_module)
        keys = [first] if first is not None else []
        seen = set(keys)
        targets = self._site_targets(site, from_module)
        for target, module in targets if len(targets) > 1 else ():
            found = self.resolve(target, module)
            if found is not None and found not in seen and param in self.modules[found[0]][found[1]].params:
                seen.add(found)
                summary = self.modules[found[0]][found[1]]
                skip = 1 if skips_self(summary.params, found[1], site) else 0
                if site.has_star or summary.accepts(len(site.positional), site.kwargs, skip):
                    keys.append(found)
        return keys

    def network_key(self, site, from_module: str) -> Optional[Tuple[str, str]]:
        """What a call builds, the same from every file: (module, qualname) of a project function, or
        ("<zoo>", canonical name) of a model-zoo network."""
        found = self.resolve_site(site, from_module)
        if found is not None:
            return found
        zoo = next((c for c in (api.canonical(t) or t for t in site.targets) if api.zoo_network(c)), None)
        return ("<zoo>", zoo) if zoo is not None else None

    @property
    def closed_guards(self) -> FrozenSet[Tuple[str, str]]:
        """Functions with a bn_guard that every call in the project closes (`bn=False` everywhere): their
        guarded batch norm is never built."""
        if getattr(self, "_closed_guards", None) is None:
            states: Dict[Tuple[str, str], set] = {}
            for functions in self.modules.values():
                for summary in functions.values():
                    for callee, closed in summary.guard_calls:
                        states.setdefault(callee, set()).add(closed)
            self._closed_guards = frozenset(k for k, found in states.items() if found == {True})
        return self._closed_guards

    def attrs_set(self) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        """(attributes some constructor sets on self, attributes some other method sets on self), project-wide."""
        if self._attrs_set is None:
            by_init, by_method = set(), set()
            for functions in self.modules.values():
                for qualname, s in functions.items():
                    (by_init if qualname.endswith(".__init__") else by_method).update(a for a, _ in s.sets_attrs)
            self._attrs_set = (frozenset(by_init), frozenset(by_method))
        return self._attrs_set

    def mode_attr_frozen_at_build(self, attr: str) -> bool:
        """Does some class hand `self.<attr>` to batch norm while its object is built, and no code read an attribute
        of that name later (frozen_mode_attrs.py)? Then assigning it after construction changes no mode."""
        memo = self.__dict__.setdefault("_frozen_attrs", {})
        if attr not in memo:
            summaries = [s for functions in self.modules.values() for s in functions.values()]
            memo[attr] = any(attr in s.captured_mode_attrs for s in summaries) and not any(
                attr in s.late_mode_reads for s in summaries)
        return memo[attr]

    def mode_attr_builders(self, attr: str) -> FrozenSet[str]:
        """The names of the methods that hand `self.<attr>` to batch norm when called on a finished object
        (FunctionSummary.built_mode_attrs), when those are the only code that reads an attribute of that name
        outside construction; empty otherwise (a later read may see a new value)."""
        memo = self.__dict__.setdefault("_attr_builders", {})
        if attr not in memo:
            summaries = [(q, s) for functions in self.modules.values() for q, s in functions.items()]
            builders = frozenset(q.rsplit(".", 1)[-1] for q, s in summaries if attr in s.built_mode_attrs)
            other_reads = any(attr in s.late_mode_reads and attr not in s.built_mode_attrs for _, s in summaries)
            memo[attr] = frozenset() if other_reads else builders
        return memo[attr]

    def construction_method_names(self) -> FrozenSet[str]:
        """The names of the methods that run while an object is built (FunctionSummary.constructs): calling one
        again after assigning a mode attribute may build batch norm with the new value."""
        memo = self.__dict__.get("_construction_names")
        if memo is None:
            memo = self.__dict__["_construction_names"] = frozenset(
                qualname.rsplit(".", 1)[-1] for functions in self.modules.values()
                for qualname, s in functions.items() if s.constructs)
        return memo

    def called_with_false_mode(self, network: Optional[Tuple[str, str]], param: str) -> bool:
        """Does some call in the project give this network's mode parameter False, directly or through functions
        that hand a parameter of theirs on (`get_network(..., trainable=False)` -> `MyNet(x, trainable=trainable)`)?"""
        if self._false_modes is None:
            options = {(network, p) for functions in self.modules.values() for s in functions.values()
                       for network, p, _ in s.calls_with_false_option}
            self._false_modes = self._false_mode_closure(options)
        return network is not None and (network, param) in self._false_modes

    def false_only_by_option(self, network: Optional[Tuple[str, str]], param: str) -> Optional[str]:
        """When the project gives this network's mode parameter False only through a boolean option's default
        (`is_training=FLAGS.train`), that option as written (or "a flag" when it reaches it through other
        functions); None when some call writes the False (or none gives it)."""
        if not self.called_with_false_mode(network, param):
            return None
        if self._written_false_modes is None:
            self._written_false_modes = self._false_mode_closure(set())
        if (network, param) in self._written_false_modes:
            return None
        return next((option for functions in self.modules.values() for s in functions.values()
                     for key, p, option in s.calls_with_false_option if (key, p) == (network, param)), "a flag")

    def adversarial_program(self, module: str) -> bool:
        """Does a file of `module`'s program (same_program) train adversarially? A blog's companion repository
        holds a GAN notebook beside a sentiment classifier: the GAN's design does not speak for the classifier."""
        return any(same_program(module, other) for other in self.adversarial_modules)

    def run_time_mode(self, network: Optional[Tuple[str, str]], param: str) -> Optional[str]:
        """The mode decided at run time (`self.is_train`, a boolean placeholder) that some call gives this network's
        mode parameter, directly or through functions handing a parameter of theirs on ("" for those); None when
        none does."""
        if self._run_time_modes is None:
            # only a mode some run is seen to set False (a feed, a placeholder defaulting to False)
            given = {(network, p): shown for functions in self.modules.values() for s in functions.values()
                     for network, p, shown in s.calls_with_run_time_mode
                     if shown.rsplit(".", 1)[-1] in self.fed_false_names}
            reached = self._false_mode_closure(set(given), only=True)
            self._run_time_modes = {entry: given.get(entry, "") for entry in reached}
        return self._run_time_modes.get((network, param)) if network is not None else None

    def run_time_mode_params(self, network: Tuple[str, str]) -> FrozenSet[str]:
        """The mode parameters of this network that some call gives a mode decided at run time (a boolean
        placeholder handed in, `self.is_train`), whether or not a run is seen to feed it False."""
        if self._run_time_mode_params is None:
            found: Dict[Tuple[str, str], set] = {}
            for functions in self.modules.values():
                for s in functions.values():
                    for key, p, _ in s.calls_with_run_time_mode:
                        found.setdefault(key, set()).add(p)
            self._run_time_mode_params = {key: frozenset(params) for key, params in found.items()}
        return self._run_time_mode_params.get(network, frozenset())

    def _false_mode_closure(self, more: set, only: bool = False) -> FrozenSet[Tuple[Tuple[str, str], str]]:
        """The (network, parameter) pairs given False (or, `only`, just those of `more`), closed over the calls
        that hand a parameter on."""
        false = set() if only else {entry for functions in self.modules.values() for s in functions.values()
                                    for entry in s.calls_with_false_mode}
        false |= more
        handed_on: Dict[Tuple[Tuple[str, str], str], list] = {}
        for module, functions in self.modules.items():
            for qualname, s in functions.items():
                for network, their_param, our_param in s.passes_mode_params:
                    owner = qualname
                    owned = method_param(our_param)
                    if owned is not None:
                        owner, our_param = qualname.rsplit(".", 1)[0] + "." + owned[0], owned[1]
                    handed_on.setdefault(((module, owner), our_param), []).append((network, their_param))
        todo = list(false)
        while todo:
            for reached in handed_on.get(todo.pop(), ()):
                if reached not in false:
                    false.add(reached)
                    todo.append(reached)
        return frozenset(false)

    def _site_targets(self, site, from_module: str) -> List[Tuple[str, str]]:
        """(target, the module it is written in) for a site's candidate targets. `model_fn(...)` after `model_fn =
        select_model(name)` (a `select_model.__call__` target, select_model being a function): each function the
        picking function returns (FunctionSummary.returned_callables), in its own module."""
        picked = self.picked_functions(site, from_module)
        if picked:
            return picked
        out: List[Tuple[str, str]] = []
        for target in site.targets:
            if target.endswith(".*"):
                out.extend(self._module_functions(target[:-2], from_module))
            else:
                out.append((target, from_module))
        return out

    def _module_functions(self, name: str, from_module: str) -> List[Tuple[str, str]]:
        """`getattr(ops, name)(...)`: every module-level function of that project module, as targets; none for a
        module of more than _DISPATCH_LIMIT functions (a library of helpers, not a table of networks to pick)."""
        memo = self.__dict__.setdefault("_module_functions_memo", {})
        key = (name, from_module)
        if key not in memo:
            module = self._module_named(name, from_module)
            names = [q for q in self.modules.get(module, {}) if "." not in q and not q.startswith("<")] if module else []
            memo[key] = [(f"{module}.{q}", from_module) for q in sorted(names)] if len(names) <= _DISPATCH_LIMIT else []
        return memo[key]

    @staticmethod
    def is_dispatch(site) -> bool:
        """A call through `getattr(<module>, name)`: which of the module's functions it reaches is picked at run time."""
        return any(t.endswith(".*") for t in site.targets)

    def _module_named(self, name: str, from_module: str) -> Optional[str]:
        """The project module a dotted name imported in `from_module` means (absolute, or beside it in its package)."""
        if name in self.modules:
            return name
        package = from_module.rpartition(".")[0]
        candidate = f"{package}.{name}" if package else name
        return candidate if candidate in self.modules else None

    def picked_functions(self, site, from_module: str) -> List[Tuple[str, str]]:
        """The (name, module) candidates of a call of what a project function returned to be called, else []."""
        out: List[Tuple[str, str]] = []
        for target in site.targets:
            if not target.endswith(".__call__"):
                return []
            maker = self.resolve(target[:-len(".__call__")], from_module)
            if maker is None or maker[1].endswith(".__init__"):
                return []
            picked = self.modules[maker[0]][maker[1]].returned_callables
            if not picked:
                return []
            out.extend((name, maker[0]) for name in picked)
        return out

    def resolve_site(self, site, from_module: str) -> Optional[Tuple[str, str]]:
        """The project function a call site reaches: of its candidate targets (an attribute assigned instances of
        several classes in different branches), the first whose signature takes the call's arguments."""
        first = None
        targets = self._site_targets(site, from_module)
        if self.is_dispatch(site):
            # `getattr(ops, name)(h)`: one candidate only when exactly one of the module's functions takes the call,
            # or when every one that does is summarised alike (`pspnet50` / `pspnet101`, each building one class)
            found = self.resolve_site_all(site, from_module) if len(targets) > 1 else []
            return found[0] if len(found) == 1 or self._alike(found) else None
        for target, module in targets:
            found = self.resolve(target, module)
            if found is None:
                continue
            summary = self.modules[found[0]][found[1]]
            skip = 1 if skips_self(summary.params, found[1], site) else 0
            if not site.has_star and summary.binds_twice(len(site.positional), site.kwargs, skip):
                continue  # a call Python rejects (TypeError): it reaches nothing
            if len(targets) == 1 or site.has_star or summary.accepts(len(site.positional), site.kwargs, skip):
                return found
            first = first or found
        return first

    def _alike(self, found: List[Tuple[str, str]]) -> bool:
        """Do these project functions have the same summary but for their names (whichever a name picks, the
        facts are the same)?"""
        summaries = [replace(self.modules[module][qualname], qualname="") for module, qualname in found]
        return len(summaries) > 1 and all(s == summaries[0] for s in summaries[1:])

    def resolve_site_all(self, site, from_module: str) -> List[Tuple[str, str]]:
        """Every project function a call site may reach whose signature takes the call's arguments (a module
        imported under one name in branches, `import model_reg as model` / `import model_dan as model`), else
        resolve_site's answer."""
        targets = self._site_targets(site, from_module)
        if len(targets) < 2:
            found = self.resolve_site(site, from_module) if not self.is_dispatch(site) else (
                self.resolve(targets[0][0], targets[0][1]) if targets else None)
            return [found] if found is not None else []
        out = []
        for target, module in targets:
            found = self.resolve(target, module)
            if found is None or found in out:
                continue
            summary = self.modules[found[0]][found[1]]
            skip = 1 if skips_self(summary.params, found[1], site) else 0
            if site.has_star or summary.accepts(len(site.positional), site.kwargs, skip):
                out.append(found)
        if not out:
            found = self.resolve_site(site, from_module) if not self.is_dispatch(site) else None
            return [found] if found is not None else []
        return out

    def __getstate__(self) -> dict:
        # Workers get the index pickled: the call sites the memo keeps are this process's (and large).
        state = dict(self.__dict__)
        state["_site_lookups"] = {}
        return state

    def reached_from(self, roots) -> FrozenSet[Tuple[str, str]]:
        """The project functions the roots call, directly or not (the roots included)."""
        if self._callees is None:
            self._callees = callee_table(self.call_edges)
        return reachable(roots, self._callees)

    def inference_phase_switches(self) -> List[Tuple[str, str]]:
        """(module, qualname) of the functions (and module code) that set Keras's learning phase to 0 right before
        a session run, in a stable order."""
        return sorted((module, qual) for module, functions in self.modules.items()
                      for qual, s in functions.items() if s.inference_phase_switch)

    def lookup_site(self, site, from_module: str) -> Optional[FunctionSummary]:
        """The summary of what a call site reaches: a project function (resolve_site) or a model-zoo network."""
        key = (id(site), from_module)
        kept = self._site_lookups.get(key)
        if kept is None or kept[0] is not site:
            kept = self._site_lookups[key] = (site, self._lookup_site(site, from_module))
        return kept[1]

    def _lookup_site(self, site, from_module: str) -> Optional[FunctionSummary]:
        found = self.resolve_site(site, from_module)
        if found is not None:
            return self.modules[found[0]][found[1]]
        for target in site.targets:
            summary = self.lookup(target, from_module)
            if summary is not None and not (not site.has_star and summary.binds_twice(
                    len(site.positional), site.kwargs, 1 if skips_self(summary.params, target, site) else 0)):
                return summary
        return None

    def _resolve(self, target: str, from_module: str, depth: int = 0) -> Optional[Tuple[str, str]]:
        target = _absolute(target, from_module)
        own = self.modules.get(from_module, {})
        for name in (target, f"{target}.__init__"):  # a class called: its constructor
            if name in own:
                return from_module, name
        parts = target.split(".")
        for i in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:i])
            # The nearest module of that name first; a farther one when it does not have the name (inside
            # package `config`, Python 2's `from config import f` means the sibling `config/config.py`).
            for module in self._modules_named(prefix, from_module):
                for name in (".".join(parts[i:]), ".".join(parts[i:]) + ".__init__"):
                    if name in self.modules[module]:
                        return module, name
                alias = self.reexports.get(module, {}).get(parts[i])
                if alias is not None and depth < 4 and parts[i] not in self.modules[module]:
                    # `nets.resnet_v1_50` where nets/__init__.py imports it, or an alias of another module's function
                    found = self._resolve(".".join([alias] + parts[i + 1:]), module, depth + 1)
                    if found is not None:
                        return found
        return (self._inherited_constructor(target, from_module, depth) or self._inherited_method(target, from_module, depth)
                or self._returned_instance_method(target, from_module, depth))

    def _returned_instance_method(self, target: str, from_module: str, depth: int) -> Optional[Tuple[str, str]]:
        """`get_autoencoder.inference` (`ae = get_autoencoder(name); ae.inference(x)`): the method of a class the
        function returns an instance of (FunctionSummary.returned_classes), the first that has it."""
        owner, _, method = target.rpartition(".")
        if not owner or depth > 5:
            return None
        # The owner is one call shorter (`self.feed('data').conv(...).pool(...)` chains): cached, no depth spent.
        maker = self.resolve(owner, from_module)
        if maker is None or maker[1].endswith(".__init__"):
            return None
        for cls in self.modules[maker[0]][maker[1]].returned_classes:
            found = self._resolve(f"{cls}.{method}", maker[0], depth + 1)
            if found is not None:
                return found
        return None

    def _class_entry(self, qualified_class: str, from_module: str) -> Tuple[str, Optional[tuple]]:
        """The module defining a project class a name means from `from_module`, and its classes entry."""
        found, _, entry = self._class_named(qualified_class, from_module)
        return found, entry

    def _class_named(self, qualified_class: str, from_module: str, depth: int = 0) -> Tuple[str, str, Optional[tuple]]:
        """(module, the class's own name, its classes entry) for a class name as written in `from_module`,
        through package re-exports (`class PlaneNet(Network)` with `from kaffe.tensorflow import Network`, or
        `import ... as BaseNetwork`)."""
        module, _, name = _absolute(qualified_class, from_module).rpartition(".")
        found = (self._find_module(module, from_module) if module else from_module) or ""
        entry = self.classes.get(found, {}).get(name)
        alias = self.reexports.get(found, {}).get(name) if entry is None and depth < 4 else None
        if alias is not None and alias != qualified_class and not alias.startswith("."):
            return self._class_named(alias, found, depth + 1)
        return found, name, entry

    def _inherited_method(self, target: str, from_module: str, depth: int) -> Optional[Tuple[str, str]]:
        """`MiniNet.conv` where `conv` is a base class's method: the nearest base's (in base order). A method no
        class up the chain defines, called on `self` in a base class (a template method: `Autoencoder.inference`
        calls `self.strided_inference`, which each subclass defines), is a subclass's: the first in the project's
        module order that defines it."""
        owner, _, method = target.rpartition(".")
        if not owner or method == "__init__" or depth > 5:
            return None
        found, entry = self._class_entry(owner, from_module)
        if entry is None:
            return None
        for base in entry[0]:
            resolved = self._resolve(f"{base}.{method}", found, depth + 1)
            if resolved is not None:
                return resolved
        if depth:
            return None  # only the class the call names looks down to its subclasses
        cls = (found, owner.rpartition(".")[2])
        for module, name in self._subclasses(cls):
            if f"{name}.{method}" in self.modules.get(module, {}):
                return module, f"{name}.{method}"
        return None

    def _subclasses(self, cls: Tuple[str, str], depth: int = 0) -> List[Tuple[str, str]]:
        """(module, class) of the project classes derived from `cls`, nearest first."""
        if self._subclass_table is None:
            table: Dict[Tuple[str, str], List[Tuple[str, str]]] = {}
            for module in sorted(self.classes):
                for name, entry in sorted(self.classes[module].items()):
                    for base in entry[0]:
                        if not base or base == "object":
                            continue
                        found, base_name, base_entry = self._class_named(base, module)
                        if base_entry is not None:
                            table.setdefault((found, base_name), []).append((module, name))
            self._subclass_table = table
        direct = self._subclass_table.get(cls, [])
        if depth > 3:
            return list(direct)
        return direct + [sub for d in direct for sub in self._subclasses(d, depth + 1) if sub not in direct]

    def _inherited_constructor(self, target: str, from_module: str, depth: int) -> Optional[Tuple[str, str]]:
        """A project class called that has no `__init__` of its own: its first base class's that has one
        (`class PSPNet101(Network)`, `PSPNet101(inputs, is_training=True)` runs `Network.__init__`)."""
        found, entry = self._class_entry(target, from_module)
        if entry is None or depth > 5:
            return None
        calls = entry[2] if len(entry) > 2 else frozenset()
        for base in entry[0]:
            resolved = self._resolve(base, found, depth + 1)
            if resolved is not None and resolved[1].endswith("__init__") and self._builds_base_bn(resolved, calls):
                return resolved
        return None

    def _builds_base_bn(self, init: Tuple[str, str], calls: FrozenSet[str]) -> bool:
        """Does a subclass that calls these method names build its base class's batch norm? A base constructor's
        summary speaks for every layer method of the base (`conv_bn`, `batch_normalization`); a subclass that
        calls none of those that build batch norm (only `conv_gn`) builds none."""
        summary = self.modules[init[0]][init[1]]
        if not (summary.builds_bn_updates or summary.mode_params):
            return True  # nothing to claim either way
        cls = init[1].rsplit(".", 1)[0]
        methods = {q.rsplit(".", 1)[1]: s for q, s in self.modules[init[0]].items() if q.startswith(cls + ".")}
        return any(name in methods and (methods[name].has_bn or methods[name].builds_bn_updates) for name in calls)

    def class_constant(self, qualified_class: str, attr: str, from_module: str, depth: int = 0) -> Optional[str]:
        """"true" / "false" for a boolean class attribute of a project class (or a base class), else None."""
        found, entry = self._class_entry(qualified_class, from_module)
        if entry is None or depth > 5:
            return None
        bases, constants = entry[0], entry[1]
        if attr in constants:
            return constants[attr]
        return next((v for b in bases for v in [self.class_constant(b, attr, found, depth + 1)] if v is not None), None)

    def batch_norm_attribute(self, attr: str) -> bool:
        """Is `attr` an attribute that the project's constructors set to batch norm alone (`self.normalizer_fn =
        slim.batch_norm` in a config class, never another normaliser)? A layer given `normalizer_fn=cfg.<attr>`
        then builds batch norm. (modes.class_constants records them.)"""
        cache = self.__dict__.setdefault("_bn_attributes", {})
        if attr not in cache:
            values = {constants.get("self." + attr) for classes in self.classes.values() for _, constants, *_ in classes.values()}
            values.discard(None)
            cache[attr] = values == {"normalizer:batch_norm"}
        return cache[attr]

    def unparsed_module_of(self, target: str, depth: int = 0) -> Optional[str]:
        """An unparsed module of the tree that a call target may live in (to parse it after all), also through
        a parsed package that re-exports the name (`from kitti_config import kitti_config` in its __init__)."""
        parts = target.lstrip(".").split(".")
        for i in range(len(parts) - 1, 0, -1):
            name = ".".join(parts[:i])
            for m in self._unparsed_by_last.get(parts[i - 1], ()):
                if m == name or m.endswith("." + name):
                    return m
        if depth < 3:
            for i in range(len(parts) - 1, 0, -1):
                name = ".".join(parts[:i])
                for module, names in self.reexports.items():
                    alias = names.get(parts[i]) if module == name or module.endswith("." + name) else None
                    if alias is not None and alias != target:
                        found = self.unparsed_module_of(".".join([alias, *parts[i + 1:]]), depth + 1)
                        if found is not None:
                            return found
        return None

    def key_reach(self, key: str, module: str, source=None, site=None) -> Optional[str]:
        """What a `**` dict handed on by `site` holds under `key`: None when nothing can put it there, "" when
        something can (its value unknown), or the source of the literal its function last wrote into it
        (`kwargs["bn"] = False` before the call overrides whatever the callers gave).

        `source` (kwargs_flow.dict_source) names the function whose `**kwargs` parameter the dict is: then
        only keys its callers pass by keyword or `**`, or writes into it, count. Any other dict may hold a key
        some parsed file puts into a dict, or passes by keyword to something other than project functions
        that take it as a named parameter."""
        owner = (module, source[0]) if source is not None else None
        local = [r for m, r in self.keys_written.get(key, ()) if owner is not None and r[0] == kwargs_flow.WRITE
                 and m == module and site is not None and r[1] == site.func.qualname and (r[1], r[2]) in source[1]]
        before = [r for r in local if r[3] < site.order] if local else []
        if before:
            return max(before, key=lambda r: r[3])[4] or ""
        if owner is not None and any(any(self.resolve(t, m) == owner for t in record[1])
                                     for m, record in self.keys_written.get(kwargs_flow.FORWARDED, ())):
            return ""
        for m, record in self.keys_written.get(key, ()):
            kind = record[0]
            if kind == kwargs_flow.LITERAL:
                return ""
            if kind == kwargs_flow.WRITE:
                if record not in local and (owner is None or (m == module and (record[1], record[2]) in source[1])):
                    return ""
                continue
            targets = record[1]
            if not targets:
                return ""  # a call of something not the project's: `functools.partial(f, key=...)`, `dict(key=...)`
            found = [f for f in (self.resolve(t, m) for t in targets) if f is not None]
            if not found:
                return ""  # a callee not in the parsed files
            # (star-imported names give several candidates: those that resolve are the callees)
            if any(key not in self.modules[f[0]][f[1]].params and (owner is None or f == owner) for f in found):
                return ""
        return None

    def lookup(self, target: str, from_module: str) -> Optional[FunctionSummary]:
        found = self.resolve(target, from_module)
        if found is not None:
            return self.modules[found[0]][found[1]]
        canon = api.canonical(target) or target
        if api.zoo_network(canon) and (self.arg_scopes or not api.zoo_bn_by_scope_only(canon)):
            return zoo_summary(canon)
        if api.zoo_arg_scope(canon):
            return zoo_factory_summary(canon)
        if api.zoo_conv_helper(canon):
            return ZOO_CONV_HELPER
        return None

    def bn_module_names(self) -> FrozenSet[str]:
        """Last name parts of the modules with a module-level function that builds batch norm or takes a mode:
        `getattr(<module>, name)(...)` may call it (prefilter.getattr_pattern)."""
        return frozenset(module.rsplit(".", 1)[-1] for module, functions in self.modules.items()
                         if any("." not in qual and (s.has_bn or s.mode_params) for qual, s in functions.items()))

    def bn_function_names(self) -> FrozenSet[str]:
        """Bare names of functions that build batch norm: the text prefilter looks for these."""
        names = set()
        if self._bn_names is not None:
            return self._bn_names
        for functions in self.modules.values():
            for qual, s in functions.items():
                # Those that hand a mode flag on too: a caller giving it False says which builds are inference;
                # and methods handing out a hand-written batch norm's update (its callers may drop it).
                if (s.builds_bn_updates or s.mode_params or s.factory is not None or s.slim_layers or s.has_bn
                        or s.passes_mode_params or s.returns_average_update or s.training_phase_fixed
                        or s.has_dropout or s.dropout_params or s.fraction_params or s.fixed_fraction is not None
                        or s.unread_update_lists):
                    parts = qual.split(".")
                    # A constructor is called by its class's name, and so is found an instance whose `__call__`
                    # builds batch norm (`self.encoder = Encoder(...)`, then `self.encoder(x)`).
                    names.add(parts[-2] if parts[-1] in ("__init__", "__call__") and len(parts) > 1 else parts[-1])
        # A subclass without a constructor of its own is called by its name and runs its base class's.
        for module, classes in self.classes.items():
            for name in classes:
                if f"{name}.__init__" not in self.modules.get(module, {}) and name not in names:
                    found = self._inherited_constructor(f"{module}.{name}", module, 0)
                    if found is not None and found[1].rsplit(".", 2)[-2] in names:
                        names.add(name)
        # A file that looks a batch-norm mode tensor up by its graph name (a frozen-graph predictor) feeds it.
        if self.mode_tensor_names:
            names.add("get_tensor_by_name")
        self._bn_names = frozenset(names)
        return self._bn_names


def _bn_kind(summary: FunctionSummary) -> tuple:
    """What a function builds, as far as batch norm's modes and updates go: overrides that agree on it are
    interchangeable for the calls that reach them."""
    return (summary.mode_params, summary.has_bn, summary.builds_bn_updates, summary.always_training,
            summary.mode_defaults)


def same_program(a: str, b: str) -> bool:
    """Do two modules belong to one program: the same folder, or one's folder inside the other's?"""
    da, db = a.rpartition(".")[0], b.rpartition(".")[0]
    return da == db or not da or not db or da.startswith(db + ".") or db.startswith(da + ".")


def _absolute(target: str, from_module: str) -> str:
    """`..net.Net` written in `src.lightflow.lightflow_tf` is `src.net.Net`: a relative import's name made absolute."""
    if not target.startswith("."):
        return target
    package = from_module.split(".")
    dots = len(target) - len(target.lstrip("."))
    base = package[: max(len(package) - dots, 0)]
    return ".".join(base + [target.lstrip(".")])
