"""Fix primitives: small LibCST edits keyed by the original node they apply to.

A fix is a list of (node, action) pairs. The engine applies the actions of all fixes in one
transformer pass: each action receives the *updated* node (inner edits already applied) and returns
its replacement, so fixes on nested nodes compose.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

Action = Callable[[cst.CSTNode], object]


class FixActions:
    def __init__(self) -> None:
        self.actions: List[Tuple[cst.CSTNode, Action, bool]] = []
        self.imports: List[Tuple[str, Optional[str], Optional[str]]] = []  # (module, obj, asname)

    def on(self, node: cst.CSTNode, action: Action, late: bool = False) -> "FixActions":
        self.actions.append((node, action, late))
        return self

    def add_import(self, module: str, obj: Optional[str] = None, asname: Optional[str] = None) -> "FixActions":
        self.imports.append((module, obj, asname))
        return self


class _Apply(cst.CSTTransformer):
    def __init__(self, actions: Dict[int, List[Tuple[Action, bool]]]) -> None:
        super().__init__()
        self._actions = actions

    def on_leave(self, original_node, updated_node):
        updated = super().on_leave(original_node, updated_node)
        acts = self._actions.get(id(original_node))
        if acts:
            for act, _late in sorted(acts, key=lambda a: a[1]):
                if isinstance(updated, (cst.FlattenSentinel, cst.RemovalSentinel)):
                    break
                updated = act(updated)
        return updated


def apply(module: cst.Module, fixes: Sequence[FixActions]) -> cst.Module:
    table: Dict[int, List[Tuple[Action, bool]]] = {}
    imports = []
    for fix in fixes:
        for node, action, late in fix.actions:
            table.setdefault(id(node), []).append((action, late))
        imports.extend(fix.imports)
    new = module.visit(_Apply(table))
    if imports:
        # Imported here: libcst.codemod costs a fifth of a second to import, and most runs fix nothing.
        from libcst.codemod import CodemodContext
        from libcst.codemod.visitors import AddImportsVisitor

        context = CodemodContext()
        for module_name, obj, asname in imports:
            AddImportsVisitor.add_needed_import(context, module_name, obj, asname)
        new = new.visit(AddImportsVisitor(context))
    return new


# --- primitives ------------------------------------------------------------------------------


def parse_expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def replace_with(code: str) -> Action:
    replacement = parse_expr(code)
    return lambda node: replacement


def add_keyword(keyword: str, value_code: str, after: Optional[str] = None) -> Action:
    """Append `keyword=value` to a call, keeping its comma and line-break style; with `after`, place it right
    behind that keyword argument instead (`normalizer_fn=...,` then `normalizer_params=...,` on the next line)."""

    def act(call: cst.Call) -> cst.Call:
        if any(a.keyword is not None and a.keyword.value == keyword for a in call.args):
            return call  # another finding's fix on the same call passed it already: never a keyword twice
        new_arg = cst.Arg(
            keyword=cst.Name(keyword),
            value=parse_expr(value_code),
            equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
        )
        args = list(call.args)
        at = next((i for i, a in enumerate(args[:-1]) if a.keyword is not None and a.keyword.value == after), None)
        if at is not None and isinstance(args[at].comma, cst.Comma):
            # the separator that follows it, line break and indentation included, follows the new one too
            args.insert(at + 1, new_arg.with_changes(comma=args[at].comma))
            return call.with_changes(args=args)
        if not args:
            return call.with_changes(args=[new_arg])
        last = args[-1]
        if isinstance(last.comma, cst.Comma):
            # Trailing comma (often one argument per line): the new argument ends the list the same way,
            # and the old last argument takes the separator the others use.
            separator = args[-2].comma if len(args) > 1 and isinstance(args[-2].comma, cst.Comma) else last.comma
            args[-1] = last.with_changes(comma=separator)
            args.append(new_arg.with_changes(comma=last.comma))
        else:
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args.append(new_arg)
        return call.with_changes(args=args)

    return act


def add_dict_item(key: str, value_code: str) -> Action:
    """Append `'key': value` to a dict literal, in the quote style of its first string key."""

    def act(node: cst.Dict) -> cst.Dict:
        quote = '"'
        for el in node.elements:
            if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
                quote = el.key.quote
                break
        item = cst.DictElement(key=cst.SimpleString(f"{quote}{key}{quote}"), value=parse_expr(value_code))
        elements = list(node.elements)
        if elements and not isinstance(elements[-1].comma, cst.Comma):
            elements[-1] = elements[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        elif elements:
            separator = elements[-2].comma if len(elements) > 1 and isinstance(elements[-2].comma, cst.Comma) else elements[-1].comma
            item = item.with_changes(comma=elements[-1].comma)
            elements[-1] = elements[-1].with_changes(comma=separator)
        elements.append(item)
        return node.with_changes(elements=elements)

    return act


def remove_argument(arg: cst.Arg) -> Action:
    """Drop one argument from a call; the comma style of the argument list is kept."""

    def act(call: cst.Call) -> cst.Call:
        args = list(call.args)
        i = next((i for i, a in enumerate(args) if a.keyword is not None and arg.keyword is not None and a.keyword.value == arg.keyword.value), None)
        if i is None:
            return call
        removed = args.pop(i)
        if i == len(args) and args:  # it was the last one: its predecessor takes its trailing comma (or none)
            args[-1] = args[-1].with_changes(comma=removed.comma)
        return call.with_changes(args=args)

    return act


def wrap_in_with(context_code: str) -> Action:
    """Wrap one statement in `with <context_code>:`, keeping the comments above it above the `with`."""
    item = cst.WithItem(item=parse_expr(context_code))

    def act(stmt: cst.BaseStatement) -> cst.With:
        return cst.With(
            items=[item],
            body=cst.IndentedBlock(body=[stmt.with_changes(leading_lines=[])]),
            leading_lines=stmt.leading_lines,
        )

    return act


def remove_statement() -> Action:
    return lambda stmt: cst.RemovalSentinel.REMOVE


def insert_before(statement: cst.BaseStatement) -> Action:
    return lambda stmt: cst.FlattenSentinel([statement, stmt])
