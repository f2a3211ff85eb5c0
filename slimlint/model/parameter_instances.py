"""Methods called on an object handed in: `def evaluate(model, ...): model.compute_loss(x, is_training=True)`,
or kept from a constructor argument: `def __init__(self, loss_fn): self.loss_fn = loss_fn`, then
`self.loss_fn.compute_loss()` in another method.

Such a call resolves to the methods of the classes whose instances callers pass for that parameter: callers in
the same file (`model = StudentModel(...)`, then `evaluate(model)`), found once the file is read, and callers in
other files, which the project index gathers from every function's summary (FunctionSummary.passes_instances).
One level: a parameter handed on to another function's parameter is not followed.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import List, Mapping, Tuple

import libcst as cst

from slimlint.model.facts import CallSite, FunctionInfo
from slimlint.model.import_table import dotted

SELF_NAMES = ("self", "cls")


@dataclass
class ParameterCall:
    site: CallSite  # its targets are filled in here
    owner: str  # qualname of the function whose parameter the receiver is (`__init__` for a kept attribute)
    param: str
    method: str
    local_classes: Tuple[str, ...] = ()  # classes this file's own callers pass


class ParameterCalls:
    """The calls of a file whose receiver is a parameter, and the classes they resolve through."""

    def __init__(self) -> None:
        self.calls: List[ParameterCall] = []

    def add(self, site: CallSite, owner: str, param: str, method: str) -> None:
        self.calls.append(ParameterCall(site, owner, param, method))

    def resolve_locally(self, functions: List[FunctionInfo], instances: Mapping[str, Tuple[str, ...]]) -> None:
        by_qualname = {f.qualname: f for f in functions}
        for call in self.calls:
            owner = by_qualname.get(call.owner)
            if owner is not None:
                call.local_classes = _argument_classes(owner, call.param, functions, instances)
        self.bind({})

    def bind(self, passed: Mapping[Tuple[str, str], Tuple[str, ...]]) -> None:
        """Targets from this file's callers and `passed` ((owner, param) -> classes other files pass), in call order."""
        for call in self.calls:
            classes = call.local_classes + tuple(c for c in passed.get((call.owner, call.param), ()) if c not in call.local_classes)
            had_targets = bool(call.site.targets)
            call.site.targets = tuple(f"{c}.{call.method}" for c in classes)
            if call.site.targets and not had_targets:
                calls = call.site.func.calls
                calls.insert(bisect.bisect([c.order for c in calls], call.site.order), call.site)

    def keys(self) -> List[Tuple[str, str]]:
        return [(c.owner, c.param) for c in self.calls]


def instance_classes(name: str, caller: FunctionInfo, instances: Mapping[str, Tuple[str, ...]]) -> Tuple[str, ...]:
    """The classes of the instances a name holds in `caller` (`model`, `self.model`)."""
    key = f"{caller.class_name}.{name}" if name.startswith("self.") and caller.class_name else name
    return instances.get(key, ())


def skips_self(params: Tuple[str, ...], qualname: str, site: CallSite) -> bool:
    """Is the first parameter `self` / `cls`, which the call does not pass (a method called on something, a class
    or an instance called)? Not when the call hands its own `self` on: `BaseNetwork.__init__(self, inputs)`."""
    if params[:1] not in (("self",), ("cls",)):
        return False
    first = site.positional[0] if site.positional else None
    receiver = site.call.func.value if isinstance(site.call.func, cst.Attribute) else None
    if isinstance(first, cst.Name) and first.value in SELF_NAMES and not (
            isinstance(receiver, cst.Name) and receiver.value in SELF_NAMES):
        return False
    return site.bound or qualname.endswith((".__init__", ".__call__"))


def _argument_classes(callee: FunctionInfo, param: str, functions: List[FunctionInfo],
                      instances: Mapping[str, Tuple[str, ...]]) -> Tuple[str, ...]:
    found: List[str] = []
    for caller in functions:
        for site in caller.calls:
            if not _calls(site, callee):
                continue
            arg = site.kwargs.get(param)
            if arg is None and param in callee.params[:callee.n_positional]:
                at = callee.params.index(param) - (1 if skips_self(callee.params, callee.qualname, site) else 0)
                arg = site.positional[at] if 0 <= at < len(site.positional) else None
            name = dotted(arg) if arg is not None else None
            if name is not None:
                found.extend(c for c in instance_classes(name, caller, instances) if c not in found)
    return tuple(found)


def _calls(site: CallSite, callee: FunctionInfo) -> bool:
    """Does the call reach this file's function: `evaluate(...)`, `self.evaluate(...)` within its class, or
    the class called for its constructor?"""
    constructor = callee.qualname[: -len(".__init__")] if callee.qualname.endswith(".__init__") else None
    return callee.qualname in site.targets or (constructor is not None and constructor in site.targets)

