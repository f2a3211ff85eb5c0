"""Star imports of the project's own modules: `from ops import *`, `from .layers import *`.

DCGAN-style projects keep their batch-norm wrappers and layers in `ops.py` / `utils.py` and bring them in with a
star import. A name the file neither defines nor imports by name may come from such a module; the call is then
checked against each of them (the project index knows which really defines it, and a name none defines resolves
to nothing, as before). Star imports of TF / slim modules are the import table's (import_table.py).

A name the file binds itself anywhere (a nested `def bn(...)` inside a network function, a loop or `with ... as`
target, an import inside a function, an assignment in any function) is never taken for the star-imported one:
the builder sees only the current function's parameters and variables, and a DCGAN discriminator's local `bn`
helper with its own `is_training` is not ops.py's `bn(x, is_training=True)`.
"""

from __future__ import annotations

import builtins
from typing import FrozenSet, List, Optional, Sequence, Set, Tuple

import libcst as cst

from slimlint.model.import_table import bound_names, dotted, imported_names, star_import_base
from slimlint.model.walk import children

_BUILTINS = frozenset(dir(builtins))


class StarModules(tuple):
    """The star-imported project modules (a tuple of their names, latest first) and the names the file binds
    itself anywhere, which the star imports therefore never supply to it."""

    bound: FrozenSet[str] = frozenset()


def project_star_modules(body: Sequence[cst.CSTNode]) -> StarModules:
    """The modules the file star-imports at top level that are not TF / slim (`ops`, `.layers`), last one first:
    between two star imports the later binding wins, as in Python."""
    found: List[str] = []
    for stmt in body:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            module = _star_module(small)
            if module is not None:
                found.append(module)
    out = StarModules(reversed(found))
    if found:  # only files with such an import pay for the walk
        out.bound = _bound_names(body)
    return out


def _bound_names(body: Sequence[cst.CSTNode]) -> FrozenSet[str]:
    """Names bound anywhere in the file other than as parameters: def / class at any depth, import aliases,
    targets of assignments, `for`, `with ... as`, `except ... as`, comprehensions and `global` / `nonlocal`
    declarations. (A function's own parameters are the builder's: it knows which function a call is in.)"""
    bound: Set[str] = set()
    stack: List[Tuple[cst.CSTNode, bool]] = [(stmt, False) for stmt in body]
    while stack:
        node, in_class = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            if not in_class:  # a method or class attribute is `self.bn`, never a bare `bn`
                bound.add(node.name.value)
            if isinstance(node, cst.ClassDef) and isinstance(node.body, cst.IndentedBlock):
                stack.extend((stmt, True) for stmt in node.body.body)
                continue
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            bound.update(local for local, _ in imported_names(node))
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            bound.update(n.name.value for n in node.names)
        elif in_class and isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            if node.value is not None:  # a class attribute: only its value is read here
                stack.append((node.value, False))
            continue
        else:
            target = _target_of(node)
            if target is not None:
                bound.update(bound_names(target))
        if isinstance(node, cst.SimpleStatementLine):
            stack.extend((small, in_class) for small in node.body)  # class-level statements keep the flag
        else:
            stack.extend((child, False) for child in children(node))
    return frozenset(bound)


def _target_of(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    if isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor)):
        return node.target
    if isinstance(node, cst.AsName):  # with ... as x, except E as x (import aliases are handled above)
        return node.name
    if isinstance(node, cst.NamedExpr):
        return node.target
    return None


def _star_module(small: cst.CSTNode) -> Optional[str]:
    if not isinstance(small, cst.ImportFrom) or not isinstance(small.names, cst.ImportStar):
        return None
    if star_import_base(small) is not None:  # TF / slim: the import table binds those
        return None
    base = dotted(small.module) if small.module is not None else ""
    if base is None:
        return None
    dots = "." * len(small.relative)
    return f"{dots}{base}" if dots or base else None


def star_candidates(text: str, modules: Tuple[str, ...]) -> List[str]:
    """`ops.batch_norm` for a call of `batch_norm(...)` under `from ops import *`; nothing for builtins or for a
    name the file binds itself (`modules.bound`, when `modules` comes from project_star_modules)."""
    head = text.split(".", 1)[0]
    if not modules or head in _BUILTINS or head in getattr(modules, "bound", ()):
        return []
    return [f"{module}{'' if module.endswith('.') else '.'}{text}" for module in modules]
