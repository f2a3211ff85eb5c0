"""Model modules chosen at run time: `network = importlib.import_module(args.model_def)`.

Training and evaluation scripts of many TF1 projects (facenet, PointCNN, ...) pick the model module by name from a
command-line option. The name is a literal somewhere in the file: the call's own argument, or the option's
`default=` / `choices=` (argparse) or default (`tf.app.flags` / `absl.flags` `DEFINE_string` / `DEFINE_enum`).
Every literal candidate is returned, so the calls through the module are checked against each candidate module of
the project; an option with no literal (`required=True`) gives none and the calls stay unresolved, as before.

Only files that import a module this way pay for the scan of their option definitions, once.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import libcst as cst

from slimlint.model.names import ImportTable, dotted
from slimlint.model.walk import children

_IMPORTERS = {"importlib.import_module", "__import__"}
_FLAG_DEFINERS = {"DEFINE_string", "DEFINE_enum"}


def _string(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _strings(expr: Optional[cst.BaseExpression]) -> List[str]:
    """A literal string, or the strings of a literal list / tuple / set of them."""
    single = _string(expr)
    if single is not None:
        return [single]
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return [s for s in (_string(e.value) for e in expr.elements) if s is not None]
    return []


def _keywords(call: cst.Call) -> Dict[str, cst.BaseExpression]:
    return {a.keyword.value: a.value for a in call.args if a.keyword is not None}


def _positional(call: cst.Call) -> List[cst.BaseExpression]:
    return [a.value for a in call.args if a.keyword is None and not a.star]


def _argparse_option(call: cst.Call) -> Optional[Tuple[str, List[str]]]:
    """`parser.add_argument('--model_def', default='models.x', choices=[...])` -> ("model_def", literals)."""
    names = [s for s in (_string(e) for e in _positional(call)) if s is not None]
    kw = _keywords(call)
    dest = _string(kw.get("dest"))
    if dest is None:
        long = [n for n in names if n.startswith("--")]
        plain = [n for n in names if not n.startswith("-")]
        chosen = (long or plain or names or [None])[0]  # argparse: the first long option, else the first short
        dest = chosen.lstrip("-").replace("-", "_") if chosen else None
    if dest is None:
        return None
    return dest, _strings(kw.get("default")) + _strings(kw.get("choices"))


def _flag_option(call: cst.Call, definer: str) -> Optional[Tuple[str, List[str]]]:
    """`flags.DEFINE_string('model', 'resnet', 'help')`, `DEFINE_enum('model', 'a', ['a', 'b'], 'help')`."""
    positional, kw = _positional(call), _keywords(call)
    name = _string(kw.get("name")) or (_string(positional[0]) if positional else None)
    if name is None:
        return None
    default = kw.get("default", positional[1] if len(positional) > 1 else None)
    if definer != "DEFINE_enum":
        return name, _strings(default)
    enum = kw.get("enum_values", positional[2] if len(positional) > 2 else None)
    return name, _strings(default) + _strings(enum)


def option_literals(module: cst.Module) -> Dict[str, Tuple[str, ...]]:
    """Option name -> the literal strings it may hold (its default and choices), for the file's argparse options
    and TF / absl string flags."""
    found: Dict[str, List[str]] = {}
    stack: List[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            option = _argparse_option(node) if method == "add_argument" else _flag_option(node, method) if method in _FLAG_DEFINERS else None
            if option is not None and option[1]:
                found.setdefault(option[0], []).extend(option[1])
        stack.extend(children(node))
    return {name: tuple(dict.fromkeys(values)) for name, values in found.items()}


class DynamicImports:
    """Which project modules a `importlib.import_module(...)` / `__import__(...)` call may return."""

    def __init__(self, module: cst.Module, table: ImportTable) -> None:
        self._table = table
        self._options: Optional[Dict[str, Tuple[str, ...]]] = None
        self._module = module

    def candidates(self, value: cst.BaseExpression) -> Tuple[str, ...]:
        """The module names `value` may import, when it is such a call; () otherwise or when none is literal."""
        if not isinstance(value, cst.Call) or not value.args or value.args[0].keyword is not None:
            return ()
        func = self._table.resolve(value.func) or dotted(value.func)
        if func not in _IMPORTERS:
            return ()
        arg = value.args[0].value
        literal = _string(arg)
        if literal is not None:
            return (literal,)
        option = dotted(arg)
        if option is None or "." not in option:  # `args.model_def`, `FLAGS.model`, `self.opt.network`
            return ()
        if self._options is None:
            self._options = option_literals(self._module)
        return tuple(c for c in self._options.get(option.rsplit(".", 1)[1], ()) if _looks_like_module(c))


def _looks_like_module(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))
