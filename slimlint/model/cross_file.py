"""Facts other files need: each function's summary (does it build batch norm, in which mode, through
which parameter) and the call edges the engine turns into project-wide facts (train-op helpers called after
building batch norm or under control_dependencies, callers' arg_scopes, batch-norm modes, training callees)."""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst
import libcst.matchers as m

from slimlint.model import api, context
from slimlint.model.facts import (
    BN_API,
    method_param,
    MODE_PARAM_NAMES,
    DEFAULT,
    DYNAMIC,
    FALSE,
    PARAM,
    TRUE,
    UNKNOWN,
    UPDATE_OPS,
    FunctionInfo,
    ModeArg,
    SplatKwargs,
    default_word,
    mode_from_default,
    updates_collection_of,
)
from slimlint.model.summary import FactoryConfig, FunctionSummary, ProjectIndex
from slimlint.model.facts import arg_scoped, is_abstract, python_tested
from slimlint.model.branches import branch_paths, exclusive
from slimlint.model.helper_reads import bind_helper_reads
from slimlint.model.mode_survey import ALWAYS_JUDGED, SAMPLING_JUDGED, FileModes
from slimlint.model.import_table import dotted
from slimlint.model.parameter_instances import SELF_NAMES, instance_classes
from slimlint.model.unread_params import mention_counts
from slimlint.model.graph_names import looked_up_name
from slimlint.model import string_modes
from slimlint.model.average_updates import returns_average_update
from slimlint.model.dropped_modes import left_at_default
from slimlint.model.dropped_fractions import asks_no_dropout, unread_dropout_params
from slimlint.model.dropout import MODE_APIS as DROPOUT_LAYER_APIS, dropout_params
from slimlint.model.batch_norm import makes_untrainable
from slimlint.model.kept_fractions import fixed_fraction_origin, fraction_params, kept_by_constructor
from slimlint.model.update_lists import unread_update_lists
from slimlint.model.derived_modes import derived_flag
from slimlint.model.walk import find_all


MODULE_CODE = "<module>"  # the summary key of a file's module-level code (never a call target)


