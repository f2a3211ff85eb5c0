"""Batch norm that ignores the mode flag its model is built with.

A model function (or class) takes a mode flag that reaches some of its batch norm, while another batch
norm in it is built in training mode whatever the flag says (`training_scope()` left at its default,
`is_training=True` written out). When the project builds that model with the flag False (its inference or
export build), that batch norm still normalises with batch statistics there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import libcst as cst

from slimlint.model.import_table import dotted

from slimlint.model.derived_modes import DerivedMode, derived_flag, unread_derived_mode
from slimlint.model.facts import MODE_PARAM_NAMES, TRUE, FunctionInfo, ModeArg
from slimlint.model.summary import ProjectIndex
from slimlint.model.walk import find_all


@dataclass
class IgnoredFlag:
    """One training-mode batch norm built where the model's flag `param` could have decided it."""

    call: cst.Call  # the batch-norm layer, or the call that builds it
    mode: ModeArg  # its (constant or default) True
    param: str  # the model's flag: a parameter of the function, or of the class's constructor
    model: str  # the function's or the class's name, for messages
    flag: Optional[str]  # the expression to pass instead (`is_training`, `self.trainable`), when known
    # How the project gives `param` False: None for a written False, else the boolean option whose default
    # is False (`FLAGS.train`), as ProjectIndex.false_only_by_option spells it.
    false_by_option: Optional[str] = None
    derived: Optional[str] = None  # the flag the function works out from the string `param` (`eval_mode`)
    # Given no False, only a mode the runs choose (ProjectIndex.run_time_mode): its text (`self.is_train`)
    run_time: Optional[str] = None


def _mentions(test: cst.BaseExpression, names: set) -> bool:
    return any(dotted(n) in names for n in find_all(test, (cst.Name, cst.Attribute)))


def _written_true(mode) -> bool:
    """A True written at the call (`batch_norm(x, True, scope)`), not a default left in place: next to a mode
    the runs choose, one the author wrote fixes it; a default may be a layer SL209 speaks for."""
    return isinstance(mode.expr, cst.Name) and mode.expr.value == "True"


def _cond_on(func: FunctionInfo, names: set) -> bool:
    """Does the function pick between graphs with `tf.cond` on the flag (`tf.cond(train_phase, ...)`)?"""
    if func.node is None:
        return False
    return any((dotted(call.func) or "").endswith("cond") and call.args and _mentions(call.args[0].value, names)
               for call in find_all(func.node.body, cst.Call))


def _decorated(func: FunctionInfo, names) -> bool:
    return func.node is not None and any(dotted(d.decorator) in names for d in func.node.decorators)


def _flags(summary) -> frozenset:
    """A function's mode flags: parameters that reach some batch norm (FunctionSummary.mode_params), and
    parameters named as modes (`is_train`) that it reads. One it never reads is SL209's (mode-argument-ignored)."""
    named = {p for p in summary.params if p in MODE_PARAM_NAMES} - summary.unread_mode_params
    return frozenset(summary.mode_params | named)


def _calls_where_flag_true(func: FunctionInfo, names: set) -> set:
    """Calls that run only when the flag is true: the body of `if flag:`, the `else` of `if not flag:` (not
    the other branch, which is the flag's False path: evaluation)."""
    if func.node is None:
        return set()
    out = set()
    for node in find_all(func.node.body, cst.If):
        test = node.test
        if dotted(test) in names:
            out.update(id(call) for call in find_all(node.body, cst.Call))
        elif isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not) and dotted(test.expression) in names \
                and node.orelse is not None:
            out.update(id(call) for call in find_all(node.orelse, cst.Call))
    return out


# Methods a framework calls for the object (Keras, Sonnet, Estimator helpers): never called by name.
_FRAMEWORK_METHODS = {"call", "build", "forward", "_build", "model_fn", "setup"}


