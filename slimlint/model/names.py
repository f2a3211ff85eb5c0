"""Import and alias resolution: which fully qualified name a `Name` / `Attribute` chain refers to.

LibCST's QualifiedNameProvider answers this too, but it needs a full scope analysis: measured on
tf_slim it costs several times the parse itself, and the linter's speed budget is twice a parse. TF1
code binds TF, slim and model modules with top-level imports and `slim = tf.contrib.slim`-style
aliases, so an import table plus one assignment-alias step resolves what the rules need. Local
shadowing of an imported name (a parameter called `slim`) is not tracked.
"""

from __future__ import annotations

from typing import Dict, Iterable, Iterator, Optional, Tuple

import libcst as cst

from slimlint.model import api


def dotted(node: cst.CSTNode) -> Optional[str]:
    """`a.b.c` for a Name / Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def imported_names(stmt: cst.CSTNode) -> Iterator[Tuple[str, str]]:
    """(local name, fully qualified name) for each name an import statement binds."""
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            yield from imported_names(small)
    elif isinstance(stmt, cst.Import):
        for alias in stmt.names:
            full = dotted(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value, full
            else:
                head = full.split(".")[0]
                yield head, head
    elif isinstance(stmt, cst.ImportFrom) and not isinstance(stmt.names, cst.ImportStar):
        base = "." * len(stmt.relative) + (dotted(stmt.module) or "" if stmt.module is not None else "")
        for alias in stmt.names:
            if not isinstance(alias.name, cst.Name):
                continue
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else alias.name.value
            joiner = "" if base.endswith(".") or not base else "."
            yield local, f"{base}{joiner}{alias.name.value}"


def _top_level(body: Iterable[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """Module-level statements, looking inside if / try / with blocks (`try: import tf_slim as slim ...`)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (cst.If, cst.Try, cst.With)):
            yield from _top_level(stmt.body.body)
            for handler in getattr(stmt, "handlers", ()):
                yield from _top_level(handler.body.body)
            orelse = getattr(stmt, "orelse", None)
            while orelse is not None:
                yield from _top_level(getattr(orelse.body, "body", ()))
                orelse = getattr(orelse, "orelse", None) if isinstance(orelse, cst.If) else None


class ImportTable:
    def __init__(self, module: cst.Module) -> None:
        self.names: Dict[str, str] = {}  # local name -> fully qualified name
        self.aliases: Dict[str, str] = {}  # `slim = tf.contrib.slim`: local name -> qualified
        for stmt in _top_level(module.body):
            for local, full in imported_names(stmt):
                self.names.setdefault(local, full)
        # Module-level bindings only: what a fix may name anywhere in the file.
        self.top_level: Dict[str, str] = dict(self.names)
        for stmt in _top_level(module.body):
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                        full = self.resolve(small.value)
                        if full is not None and api.canonical(full) is not None:
                            self.aliases.setdefault(small.targets[0].target.value, full)

    def add(self, stmt: cst.CSTNode) -> None:
        """An import inside a function: bound for the rest of the file (good enough for TF1 code)."""
        for local, full in imported_names(stmt):
            self.names.setdefault(local, full)

    def resolve(self, node: cst.CSTNode) -> Optional[str]:
        """The fully qualified name of an imported (or aliased) Name / Attribute chain, else None."""
        text = dotted(node)
        if text is None:
            return None
        head, _, rest = text.partition(".")
        base = self.names.get(head) or self.aliases.get(head)
        if base is None:
            return None
        return f"{base}.{rest}" if rest else base

    def canonical(self, node: cst.CSTNode) -> Optional[str]:
        full = self.resolve(node)
        return api.canonical(full) if full is not None else None