class CrossFileFacts:
    """Part of FileModel (semantic.py): uses its builder, functions and module_func."""

    def bind_project_facts(self, index: ProjectIndex) -> None:
        """Facts of this file that other files decide: the classes handed to its parameters (parameter_instances.py),
        the helpers that read UPDATE_OPS for it (helper_reads.py), the numbers config attributes hold
        (config_values.py). Before summarising, and before the rules run on a model made after the index (a fixed
        file's)."""
        self.config_constants = index.config_constants
        if self.builder.parameter_calls.calls:
            self.builder.parameter_calls.bind(index.passed_instances(self.module_name))
        bind_helper_reads(self.functions, self.module_name, index)

    def summaries(self, index: ProjectIndex) -> Dict[str, FunctionSummary]:
        with self.one_pass(index):
            return self._summaries(index)

    def _summaries(self, index: ProjectIndex) -> Dict[str, FunctionSummary]:
        self.bind_project_facts(index)
        out = {}
        for func in self.functions:
            if func.is_module or "<locals>" in func.qualname:
                continue
            out[func.qualname] = self._summarise(func, index)
        for qual, summary in list(out.items()):
            kept_by_constructor(self, out, qual, summary.fraction_params)
        # Methods whose batch norm takes its mode from self.<attr> set in __init__ (or in a `build(self,
        # is_training)` that calls them): that method is where callers choose it, so it carries those parameters.
        functions = {f.qualname: f for f in self.functions}
        for qual, summary in list(out.items()):
            owned: Dict[str, Set[str]] = {}
            for p in summary.mode_params:
                found = method_param(p)
                if found is not None:
                    owned.setdefault(found[0], set()).add(found[1])
            if not owned:
                continue
            predicates = dict(summary.mode_predicates)
            out[qual] = replace(summary, mode_params=frozenset(p for p in summary.mode_params if method_param(p) is None),
                                mode_defaults=tuple(d for d in summary.mode_defaults if method_param(d[0]) is None),
                                mode_predicates=tuple(d for d in summary.mode_predicates if method_param(d[0]) is None))
            info = functions.get(qual)
            if info is not None and self.method_never_called(info, index):
                continue  # a method nothing calls (a hand-written batch norm left for a library one): no mode of the object
            for method, params in owned.items():
                owner_name = qual.rsplit(".", 1)[0] + "." + method
                owner = out.get(owner_name)
                if owner is None:
                    continue
                defaults = dict(owner.mode_defaults)
                owned_predicates = dict(owner.mode_predicates)
                owned_predicates.update({p: predicates[f"{method}:{p}"] for p in params if f"{method}:{p}" in predicates})
                info = next(f for f in self.functions if f.qualname == owner_name)
                for p in params:
                    defaults[p] = _default_word(info, p, owned_predicates)
                # It builds update ops only if the method does (in-place batch norm does not).
                out[owner_name] = replace(owner, mode_params=owner.mode_params | params,
                                          builds_bn_updates=owner.builds_bn_updates or summary.builds_bn_updates,
                                          mode_defaults=tuple(sorted(defaults.items())),
                                          mode_predicates=tuple(sorted(owned_predicates.items())))
        # Module-level code (a script's body) is no function to call, but what its calls pass counts too.
        passes = self._instances_passed(self.module_func, index)
        arguments = self._mode_arguments(self.module_func, index)
        false_modes, false_options = self._false_mode_calls(arguments), self._false_option_calls(arguments)
        run_time_modes = self._run_time_mode_calls(arguments)
        no_dropout = asks_no_dropout(self, self.module_func, index)
        named_modes = self.named_mode_placeholders(index)
        false_keywords = self._false_method_keywords(self.module_func, index)
        phase_switch = self.switches_to_inference_before_run(self.module_func)
        if passes or false_modes or false_options or run_time_modes or no_dropout or named_modes or false_keywords \
                or phase_switch:
            out[MODULE_CODE] = FunctionSummary(qualname=MODULE_CODE, params=(), mode_params=frozenset(), mode_defaults=(),
                                               builds_bn_updates=False, always_training=False,
                                               passes_instances=passes, calls_with_false_mode=false_modes,
                                               calls_with_false_option=false_options,
                                               calls_with_run_time_mode=run_time_modes,
                                               asks_no_dropout=no_dropout,
                                               mode_tensors=named_modes, false_method_keywords=false_keywords,
                                               inference_phase_switch=phase_switch)
        return out

    def _mode_arguments(self, func: FunctionInfo, index: ProjectIndex) -> list:
        """(network, its mode parameter, ModeArg) for the calls in `func`: batch-norm calls' modes, and what any
        project function's mode-named parameter (`is_train`, MODE_PARAM_NAMES) is given, batch norm behind it
        or not: a flag reaches a model through configs and constructors before it reaches batch norm."""
        out, seen = [], set()
        for call in self.bn_calls(func, index):
            for param, mode in sorted(call.modes.items()):
                keys = index.network_keys(call.site, self.module_name, param)
                out.extend((key, param, mode) for key in keys)
                if keys:
                    seen.add((id(call.site.call), param))
        for site in func.calls:
            found = index.resolve_site(site, self.module_name)
            if found is None and index.is_dispatch(site):
                # `getattr(ops, conf.conv_type)(...)`: any of the module's functions that take the call; the
                # first stands for binding the arguments, network_keys gives the mode to each
                found = next(iter(index.resolve_site_all(site, self.module_name)), None)
            summary = index.modules[found[0]][found[1]] if found is not None else None
            for param in summary.params if summary is not None else ():
                if param in MODE_PARAM_NAMES and (id(site.call), param) not in seen:
                    expr = self.bound_arg(site, summary, param)
                    if expr is not None:
                        mode = self.classify(expr, func, param, site.call, index)
                        if mode.kind == UNKNOWN and self.option_default(expr) is False:
                            # `ALOCC_Model(..., is_training=FLAGS.train)` with the flag False by default: the
                            # author's inference build, as the defaults run it. Messages that cite it name the
                            # option (ProjectIndex.false_only_by_option), not a written False.
                            mode = replace(mode, kind=FALSE, by_option=cst.Module([]).code_for_node(expr))
                        # A function picked at run time (`model_fn = select_model(name)`): each candidate that
                        # takes the same arguments gets the same mode (ProjectIndex.network_keys).
                        out.extend((key, param, mode) for key in index.network_keys(site, self.module_name, param) or [found])
            derived = summary.derived_mode if summary is not None else None
            expr = self.bound_arg(site, summary, derived[0]) if derived is not None else None
            value = string_modes.string_literal(expr) if expr is not None else None
            if value is not None:
                # `Graph("test")` for `training = mode == "train"` that Graph never reads: asks for evaluation.
                kind = TRUE if string_modes.trains(derived[1], value) else FALSE
                out.append((found, derived[0], ModeArg(kind, expr, keyword=derived[0], owner=site.call, via_string=True)))
            elif expr is not None and any(not string_modes.trains(derived[1], v) for v in self.option_strings(expr)) \
                    and not self._tests_option(func, expr):
                # `Model(phase=args.phase)` over `--phase` with choices ['train', 'test']: the command line
                # can ask for evaluation. Messages name the option (ProjectIndex.false_only_by_option).
                option = cst.Module([]).code_for_node(expr)
                out.append((found, derived[0], ModeArg(FALSE, expr, keyword=derived[0], owner=site.call,
                                                       via_string=True, by_option=option)))
        return out

    def _tests_option(self, func: FunctionInfo, expr: cst.BaseExpression) -> bool:
        """Does the calling code test the option itself (`if args.phase == 'test': return predict(...)`)? Then the
        call may be reached for some of its strings only: the option's choices say nothing of this call."""
        option = dotted(expr)
        body = func.node if func.node is not None else self.module
        return any(dotted(n) == option for node in find_all(body, (cst.If, cst.IfExp, cst.While))
                   for n in find_all(node.test, cst.Attribute))

    def option_strings(self, expr: cst.BaseExpression) -> Tuple[str, ...]:
        """The literal strings the command-line option `expr` reads (`args.phase`, `FLAGS.mode`) may hold: its
        default and choices where this file defines it (options.py)."""
        option = dotted(expr)
        if option is None or option.count(".") != 1:
            return ()
        return self.options.strings().get(option.split(".")[1], ())

    @staticmethod
    def _false_mode_calls(arguments: list) -> tuple:
        """FunctionSummary.calls_with_false_mode, from _mode_arguments."""
        return tuple(sorted({(key, param) for key, param, mode in arguments if mode.kind == FALSE and not mode.by_option}))

    @staticmethod
    def _run_time_mode_calls(arguments: list) -> tuple:
        """FunctionSummary.calls_with_run_time_mode, from _mode_arguments: a name or attribute holding a mode
        decided at run time (`self.is_train`, a boolean placeholder)."""
        return tuple(sorted({(key, param, cst.Module([]).code_for_node(mode.expr)) for key, param, mode in arguments
                             if mode.kind == DYNAMIC and isinstance(mode.expr, (cst.Name, cst.Attribute))}))

    @staticmethod
    def _false_option_calls(arguments: list) -> tuple:
        """FunctionSummary.calls_with_false_option, from _mode_arguments."""
        return tuple(sorted({(key, param, mode.by_option) for key, param, mode in arguments
                             if mode.kind == FALSE and mode.by_option}))

    def _wires_updates_to_output(self, func: FunctionInfo) -> bool:
        """FunctionSummary.wires_updates_to_output: a control_dependencies block over the update ops it reads
        that returns, or assigns a name the function returns."""
        names = self.update_names(func)
        return any((block.inline_read or block.arg_names & names)
                   and (block.returns_inside or block.assigned_inside & func.returned_names)
                   and not any(block.order <= t.order <= block.end_order for t in func.train_ops)  # a train op's wiring
                   for block in func.blocks)

    @staticmethod
    def _kept_params(func: FunctionInfo) -> tuple:
        """FunctionSummary.keeps_params of a constructor."""
        return tuple(sorted((values[0][0].value, name) for name, values in func.assignments.items()
                            if name.startswith("self.") and name.count(".") == 1 and len(values) == 1
                            and isinstance(values[0][0], cst.Name) and values[0][0].value in func.params))

    @staticmethod
    def _mode_params_passed(arguments: list) -> tuple:
        """FunctionSummary.passes_mode_params, from _mode_arguments."""
        return tuple(sorted({(key, param, mode.param) for key, param, mode in arguments if mode.kind == PARAM and mode.param}))

    def _summarise(self, func: FunctionInfo, index: ProjectIndex) -> FunctionSummary:
        builds, always, mode_params = self._bn_updates_and_modes(func, index)
        unread = self._unread_mode_params(func, index) if always and func.node is not None else frozenset()
        fraction, by_slim_default = fixed_fraction_origin(self, func, index)
        bn_guard, guard_updates_only = self.bn_guard(func, index)
        slim_layers, slim_mode = self._slim_layers_and_mode(func, index)
        dropouts, dropout_keeps = dropout_params(self, func, index)
        defaults_of = set(mode_params) | dropouts | ({slim_mode[1]} if slim_mode[0] == PARAM else set())
        predicates = _string_predicates(mode_params)
        defaults = {param: _default_word(func, param, predicates) for param in defaults_of}
        arguments = self._mode_arguments(func, index)  # once: both call-mode facts come from it
        factory = self._factory_config(func, index)
        factory_default = self.factory_default(func, factory, index)
        if factory_default is not None:
            defaults.setdefault(factory.mode_param, factory_default)
        return FunctionSummary(
            qualname=func.qualname,
            params=func.params,
            mode_params=frozenset(mode_params),
            mode_predicates=tuple(sorted(predicates.items())),
            dropout_params=dropouts,
            dropout_keeps=dropout_keeps,
            fraction_params=fraction_params(self, func, index),
            fixed_fraction=fraction,
            fraction_by_slim_default=by_slim_default,
            asks_no_dropout=asks_no_dropout(self, func, index),
            unread_dropout_params=unread_dropout_params(func, fraction),
            abstract=self._syntax_facts(func)[0],
            arg_scoped=self._syntax_facts(func)[1],
            direct_bn=any(bool((part.layers or part.batch_moments) and self.bn_sites(part, index))
                          for part in self.with_nested(func)),
            python_tested=self._syntax_facts(func)[2],
            unread_update_lists=unread_update_lists(self, func),
            runs_session=bool(func.session_runs or func.train_ops or func.trains_via_callback),
            has_dropout=self._builds_dropout(func, index),
            mode_defaults=tuple(sorted(defaults.items())),
            builds_bn_updates=builds,
            always_training=always,
            trains_only=self._trains_only(func, index),
            modeless=self._trains_only(func, index, strict=True),
            unset_by_default=self._trains_only(func, index, strict=True, defaults=True),
            derived_mode=_derived_mode(func),
            inference_phase_switch=self.switches_to_inference_before_run(func),
            training_phase_fixed=self.fixes_training_phase(func),
            returns_average_update=returns_average_update(self, func),
            factory=factory,
            slim_layers=frozenset(slim_layers),
            slim_mode=slim_mode,
            has_bn=any(bool((part.layers or part.batch_moments) and self.bn_sites(part, index)) or part.adds_to_update_ops
                       or self._calls_bn_builder(part, index) for part in self.with_nested(func)),
            bn_own_collections=any(s.own_collections or s.api == "tf.nn.moments" and not makes_untrainable(func)
                                   for s in self.bn_sites(func, index))
            or any(c.summary.bn_own_collections for c in self.bn_calls(func, index)),
            opens_name_scope=func.opens_name_scope,
            accepts_any_keyword=func.varkw,
            n_positional=func.n_positional,
            n_required=func.n_required,
            accepts_any_positional=func.varargs,
            unread_mode_params=unread,
            unread_left_at_default=frozenset(p for p in unread if left_at_default(self, func, p, index)),
            passes_instances=self._instances_passed(func, index),
            returns_update_ops=func.returns_update_ops,
            calls_with_false_mode=self._false_mode_calls(arguments),
            calls_with_false_option=self._false_option_calls(arguments),
            calls_with_run_time_mode=self._run_time_mode_calls(arguments),
            passes_mode_params=self._mode_params_passed(arguments),
            keeps_params=self._kept_params(func) if func.qualname.endswith(".__init__") else (),
            wires_updates_to_output=self._wires_updates_to_output(func),
            builds_bn_in_loop=self.builds_bn_in_loop(func, index),
            updates_only_by_default=self._updates_only_by_default(func, index),
            sets_attrs=_self_attrs(func) if func.class_name is not None else (),
            **_returned_object(func),
            returned_classes=func.returned_classes,
            returned_callables=func.returned_callables,
            mutated_params=self.mutated_params(func),
            bn_guard=bn_guard,
            bn_guard_updates_only=guard_updates_only,
            guard_calls=self.guard_calls(func, index),
            mode_tensors=self._looked_up_modes(func, index),
            mode_attrs=frozenset(self.class_mode_attrs(func.class_name, index))
            if func.name == "__init__" and func.class_name is not None else frozenset(),
            false_method_keywords=self._false_method_keywords(func, index),
            captured_mode_attrs=self.captured_mode_attrs(func, index),
            built_mode_attrs=self.built_mode_attrs(func, index),
            late_mode_reads=self.late_mode_reads(func),
            constructs=func.qualname in self.construction_methods(),
        )

    def _false_method_keywords(self, func: FunctionInfo, index: ProjectIndex) -> tuple:
        """FunctionSummary.false_method_keywords: `<object>.<method>(..., is_training=False)` calls in `func`, with
        the classes the object is known to be an instance of (none: not known)."""
        out = set()
        for site in func.calls:
            if not isinstance(site.call.func, cst.Attribute):
                continue
            keywords = [k for k, v in site.kwargs.items()
                        if k in MODE_PARAM_NAMES and isinstance(v, cst.Name) and v.value == "False"]
            if not keywords:
                continue
            receiver = dotted(site.call.func.value)
            classes = instance_classes(receiver, func, self.builder.instances) if receiver else ()
            classes = tuple(sorted({self._project_class(c, index) for c in classes}))
            out.update((site.call.func.attr.value, keyword, classes) for keyword in keywords)
        return tuple(sorted(out))

    def _looked_up_modes(self, func: FunctionInfo, index: ProjectIndex) -> FrozenSet[str]:
        """FunctionSummary.mode_tensors of a function: the tensors its batch norm and its callees' look up."""
        out: Set[str] = set()
        for part in self.with_nested(func):
            for site in self.bn_sites(part, index):
                name = looked_up_name(site.mode.expr)
                if name is not None:
                    out.add(name)
            for call in self.bn_calls(part, index):
                out |= call.summary.mode_tensors
        return frozenset(out)

    def _instances_passed(self, func: FunctionInfo, index: ProjectIndex) -> tuple:
        """What FunctionSummary.passes_instances says: for calls of project functions that take parameters on
        which methods are called, the classes of the project instances passed (`TrainOp(model, loss_fn)`)."""
        out = []
        for site in func.calls:
            found = index.resolve_site(site, self.module_name)
            if found is None or found[0] == self.module_name:
                continue  # this file's own calls are bound when it is read (ParameterCalls.resolve_locally)
            summary = index.modules[found[0]][found[1]]
            for param in summary.params:
                expr = self.bound_arg(site, summary, param) if param not in SELF_NAMES else None
                name = dotted(expr) if expr is not None else None
                classes = instance_classes(name, func, self.builder.instances) if name else ()
                classes = tuple(self._project_class(c, index) for c in classes)
                if classes:
                    out.append((found, param, classes))
        return tuple(out)

    def _project_class(self, qualified: str, index: ProjectIndex) -> str:
        """`loss.CrossEntropyLoss` as the module that defines it names it (its constructor's module)."""
        found = index.resolve(qualified, self.module_name)
        if found is not None and found[1].endswith(".__init__"):
            return f"{found[0]}.{found[1][: -len('.__init__')]}"
        return qualified

    def _unread_mode_params(self, func: FunctionInfo, index: ProjectIndex) -> FrozenSet[str]:
        """Mode-named parameters the body never reads, or only hands on to callees that never read theirs."""
        counts = mention_counts(func.node, (p for p in func.params if p in MODE_PARAM_NAMES))
        handed_on: Dict[str, int] = {}
        for site in func.calls if counts else ():
            summary = index.lookup_site(site, self.module_name)
            for param in summary.unread_mode_params if summary is not None else ():
                expr = self.bound_arg(site, summary, param)
                if isinstance(expr, cst.Name) and expr.value in counts:
                    handed_on[expr.value] = handed_on.get(expr.value, 0) + 1
        return frozenset(p for p, n in counts.items() if n == handed_on.get(p, 0))

    def _syntax_facts(self, func: FunctionInfo) -> Tuple[bool, bool, FrozenSet[str]]:
        """(abstract, arg_scoped, python_tested) of a function: its text alone decides them, so they are read
        once, not in every round of the summaries' fixed point."""
        memo = self.__dict__.setdefault("_syntax_memo", {})
        if func.qualname not in memo:
            memo[func.qualname] = (func.class_name is not None and is_abstract(func.node), arg_scoped(func.node),
                                   python_tested(func.node, func.params))
        return memo[func.qualname]

    def with_nested(self, func: FunctionInfo) -> List[FunctionInfo]:
        """`func` and the functions defined inside it, which run only when it calls them or hands them on
        (`tf.map_fn(meta_task, ...)`, `tf.while_loop(cond, body, ...)`): their batch norm is its batch norm."""
        if func.is_module:
            return [func]
        prefix = func.qualname + ".<locals>."
        return [func] + [f for f in self.functions if f.qualname.startswith(prefix)]

    def _bn_updates_and_modes(self, func: FunctionInfo, index: ProjectIndex) -> Tuple[bool, bool, Dict[str, set]]:
        """Does `func` put batch-norm updates into UPDATE_OPS, does it always train, and through which parameters
        its callers choose the mode (its own batch norm and the batch-norm builders it calls), each with the
        string tests it is read through (None: read as a boolean; string_modes.py)."""
        mode_params: Dict[str, set] = {}
        builds = always = False
        if func.adds_to_update_ops:
            # Hand-written batch norm: its updates go to UPDATE_OPS, its mode is the parameter named for it.
            builds = True
            mode = next((p for p in func.params if p in MODE_PARAM_NAMES), None)
            if mode is not None:
                mode_params.setdefault(mode, set()).add(None)
            else:
                always = True
        parts = self.with_nested(func)
        for part in parts:
            removed_at = self._removes_own_updates(part)
            for site in self.bn_sites(part, index):
                # taken back out when the `del` comes after the layer (one before it clears older updates only)
                removed = removed_at is not None and self.position(site.layer.call).start.line < removed_at
                for mode in self.as_outer_modes(func, part, site.mode, index):
                    if mode.kind == PARAM:
                        # In-place batch norm still runs in the mode it is given: SL201 needs the parameter.
                        mode_params.setdefault(mode.param, set()).add(mode.predicate)
                    if site.updates_collection == UPDATE_OPS and mode.kind != FALSE and not removed:
                        builds = True
                        always = always or mode.kind == TRUE
            for call in self.bn_calls(part, index):
                builds = builds or call.summary.builds_bn_updates and call.adds_update_ops
                # `with slim.arg_scope([slim.batch_norm], is_training=is_training): net = block(net)`: the scope
                # gives the callee's slim batch norm its mode, whatever the callee leaves at slim's default.
                scoped = self.call_scope_mode(call.site, index) if call.summary.always_training else None
                if scoped is not None and scoped.kind in (PARAM, FALSE, DYNAMIC):
                    for mode in self.as_outer_modes(func, part, scoped, index):
                        if mode.kind == PARAM:
                            mode_params.setdefault(mode.param, set()).add(mode.predicate)
                else:
                    always = always or call.summary.always_training
                for mode in (outer for given in call.modes.values() for outer in self.as_outer_modes(func, part, given, index)):
                    if mode.kind == PARAM:
                        mode_params.setdefault(mode.param, set()).add(mode.predicate)
                        builds = builds or call.summary.builds_bn_updates
                    elif mode.kind == TRUE and call.summary.builds_bn_updates:
                        always = True
        return builds, always, mode_params

    def _removes_own_updates(self, func: FunctionInfo) -> Optional[int]:
        """The line where the function takes back the update ops its batch norm adds (`ops =
        tf.get_collection_ref(UPDATE_OPS)`, then `del ops[i:]` after the layer, the slice run by
        `tf.control_dependencies` around its output): batch norm built before it leaves nothing in UPDATE_OPS
        for a train op to miss. None when it does not."""
        if func.node is None or "get_collection_ref" not in self.module_code():
            return None  # (asked on every summary pass: the file's text rules most functions out at once)
        memo = self.__dict__.setdefault("_removes_own_updates_memo", {})
        if id(func) in memo:
            return memo[id(func)]
        found = None
        for node in find_all(func.node, cst.Del):
            target = node.target
            if not isinstance(target, cst.Subscript) or not isinstance(target.value, cst.Name):
                continue
            for value, _ in func.assignments.get(target.value.value, ()):
                if isinstance(value, cst.Call) and (dotted(value.func) or "").endswith("get_collection_ref") \
                        and self.builder.is_update_read(value):
                    found = max(found or 0, self.position(node).start.line)
        memo[id(func)] = found
        return found

    def _trains_only(self, func: FunctionInfo, index: ProjectIndex, strict: bool = False, defaults: bool = False) -> bool:
        """FunctionSummary.trains_only: `func` builds batch norm, and all of it (its own, its nested functions',
        that of the project functions it calls) runs in training mode whatever its callers pass: no mode
        parameter, no False, nothing unknown (`encoder(x)` over `conv_block`'s `batch_norm(conv)` at the
        library's default). `strict` (FunctionSummary.modeless): batch norm never given a mode at all: every one
        at the library's default (none written True), and no project function on the way takes a mode, not even
        one it ignores or leaves at a default of True. `defaults` (FunctionSummary.unset_by_default): strict, but
        a call may leave a wrapper's mode at its default of True."""
        if func.adds_to_update_ops:
            return False  # hand-written: its mode is a parameter or unknown
        found = False
        for part in self.with_nested(func):
            if strict and any(p in MODE_PARAM_NAMES for p in part.params):
                return False  # a mode it drops (SL209) or leaves at True: reported where it is
            for site in self.bn_sites(part, index):
                found = True
                if site.mode.kind != TRUE or strict and site.mode.expr is not None:
                    return False  # strict: a written True says batch statistics on purpose (transductive, batch 1)
            moded = {id(call.site.call): call for call in self.bn_calls(part, index) if call.modes}
            for site in part.calls:
                call = moded.get(id(site.call))
                summary = call.summary if call is not None else index.lookup_site(site, self.module_name)
                if summary is None or not summary.has_bn and call is None:
                    continue
                found = True
                scope = self.call_scope_mode(site, index)
                if scope is not None and scope.kind != TRUE:
                    return False  # `with arg_scope([batch_norm], is_training=False): encoder(x)`
                if call is not None:
                    if strict and not defaults or any(mode.kind != TRUE or strict and mode.expr is not None
                                                      for mode in call.modes.values()):
                        return False
                elif not ((summary.unset_by_default if defaults else summary.modeless) if strict else summary.trains_only):
                    return False
        return found

    def as_outer_modes(self, func: FunctionInfo, part: FunctionInfo, mode: ModeArg, index: ProjectIndex) -> List[ModeArg]:
        """A mode inside a function nested in `func`, as `func`'s callers see it: a parameter of the nested
        function (`def residual_block(x, _is_train=True)`) takes what `func`'s calls of it pass
        (`residual_block(x, _is_train=is_train)`: `func`'s own parameter). Unchanged when `func` never calls it
        by name (it hands it on: `tf.map_fn(body, ...)`)."""
        if part is func or mode.kind != PARAM or mode.param not in part.params or func.node is None:
            return [mode]
        calls = m.findall(func.node.body, m.Call(func=m.Name(part.name)))
        if not calls:
            return [mode]
        out = []
        position = part.params.index(mode.param)
        for call in calls:
            keyword = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == mode.param), None)
            positional = [a.value for a in call.args if a.keyword is None and not a.star]
            expr = keyword if keyword is not None else (positional[position] if position < len(positional) else None)
            if expr is None and any(a.star for a in call.args):
                out.append(replace(mode, kind=UNKNOWN, param=None))
                continue
            given = self.classify(expr, func, mode.param, call, index)
            out.append(replace(given, kind=mode_from_default(default_word(part.defaults.get(mode.param))), expr=None)
                       if given.kind == DEFAULT else given)
        return out

    def _updates_only_by_default(self, func: FunctionInfo, index: ProjectIndex) -> bool:
        """FunctionSummary.updates_only_by_default: every batch norm `func` builds (itself or through the
        functions it calls) that puts ops in UPDATE_OPS runs at the library's training-mode default, no mode
        written and no parameter to switch it: a stray layer among batch norm that follows a mode in place."""
        if func.adds_to_update_ops:
            return False
        found = False
        for part in self.with_nested(func):
            for site in self.bn_sites(part, index):
                if site.updates_collection != UPDATE_OPS:
                    continue
                if site.mode.kind != TRUE or site.mode.expr is not None:
                    return False
                found = True
            for call in self.bn_calls(part, index):
                if not call.adds_update_ops:
                    continue
                if not call.summary.updates_only_by_default:
                    return False
                found = True
        return found

    def _slim_layers_and_mode(self, func: FunctionInfo, index: ProjectIndex) -> Tuple[Set[str], Tuple[str, Optional[str]]]:
        """The slim layers `func` builds with no normalizer of their own (a caller's arg_scope may give them batch
        norm), and the mode its arg_scopes (or the first project callee that has one) give slim's batch norm."""
        slim_layers: Set[str] = set()
        slim_mode: Tuple[str, Optional[str]] = (DEFAULT, None)
        for layer in func.layers:
            if layer.api in api.NORMALIZED_LAYERS and "normalizer_fn" not in layer.kwargs:
                if self._frame_value(layer.frames, layer.api, "normalizer_fn", index)[1] is None:
                    slim_layers.add(layer.api)
                    _, expr = self._frame_value(layer.frames, BN_API, "is_training", index)
                    if expr is not None:
                        m = self.classify(expr, func, "is_training", None, index)
                        slim_mode = (m.kind, m.param)
        for site in func.calls:
            summary = index.lookup_site(site, self.module_name)
            if summary is not None:
                # Layers an arg_scope around the call already gives a normaliser (`normalizer_fn=None` too) take
                # nothing from this function's callers.
                slim_layers.update(op for op in summary.slim_layers
                                   if self._frame_value(site.frames, op, "normalizer_fn", index)[1] is None)
                kind, param = summary.slim_mode
                if summary.slim_layers and kind == DEFAULT and slim_mode[0] == DEFAULT:
                    # `with arg_scope([slim.batch_norm], is_training=is_training): net = conv2d_same(...)`: the
                    # helper's layers get their mode from this function's scope.
                    _, expr = self._frame_value(site.frames, BN_API, "is_training", index)
                    if expr is not None:
                        m = self.classify(expr, func, "is_training", None, index)
                        slim_mode = (m.kind, m.param)
                        continue
                if kind == PARAM and param and slim_mode[0] == DEFAULT:
                    m = self.attribute_argument_mode(site, summary, param, index) or self.classify(
                        self.bound_arg(site, summary, param), func, param, None, index)
                    slim_mode = (m.kind, m.param) if m.kind != DEFAULT else (mode_from_default(summary.default_of(param)), None)
                elif kind in (TRUE, FALSE) and slim_mode[0] == DEFAULT:
                    slim_mode = summary.slim_mode
        return slim_layers, slim_mode

    def _builds_dropout(self, func: FunctionInfo, index: ProjectIndex) -> bool:
        """FunctionSummary.has_dropout: a mode-taking dropout left at its default (`tf.layers.dropout` without
        `training=`, slim's default True), itself or through its calls. Dropout whose mode or fraction a parameter
        decides is in dropout_params / fraction_params; one fed by a placeholder is judged in its own file."""
        for part in self.with_nested(func):
            if any(layer.api in DROPOUT_LAYER_APIS and DROPOUT_LAYER_APIS[layer.api][0] not in layer.kwargs
                   for layer in part.layers):
                return True
            if index.any_summary("has_dropout") and any(
                    getattr(index.lookup_site(site, self.module_name), "has_dropout", False) for site in part.calls):
                return True
        return False

    def _calls_bn_builder(self, func: FunctionInfo, index: ProjectIndex) -> bool:
        for site in func.calls:
            summary = index.lookup_site(site, self.module_name)
            if summary is not None and (summary.has_bn or summary.builds_bn_updates):
                return True
        return False

    def _factory_config(self, func: FunctionInfo, index: ProjectIndex) -> Optional[FactoryConfig]:
        frames = func.returns_arg_scope
        if not frames:
            passed = self._factory_passed_through(func, index)
            # the parameter a callee drops is the callee's finding, not this function's
            return replace(passed[0], dropped_mode_param=None) if passed else None
        normalized = set()
        params_expr = None
        switch = None
        for frame in frames:
            if frame.ops is None:
                continue
            fn = frame.kwargs.get("normalizer_fn")
            if isinstance(fn, cst.Name) and self._canonical(fn) not in api.NORMALIZER_FNS:
                fn = _chosen_by_default(func, fn.value) or fn
            elif isinstance(fn, cst.IfExp):
                picked = _picked_by_default(func, fn)
                if picked is not None and picked is fn.body and isinstance(fn.test, cst.Name):
                    switch = (fn.test.value, True)  # `slim.batch_norm if use_batch_norm else None`, default True
                fn = picked
            if fn is not None and self._canonical(fn) in api.NORMALIZER_FNS:
                normalized.update(frame.ops)
                params_expr = frame.kwargs.get("normalizer_params", params_expr)
            if BN_API in frame.ops:
                normalized.add(BN_API)
        if not normalized:
            return None
        read = self._dict_items(params_expr, func)
        # A params dict written under conditions (`if not is_training: params['is_training'] = False`), or one
        # spread into a scope that cannot be read: the mode it gives is not known, not the library's default.
        unreadable = params_expr is not None and read is None or any(
            isinstance(frame.kwargs, SplatKwargs) for frame in frames if frame.ops is not None and BN_API in frame.ops)
        items = read or {}
        expr = items.get("is_training")
        from_params = expr is not None
        if expr is None:
            _, expr = self._frame_value(frames, BN_API, "is_training", index)
        mode = self.classify(expr, func, "is_training", None, index)
        if expr is None and unreadable:
            mode = replace(mode, kind=UNKNOWN)
        uc = items.get("updates_collections")
        if uc is None:
            _, uc = self._frame_value(frames, BN_API, "updates_collections", index)
        updates = updates_collection_of(uc, uc is not None)
        dropped = _dropped_mode_param(func) if mode.kind in (TRUE, DEFAULT) else None
        return FactoryConfig(frozenset(normalized), mode.kind, mode.param, updates, from_params, dropped, switch)

    def _factory_passed_through(self, func: FunctionInfo, index: ProjectIndex) -> Optional[Tuple[FactoryConfig, str]]:
        """`def training_scope(**kwargs): return lib.training_scope(**kwargs)` (slim's mobilenet_v2): the factory it
        returns, and the default of that factory's mode parameter when the caller's keywords reach it."""
        site = next((s for s in func.calls if s.call is func.returns_call), None) if func.returns_call is not None else None
        summary = index.lookup_site(site, self.module_name) if site is not None else None
        if summary is None or summary.factory is None:
            return None
        config = summary.factory
        if config.mode != PARAM or not config.mode_param:
            return config, "other"
        param = config.mode_param
        expr = self.bound_arg(site, summary, param)
        carried = self.attribute_argument_mode(site, summary, param, index)
        if carried is not None:
            mode = carried
        elif expr is None:
            if func.varkw and param not in func.params and site.has_star:
                return config, summary.default_of(param) or "other"  # handed on in **kwargs: the caller decides
            mode = ModeArg(mode_from_default(summary.default_of(param)))
        else:
            mode = self.classify(expr, func, param, site.call, index)
        if mode.kind == PARAM and mode.param:
            return replace(config, mode_param=mode.param), default_word(func.defaults.get(mode.param))
        return replace(config, mode=mode.kind if mode.kind in (TRUE, FALSE) else UNKNOWN, mode_param=None), "other"

    def factory_default(self, func: FunctionInfo, factory: Optional[FactoryConfig], index: ProjectIndex) -> Optional[str]:
        """The default of a factory's mode parameter (FunctionSummary.mode_defaults), its own or the one it hands on to."""
        if factory is None or factory.mode != PARAM or not factory.mode_param:
            return None
        if factory.mode_param in func.params:
            return default_word(func.defaults.get(factory.mode_param))
        passed = self._factory_passed_through(func, index)
        return passed[1] if passed else None

    def calls_after_training_bn(self, index: ProjectIndex, unresolved: Optional[list] = None) -> List[Tuple[str, str]]:
        """Project functions this file calls after it has built batch norm that adds update ops.

        Targets that may live in a module nobody parsed yet go to `unresolved`: those calls, and the helpers
        whose result such a function keeps (`update_ops = get_update_ops()`, helper_reads.py).
        """
        out = []
        for func in self.functions:
            bn = self.training_bn(func, index)
            if not bn:
                continue
            kept = {id(call) for call, _ in func.helper_results.values()}
            paths = branch_paths(func.node if func.node is not None else self.module)
            builds = [(b.order, paths.get(id(b.layer.call if hasattr(b, "layer") else b.site.call))) for b in bn]
            for site in func.calls:
                # After batch norm that the same pass builds (not one in another branch of an `if`, nor, in
                # module code, one in another graph: `tf.reset_default_graph()`, `with tf.Graph().as_default():`).
                here = {id(b) for b in self.same_graph(bn, site.order)} if func.is_module else None
                # In a function: not across its own `tf.reset_default_graph()` (the next model's graph).
                after = any(order < site.order and not exclusive(path, paths.get(id(site.call)))
                            and not any(order < r < site.order for r in func.graph_resets)
                            for b, (order, path) in zip(bn, builds) if here is None or id(b) in here)
                if not after and id(site.call) not in kept:
                    continue
                found = index.resolve_site(site, self.module_name)
                if found is not None and after:
                    out.append(found)
                if unresolved is not None:
                    unresolved.extend(t for t in site.targets if index.resolve(t, self.module_name) is None)
        if unresolved is not None:
            # Classes of objects whose mode attribute a call reads (object_modes.py): parse their modules too.
            unresolved.extend(sorted(self.unresolved_object_classes))
            # A batch-norm method of what an unparsed factory returns (`get_model(name).inference(x)`, `m =
            # utils.get_model(name); m.inference(x)`): parse the factory's module to learn its classes.
            names = index.bn_function_names()
            unresolved.extend(t.rpartition(".")[0] for func in self.functions for site in func.calls for t in site.targets
                              if t.count(".") > 1 and t.rpartition(".")[2] in names and index.resolve(t, self.module_name) is None)
        return out

    def calls_under_update_deps(self, index: ProjectIndex) -> List[Tuple[Tuple[str, str], bool]]:
        """(project function, is this call inside `control_dependencies(<update ops>)`) for every call:
        a train-op helper called only inside such a block builds a train op that runs the updates. Not one
        that builds batch norm itself: the caller read the collection before those update ops existed. Also a
        helper whose result the caller ties to the update ops afterwards (`op = unrolled_step(...)`, then
        `with tf.control_dependencies([op, tf.group(*tf.get_collection(UPDATE_OPS))]):`, or `train_op =
        tf.group([train_op, update_ops])`): whatever runs that block or group runs the helper's train ops and
        the updates together."""
        out = []
        for func in self.functions:
            update_names = self.update_names(func)
            tying = [b for b in func.blocks if b.inline_read or b.arg_names & update_names]
            calls = []
            for site in func.calls:
                found = index.resolve_site(site, self.module_name)
                if found is not None:
                    builds_updates = index.modules[found[0]][found[1]].builds_bn_updates
                    wired = not builds_updates and any(b.inline_read or b.arg_names & update_names for b in site.blocks)
                    tied = any(b.order > site.order and b.arg_names & set(site.assigned_to) for b in tying) or any(
                        # `loss, train_op = self._make_train_op(...)`, then `train_op = tf.group([train_op, update_ops])`
                        g.order > site.order and g.api in _TYING_GROUPS and g.arg_names & set(site.assigned_to)
                        and set(g.targets) & set(site.assigned_to)  # the name now holds the group: what later code runs
                        and (g.inline_read or g.arg_names & update_names) for g in func.groupings)
                    calls.append((site, found, wired or tied))
            paths = branch_paths(func.node) if func.node is not None and any(w for *_, w in calls) else {}
            for site, found, wired in calls:
                # `if self.batch_norm: with tf.control_dependencies(update_ops): op = helper(loss)` / `else: op =
                # helper(loss)`: the other branch is the configuration without batch norm.
                wired = wired or any(w and other == found and exclusive(paths.get(id(site.call)), paths.get(id(s.call)))
                                     for s, other, w in calls)
                out.append((found, wired))
        return out

    def calls_with_bn_scope(self, index: ProjectIndex) -> List[Tuple[Tuple[str, str], Tuple[str, str], Optional[str], object]]:
        """(caller, project function called, the is_training an enclosing `arg_scope([slim.batch_norm], ...)`
        gives the call, or None; the batch norm enclosing arg_scopes give the callee's slim convolutions, see
        scope_normaliser) for every call of a project function."""
        out = []
        for func in self.functions:
            for site in func.calls:
                callee = index.resolve_site(site, self.module_name)
                if callee is None:
                    continue
                _, expr = self._frame_value(site.frames, BN_API, "is_training", index)
                if expr is None:
                    expr = self._scoped_normalizer_mode(site)  # `arg_scope([slim.conv2d], normalizer_params=...)`
                kind = None
                if expr is not None:
                    kind = self.classify(expr, func, "is_training", None, index).kind
                    kind = kind if kind in (TRUE, FALSE) else UNKNOWN
                out.append(((self.module_name, func.qualname), callee, kind, self.scope_normaliser(site, index)))
        return out

    def batch_norm_modes(self, index: ProjectIndex, role: str) -> FileModes:
        """The modes this file's batch norm runs in (sites and calls to networks; a parameter is decided by
        the callers, whose calls are counted where they are); whether evaluation code (a script's own
        `if args.mode == "test":` path, or an eval script or function calling a network that always trains)
        builds batch norm in training mode by design; whether
        evaluation code builds batch norm with a mode SL201 judges (an explicit or default True it reports); the
        project functions it calls to build batch norm, with the modes each call gives; whether it draws samples
        from a model in a run that trains nothing (EvalRuns.samples_in_training_run); whether some batch norm
        is given a mode that can be other than training (False, a placeholder, a run-time value, a caller's
        arg_scope), not only the library's training-mode default or a written True; whether it trains adversarially (two or more train ops with their own var_list)."""
        kinds = set()
        run_mode_eval = judged_eval = judged_sampling = moded = False
        network_calls = []  # (this module, the project function called, the modes this call builds its batch norm in)
        for func in self.functions:
            sites = self.bn_sites(func, index)
            builds = [(s.order, [s.mode.kind], True, None, False) for s in sites]
            # A mode written by the author (`is_training=True`, a parameter, a network that takes one), not
            # the library's training-mode default: the network is meant to be built in other modes too.
            moded = moded or any(_given_mode(s.mode) for s in sites)
            towers = set()  # `self.g_test = self.generator(z, reuse=True)`: an evaluation tower, as SL201 reads it
            # Evaluation builds of a network that always trains: judged unless the project is a GAN (resolved()).
            always = {id(site.call) for site in self.evaluated_always_training(func, role, index)}
            for c in self.bn_calls(func, index):
                if c.site.in_reuse_scope and context.eval_target(c.site.assigned_to):
                    towers.add(c.order)
                found = [m.kind for m in c.modes.values()] + ([TRUE] if c.summary.always_training else [])
                moded = moded or any(_given_mode(m) for m in c.modes.values())
                # `with slim.arg_scope([slim.batch_norm], is_training=False): val_logits = convnet(...)`: the
                # caller's scope gives the callee's slim batch norm a mode.
                _, scoped = self._frame_value(c.site.frames, BN_API, "is_training", index)
                if scoped is not None:
                    given = self.classify(scoped, func, "is_training", c.site.call, index)
                    found.append(given.kind)
                    moded = moded or _given_mode(given)
                # `create_model(x, arch, is_training=False)` over a network that always trains: the author asks
                # for inference mode and the network drops it (SL209), not batch statistics by design
                asks_false = c.summary.always_training and any(
                    key in MODE_PARAM_NAMES and isinstance(value, cst.Name) and value.value == "False"
                    for key, value in c.site.kwargs.items())
                builds.append((c.order, found, bool(c.modes) or (ALWAYS_JUDGED if id(c.site.call) in always else False),
                               index.resolve_site(c.site, self.module_name), asks_false))
            sampling = context.samples_by_name(self.module_name, func)
            for order, found, judged, callee, asks_false in builds:
                kinds.update(found)
                # A forward pass named inference() / predict() is not evidence of evaluation: training uses it.
                evaluates = context.is_eval_context(role, func, order, training_callee=True)
                judged_here = (evaluates or order in towers) and judged is True
                mark = SAMPLING_JUDGED if sampling else "judged"
                if judged == ALWAYS_JUDGED and callee is not None:
                    judged_here, mark = True, ALWAYS_JUDGED
                if callee is not None:
                    # An evaluation build SL201 judges: its fix makes the network read its moving statistics.
                    network_calls.append((self.module_name, callee, sorted(set(found) - {PARAM}) + ([mark] if judged_here else [])))
                if judged_here and mark == ALWAYS_JUDGED:
                    run_mode_eval = True  # the design in a GAN project; resolved() judges it in any other
                elif judged_here and sampling:
                    # decided with the whole project (ProjectModes.resolved): a network call by its mark
                    judged_sampling = judged_sampling or callee is None
                elif judged_here:
                    judged_eval = True
                elif (evaluates or order in towers or any(a < order <= b for a, b in func.run_mode_regions)) and TRUE in found:
                    # training mode there by design (a parameter's mode is its callers'): also a validation tower
                    # of a network given no mode (`output_val = forward(x, weights, reuse=True)`, MAML's family);
                    # not when the build asks for False: that evaluation means to read the moving statistics
                    if asks_false:
                        judged_eval = True
                    else:
                        run_mode_eval = True
        if self.builder.keras_bn_applications:
            kinds.add(UNKNOWN)
        # A mode parameter the body reads but slimlint does not follow to batch norm (`params["is_training"] =
        # is_training`): it may give one. One a function ignores gives none; one it follows is its callers'.
        for f in self.functions:
            followed = index.modules.get(self.module_name, {}).get(f.qualname)
            unfollowed = [p for p in f.params if p in MODE_PARAM_NAMES
                          and (followed is None or p not in followed.mode_params)]
            if not moded and f.node is not None and unfollowed:
                moded = any(mention_counts(f.node, unfollowed).values())
        # Adversarial training: several train ops, each over its own var_list (a GAN's D and G steps), not
        # parameter groups of one loss (`tf.gradients(loss, conv_vars + fc_vars)` split over two optimizers).
        listed = [op for f in self.functions for op in f.train_ops if op.var_list is not None]
        # `minimize(loss, var_list=D.var_list)` beside `minimize(-loss, var_list=G.var_list)`: one loss, two players
        signs = {_negated_loss(op.call) for op in listed}
        one_loss = bool(listed) and len(signs) == 1 and all(
            op.loss_names and op.loss_names == listed[0].loss_names for op in listed)
        adversarial = len(listed) >= 2 and not one_loss
        return FileModes(kinds=kinds - {PARAM}, run_mode_eval=run_mode_eval, judged_eval=judged_eval,
                         network_calls=network_calls, samples=self.samples_in_training_run(), moded=moded,
                         adversarial=adversarial, judged_sampling=judged_sampling)

    def call_edges(self, index: ProjectIndex) -> List[Tuple[Tuple[str, str], Tuple[str, str], bool]]:
        """(caller, callee, made before the caller's last train op) between project functions, for transitive
        questions. Every candidate a call may reach (`layers = LargeLayers()` in one branch, `SmallLayers()` in
        another): whichever the run picks is called."""
        out = []
        for func in self.functions:
            for site in func.calls:
                for found in index.resolve_site_all(site, self.module_name):
                    # module code by its summary key: never a callee, so only questions asked from it reach past it
                    caller = MODULE_CODE if func.is_module else func.qualname
                    out.append(((self.module_name, caller), found, _before_last_train_op(func, site)))
        return out

    def training_callees(self, index: ProjectIndex, training_file: bool) -> List[Tuple[Tuple[str, str], bool, bool]]:
        """(project function called from training code, is the call made before the caller's last train op,
        does the caller build a train op itself) for every such call: one made after the op (an evaluation head
        built once the op exists) builds nothing the op trains."""
        out = []
        for func in self.functions:
            trains = bool(func.train_ops or func.trains_via_callback)
            if not (training_file or trains):
                continue
            runs = self.training_run_orders(func) if training_file and not trains else []
            for site in func.calls:
                # every candidate: a model module picked at run time is trained whichever it is
                for found in index.resolve_site_all(site, self.module_name):
                    # A caller that runs a train op after the call (built by a helper it called) trains what
                    # the callee built, as one that builds the op does.
                    out.append((found, _before_last_train_op(func, site), trains or any(o > site.order for o in runs)))
        return out


