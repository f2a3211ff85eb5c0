"""Fluent layer decorators: caffe-tensorflow's `@layer`, copied into many detection and segmentation projects.

    def layer(op):
        def layer_decorated(self, *args, **kwargs):
            ...
            layer_output = op(self, layer_input, *args, **kwargs)
            ...
            return self
        return layer_decorated

A method decorated so takes its input from the network and returns the network, which is what makes
`self.feed('data').conv(3, 3, 64, 1, 1, name='conv1').max_pool(...)` chain.
"""

from __future__ import annotations

import libcst as cst

from slimlint.model.walk import find_all


def wraps_as_layer(decorator: cst.FunctionDef) -> bool:
    """Is this function a fluent layer decorator: it returns a nested function that calls the decorated one with
    its own first parameter and something more, and returns that first parameter?"""
    params = decorator.params.params
    if len(params) != 1:
        return False
    wrapped = params[0].name.value
    nested = [s for s in decorator.body.body if isinstance(s, cst.FunctionDef)]
    for inner in nested:
        inner_params = inner.params.params
        if not inner_params:
            continue
        first = inner_params[0].name.value
        calls = [c for c in find_all(inner, cst.Call) if isinstance(c.func, cst.Name) and c.func.value == wrapped]
        passes_self = any(len(c.args) >= 2 and isinstance(c.args[0].value, cst.Name) and c.args[0].value.value == first
                          for c in calls)
        returns = find_all(inner, cst.Return)
        returns_self = bool(returns) and all(isinstance(r.value, cst.Name) and r.value.value == first for r in returns)
        # `return layer_decorated` at the decorator's own level
        outer_returns = [small for line in decorator.body.body if isinstance(line, cst.SimpleStatementLine)
                         for small in line.body if isinstance(small, cst.Return)]
        gives_back = any(isinstance(r.value, cst.Name) and r.value.value == inner.name.value for r in outer_returns)
        if passes_self and returns_self and gives_back:
            return True
    return False
