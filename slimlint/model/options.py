"""Command-line options a file defines: argparse `add_argument` / `set_defaults` and TF / absl `DEFINE_*` flags.

The file's option definitions are found in one scan, made when first asked (most files define none that matter),
and every question about an option is answered from them: the literal strings it may hold (a model module picked
by name), the default of a boolean option (a mode switch), the number it defaults to (a kept fraction).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import libcst as cst

from slimlint.model.import_table import literal_string
from slimlint.model.walk import children

_STRING_DEFINERS = ("DEFINE_string", "DEFINE_enum")
_BOOL_DEFINERS = ("DEFINE_bool", "DEFINE_boolean")
_NUMBER_DEFINERS = ("DEFINE_float", "DEFINE_integer", *_BOOL_DEFINERS)
_DEFINERS = (*_STRING_DEFINERS, *_NUMBER_DEFINERS)


@dataclass(frozen=True)
class Option:
    """One definition of an option, as written."""

    name: str  # the attribute it is read as: `args.<name>`, `FLAGS.<name>`
    spelled: str  # how a user gives it: "--keep_prob"
    definer: str  # "add_argument", "DEFINE_float", ...
    call: cst.Call
    default: Optional[cst.BaseExpression]
    choices: Optional[cst.BaseExpression]  # argparse `choices=`, DEFINE_enum's values
    action: Optional[str]  # argparse `action=` ("store_true", ...)


def _argparse_option(call: cst.Call) -> Optional[Option]:
    """`parser.add_argument('--model_def', default='models.x', choices=[...])`."""
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    names = [s for s in (literal_string(e) for e in positional) if s is not None]
    long = [n for n in names if n.startswith("--")]
    dest = literal_string(keywords.get("dest"))
    if dest is None:
        plain = [n for n in names if not n.startswith("-")]
        chosen = (long or plain or names or [None])[0]  # argparse: the first long option, else the first short
        dest = chosen.lstrip("-").replace("-", "_") if chosen else None
    if dest is None:
        return None
    return Option(dest, (long or names or [dest])[0], "add_argument", call, keywords.get("default"),
                  keywords.get("choices"), literal_string(keywords.get("action")))


def _flag_option(call: cst.Call, definer: str) -> Optional[Option]:
    """`flags.DEFINE_float('keep_prob', 0.5, 'help')`, `DEFINE_enum('model', 'a', ['a', 'b'], 'help')`."""
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    name = literal_string(keywords.get("name")) or (literal_string(positional[0]) if positional else None)
    if name is None:
        return None
    default = keywords.get("default", positional[1] if len(positional) > 1 else None)
    choices = keywords.get("enum_values", positional[2] if len(positional) > 2 else None) if definer == "DEFINE_enum" else None
    return Option(name, f"--{name}", definer, call, default, choices, None)


def _strings(expr: Optional[cst.BaseExpression]) -> List[str]:
    """A literal string, or the strings of a literal list / tuple / set of them."""
    single = literal_string(expr)
    if single is not None:
        return [single]
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return [s for s in (literal_string(e.value) for e in expr.elements) if s is not None]
    return []


def literal_bool(expr: Optional[cst.BaseExpression]) -> Optional[bool]:
    if isinstance(expr, cst.Name) and expr.value in ("True", "False"):
        return expr.value == "True"
    return None


def _number(expr: Optional[cst.BaseExpression]) -> Optional[float]:
    """A literal int / float (`0.5`, `1`), or a literal bool as the number flags parse it to."""
    if isinstance(expr, (cst.Integer, cst.Float)):
        return float(expr.evaluated_value)
    flag = literal_bool(expr)
    return None if flag is None else float(flag)


def reassigned(name: str, code: str) -> bool:
    """Does the file's code write the option (`FLAGS.keep_prob = 1.0`, `args.is_training = False`)? Then its
    default may never reach what reads it."""
    return re.search(rf"\.{re.escape(name)}\s*=[^=]", code) is not None


class CommandLineOptions:
    """The options one file defines, scanned once when first asked."""

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._options: Optional[List[Option]] = None
        self._set_defaults: Dict[str, cst.BaseExpression] = {}
        self._strings: Optional[Dict[str, Tuple[str, ...]]] = None
        self._booleans: Optional[Dict[str, Tuple[bool, str]]] = None
        self._parsed: Optional[set] = None

    def definitions(self) -> List[Option]:
        """Every option definition, in the order of one scan of the file (a later one of a name overrides)."""
        if self._options is None:
            self._options = []
            stack: List[cst.CSTNode] = [self._module]
            while stack:
                node = stack.pop()
                stack.extend(reversed(children(node)))  # popped in source order: a later set_defaults wins
                if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)):
                    continue
                method = node.func.attr.value
                if method == "set_defaults":  # `parser.set_defaults(train_bn=True)` wins over an option's own default
                    self._set_defaults.update({a.keyword.value: a.value for a in node.args if a.keyword is not None})
                    continue
                option = _argparse_option(node) if method == "add_argument" else \
                    _flag_option(node, method) if method in _DEFINERS else None
                if option is not None:
                    self._options.append(option)
        return self._options

    def strings(self) -> Dict[str, Tuple[str, ...]]:
        """Option name -> the literal strings it may hold (its default and choices), for argparse options and
        TF / absl string flags."""
        if self._strings is not None:
            return self._strings
        found: Dict[str, List[str]] = {}
        for option in self.definitions():
            if option.definer in ("add_argument", *_STRING_DEFINERS):
                values = _strings(option.default) + _strings(option.choices)
                if values:
                    found.setdefault(option.name, []).extend(values)
        self._strings = {name: tuple(dict.fromkeys(values)) for name, values in found.items()}
        return self._strings

    def boolean_defaults(self) -> Dict[str, Tuple[bool, str]]:
        """Option name -> (its default, how a user spells it) for argparse `store_true` / `store_false` options
        and TF / absl boolean flags with a literal default."""
        if self._booleans is not None:
            return self._booleans
        found: Dict[str, Tuple[bool, str]] = {}
        for option in self.definitions():
            if option.definer == "add_argument":
                if option.action not in ("store_true", "store_false"):
                    continue
                default = literal_bool(option.default)
                found[option.name] = (default if default is not None else option.action == "store_false", option.spelled)
            elif option.definer in _BOOL_DEFINERS and literal_bool(option.default) is not None:
                found[option.name] = (literal_bool(option.default), option.spelled)
        for name, expr in self._set_defaults.items():
            if name in found and literal_bool(expr) is not None:
                found[name] = (literal_bool(expr), found[name][1])
        self._booleans = found
        return found

    def boolean_flag_default(self, name: str) -> Optional[Tuple[cst.Call, cst.Name]]:
        """(the call defining the TF / absl boolean flag `name`, its literal default): where the default is written."""
        for option in self.definitions():
            if option.name == name and option.definer in _BOOL_DEFINERS and literal_bool(option.default) is not None:
                return option.call, option.default
        return None

    def option_attribute(self, expr: cst.BaseExpression) -> Optional[str]:
        """The option `expr` reads (`FLAGS.keep_prob`, `args.keep_prob`) when its receiver holds the parsed options:
        `FLAGS` / `flags.FLAGS`, or a name this file binds to `parse_args()` / `parse_known_args()` (also a
        parameter of that name, the parsed options handed on); None for any other attribute (`inputs.keep_prob`)."""
        if not isinstance(expr, cst.Attribute) or not isinstance(expr.value, (cst.Name, cst.Attribute)):
            return None
        receiver = expr.value.attr.value if isinstance(expr.value, cst.Attribute) else expr.value.value
        if receiver != "FLAGS" and receiver not in self._parsed_names():
            return None
        return expr.attr.value

    def _parsed_names(self) -> set:
        """Names this file binds to parsed command-line options (`args = parser.parse_args()`,
        `args, _ = parser.parse_known_args()`), found once."""
        if self._parsed is None:
            self._parsed = set()
            stack: List[cst.CSTNode] = [self._module]
            while stack:
                node = stack.pop()
                stack.extend(reversed(children(node)))  # popped in source order: a later set_defaults wins
                if isinstance(node, cst.Assign) and isinstance(node.value, cst.Call) \
                        and isinstance(node.value.func, cst.Attribute) \
                        and node.value.func.attr.value in ("parse_args", "parse_known_args"):
                    for target in node.targets:
                        first = target.target
                        if isinstance(first, (cst.Tuple, cst.List)) and first.elements:
                            first = first.elements[0].value  # `args, unknown = parser.parse_known_args()`
                        if isinstance(first, cst.Name):
                            self._parsed.add(first.value)
        return self._parsed

    def number_option(self, name: str) -> Optional[Tuple[str, float]]:
        """(how a user spells the option, its number default) for number_default."""
        value = self.number_default(name)
        if value is None:
            return None
        return next(o.spelled for o in self.definitions() if o.name == name), value

    def number_default(self, name: str) -> Optional[float]:
        """The number option `name` defaults to (`DEFINE_float('keep_prob', 0.5, ...)`, `add_argument('--keep_prob',
        type=float, default=0.5)`, a `set_defaults` over it), when every definition of it in the file agrees;
        None when it has none, or no literal one."""
        self.definitions()
        if name in self._set_defaults:
            return _number(self._set_defaults[name]) if any(o.name == name for o in self._options) else None
        values = {_number(o.default) for o in self._options
                  if o.name == name and (o.definer in _NUMBER_DEFINERS or o.definer == "add_argument" and o.action is None)}
        return values.pop() if len(values) == 1 else None