def _before_last_train_op(func: FunctionInfo, site) -> bool:
    """Is the call made before the function's last train op, or in its arguments (`minimize(loss +
    head(h))`), or does the function build none? Layers built after the op exists (an evaluation head) are
    not what it trains."""
    if not func.train_ops:
        return True
    last = max(func.train_ops, key=lambda op: op.order)
    return site.order < last.order or any(call is site.call for call in m.findall(last.call, m.Call()))


def _given_mode(mode: ModeArg) -> bool:
    """Is this a mode someone wrote that can be other than training (False, a placeholder, a run-time value),
    not the library's default, a written True, nor a parameter (whose callers give it or not)?"""
    return mode.kind not in (TRUE, PARAM)


def _self_attrs(func: FunctionInfo) -> tuple:
    """FunctionSummary.sets_attrs of a method."""
    out = []
    for name, values in func.assignments.items():
        if name.startswith("self.") and name.count(".") == 1:
            value = values[0][0] if len(values) == 1 else None
            word = value.value.lower() if isinstance(value, cst.Name) and value.value in ("True", "False") else "other"
            out.append((name[len("self."):], word))
    return tuple(sorted(out))


def _derived_mode(func: FunctionInfo) -> Optional[Tuple[str, Tuple[Tuple[str, ...], bool]]]:
    """FunctionSummary.derived_mode: a string the caller passes selects the mode the flag holds, read or not."""
    found = derived_flag(func)
    return (found.param, found.predicate) if found is not None else None


