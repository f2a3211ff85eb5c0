"""Configuration constants: the number a config attribute holds when the project writes it in one place only.

    # config.py                          # model.py
    keep_prob_fully = 0.8                from project import config
                                         out = tf.nn.dropout(out, config.keep_prob_fully)

    class Config(object):                def build(self):
        dropout = 0.4                        h = tf.nn.dropout(h, self.config.dropout)

Run as its defaults run it, the program keeps that fraction, exactly as with a command-line option's default
(options.py). A dropout fraction read from a config is a constant when:

- the receiver is a project module (`config.keep_prob`, `from pkg import args`) whose module code binds the name
  to one number, and no code of the project writes `<anything>.keep_prob` another value;
- else (an object: `cfg.keep_prob`, `self.config.dropout`) every place the project gives that attribute name a
  value (a class body's `dropout = 0.4`, `cfg.dropout = 0.4`, `self.dropout = ...`) gives the same number, and
  nothing sets attributes by computed names (`setattr(self, k, v)`, `__dict__.update(...)`: a config loaded
  from a file may override the class's default).

Any other write (a parameter, a placeholder, a second number, an option of that name, `setattr(cfg,
'keep_prob', ...)`) makes the value unknown. Only the names the parsed files read as a dropout fraction are
looked up, and only the project files that write one of them are scanned (Python's own parser: syntax only,
nothing is run; a file it cannot read makes its names unknown).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

import libcst as cst

from slimlint.model.import_table import dotted

_UNKNOWN = None  # a write whose value is not a number literal
_OPTION_DEFINERS = re.compile(r"DEFINE_\w+$")
_FRACTION_WORDS = re.compile(r"keep|drop", re.IGNORECASE)


@dataclass
class ConfigConstants:
    """name -> what the scanned files bind it to, for the attribute names asked about."""

    # name -> module -> the number its module code binds the name to (None: not one literal number)
    module_constants: Dict[str, Dict[str, Optional[float]]] = field(default_factory=dict)
    # name -> every other value given to the attribute name (class bodies, `x.name = ...`, options, setattr), with
    # whether an object's own method wrote it (`self.name = ...`: that object, not a module, holds it)
    attribute_writes: Dict[str, List[Tuple[Optional[float], bool]]] = field(default_factory=dict)
    dynamic_attributes: bool = False  # attributes set by computed names somewhere in the project
    modules: FrozenSet[str] = frozenset()  # every module of the project, parsed or not

    def module_value(self, name: str, module: str) -> Optional[float]:
        value = self.module_constants.get(name, {}).get(module)
        writes = [w for w, own in self.attribute_writes.get(name, []) if not own]
        return value if value is not None and all(w == value for w in writes) else None

    def object_value(self, name: str) -> Optional[float]:
        if self.dynamic_attributes:
            return None
        values = [w for w, _ in self.attribute_writes.get(name, [])]
        values += self.module_constants.get(name, {}).values()
        if not values or any(v is None for v in values) or len(set(values)) != 1:
            return None
        return values[0]


EMPTY = ConfigConstants()


def fraction_attribute_names(model, found: Iterable[Tuple[cst.Call, object, str]], fractions) -> FrozenSet[str]:
    """Attribute names a file's dropout reads as its kept fraction through some receiver other than `self`
    (`config.keep_prob`, `self.cfg.dropout`), directly or through a name bound once to one. `found`: (call,
    enclosing function, api) of the file's dropouts with no mode; `fractions(call, api)` their fraction
    arguments (dropout.fraction_arguments)."""
    out: Set[str] = set()
    for call, func, api in found:
        for _, expr in fractions(call, api):
            for candidate in _followed(expr, func, model):
                name = _config_attribute(candidate)
                if name is not None:
                    out.add(name)
    # Handed to a project function that drops with it (`self.dropout(out, args.keep_prob_fully)`): which
    # parameter becomes a fraction is known only once summarised, so a name that says so is looked up.
    for func in model.functions:
        for site in func.calls:
            for expr in (*site.positional, *site.kwargs.values()):
                name = _config_attribute(expr)
                if name is not None and _FRACTION_WORDS.search(name):
                    out.add(name)
    return frozenset(out)


def _followed(expr: cst.BaseExpression, func, model) -> List[cst.BaseExpression]:
    """The expression, `x` of `1 - x`, and what a name in it is bound to once (in the function or the module)."""
    out = [expr]
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Subtract):
        out.append(expr.right)
    for candidate in list(out):
        if isinstance(candidate, cst.Name):
            values = func.assignments.get(candidate.value) or model.module_func.assignments.get(candidate.value)
            if values and len(values) == 1:
                out.append(values[0][0])
    return out


def _config_attribute(expr: cst.BaseExpression) -> Optional[str]:
    text = dotted(expr) if isinstance(expr, cst.Attribute) else None
    if text is None:
        return None
    parts = text.split(".")
    if len(parts) == 2 and parts[0] in ("self", "cls"):
        return None  # the object's own attribute: its class decides (dropout._bound_once)
    return parts[-1]


def scan(texts: Mapping[str, str], names: Iterable[str]) -> ConfigConstants:
    """The table for `names` over the project's files (module name -> source text)."""
    names = frozenset(names)
    if not names:
        return EMPTY
    table = ConfigConstants(modules=frozenset(texts))
    mentioned = re.compile(r"\b(?:%s)\b" % "|".join(sorted(map(re.escape, names))))
    for module, text in texts.items():
        if "setattr(" in text or "__dict__" in text:
            table.dynamic_attributes |= _sets_dynamic_attributes(text)
        if not mentioned.search(text):
            continue
        tree = _syntax_tree(text)
        if tree is None:
            for name in set(mentioned.findall(text)):
                table.attribute_writes.setdefault(name, []).append((_UNKNOWN, False))  # unreadable: writes unknown
            continue
        _Scanner(module, names, table).scan(tree)
    return table


