"""Configuration constants: the number a config attribute holds when the project writes it in one place only.

    # config.py                          # model.py
    keep_prob_fully = 0.8                from project import config
                                         out = tf.nn.dropout(out, config.keep_prob_fully)

    class Config(object):                def build(self):
        dropout = 0.4                        h = tf.nn.dropout(h, self.config.dropout)

Run as its defaults run it, the program keeps that fraction, exactly as with a command-line option's default
(options.py). A dropout fraction read from a config is a constant when:

- the receiver is a project module (`config.keep_prob`, `from pkg import args`; not a parameter or local of that
  name) whose module code binds the name to one number, and nothing else gives the name another: no other
  literal for it (`keep_prob = 1.0` in a class body, `f(keep_prob=1.0)`, `{'keep_prob': 1.0}`), no write of
  it from a variable, no `global keep_prob` rebinding in that module, no star import, `globals()`, `vars()` or
  `exec` in it;
- else (an object: `cfg.keep_prob`, `self.config.dropout`) every literal the project gives the name is the same
  number and it is never given a computed value, and nothing in the project fills objects from elsewhere:
  attributes set by computed names (`setattr(cfg, key, value)`, `__dict__`, `vars(...)`), YAML / JSON / INI
  configs loaded (`yaml.safe_load`, `json.load`, `merge_from_file`), options defined under computed names.

Command-line options are options.py's: a name some file defines as an option is never read as a config constant,
nor is anything read through `FLAGS`. Only the names the parsed files read as a dropout fraction are looked up,
and only the files whose text may write one of them are scanned, with Python's own parser (syntax only, nothing
is run; the Python 2 view for Python 2 files); a file it cannot read makes the names it mentions unknown.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

import libcst as cst

from slimlint.model.fraction_exprs import one_minus
from slimlint.model.import_table import dotted

_UNKNOWN = None  # a write whose value is not a number literal
_OPTION_DEFINERS = re.compile(r"DEFINE_\w+$")
_FRACTION_WORDS = re.compile(r"keep|drop", re.IGNORECASE)


@dataclass
class ConfigConstants:
    """name -> what the scanned files bind it to, for the attribute names asked about."""

    # name -> module -> the number its module code binds the name to (None: not one literal number, or rebound)
    module_constants: Dict[str, Dict[str, Optional[float]]] = field(default_factory=dict)
    # name -> every other value given to the name (class bodies, `x.name = ...`, `f(name=...)`, `{'name': ...}`,
    # options, setattr), with whether an object's own method wrote it (`self.name = ...`: that object, not a
    # module, holds it)
    writes: Dict[str, List[Tuple[Optional[float], bool]]] = field(default_factory=dict)
    dynamic_configs: bool = False  # objects filled by computed names or from files somewhere in the project
    dynamic_modules: bool = False  # module attributes set by computed names (`setattr(settings, key, value)`)
    unsettled_modules: FrozenSet[str] = frozenset()  # modules whose globals may change (star import, globals())
    modules: FrozenSet[str] = frozenset()  # every module of the project, parsed or not

    def module_value(self, name: str, module: str) -> Optional[float]:
        value = self.module_constants.get(name, {}).get(module)
        if value is None or module in self.unsettled_modules or self.dynamic_modules:
            return None
        others = [w for w, own in self.writes.get(name, []) if not own]
        return value if all(w == value for w in others) else None

    def object_value(self, name: str) -> Optional[float]:
        if self.dynamic_configs:
            return None
        values = [w for w, _ in self.writes.get(name, [])]
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
    from slimlint.model.dropout import kept_config_copy  # the model's reading of `self.x = config.x`

    out = [expr]
    if one_minus(expr) is not None:
        out.append(one_minus(expr))
    for candidate in list(out):
        kept = kept_config_copy(model, candidate, func)
        if kept is not None:
            out.append(kept[1])
    for candidate in list(out):
        if isinstance(candidate, cst.Name):
            values = func.assignments.get(candidate.value) or model.module_func.assignments.get(candidate.value)
            if values and len(values) == 1:
                out.append(values[0][0])
    return out


def _config_attribute(expr: cst.BaseExpression) -> Optional[str]:
    key = _literal_subscript(expr)
    if key is not None:
        return key  # `self.options['image_dropout']`, `params['dropout']`: a dict-like config's entry
    text = dotted(expr) if isinstance(expr, cst.Attribute) else None
    if text is None:
        return None
    parts = text.split(".")
    if len(parts) == 2 and parts[0] in ("self", "cls"):
        return None  # the object's own attribute: its class decides (dropout._bound_once)
    return parts[-1]


def _literal_subscript(expr: cst.BaseExpression) -> Optional[str]:
    """'keep_prob' of `cfg['keep_prob']` (one string-literal index), else None."""
    if not isinstance(expr, cst.Subscript) or len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
        return None
    index = expr.slice[0].slice.value
    return index.evaluated_value if isinstance(index, cst.SimpleString) and isinstance(index.evaluated_value, str) else None


# Objects filled from elsewhere: computed attribute names, a config file merged in, code run from text.
_DYNAMIC_CONFIG = re.compile(
    r"__dict__|\bvars\(|\bglobals\(\)|\bexec\(|merge_from_(?:file|list)|_merge_a_into_b|\byaml\.(?:safe_|full_|unsafe_)?load"
    r"|\bjson\.loads?\(|[Cc]onfig[Pp]arser|\bsetattr\(|override_from_dict|set_hparam|\.parse(?:_json)?\(")
# A module whose globals may change after its own assignments.
_UNSETTLED_MODULE = re.compile(r"^\s*from\s+\S+\s+import\s+\*|\bglobals\(\)|\bvars\(\)|\bexec\(", re.MULTILINE)


def scan(texts: Mapping[str, str], names: Iterable[str]) -> ConfigConstants:
    """The table for `names` over the project's files (module name -> source text)."""
    names = frozenset(names)
    if not names:
        return EMPTY
    table = ConfigConstants(modules=frozenset(texts))
    alternatives = "|".join(sorted(map(re.escape, names)))
    mentioned = re.compile(r"\b(?:%s)\b" % alternatives)
    # What may write a name: `name =`, `name:` (a field, a keyword in a dict call), `'name'` (a key, setattr, an
    # option), `def name` (a property), `global name`; a file without any is not parsed.
    may_write = re.compile(r"\b(?:%s)\b\s*(?:=(?!=)|:)|['\"]-*(?:%s)['\"]|\b(?:def|global)\s+(?:%s)\b"
                           % (alternatives, alternatives, alternatives))
    unsettled = set()
    for module, text in texts.items():
        if not table.dynamic_modules and _DYNAMIC_CONFIG.search(text):
            objects, modules = _fills_dynamically(text)
            table.dynamic_configs |= objects
            table.dynamic_modules |= modules
        if not may_write.search(text):
            continue
        if _UNSETTLED_MODULE.search(text):
            unsettled.add(module)
        tree = _syntax_tree(text)
        if tree is None:
            for name in set(mentioned.findall(text)):
                table.writes.setdefault(name, []).append((_UNKNOWN, False))  # unreadable: writes unknown
            continue
        _Scanner(module, names, table).scan(tree)
    table.unsettled_modules = frozenset(unsettled)
    return table


