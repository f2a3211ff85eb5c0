"""Which `if` / `elif` / `else` branch each call of a function sits in: calls in different branches of one
`if` never run in the same pass (`if args.model == "bn": BnNet(x)` / `elif ...: PlainNet(x)`)."""

from __future__ import annotations

from typing import Dict, Optional, Tuple

import libcst as cst

from slimlint.model.walk import children

Path = Tuple[Tuple[int, int], ...]  # (id of an enclosing `if`, which branch: 0 body, 1 orelse; -1 a loop), outermost first


def branch_paths(node: cst.CSTNode) -> Dict[int, Path]:
    """id(call) -> the branches around it, for every call in a function (or a module). Iterative: a
    thousand-deep expression must not exhaust the stack."""
    paths: Dict[int, Path] = {}
    stack = [(node, ())]
    while stack:
        current, path = stack.pop()
        if isinstance(current, cst.Call):
            paths[id(current)] = path
        if isinstance(current, (cst.For, cst.While)):
            # Different branches of an `if` in a loop body may all run, one per iteration: not exclusive.
            stack.extend((child, path + ((id(current), -1),)) for child in children(current))
            continue
        if isinstance(current, cst.If) and not any(branch == -1 for _, branch in path):
            stack.append((current.test, path))
            stack.append((current.body, path + ((id(current), 0),)))
            if current.orelse is not None:
                stack.append((current.orelse, path + ((id(current), 1),)))
            continue
        stack.extend((child, path) for child in children(current))
    return paths


def exclusive(a: Optional[Path], b: Optional[Path]) -> bool:
    """Do two calls sit in different branches of the same `if` (so one pass never runs both)?"""
    if not a or not b:
        return False
    branch_of = dict(a)
    return any(if_id in branch_of and branch_of[if_id] != branch for if_id, branch in b)