def _syntax_tree(text: str) -> Optional[ast.Module]:
    """The file's syntax tree: Python 3 (also older Python 3 using `async` as a name), else the Python 3 view of a
    Python 2 file (slimlint.python2)."""
    for version in (None, (3, 6)):
        try:
            return ast.parse(text, feature_version=version)
        except SyntaxError:
            continue
        except (ValueError, RecursionError, MemoryError):
            return None
    from slimlint.python2 import grammar
    from slimlint.python2.view import derive

    try:
        tree, _ = grammar.parse(text)
        return ast.parse(derive(text, tree).text, feature_version=(3, 6)) if tree is not None else None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _sets_dynamic_attributes(text: str) -> bool:
    """`setattr(obj, key, value)` with a computed name, or a write through `__dict__` (`self.__dict__.update(
    kwargs)`): a config filled from a file or from keywords. Not the `__setattr__` / `__setitem__` of an attribute
    dict, which only makes the writes the scan sees work."""
    if not re.search(r"setattr\(\s*[\w.]+\s*,\s*[^'\"\s]|__dict__\s*(\.\s*update|\[)", text):
        return False
    tree = _syntax_tree(text)
    if tree is None:
        return True
    return _dynamic_writes(tree, False)


def _dynamic_writes(node: ast.AST, exempt: bool) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        exempt = node.name in ("__setattr__", "__setitem__")
    elif not exempt and isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2 \
                and not (isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            return True
        if isinstance(func, ast.Attribute) and func.attr == "update" and _names_dict(func.value):
            return True
    elif not exempt and isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(isinstance(t, ast.Subscript) and _names_dict(t.value) for t in targets):
            return True
    return any(_dynamic_writes(child, exempt) for child in ast.iter_child_nodes(node))


def _names_dict(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Attribute) and expr.attr == "__dict__"


class _Scanner:
    def __init__(self, module: str, names: FrozenSet[str], table: ConfigConstants) -> None:
        self.module, self.names, self.table = module, names, table

    def scan(self, tree: ast.Module) -> None:
        self._module_body(tree.body)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    for target, value in _bindings(stmt):
                        if isinstance(target, ast.Name) and target.id in self.names:
                            self._write(target.id, value, True)
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                for target, value in _bindings(node):
                    key = _literal_key(target)
                    if key is not None:
                        self._write(key, value)  # `cfg['keep_prob'] = 1.0` on a dict-like config
                    for attribute, own in _attribute_targets(target):
                        self._write(attribute, value if isinstance(target, ast.Attribute) else None, own)
            elif isinstance(node, ast.Call):
                self._call(node)

    def _module_body(self, body: List[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.If, ast.Try, ast.With)):
                for block in (getattr(stmt, "body", []), getattr(stmt, "orelse", []), getattr(stmt, "finalbody", []),
                              *[h.body for h in getattr(stmt, "handlers", [])]):
                    self._module_body(block)
                continue
            for target, value in _bindings(stmt):
                if isinstance(target, ast.Name) and target.id in self.names:
                    constants = self.table.module_constants.setdefault(target.id, {})
                    number = _number(value)
                    if self.module in constants and constants[self.module] != number:
                        number = _UNKNOWN  # bound to two values
                    constants[self.module] = number

    def _write(self, name: str, value: Optional[ast.expr], own: bool = False) -> None:
        if name in self.names:
            self.table.attribute_writes.setdefault(name, []).append((_number(value), own))

    def _call(self, node: ast.Call) -> None:
        func = node.func
        callee = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if callee == "setattr" and len(node.args) >= 2:
            key = node.args[1]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self._write(key.value, None)
        elif callee == "add_argument":
            dest = next((k.value.value for k in node.keywords if k.arg == "dest" and isinstance(k.value, ast.Constant)), None)
            for name in [dest] + strings:
                if isinstance(name, str):
                    self._write(name.lstrip("-").replace("-", "_"), None)  # an option: the command line decides
        elif _OPTION_DEFINERS.match(callee) and strings:
            self._write(strings[0], None)


def _literal_key(target: ast.expr) -> Optional[str]:
    """'keep_prob' of a `cfg['keep_prob']` target."""
    if not isinstance(target, ast.Subscript):
        return None
    key = target.slice.value if type(target.slice).__name__ == "Index" else target.slice  # Python < 3.9 wraps it
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _attribute_targets(target: ast.expr) -> List[Tuple[str, bool]]:
    """(attribute name, written on `self` / `cls`) of what a target writes: `cfg.keep_prob` (a plain target), or
    inside a tuple (`a.x, a.y = ...`)."""
    if isinstance(target, ast.Attribute):
        return [(target.attr, isinstance(target.value, ast.Name) and target.value.id in ("self", "cls"))]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in _attribute_targets(element)]
    if isinstance(target, ast.Starred):
        return _attribute_targets(target.value)
    return []


