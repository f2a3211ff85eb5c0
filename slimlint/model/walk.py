"""A read-only traversal of a LibCST tree that does not rebuild it.

`CSTNode.visit` re-creates (and re-validates) every node it passes, even for a read-only visitor
(LibCST's own TODO: "provide traversal where children are not replaced"); `node.children` does the
same. On tf_slim that rebuild cost more than the parse. The semantic model only reads the tree, so
it walks the dataclass fields directly, skipping whitespace, brackets and operator tokens, and calls
the same `visit_<Node>` / `leave_<Node>` methods a `CSTVisitor` would, in the same order.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Tuple, Type, TypeVar

import libcst as cst

# Fields that hold only formatting: whitespace, brackets, separators, comments.
_SKIPPED_FIELDS = (
    "whitespace", "lpar", "rpar", "leading_lines", "lines_after_decorators", "semicolon", "comma",
    "equal", "colon", "newline", "header", "footer", "trailing_whitespace", "lbracket", "rbracket",
    "lbrace", "rbrace", "dot", "asynchronous", "indent", "default_newline", "default_indent",
    "encoding", "has_trailing_newline", "operator", "quote", "prefix",
)
_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _fields(cls: type) -> Tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls) if not f.name.startswith(_SKIPPED_FIELDS))
        _FIELDS[cls] = names
    return names


def children(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The child nodes that carry meaning, in field order (lexical for what the model reads)."""
    out: List[cst.CSTNode] = []
    for name in _fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            out.append(value)
        elif isinstance(value, (tuple, list)):
            out.extend(v for v in value if isinstance(v, cst.CSTNode))
    return out


N = TypeVar("N", bound=cst.CSTNode)


def find_all(node: cst.CSTNode, kind: Type[N]) -> List[N]:
    """Every node of type `kind` in `node`'s subtree (itself included), in source order: what
    `libcst.matchers.findall(node, m.Kind())` finds, without the rebuild its visit costs."""
    out: List[N] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, kind):
            out.append(current)
        stack.extend(reversed(children(current)))
    return out


_DISPATCH: Dict[Tuple[type, type], tuple] = {}


def walk(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """Visit `node` and its subtree with `visitor`'s on_visit / on_leave, as `node.visit(visitor)` would."""
    if visitor.on_visit(node):
        for child in children(node):
            walk(child, visitor)
    visitor.on_leave(node)


class FastVisitor(cst.CSTVisitor):
    """A CSTVisitor whose dispatch is cached per node type (getattr by name is most of LibCST's cost)."""

    def on_visit(self, node: cst.CSTNode) -> bool:
        visit, _ = self._methods(type(node))
        if visit is not None:
            return visit(self, node) is not False
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        _, leave = self._methods(type(original_node))
        if leave is not None:
            leave(self, original_node)

    @classmethod
    def _methods(cls, node_type: type):
        key = (cls, node_type)
        found = _DISPATCH.get(key)
        if found is None:
            name = node_type.__name__
            found = (getattr(cls, f"visit_{name}", None), getattr(cls, f"leave_{name}", None))
            _DISPATCH[key] = found
        return found