class FlagCoverage:
    """Part of FileModel (semantic.py): uses its functions and batch-norm facts."""

    def _never_called_method(self, func: FunctionInfo, index: ProjectIndex) -> bool:
        """A plain method that no resolved call in the project reaches, that its own file never calls by name
        (`.block(`) and that no other object's attribute names (`obj.block`), when no call picks methods by a
        name built at run time."""
        if func.class_name is None or func.name is None or func.name.startswith("__") \
                or func.name in _FRAMEWORK_METHODS or index.dynamic_getattr:
            return False
        key = (self.module_name, func.qualname)
        callees = index.__dict__.setdefault("_edge_callees", {})
        if "all" not in callees:
            callees["all"] = frozenset(callee for _, callee in index.call_edges)
        # `self.network.generative0(...)` in another file: a call slimlint does not resolve still names it,
        # unless a module-level function of that name is what `ops.conv_bn(...)` means.
        named = "." + func.name in index.referenced_names and not any(
            func.name in functions for functions in index.modules.values())
        return key not in callees["all"] and f".{func.name}(" not in self.module_code() and not named

    def bn_ignoring_mode_flag(self, func: FunctionInfo, index: ProjectIndex) -> List[IgnoredFlag]:
        if self._never_called_method(func, index):
            return []  # a leftover helper of the class (`def block(self, ...)` nothing calls): it builds nothing
        chosen = self._flag_given_false(func, index)
        if chosen is None:
            return []
        key, param, model, derived = chosen
        by_option = index.false_only_by_option(key, param)
        run_time = None if index.called_with_false_mode(key, param) else index.run_time_mode(key, param)
        if run_time is not None and index.adversarial:
            return []  # a GAN keeps batch statistics by design (pix2pix's generator): its flag steers dropout
        if derived is not None:
            flag = derived.training_expr
            names = {param, derived.local}
            # `if eval_mode:` holds for evaluation: only a flag named for training tells a training-only path
            under_flag = names if not derived.inverted else {param}
        else:
            flag = self._flag_expression(func, key, param, index)
            owner_summary = index.modules.get(key[0], {}).get(key[1])
            if owner_summary is not None and owner_summary.predicate_of(param) is not None:
                flag = None  # a string the model tests (`mode == 'train'`): no boolean to pass (string_modes.py)
            names = under_flag = {param} | ({flag} if flag else set())
        if self._called_under_flag(func, under_flag):
            return []  # `if self.is_training: self.build_train()`: built for training only
        guarded = self._flag_guarded_calls(func, names)  # `if is_training: bn(x, training=True) else: ...`
        if run_time is not None and _cond_on(func, names):
            return []  # `tf.cond(train_phase, lambda: bn_train, lambda: bn_inference)`: the tensor picks the mode
        # A derived flag assigned after the call cannot be passed to it: the finding stands, without a fix.
        assigned_at = func.assignments[derived.local][0][1] if derived is not None else -1
        local = derived.local if derived is not None else None
        out = []
        for site in self.bn_sites(func, index):
            if site.mode.kind == TRUE and id(site.layer.call) not in guarded \
                    and (run_time is None or _written_true(site.mode)):  # in-place updates too
                given = flag if site.layer.order > assigned_at else None
                out.append(IgnoredFlag(site.layer.call, site.mode, param, model, given, by_option, local, run_time))
        for call in self.bn_calls(func, index):
            for wrapper_param, mode in call.modes.items():
                if mode.kind == TRUE and id(call.site.call) not in guarded and (run_time is None or _written_true(mode)):
                    given = flag if call.order > assigned_at else None
                    if run_time is not None and wrapper_param in call.summary.python_tested:
                        given = None  # `if is_train:` in the wrapper: a tensor there fails, so no fix
                    out.append(IgnoredFlag(call.site.call, mode, param, model, given, by_option, local, run_time))
        return out

    def _flag_given_false(self, func: FunctionInfo, index: ProjectIndex):
        """(the function whose flag it is, the flag's parameter, the model's name for messages, the derived flag
        or None): the first of the owner's mode flags (_flag_owner) that the project gives False, else a flag
        `func` works out from a string parameter the project passes an evaluation string (_read_derived_flag)."""
        owner = self._flag_owner(func, index)
        derived = self._read_derived_flag(func)
        key = (self.module_name, func.qualname)
        if owner is not None:
            owner_key, params, model = owner
            flags = [p for p in sorted(params) if index.called_with_false_mode(owner_key, p)] or \
                [p for p in sorted(params) if index.run_time_mode(owner_key, p) is not None]
            if flags and not (derived is not None and owner_key == key and flags[0] == derived.param):
                return owner_key, flags[0], model, None
            # else `phase`, a string the function turns into its flag (`self.forward_only`): that flag is passed
        if derived is not None and index.called_with_false_mode(key, derived.param):
            return key, derived.param, func.class_name if func.name == "__init__" and func.class_name else func.name, derived
        return None

    @staticmethod
    def _read_derived_flag(func: FunctionInfo) -> Optional[DerivedMode]:
        """The flag `func` works out from a string parameter and hands on to something (`eval_mode = key ==
        'EVAL'`, passed to the heads but not to the backbone). One it never hands on is SL209's
        (derived_modes.unread_derived_mode)."""
        derived = derived_flag(func)
        if derived is None or unread_derived_mode(func) is not None:
            return None
        return derived

    @staticmethod
    def _flag_guarded_calls(func: FunctionInfo, names: set) -> set:
        """Calls inside a branch of an `if` (or `x if c else y`) that tests the flag: the flag already decides."""
        if func.node is None:
            return set()
        out = set()
        for node in find_all(func.node.body, (cst.If, cst.IfExp)):
            if _mentions(node.test, names):
                out.update(id(call) for call in find_all(node, cst.Call))
        return out

    def _called_under_flag(self, func: FunctionInfo, names: set) -> bool:
        """Is this method (or function) called in this module only inside branches that test the flag?"""
        if func.node is None:
            return False
        by_callee = self._calls_by_callee()
        calls = by_callee.get(f"self.{func.name}", []) + by_callee.get(func.name, [])
        if not calls:
            return False
        guarded = self._flag_true_calls(frozenset(names | {f"self.{n}" for n in names}))
        return all(id(c) in guarded for c in calls)

    # Both below are syntactic (the module never changes), so they are kept for the model's life: asked per
    # function with a flag, a findall over every function each time was a third of a project's time.
    def _calls_by_callee(self) -> Dict[str, List[cst.Call]]:
        """Every call in the module's functions, by its callee as written (`self.build`)."""
        if self._calls_by_callee_memo is None:
            by_callee: Dict[str, List[cst.Call]] = {}
            for f in self.functions:
                if f.node is not None:
                    for call in find_all(f.node.body, cst.Call):
                        by_callee.setdefault(dotted(call.func), []).append(call)
            self._calls_by_callee_memo = by_callee
        return self._calls_by_callee_memo

    def _flag_true_calls(self, names: frozenset) -> set:
        """ids of the calls that run only when one of these flags is true, in any function of the module."""
        memo = self._flag_true_memo
        if names not in memo:
            memo[names] = {call_id for f in self.functions for call_id in _calls_where_flag_true(f, names)}
        return memo[names]

    def _flag_owner(self, func: FunctionInfo, index: ProjectIndex) -> Optional[Tuple[Tuple[str, str], frozenset, str]]:
        """Whose flag this function's batch norm could follow: its own mode parameters, else (a method) those
        of its class's constructor."""
        own = index.modules.get(self.module_name, {}).get(func.qualname)
        if own is not None and _flags(own):
            return (self.module_name, func.qualname), _flags(own), func.name
        if func.class_name is None or func.name == "__init__":
            return None
        key = (self.module_name, f"{func.class_name}.__init__")
        init = index.modules.get(self.module_name, {}).get(key[1])
        if init is None or not _flags(init):
            return None
        return key, _flags(init), func.class_name

    def _flag_expression(self, func: FunctionInfo, key: Tuple[str, str], param: str, index: ProjectIndex) -> Optional[str]:
        """How the function reads the flag: the parameter itself, or the attribute a constructor keeps it in
        (the class's own, or a base class constructor it hands the parameter to)."""
        if key[1] == func.qualname:
            return param
        if not func.params or func.params[0] != "self" or _decorated(func, ("staticmethod", "classmethod")):
            return None  # no `self` to read the flag from: the finding comes without a fix
        seen = set()
        while key not in seen:
            seen.add(key)
            init = index.modules.get(key[0], {}).get(key[1])
            if init is None:
                return None
            kept = dict(init.keeps_params)
            if param in kept:
                return kept[param]
            handed = [(k, theirs) for k, theirs, ours in init.passes_mode_params if ours == param and k[1].endswith(".__init__")]
            if len(handed) != 1:
                return None
            key, param = handed[0]
        return None