def _bindings(stmt: ast.AST) -> List[Tuple[ast.expr, Optional[ast.expr]]]:
    """(target, value) of an assignment statement; value None when the target is not bound to the value as a whole
    (augmented, or a tuple target)."""
    if isinstance(stmt, ast.Assign):
        return [(t, stmt.value if not isinstance(t, (ast.Tuple, ast.List)) else None) for t in stmt.targets]
    if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        return [(stmt.target, stmt.value)]
    if isinstance(stmt, ast.AugAssign):
        return [(stmt.target, None)]
    return []


def _number(value: Optional[ast.expr]) -> Optional[float]:
    if isinstance(value, ast.Constant) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return float(value.value)
    return _UNKNOWN


def resolve(expr: cst.BaseExpression, model, table: ConfigConstants) -> Optional[float]:
    """The number a config attribute holds (see the module docstring); None when unknown."""
    if not isinstance(expr, cst.Attribute):
        return None
    name = _config_attribute(expr)
    if name is None or (name not in table.module_constants and name not in table.attribute_writes):
        return None
    receiver = dotted(expr.value)
    if receiver is None:
        return None
    module = _project_module(receiver, model, table.modules)
    if module is not None:
        return table.module_value(name, module)
    return table.object_value(name)


def _project_module(receiver: str, model, modules: Iterable[str]) -> Optional[str]:
    """The project module a receiver names through this file's imports (`config`, `args` of `from pkg import
    args`), else None."""
    qualified = model.builder.table.names.get(receiver) if "." not in receiver else None
    if qualified is None:
        return None
    qualified = qualified.lstrip(".")
    modules = list(modules)
    if qualified in modules:
        return qualified
    last = qualified.rsplit(".", 1)[-1]
    found = [m for m in modules if m == last or m.endswith("." + last)]
    return found[0] if len(found) == 1 else None