def _returned_object(func: FunctionInfo) -> dict:
    """FunctionSummary.returned_attrs / returned_from of a function that returns one local object it sets
    attributes on (a config factory)."""
    if func.class_name is not None or func.node is None or len(func.returned_names) != 1:
        return {}
    name = next(iter(func.returned_names))
    made = func.assignments.get(name, ())
    if len(made) != 1 or name in func.params:
        return {}
    prefix = name + "."
    attrs = []
    for target, values in func.assignments.items():
        if target.startswith(prefix) and "." not in target[len(prefix):]:
            value = values[0][0] if len(values) == 1 else None
            word = value.value.lower() if isinstance(value, cst.Name) and value.value in ("True", "False") else "other"
            attrs.append((target[len(prefix):], word))
    made_by = next((site.targets for site in func.calls if site.call is made[0][0]), ())
    return {"returned_attrs": tuple(sorted(attrs)), "returned_from": tuple(made_by)} if attrs or made_by else {}


def _string_predicates(mode_params: Dict[str, set]) -> Dict[str, tuple]:
    """FunctionSummary.mode_predicates: the parameters every batch norm reads through one and the same string
    test (a parameter also read as a boolean, or through two tests, keeps none: its callers' strings say
    nothing certain)."""
    return {param: next(iter(found)) for param, found in mode_params.items() if len(found) == 1 and None not in found}


