"""Import table and alias resolution: which fully qualified name a `Name` / `Attribute` chain refers to.

LibCST's QualifiedNameProvider answers this too, but it needs a full scope analysis: measured on
tf_slim it costs several times the parse itself, and the linter's speed budget is twice a parse. TF1
code binds TF, slim and model modules with top-level imports and `slim = tf.contrib.slim`-style
aliases, so an import table plus one assignment-alias step resolves what the rules need. Local
shadowing of an imported name (a parameter called `slim`) is not tracked.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Set, Tuple

import libcst as cst

from slimlint.model import api, signatures

# TF1 namespaces a star import of `tensorflow` (or `tensorflow.compat.v1`) brings that the API sets below do not
# spell out: `layers.batch_normalization`, `train.AdamOptimizer`, `GraphKeys.UPDATE_OPS`.
_NAMESPACES = ("tf.train", "tf.layers", "tf.nn", "tf.keras", "tf.estimator", "tf.GraphKeys", "tf.saved_model",
               "tf.contrib", "tf.compat", "tf.test", "slim.learning", "slim.nets", "slim.evaluation")
_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")


def dotted(node: cst.CSTNode) -> Optional[str]:
    """`a.b.c` for a Name / Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def literal_string(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    """The value of a plain string literal (`'generator'`), None for anything else."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
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


@lru_cache(maxsize=1)
def _known_names() -> FrozenSet[str]:
    """Every canonical name slimlint knows (the API sets, the signature table) and each of its parent modules."""
    known: Set[str] = set(_NAMESPACES) | set(signatures._table())
    for value in vars(api).values():
        if isinstance(value, (set, frozenset, dict, tuple)):
            known.update(v for v in value if isinstance(v, str) and v.startswith(("tf.", "slim.")))
    parents = {name.rsplit(".", k)[0] for name in known for k in range(1, name.count(".") + 1)}
    return frozenset(known | parents)


def star_import_base(stmt: cst.CSTNode) -> Optional[str]:
    """`tensorflow.contrib.slim` for `from tensorflow.contrib.slim import *`: a TF / slim module only (a star
    import of the project's own modules is the real-code recall issue's)."""
    if not isinstance(stmt, cst.ImportFrom) or not isinstance(stmt.names, cst.ImportStar) or stmt.relative:
        return None
    base = dotted(stmt.module) if stmt.module is not None else None
    return base if base is not None and api.canonical(base) is not None else None


def star_exports(base: str, identifiers: Iterable[str]) -> Iterator[Tuple[str, str]]:
    """(name, qualified) for the identifiers that `from base import *` binds and slimlint knows: `batch_norm`
    from tf_slim, `slim` from tensorflow.contrib. Names slimlint knows nothing of are left unbound, so a
    project's own `model(...)` is never taken for a TF call."""
    known = _known_names()
    for name in identifiers:
        if not name.startswith("_") and api.canonical(f"{base}.{name}") in known:
            yield name, f"{base}.{name}"


def _module_bindings(body: Iterable[cst.CSTNode]) -> Set[str]:
    """Names the module itself defines (def, class, `name = ...`): they shadow what a star import brought."""
    bound: Set[str] = set()
    for stmt in body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            bound.add(stmt.name.value)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else (
                    [small.target] if isinstance(small, (cst.AnnAssign, cst.AugAssign)) else [])
                bound.update(t.value for t in targets if isinstance(t, cst.Name))
    return bound


# A test of the run's mode: evaluation / training words, or a flag named for the mode (whole words of its names
# and strings: `args.pretrained` or `'constrained'` is not one).
_RUN_MODE_WORDS = {"train", "training", "test", "testing", "eval", "evaluate", "evaluation", "infer", "inference",
                   "export", "predict", "prediction", "deploy", "serve", "serving", "mode", "phase", "val", "valid",
                   "validation", "demo", "freeze"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _mode_picked_imports(body: Iterable[cst.CSTNode]) -> Set[str]:
    """Local names imported anywhere under a module-level `if` whose test is of the run's mode."""
    out: Set[str] = set()
    for stmt in body:
        if isinstance(stmt, cst.If) and {w.lower() for w in _WORD.findall(cst.Module([]).code_for_node(stmt.test))} \
                & _RUN_MODE_WORDS:
            out.update(local for node in _top_level([stmt]) for local, _ in imported_names(node))
        elif isinstance(stmt, (cst.If, cst.Try, cst.With)):
            inner = list(getattr(stmt.body, "body", ()))
            inner += [s for h in getattr(stmt, "handlers", ()) for s in h.body.body]
            orelse = getattr(stmt, "orelse", None)
            if orelse is not None:
                inner += [orelse] if isinstance(orelse, cst.If) else list(getattr(orelse.body, "body", ()))
            out |= _mode_picked_imports(inner)
    return out


class ImportTable:
    def __init__(self, module: cst.Module, inherited: Tuple[Tuple[str, str], ...] = ()) -> None:
        self.names: Dict[str, str] = {}  # local name -> fully qualified name
        self.aliases: Dict[str, str] = {}  # `slim = tf.contrib.slim`: local name -> qualified
        self.alternatives: Dict[str, Tuple[str, ...]] = {}  # local name -> every module it is imported from (add)
        # names imported in branches of a test of the run's mode (`if args.mode == 'train': import net_train as
        # net` / `else: import net_infer as net`): the alternatives are not all trained
        self.mode_picked: Set[str] = _mode_picked_imports(module.body)
        stars: List[str] = []
        for stmt in _top_level(module.body):
            self.add(stmt)  # `if arch == 'reg': import model_reg as model` / `else: import model_dan as model`
            for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
                base = star_import_base(small)
                if base is not None:
                    stars.append(base)
        if stars:
            self._bind_star_imports(module, stars)
        if inherited:
            # `tf` from a project module's `import tensorflow as tf` through `from ops import *` (star_aliases.py)
            own = _module_bindings(module.body)
            for local, full in inherited:
                if local not in self.names and local not in own:
                    self.names[local] = full
        # Module-level bindings only: what a fix may name anywhere in the file.
        self.top_level: Dict[str, str] = dict(self.names)
        for stmt in _top_level(module.body):
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                        full = self.resolve(small.value)
                        if full is not None and api.canonical(full) is not None:
                            self.aliases.setdefault(small.targets[0].target.value, full)

    def _bind_star_imports(self, module: cst.Module, bases: List[str]) -> None:
        """Star imports of TF / slim modules bind, like named imports, the names this file uses from them.

        Named imports and the module's own definitions win; between two star imports the later one does,
        as in Python. Reads the module's text (a tree walk), so only files with such an import pay it.
        """
        used = set(_IDENTIFIER.findall(module.code)) - set(self.names) - _module_bindings(module.body)
        for base in bases:
            for name, full in star_exports(base, sorted(used)):
                self.names[name] = full

    def add(self, stmt: cst.CSTNode) -> None:
        """An import (one inside a function is bound for the rest of the file: good enough for TF1 code). A name
        imported from several places (`if name == 'rn': from model_rn import Model` / `else: from model_baseline
        import Model`) keeps the first as its binding and all of them as alternatives."""
        for local, full in imported_names(stmt):
            self.names.setdefault(local, full)
            if full != self.names[local] and full not in self.alternatives.get(local, ()):
                self.alternatives[local] = self.alternatives.get(local, (self.names[local],)) + (full,)

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


def bound_names(target: cst.CSTNode) -> List[str]:
    """The plain names an assignment target binds (`a`, `a, (b, *c)`); `self.x` and `x[i]` bind none."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for el in target.elements for n in bound_names(el.value)]
    if isinstance(target, cst.StarredElement):
        return bound_names(target.value)
    return []
