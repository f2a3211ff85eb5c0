"""Mode flags that stop on the way: a function hands its mode parameter to some of its layers but calls a
dropout helper of the project without it, so the helper's default of True keeps that dropout on.

    def bottleneck(x, ..., is_training=True):
        x = slim.batch_norm(x, is_training=is_training)
        x = spatial_dropout(x, p=0.1)          # spatial_dropout(..., is_training=True): `if is_training: ...`

Built with `is_training=False` (an evaluation or export build, or one SL201 sets to False), the batch norm
follows the flag and the dropout does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Tuple

from slimlint.model.dropout import dropout_calls
from slimlint.model.facts import FALSE, TRUE, CallSite, FunctionInfo
from slimlint.model.summary import ProjectIndex


@dataclass
class UnthreadedMode:
    """A call that leaves a dropout-mode parameter of the callee at its default True."""

    site: CallSite
    param: str  # the callee's parameter (it decides whether the callee's dropout drops)
    flag: str  # the caller's own mode parameter, the one to pass on
    # How the project builds a network that reaches the caller in another mode: "False" or "evaluation".
    built: str


def unthreaded_dropout_modes(model, func: FunctionInfo, index: ProjectIndex) -> List[UnthreadedMode]:
    """Calls in `func` that leave a callee's dropout mode at its True default while `func` hands a mode parameter
    of its own to other layers (its batch norm or other dropout follow it), when the project builds `func` in
    another mode: with that parameter False, or (through the networks that call it) in evaluation code."""
    own = index.modules.get(model.module_name, {}).get(func.qualname)
    if own is None or func.is_module:
        return []
    flags = [p for p in func.params if p in own.mode_params or p in own.dropout_params]
    if not flags:
        return []
    out = []
    for call in dropout_calls(model, func, index):
        for param, mode in sorted(call.modes.items()):
            if mode.kind != TRUE or mode.expr is not None or mode.owner is not call.site.call:
                continue  # a True written out is the caller's choice; one from an arg_scope is the scope's
            flag = param if param in flags else (flags[0] if len(flags) == 1 else None)
            if flag is None:
                continue
            built = _built_otherwise(index, (model.module_name, func.qualname), flag)
            if built is not None:
                out.append(UnthreadedMode(call.site, param, flag, built))
    return out


def _built_otherwise(index: ProjectIndex, key: Tuple[str, str], flag: str) -> Optional[str]:
    if index.called_with_false_mode(key, flag):
        return "False"
    return "evaluation" if key in _reached_from_other_builds(index) else None


def _reached_from_other_builds(index: ProjectIndex) -> FrozenSet[Tuple[str, str]]:
    """Project functions reached from a network some call builds in inference mode or in evaluation code (a
    build SL201 judges, whose fix gives it False). Kept on the index."""
    cached = index._other_mode_reach
    if cached is None:
        roots = [key for key, kinds in index.network_call_modes.items() if FALSE in kinds or "judged" in kinds]
        cached = index._other_mode_reach = index.reached_from(roots) if roots else frozenset()
    return cached
