"""Dict literals a constructor binds on self (`self.batch_norm_params = {...}`), carried between files as data.

facenet's autoencoders and many class-based models keep batch norm's parameters on the instance, set in a base
class's `__init__` in another module, and pass `normalizer_params=self.batch_norm_params`. The project index holds
only picklable data, so each dict is encoded as (key, value source) pairs for the values the model reads (booleans,
None, strings, `tf.GraphKeys.X`, lists of those) and "?" for anything else.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

import libcst as cst

from slimlint.model.import_table import dotted
from slimlint.model.walk import children

UNREADABLE = "?"
# Keys whose unreadable value makes the whole dict unreadable: the batch-norm facts depend on them.
_DECISIVE = ("is_training", "updates_collections", "variables_collections")

EncodedDict = Tuple[Tuple[str, str], ...]


def _value_source(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return expr.value
    if isinstance(expr, cst.SimpleString):
        return expr.value
    text = dotted(expr)
    if text is not None and ".GraphKeys." in f".{text}":
        return text
    if isinstance(expr, (cst.List, cst.Tuple)):
        parts = [_value_source(e.value) for e in expr.elements]
        return UNREADABLE if UNREADABLE in parts else "[" + ", ".join(parts) + "]"
    return UNREADABLE


def encode_dict(expr: cst.BaseExpression) -> Optional[EncodedDict]:
    """A dict literal with string keys as (key, value source) pairs; None for anything else."""
    if not isinstance(expr, cst.Dict):
        return None
    items = []
    for element in expr.elements:
        if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
            return None
        items.append((str(element.key.evaluated_value), _value_source(element.value)))
    return tuple(items)


def decode_dict(encoded: EncodedDict) -> Optional[Dict[str, cst.BaseExpression]]:
    """The items back as expressions; None when a value the batch-norm facts depend on cannot be read."""
    if any(key in _DECISIVE and source == UNREADABLE for key, source in encoded):
        return None
    return {key: cst.parse_expression(source if source != UNREADABLE else "None")
            for key, source in encoded if key in _DECISIVE or source != UNREADABLE}


_MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"})


def merge_changes(encoded: EncodedDict, changes: EncodedDict) -> EncodedDict:
    """The constructor's items with the methods' literal-key assignments over them (later ones win)."""
    merged = dict(encoded)
    merged.update(dict(changes))
    return tuple(merged.items())


def self_dict_changes(functions: Iterable[cst.FunctionDef]) -> Dict[str, Optional[EncodedDict]]:
    """What these methods do to each `self.<name>` they change (see changed_self_attrs): the items they set by
    literal key (`self.batch_norm_params["variables_collections"] = [...]`), as (key, value source) pairs in
    order, or None when they change it in a way that cannot be read (`.update(...)`, `del`, a computed key, a
    new binding outside `__init__`). An attribute they do not change is absent."""
    items: Dict[str, list] = {}
    unreadable: Set[str] = set()
    for function in functions:
        in_init = function.name.value == "__init__"
        stack: List[cst.CSTNode] = [function.body]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Assign):
                for target in (t.target for t in node.targets):
                    owner = dotted(target.value) if isinstance(target, cst.Subscript) else None
                    key = _literal_key(target) if owner is not None else None
                    if key is not None and owner.startswith("self.") and owner.count(".") == 1:
                        items.setdefault(owner, []).append((key, _value_source(node.value)))
                    else:
                        unreadable.update(_self_attr_changed(target, rebinding_counts=not in_init))
            elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.Del)):
                target = node.target
                unreadable.update(_self_attr_changed(target, rebinding_counts=not in_init or not isinstance(node, cst.AnnAssign)))
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _MUTATORS:
                owner = dotted(node.func.value)
                if owner is not None and owner.startswith("self.") and owner.count(".") == 1:
                    unreadable.add(owner)
            stack.extend(children(node))
    out: Dict[str, Optional[EncodedDict]] = {attr: tuple(found) for attr, found in items.items()}
    out.update({attr: None for attr in unreadable})
    return out


def _literal_key(target: cst.Subscript) -> Optional[str]:
    if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
        return None
    key = target.slice[0].slice.value
    return str(key.evaluated_value) if isinstance(key, cst.SimpleString) else None


def changed_self_attrs(functions: Iterable[cst.FunctionDef]) -> FrozenSet[str]:
    """`self.<name>` attributes these methods change after the constructor's literal: item assignment or deletion
    (`self.batch_norm_params["variables_collections"] = [...]`), a mutating method (`.update(...)`), an
    augmented assignment, or a new binding outside `__init__` (the keys of self_dict_changes)."""
    return frozenset(self_dict_changes(functions))


def _self_attr_changed(target: cst.BaseExpression, rebinding_counts: bool) -> List[str]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for el in target.elements for n in _self_attr_changed(el.value, rebinding_counts)]
    if isinstance(target, cst.Subscript):  # self.params["k"] = v, del self.params["k"]
        owner = dotted(target.value)
        return [owner] if owner is not None and owner.startswith("self.") and owner.count(".") == 1 else []
    text = dotted(target)
    if rebinding_counts and text is not None and text.startswith("self.") and text.count(".") == 1:
        return [text]
    return []
