"""Star imports of the project's own modules: `from ops import *`, `from .layers import *`.

DCGAN-style projects keep their batch-norm wrappers and layers in `ops.py` / `utils.py` and bring them in with a
star import. A name the file neither defines nor imports by name may come from such a module; the call is then
checked against each of them (the project index knows which really defines it, and a name none defines resolves
to nothing, as before). Star imports of TF / slim modules are the import table's (names.py).
"""

from __future__ import annotations

import builtins
from typing import Iterable, List, Optional, Tuple

import libcst as cst

from slimlint.model.names import dotted, star_import_base

_BUILTINS = frozenset(dir(builtins))


def project_star_modules(body: Iterable[cst.CSTNode]) -> Tuple[str, ...]:
    """The modules the file star-imports at top level that are not TF / slim (`ops`, `.layers`), last one first:
    between two star imports the later binding wins, as in Python."""
    found: List[str] = []
    for stmt in body:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            module = _star_module(small)
            if module is not None:
                found.append(module)
    return tuple(reversed(found))


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
    """`ops.batch_norm` for a call of `batch_norm(...)` under `from ops import *`; nothing for builtins."""
    head = text.split(".", 1)[0]
    if not modules or head in _BUILTINS:
        return []
    return [f"{module}{'' if module.endswith('.') else '.'}{text}" for module in modules]
