"""How often a function's body mentions its parameters: a mode parameter a batch-norm wrapper takes and drops
(`def conv_bn(x, is_training): ... slim.batch_norm(net, is_training=True)`) is never mentioned, or only handed
on to another function that drops it."""

from __future__ import annotations

from collections import Counter
from typing import Dict, Iterable, Union

import libcst as cst


class _Mentions(cst.CSTVisitor):
    """Every name the code reads or binds, except keyword names (`f(is_training=...)`) and attribute names
    (`self.is_training`), which are not the parameter."""

    def __init__(self) -> None:
        self.names: Counter = Counter()

    def visit_Name(self, node: cst.Name) -> None:
        self.names[node.value] += 1

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False


def mention_counts(node: Union[cst.FunctionDef, cst.Module], names: Iterable[str]) -> Dict[str, int]:
    """How many times the body (a module: all of it) mentions each of `names` (nested functions and lambdas
    included); nothing (no claim) when the body reaches its locals by name (`locals()`, `vars()`, `eval`)."""
    names = set(names)
    if not names:
        return {}
    mentions = _Mentions()
    (node if isinstance(node, cst.Module) else node.body).visit(mentions)
    if any(mentions.names[n] for n in ("locals", "vars", "eval", "exec")):
        return {}
    return {n: mentions.names[n] for n in names}
