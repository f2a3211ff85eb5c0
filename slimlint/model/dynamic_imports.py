"""Model modules chosen at run time: `network = importlib.import_module(args.model_def)`.

Training and evaluation scripts of many TF1 projects (facenet, PointCNN, ...) pick the model module by name from a
command-line option. The name is a literal somewhere in the file: the call's own argument, or the option's
`default=` / `choices=` (argparse) or default (`tf.app.flags` / `absl.flags` `DEFINE_string` / `DEFINE_enum`).
Every literal candidate is returned, so the calls through the module are checked against each candidate module of
the project; an option with no literal (`required=True`) gives none and the calls stay unresolved, as before.

Only files that import a module this way pay for the scan of their option definitions (options.py), once.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from slimlint.model.options import CommandLineOptions
from slimlint.model.import_table import ImportTable, bound_names, dotted, imported_names, literal_string
from slimlint.model.walk import children

_IMPORTERS = {"importlib.import_module", "__import__"}


def _keywords(call: cst.Call) -> Dict[str, cst.BaseExpression]:
    return {a.keyword.value: a.value for a in call.args if a.keyword is not None}


def _positional(call: cst.Call) -> List[cst.BaseExpression]:
    return [a.value for a in call.args if a.keyword is None and not a.star]


class DynamicImports:
    """Which project modules a `importlib.import_module(...)` / `__import__(...)` call may return."""

    def __init__(self, module: cst.Module, table: ImportTable, options: CommandLineOptions) -> None:
        self._table = table
        self._options = options
        self._module = module
        self._ambiguous: Optional[Set[int]] = None

    def candidates(self, value: cst.BaseExpression) -> Tuple[str, ...]:
        """The module names `value` may import, when it is such a call; () otherwise, when none is literal, or when
        the name it is assigned to is bound to something else too somewhere in the file (a parameter called
        `network` in another function, `model = model.build()`): the builder keeps one binding per name for the
        whole file, so such a name would resolve calls that never see the module."""
        if not isinstance(value, cst.Call) or not value.args or value.args[0].keyword is not None:
            return ()
        func = self._table.resolve(value.func) or dotted(value.func)
        if func not in _IMPORTERS:
            return ()
        if self._ambiguous is None:
            self._ambiguous = _ambiguous_imports(self._module, self._table)
        if id(value) in self._ambiguous:
            return ()
        arg = value.args[0].value
        literal = literal_string(arg)
        if literal is not None:
            names: Tuple[str, ...] = (literal,)
        else:
            option = dotted(arg)
            if option is None or "." not in option:  # `args.model_def`, `FLAGS.model`, `self.opt.network`
                return ()
            names = self._options.strings().get(option.rsplit(".", 1)[1], ())
        bound = (_imported_module(value, name, func) for name in names)
        return tuple(dict.fromkeys(name for name in bound if name is not None))


def option_of(value: cst.BaseExpression) -> Optional[str]:
    """The option an import call takes its module name from (`args.model_def`, `FLAGS.model`), for messages."""
    if not isinstance(value, cst.Call) or not value.args or literal_string(value.args[0].value) is not None:
        return None
    return dotted(value.args[0].value)


def _imported_module(call: cst.Call, name: str, func: str) -> Optional[str]:
    """The module the call returns when it imports `name`, or None when that is not a project module name.

    `importlib.import_module(".resnet", "nets")` is `nets.resnet` (a relative name with no literal package is
    unknown); `__import__("models.resnet")` returns the top package `models` unless `fromlist` is given."""
    if func == "importlib.import_module" and name.startswith("."):
        package_arg = _keywords(call).get("package")
        positional = _positional(call)
        package = literal_string(package_arg if package_arg is not None else positional[1] if len(positional) > 1 else None)
        if not package:
            return None
        base = package.split(".")
        up = len(name) - len(name.lstrip("."))
        if up > len(base):
            return None
        name = ".".join(base[: len(base) - up + 1] + [name.lstrip(".")])
    if not _looks_like_module(name):
        return None
    if func == "__import__" and "." in name and not _has_fromlist(call):
        return name.split(".", 1)[0]
    return name


def _has_fromlist(call: cst.Call) -> bool:
    """`__import__(name, globals, locals, fromlist)`: a non-empty fromlist makes it return the named module."""
    fromlist = _keywords(call).get("fromlist")
    positional = _positional(call)
    if fromlist is None and len(positional) > 3:
        fromlist = positional[3]
    if fromlist is None:
        return False
    if isinstance(fromlist, (cst.List, cst.Tuple, cst.Set)):
        return bool(fromlist.elements)
    return not (isinstance(fromlist, cst.Name) and fromlist.value == "None")


def _ambiguous_imports(module: cst.Module, table: ImportTable) -> Set[int]:
    """ids of the importer calls assigned to a name the file binds to anything else as well: a parameter of any
    function, another assignment (another importer call with a different argument included), a loop, `with`,
    import, def or class name."""
    imports: Dict[str, List[cst.Call]] = {}
    others: Set[str] = set()
    stack: List[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Assign):
            value = node.value
            is_import = isinstance(value, cst.Call) and (table.resolve(value.func) or dotted(value.func)) in _IMPORTERS
            if is_import and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                imports.setdefault(node.targets[0].target.value, []).append(value)
            else:
                for target in node.targets:
                    others.update(bound_names(target.target))
        elif isinstance(node, cst.Param):
            others.add(node.name.value)
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor)):
            others.update(bound_names(node.target))
        elif isinstance(node, cst.AsName):
            others.update(bound_names(node.name))
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            others.add(node.name.value)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            others.update(local for local, _ in imported_names(node))
        stack.extend(children(node))
    ambiguous: Set[int] = set()
    for name, calls in imports.items():
        if name in others or len({cst.Module([]).code_for_node(c.args[0].value) if c.args else "" for c in calls}) > 1:
            ambiguous.update(id(c) for c in calls)
    return ambiguous


def _looks_like_module(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))