def _syntax_tree(text: str) -> Optional[ast.Module]:
    """The file's syntax tree: Python 3 (also older Python 3 using `async` as a name), else the Python 3 view of a
    Python 2 file (slimlint.python2); None when neither reads it (or it nests too deeply)."""
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


def _fills_dynamically(text: str) -> Tuple[bool, bool]:
    """Does this file fill objects from elsewhere (see _DYNAMIC_CONFIG), and may that reach a module's attributes
    (not only `setattr(self, ...)` on the object being built)? `setattr` with a literal name is a plain write
    (scanned), and an attribute dict's own `__setattr__` / `__setitem__` only makes the writes the scan sees
    work; a file that cannot be read counts for both."""
    tree = _syntax_tree(text)
    if tree is None:
        return True, True
    objects = False
    exempt: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in ("__setattr__", "__setitem__",
                                                                                      "__getattr__", "__delattr__",
                                                                                      "__delitem__"):
            exempt.update(id(inner) for inner in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in exempt:
            continue
        if isinstance(node, ast.Call):
            callee = _callee_name(node.func)
            if callee == "setattr":
                if len(node.args) < 2 or not _is_string(node.args[1]):
                    on_self = isinstance(node.args[0], ast.Name) and node.args[0].id in ("self", "cls") if node.args else False
                    if not on_self:
                        return True, True
                    objects = True  # `setattr(self, k, v)`: the object's own attributes, no module's
            elif callee in ("vars", "globals", "exec"):
                return True, True
            elif callee in ("merge_from_file", "merge_from_list", "_merge_a_into_b", "safe_load", "full_load",
                            "unsafe_load", "ConfigParser", "RawConfigParser"):
                objects = True
            elif callee in ("override_from_dict", "set_hparam", "parse_json") or callee == "parse" and isinstance(
                    node.func, ast.Attribute) and "hp" in (_callee_name(node.func.value) or "").lower():
                objects = True  # HParams overridden at run time (`hparams.parse(FLAGS.hparams)`)
            elif callee in ("load", "loads") and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in ("yaml", "json"):
                objects = True
            elif callee in ("add_argument",) or _OPTION_DEFINERS.match(callee or ""):
                named = [a for a in node.args[:1]] + [k.value for k in node.keywords if k.arg in ("name", "dest")]
                if named and not all(_is_string(a) for a in named):
                    objects = True  # options under computed names (`add_argument('--' + key, default=value)`)
        elif isinstance(node, ast.Attribute) and node.attr == "__dict__":
            return True, True
    return objects, False


def _hands_on(name: str, value: ast.expr) -> bool:
    """`keep_prob=keep_prob`, `keep_prob=self.config.keep_prob`: the value of that name, handed on."""
    return isinstance(value, ast.Name) and value.id == name or isinstance(value, ast.Attribute) and value.attr == name


def _callee_name(func: ast.expr) -> Optional[str]:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _is_string(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


class _Scanner:
    def __init__(self, module: str, names: FrozenSet[str], table: ConfigConstants) -> None:
        self.module, self.names, self.table = module, names, table

    def scan(self, tree: ast.Module) -> None:
        self._module_body(tree.body)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    for target, value in _bindings(stmt):
                        if isinstance(target, ast.Name):
                            self._write(target.id, value)  # `keep_prob = 0.5`, `keep_prob: float = 0.5`
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                for target, value in _bindings(node):
                    key = _literal_key(target)
                    if key is not None:
                        self._write(key, value)  # `cfg['keep_prob'] = 1.0` on a dict-like config
                    for attribute, own in _attribute_targets(target):
                        if isinstance(target, ast.Attribute) and isinstance(value, ast.Attribute) and value.attr == attribute:
                            continue  # `self.keep_prob = config.keep_prob`: the config's value handed on, nothing new
                        self._write(attribute, value if isinstance(target, ast.Attribute) else None, own)
            elif isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if key is not None and _is_string(key):
                        self._write(key.value, value)  # `EasyDict({'keep_prob': 1.0})`
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in self.names:
                self._write(node.name, None)  # a property or method of that name: computed
            elif isinstance(node, ast.Global):
                for name in node.names:
                    if name in self.names:
                        self.table.module_constants.setdefault(name, {})[self.module] = _UNKNOWN  # rebound at run time

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
            self.table.writes.setdefault(name, []).append((_number(value), own))

    def _call(self, node: ast.Call) -> None:
        callee = _callee_name(node.func) or ""
        strings = [a.value for a in node.args if _is_string(a)]
        for keyword in node.keywords:
            if keyword.arg in self.names and not _hands_on(keyword.arg, keyword.value):
                # `HParams(keep_prob=1.0)`, `replace(cfg, keep_prob=1.0)`, `Inputs(keep_prob=tf.placeholder(...))`:
                # a value given for the name (`keep_prob=cfg.keep_prob` hands the same one on: nothing new)
                self._write(keyword.arg, keyword.value)
        if callee == "setattr" and len(node.args) >= 3 and _is_string(node.args[1]):
            self._write(node.args[1].value, node.args[2])
        elif callee == "add_argument":
            dest = [k.value.value for k in node.keywords if k.arg == "dest" and _is_string(k.value)]
            for name in dest + strings:
                self._write(name.lstrip("-").replace("-", "_"), None)  # an option: the command line decides
        elif _OPTION_DEFINERS.match(callee):
            named = [k.value.value for k in node.keywords if k.arg in ("name", "flag_name") and _is_string(k.value)]
            for name in named + strings[:1]:
                self._write(name, None)


def _literal_key(target: ast.expr) -> Optional[str]:
    """'keep_prob' of a `cfg['keep_prob']` target."""
    if not isinstance(target, ast.Subscript):
        return None
    key = target.slice.value if type(target.slice).__name__ == "Index" else target.slice  # Python < 3.9 wraps it
    return key.value if _is_string(key) else None


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
    if isinstance(stmt, ast.AnnAssign):
        return [(stmt.target, stmt.value)]
    if isinstance(stmt, ast.AugAssign):
        return [(stmt.target, None)]
    return []


def _number(value: Optional[ast.expr]) -> Optional[float]:
    if isinstance(value, ast.Constant) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return float(value.value)
    return _UNKNOWN


def resolve(expr: cst.BaseExpression, func, model, table: ConfigConstants) -> Optional[float]:
    """The number a config attribute holds (see the module docstring); None when unknown. `func` is where it is
    read: a parameter or local of the module's name there is not the module."""
    if not isinstance(expr, (cst.Attribute, cst.Subscript)):
        return None
    name = _config_attribute(expr)
    if name is None or (name not in table.module_constants and name not in table.writes):
        return None
    if isinstance(expr, cst.Subscript):
        return table.object_value(name)  # a dict's entry: every literal the project gives the key
    receiver = dotted(expr.value)
    if receiver is None or receiver.split(".")[0] == "FLAGS" or receiver.endswith(".FLAGS") \
            or model.options.option_attribute(expr) is not None:
        return None  # the parsed command line: options.py reads it
    head = receiver.split(".")[0]
    shadowed = head in func.params or head in func.assignments
    module = _project_module(receiver, model, table.modules) if not shadowed else None
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