def _default_word(func: FunctionInfo, param: str, predicates: Dict[str, tuple]) -> str:
    """FunctionSummary.mode_defaults of a parameter: a string default read through its test gives a mode."""
    default = func.defaults.get(param)
    if param in predicates:
        return string_modes.default_word(predicates[param], default) or "other"
    return default_word(default)


def _dropped_mode_param(func: FunctionInfo) -> Optional[str]:
    """FactoryConfig.dropped_mode_param: the first mode-named parameter the body never mentions."""
    if func.node is None:
        return None
    counts = mention_counts(func.node, (p for p in func.params if p in MODE_PARAM_NAMES))
    return next((p for p in func.params if counts.get(p) == 0), None)


def _negated_loss(call: cst.Call) -> bool:
    """Does the train op minimise the negation of what it is given (`opt.minimize(-loss, ...)`)?"""
    first = next((a.value for a in call.args if a.keyword is None or a.keyword.value == "loss"), None)
    if isinstance(first, cst.BinaryOperation) and isinstance(first.operator, cst.Multiply):
        # `-1.0 * loss`, `loss * -1`
        return any(isinstance(side, cst.UnaryOperation) and isinstance(side.operator, cst.Minus)
                   and isinstance(side.expression, (cst.Integer, cst.Float)) for side in (first.left, first.right))
    return isinstance(first, cst.UnaryOperation) and isinstance(first.operator, cst.Minus)


