"""Update ops an option switches off by default.

    parser.add_argument("--update-mean-var", action="store_true")
    ...
    if args.update_mean_var == False:
        update_ops = None
    else:
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = opt.apply_gradients(...)

Run as the script's defaults run it, `control_dependencies(None)` adds nothing: batch norm trains on batch
statistics while its moving statistics never move. flow.wiring asks which names are empty by default.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

import libcst as cst

from slimlint.model.facts import FunctionInfo
from slimlint.model.options import literal_bool
from slimlint.model.walk import children


def _option_test(test: cst.BaseExpression) -> Optional[Tuple[str, bool]]:
    """(option, polarity) for a test on a boolean option: `args.x` / `FLAGS.x` (True when the option is),
    `not args.x`, `args.x == False`, `args.x is True` ... (polarity False: true when the option is off)."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _option_test(test.expression)
        return None if inner is None else (inner[0], not inner[1])
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        value = literal_bool(target.comparator)
        inner = _option_test(test.left)
        if value is None or inner is None:
            return None
        if isinstance(target.operator, (cst.Equal, cst.Is)):
            return inner[0], inner[1] == value
        if isinstance(target.operator, (cst.NotEqual, cst.IsNot)):
            return inner[0], inner[1] != value
        return None
    if isinstance(test, cst.Attribute) and isinstance(test.value, cst.Name) and test.value.value not in ("self", "cls"):
        return test.attr.value, True
    return None


def _empty(value: cst.BaseExpression) -> bool:
    return (isinstance(value, cst.Name) and value.value == "None") or (
        isinstance(value, (cst.List, cst.Tuple)) and not value.elements)


class GatedUpdates:
    """Part of FileModel (semantic.py): uses its module, builder and update names."""

    def bool_options(self) -> Dict[str, Tuple[bool, str]]:
        """This file's boolean options with a literal default (options.py), read once."""
        return self.options.boolean_defaults()

    def option_default(self, expr: cst.BaseExpression) -> Optional[bool]:
        """The default of the boolean option `expr` reads (`FLAGS.train`, `args.is_training`, `not args.x`) when
        this file defines it with a literal default; None otherwise."""
        option = _option_test(expr)
        if option is None or option[0] not in self.bool_options():
            return None
        return self.bool_options()[option[0]][0] == option[1]

    def default_empty_update_names(self, func: FunctionInfo) -> Dict[str, str]:
        """Names holding the update ops only when an option is given: name -> the option, as a user spells it."""
        if not (func.update_names or self.module_func.update_names):
            return {}
        if not self.bool_options():
            return {}
        out: Dict[str, str] = {}
        body = func.node.body if func.node is not None else self.module
        for node in _own_statements(body):
            if isinstance(node, cst.If):
                branches = (node.body.body, node.orelse.body.body if isinstance(node.orelse, cst.Else) else ())
                test = node.test
                chosen = {True: _assigned(branches[0]), False: _assigned(branches[1])}
            else:
                if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
                    continue
                name, test = node.targets[0].target.value, node.value.test
                chosen = {True: {name: node.value.body}, False: {name: node.value.orelse}}
            option = _option_test(test)
            if option is None or option[0] not in self.bool_options():
                continue
            default, spelled = self.bool_options()[option[0]]
            taken = default == option[1]  # is the test true when the option is left at its default?
            for name, value in chosen[taken].items():
                other = chosen[not taken].get(name)
                if _empty(value) and other is not None and self.builder.contains_update_read(other):
                    out[name] = spelled
        return out


def _own_statements(body: cst.CSTNode):
    """The `if` statements and `x = a if c else b` assignments of a body, not those of functions or classes
    defined in it (module-level code is not the code of the module's functions)."""
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.If) or (isinstance(node, cst.Assign) and isinstance(node.value, cst.IfExp)):
            yield node
        stack.extend(children(node))


def _assigned(statements) -> Dict[str, cst.BaseExpression]:
    """`name = value` statements of a block (its own level)."""
    out = {}
    for stmt in statements:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    out[small.targets[0].target.value] = small.value
    return out
