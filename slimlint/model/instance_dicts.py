"""Dict literals a constructor binds on self (`self.batch_norm_params = {...}`), carried between files as data.

facenet's autoencoders and many class-based models keep batch norm's parameters on the instance, set in a base
class's `__init__` in another module, and pass `normalizer_params=self.batch_norm_params`. The project index holds
only picklable data, so each dict is encoded as (key, value source) pairs for the values the model reads (booleans,
None, strings, `tf.GraphKeys.X`, lists of those) and "?" for anything else.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

import libcst as cst

from slimlint.model.names import dotted

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
