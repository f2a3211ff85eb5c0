"""The Python 3 view of a Python 2 file: same lines, Python 3 syntax.

The semantic model and the rules only know LibCST trees, so a Python 2 file is checked through a
rewritten copy that LibCST parses. The view keeps every line where it was (no line is added or
removed: findings, `# noqa` comments and fixes map back by line) and, wherever the rewrite allows, every
column (`<>` -> `!=`, `10L` -> `10 `, `0777` -> `511 `, `print x` -> `print(x)` keep the code after them
in place). What it rewrites:

* print statements -> print(...) calls (`>>f` -> `file=f`), exec statements -> exec(...) calls;
* `except E, e:` -> `except E as e:`; `raise E, V` -> `raise E(V)` (a traceback argument is dropped);
* backticks -> repr(...); `<>` -> `!=`; long (`10L`) and octal (`0777`) literals; `ur''` -> `r''`;
* tuple parameters `def f((a, b)):` -> one parameter named after them;
* indentation that mixes tabs and spaces ambiguously (indentation.py).

`View.rewritten` is the set of lines whose text differs from the original: a fix that would edit one
of them cannot be written back in the file's own syntax (mapping.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Tuple

from fissix import pygram, pytree
from fissix.pgen2 import token

from slimlint.findings import Position
from slimlint.python2 import indentation
from slimlint.python2.grammar import Tree

_SYMS = pygram.python_symbols
_OCTAL = re.compile(r"0[0-7]+\Z")
_LINE = re.compile(r"[^\n]*\n|[^\n]+")  # pgen2 splits lines on "\n" only (a "\r\n" ends with "\n" too)

# (0-based column where the replaced text starts, where it ends, the replacement)
Edit = Tuple[int, int, str]


@dataclass(frozen=True)
class View:
    original: str  # the file's text (decoded, without a BOM)
    text: str  # the Python 3 view, line for line
    rewritten: FrozenSet[int]  # 1-based lines whose text differs from the original
    grammar: str  # which Python 2 grammar parsed it (grammar.py)
    edits: Dict[int, Tuple[Edit, ...]] = field(default_factory=dict, compare=False)  # 0-based line -> edits

    def original_position(self, pos: Position) -> Position:
        """A 1-based view position on the original file (same line; the column moved back past the edits)."""
        edits = self.edits.get(pos.line - 1)
        if not edits:
            return pos
        col = pos.column - 1
        shift = 0
        for start, end, new in edits:
            view_start = start + shift
            if col < view_start:
                break
            if col < view_start + len(new):
                return Position(pos.line, start + 1)
            shift += len(new) - (end - start)
        return Position(pos.line, max(col - shift, 0) + 1)


def split_lines(text: str) -> List[str]:
    return _LINE.findall(text)


def derive(text: str, tree: Tree, expand_tabs: bool = False) -> View:
    """The view of `text`, whose Python 2 tree is `tree` (`expand_tabs`: every tab of indentation, see
    indentation.expansions)."""
    lines = split_lines(text)
    edits: Dict[int, List[Edit]] = {}
    starts: List[int] = []
    _collect(tree, lines, edits, starts)
    for n, edit in indentation.expansions(lines, starts, expand_tabs).items():
        edits.setdefault(n, []).append(edit)
    out = list(lines)
    ordered: Dict[int, Tuple[Edit, ...]] = {}
    for n, line_edits in edits.items():
        line_edits = sorted(set(line_edits))
        ordered[n] = tuple(line_edits)
        line = lines[n]
        for start, end, new in reversed(line_edits):
            line = line[:start] + new + line[end:]
        out[n] = line
    view_text = "".join(out)
    changed = frozenset(n + 1 for n in ordered if out[n] != lines[n])
    return View(text, view_text, changed, tree.grammar, {n - 1: ordered[n - 1] for n in changed})


def _end(leaf: pytree.Leaf) -> Tuple[int, int]:
    """0-based line and column just after a leaf (strings may span lines)."""
    value = leaf.value
    newlines = value.count("\n")
    if newlines:
        return leaf.lineno - 1 + newlines, len(value) - value.rfind("\n") - 1
    return leaf.lineno - 1, leaf.column + len(value)


def _last_leaf(node: pytree.Base) -> pytree.Leaf:
    while isinstance(node, pytree.Node):
        node = node.children[-1]
    return node


def _first_leaf(node: pytree.Base) -> pytree.Leaf:
    while isinstance(node, pytree.Node):
        node = node.children[0]
    return node


def _code(node: pytree.Base) -> str:
    return str(node).strip()


def _collect(tree: Tree, lines: List[str], edits: Dict[int, List[Edit]], starts: List[int]) -> None:
    """The view's edits, per line, and the lines where statements start."""
    rewrite = _LeafRewriter(tree, lines, edits)
    previous_type = token.NEWLINE
    for leaf in tree.root.leaves():
        kind = leaf.type
        if kind not in (token.INDENT, token.DEDENT, token.NEWLINE, token.ENDMARKER) and previous_type in (
                token.NEWLINE, token.INDENT, token.DEDENT):
            starts.append(leaf.lineno - 1)
        if kind not in (token.INDENT, token.DEDENT):
            previous_type = kind
        rewrite.leaf(leaf)


