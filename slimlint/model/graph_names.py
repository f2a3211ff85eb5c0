"""Tensors named in the graph: a boolean placeholder's `name=` and a lookup of a tensor by that name.

    self.is_training = tf.placeholder(tf.bool, name='is_training')
    ...
    training=tf.get_default_graph().get_tensor_by_name('is_training:0')   # in a layer helper
    self.is_training = graph.get_tensor_by_name('prefix/is_training:0')   # in a frozen-graph predictor
    sess.run('prediction:0', feed_dict={'is_training:0': True})             # a restored meta graph, fed by name

All three are the placeholder: batch norm that takes one as its mode follows what the placeholder is fed,
and a predictor that feeds the looked-up tensor True runs the frozen network's batch norm in training mode.
A name is the last part of the path (an imported graph's prefix and the scopes above are dropped).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from slimlint.model.string_modes import string_literal


def looked_up_name(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    """`<graph>.get_tensor_by_name('scope/is_training:0')` -> "is_training"; None for anything else."""
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value == "get_tensor_by_name" and len(expr.args) == 1):
        return None
    return tensor_name(expr.args[0].value)


def tensor_name(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    """A tensor named by a string, `'scope/is_training:0'` -> "is_training" (a lookup's argument, a feed's key);
    None for anything else."""
    text = string_literal(expr) if expr is not None else None
    if text is None or not text.endswith(":0"):
        return None
    return text[: -len(":0")].rsplit("/", 1)[-1] or None


def placeholder_name(call: cst.Call) -> Optional[str]:
    """The `name=` of `tf.placeholder(dtype, shape, name)` / `tf.placeholder_with_default(value, shape, name)`,
    by keyword or in third position; None when it is not a literal string."""
    value = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "name"), None)
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    if value is None and len(positional) >= 3:
        value = positional[2]
    return string_literal(value)