# Groupings whose result runs every op given to it (not `tf.identity` / `with_dependencies` of an output).
_TYING_GROUPS = frozenset({"tf.group", "tf.tuple"})


def _picked_by_default(func: FunctionInfo, choice: cst.IfExp) -> Optional[cst.BaseExpression]:
    """The side of `slim.batch_norm if use_batch_norm else None` that the tested parameter's literal default
    picks (slim's resnet_arg_scope, `use_batch_norm=True`); None when the test is not such a parameter."""
    test = choice.test
    default = func.defaults.get(test.value) if isinstance(test, cst.Name) and test.value in func.params else None
    if not (isinstance(default, cst.Name) and default.value in ("True", "False")):
        return None
    return choice.body if default.value == "True" else choice.orelse


def _chosen_by_default(func: FunctionInfo, name: str) -> Optional[cst.BaseExpression]:
    """The value `name` gets in the branch of `if <param>:` / `else:` that the parameter's literal default picks,
    when the function binds it in both (slim's inception_arg_scope: `if use_batch_norm: normalizer_fn =
    slim.batch_norm else: normalizer_fn = None`, with `use_batch_norm=True`)."""
    if func.node is None or len(func.assignments.get(name, ())) != 2:
        return None
    for branch in m.findall(func.node.body, m.If(test=m.Name(), orelse=m.Else())):
        param = branch.test.value
        default = func.defaults.get(param)
        if param not in func.params or not (isinstance(default, cst.Name) and default.value in ("True", "False")):
            continue
        taken = branch.body if default.value == "True" else branch.orelse.body
        for stmt in taken.body:
            for assign in m.findall(stmt, m.Assign(targets=[m.AssignTarget(target=m.Name(name))])):
                return assign.value
    return None