class _LeafRewriter:
    """The edits that turn one Python 2 token into its Python 3 spelling (same line, same statement)."""

    def __init__(self, tree: Tree, lines: List[str], edits: Dict[int, List[Edit]]) -> None:
        self.tree, self.lines, self.edits = tree, lines, edits
        self._by_kind = {token.NAME: self._name, token.NOTEQUAL: self._not_equal, token.BACKQUOTE: self._backquote,
                         token.COMMA: self._comma, token.NUMBER: self._number, token.STRING: self._string,
                         token.LPAR: self._tuple_parameter}

    def leaf(self, leaf: pytree.Leaf) -> None:
        handler = self._by_kind.get(leaf.type)
        if handler is not None:
            handler(leaf, leaf.parent, leaf.lineno - 1)

    def add(self, line0: int, start: int, end: int, new: str) -> None:
        self.edits.setdefault(line0, []).append((start, end, new))

    def open_call(self, keyword: pytree.Leaf, nxt: Optional[pytree.Base]) -> None:
        """`print x` -> `print(x`: the space after the keyword becomes the parenthesis."""
        at = keyword.column + len(keyword.value)
        if nxt is not None and nxt.prefix.startswith(" ") and _first_leaf(nxt).lineno == keyword.lineno:
            self.add(keyword.lineno - 1, at, at + 1, "(")
        else:
            self.add(keyword.lineno - 1, at, at, "(")

    def close_call(self, last: pytree.Base, extra: str = "") -> None:
        line0, col = _end(_last_leaf(last))
        self.add(line0, col, col, extra + ")")

    def _name(self, leaf, parent, line0) -> None:
        if not self.tree.print_statement:
            return
        if leaf.value == "print":
            if parent is not None and parent.type == _SYMS.print_stmt and parent.children[0] is leaf:
                _print_statement(parent, leaf, self.add, self.open_call, self.close_call)
            else:  # a bare `print` (pytree collapses the statement to its keyword)
                self.close_call(leaf, "(")
        elif leaf.value == "exec" and parent is not None and parent.type == _SYMS.exec_stmt and parent.children[0] is leaf:
            kids = parent.children
            self.open_call(leaf, kids[1])
            for kid in kids[2:]:
                if isinstance(kid, pytree.Leaf) and kid.value == "in":
                    self.add(kid.lineno - 1, kid.column - len(kid.prefix), kid.column + 2, ",")
            self.close_call(parent)

    def _not_equal(self, leaf, parent, line0) -> None:
        if leaf.value == "<>":
            self.add(line0, leaf.column, leaf.column + 2, "!=")

    def _backquote(self, leaf, parent, line0) -> None:
        first = parent is not None and parent.children[0] is leaf
        self.add(line0, leaf.column, leaf.column + 1, "repr(" if first else ")")

    def _comma(self, leaf, parent, line0) -> None:
        if parent is not None and parent.type == _SYMS.except_clause:
            following = parent.children[parent.children.index(leaf) + 1]
            # `except Exception,e:` has no space to keep the name apart from `as`
            self.add(line0, leaf.column, leaf.column + 1, " as" if following.prefix else " as ")
        elif parent is not None and parent.type == _SYMS.raise_stmt:
            commas = [k for k in parent.children if isinstance(k, pytree.Leaf) and k.type == token.COMMA]
            if leaf is commas[0]:
                self.add(line0, leaf.column, leaf.column + 1, "(")
                self.close_call(parent.children[parent.children.index(leaf) + 1])
            else:  # the traceback argument: Python 3 has `.with_traceback()`, the view drops it
                last_line, last_col = _end(_last_leaf(parent))
                if last_line == line0:
                    self.add(line0, leaf.column, last_col, "")

    def _number(self, leaf, parent, line0) -> None:
        _number(leaf, self.add)

    def _string(self, leaf, parent, line0) -> None:
        quote = min((i for i in (leaf.value.find("'"), leaf.value.find('"')) if i >= 0), default=0)
        prefix = leaf.value[:quote].lower()
        if "u" in prefix and "r" in prefix:
            u = prefix.index("u")
            self.add(line0, leaf.column + u, leaf.column + u + 1, "")

    def _tuple_parameter(self, leaf, parent, line0) -> None:
        if parent is None or parent.type not in (_SYMS.tfpdef, _SYMS.vfpdef) or parent.children[0] is not leaf:
            return
        end_line, end_col = _end(_last_leaf(parent))
        if end_line == line0:  # `(a, b)` -> `_a__b_`: one name, as long as the tuple it replaces
            text = self.lines[line0][leaf.column:end_col]
            self.add(line0, leaf.column, end_col, re.sub(r"\W", "_", text))


def _print_statement(stmt, keyword, add, open_call, close_call) -> None:
    args = stmt.children[1:]
    if args and isinstance(args[0], pytree.Leaf) and args[0].type == token.RIGHTSHIFT:
        # `print >>f, a, b` -> `print(a, b, file=f)`
        dest = args[1]
        rest = args[3:] if len(args) > 2 else []
        at = keyword.column + len(keyword.value)
        start_line0 = keyword.lineno - 1
        if rest:
            first = _first_leaf(rest[0])
            if first.lineno - 1 != start_line0:
                add(start_line0, at, at, "(")  # unusual layout: keep the rest, drop nothing
                close_call(stmt, f", file={_code(dest)}")
                return
            add(start_line0, at, first.column, "(")
            trailing_comma = isinstance(rest[-1], pytree.Leaf) and rest[-1].type == token.COMMA
            close_call(stmt, ("" if trailing_comma else ",") + f" file={_code(dest)}")
        else:
            end_line, end_col = _end(_last_leaf(stmt))
            add(start_line0, at, end_col if end_line == start_line0 else at, f"(file={_code(dest)}")
            close_call(stmt)
        return
    open_call(keyword, args[0] if args else None)
    close_call(stmt)


def _number(leaf, add) -> None:
    value = leaf.value
    line0 = leaf.lineno - 1
    digits = value[:-1] if value[-1:] in ("l", "L") else value
    new = digits
    if _OCTAL.match(digits) and digits.strip("0"):
        new = str(int(digits, 8))  # always shorter than the octal spelling: padded below
    if new != value:
        add(line0, leaf.column, leaf.column + len(value), new.ljust(len(value)))
