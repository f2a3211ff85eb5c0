"""Hand-written batch norm whose mode a Python `if` chooses:

    def _batch_norm(self, name, x):
        if self.mode == 'train':                            # the test is the mode
            mean, variance = tf.nn.moments(x, [0, 1, 2])    # the batch's statistics
            self._extra_train_ops.append(assign_moving_average(moving_mean, mean, 0.9))
        else:
            mean, variance = moving_mean, moving_variance    # the moving statistics
        return tf.nn.batch_normalization(x, mean, variance, beta, gamma, 0.001)

One branch normalises with the batch's statistics (`tf.nn.moments` over the batch axis; the branch may return,
the statements after the `if` then being the other branch), the other reads
moving statistics (a name that says so: moving, running, pop, population, ema, average), and the function
applies the formula itself (`tf.nn.batch_normalization`). The `if` test is then this batch norm's mode, read
as an `is_training=` argument is (modes.py): a parameter (`if is_training:`), a string test of one
(`self.mode == 'train'`), a config object's attribute (`mc = self.mc; if mc.TRAINING:`).

Its moving statistics are updated by the code's own ops (in place, or a list of its own), so the site
fills no UPDATE_OPS: it matters to the mode rules, not to the update-op ones. Moments over other axes
(instance or layer norm) and an `else` without moving statistics (`if norm == 'batch': ... else:
layer_norm(x)`: a choice of normaliser, not a mode) are not batch norm's mode.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional, Tuple

import libcst as cst

from slimlint.model.batch_norm import BNSite
from slimlint.model.facts import FALSE, PARAM, TRUE, UNKNOWN, FunctionInfo, LayerCall, ModeArg
from slimlint.model.import_table import dotted
from slimlint.model.string_modes import string_test
from slimlint.model.summary import ProjectIndex
from slimlint.model.walk import find_all

_MOMENTS = "tf.nn.moments"
MOVING_WORDS = ("moving", "running", "pop_", "population", "ema", "average", "avg")

# (the moments call, its order, the `if` whose test is the mode, is the training branch the `if`'s body)
BranchShape = Tuple[cst.Call, int, cst.If, bool]


class BranchBatchNorm:
    """Part of FileModel (semantic.py): uses its builder (canonical names) and ModeReading.classify."""

    def branch_bn_sites(self, func: FunctionInfo, index: ProjectIndex) -> List[BNSite]:
        if not (func.batch_moments and func.normalizes):
            return []
        sites = []
        for call, order, if_node, in_body in self._branch_shapes(func):
            mode = self._branch_mode(if_node, in_body, func, index)
            layer = LayerCall(call=call, api=_MOMENTS, frames=(), func=func, order=order, kwargs={})
            sites.append(BNSite(layer, _MOMENTS, mode, None))
        shaped = {id(site.layer.call) for site in sites}
        for call, order, cond, in_true in self._cond_shapes(func):
            if id(call) in shaped:
                continue
            test = _unwrapped_predicate(_cond_argument(cond, 0, "pred"), func)
            mode = self._predicate_mode(test, in_true, cond, func, index)
            layer = LayerCall(call=call, api=_MOMENTS, frames=(), func=func, order=order, kwargs={})
            sites.append(BNSite(layer, _MOMENTS, mode, None))
        return sites

    def _cond_shapes(self, func: FunctionInfo) -> List[Tuple[cst.Call, int, cst.Call, bool]]:
        """(moments call, order, the `tf.cond` that picks them or the moving statistics, whether its true branch
        is the batch one): `mean, var = tf.cond(is_train, mean_var_with_update, lambda: (ema.average(batch_mean),
        ema.average(batch_var)))`, the widely copied hand-written batch norm."""
        if func.node is None:
            return []
        conds = [c for c in find_all(func.node, cst.Call)
                 if (dotted(c.func) or "").rsplit(".", 1)[-1] in ("cond", "smart_cond") and len(c.args) >= 3]
        if not conds:
            return []
        out = []
        for call, order, path in func.batch_moments:
            names = bound_names(path[-1], call) if path else set()
            if not names or not over_batch_axis(call, func):
                continue
            for cond in conds:
                branches = [self._branch_body(func, _cond_argument(cond, k, key)) for k, key in ((1, "true_fn"), (2, "false_fn"))]
                if any(b is None for b in branches):
                    continue
                moving = [_reads_stored_statistics(b) for b in branches]
                batch = [bool(_loaded(b) & names) and not stored for b, stored in zip(branches, moving)]
                if batch[0] and moving[1]:
                    out.append((call, order, cond, True))
                elif batch[1] and moving[0]:
                    out.append((call, order, cond, False))
        return out

    def _branch_body(self, func: FunctionInfo, branch: Optional[cst.BaseExpression]) -> Optional[cst.CSTNode]:
        """What a cond branch computes: a lambda's body, or a function defined in `func` by that name."""
        if isinstance(branch, cst.Lambda):
            return branch.body
        if isinstance(branch, cst.Name) and func.node is not None:
            return next((d.body for d in find_all(func.node, cst.FunctionDef) if d.name.value == branch.value), None)
        return None

    def _predicate_mode(self, test: Optional[cst.BaseExpression], in_true: bool, owner: cst.Call, func: FunctionInfo,
                        index: ProjectIndex) -> ModeArg:
        """The mode a cond's predicate gives: batch statistics when it holds (or fails, batch branch second)."""
        keyword = dotted(test) or "is_training"
        if test is None:
            return ModeArg(UNKNOWN, None, keyword=keyword, owner=owner)
        inner = self.classify(test, func, keyword, owner, index)
        if in_true:
            return inner
        flipped = {TRUE: FALSE, FALSE: TRUE}.get(inner.kind)
        if flipped is not None:
            return ModeArg(flipped, None, keyword=keyword, owner=owner)
        return ModeArg(UNKNOWN, None, keyword=keyword, owner=owner) if inner.kind == PARAM else inner

    def _branch_shapes(self, func: FunctionInfo) -> List[BranchShape]:
        cache: Dict[int, List[BranchShape]] = self.__dict__.setdefault("_branch_shape_cache", {})
        if id(func) not in cache:
            cache[id(func)] = [shape for shape in (self._shape(func, *found) for found in func.batch_moments)
                               if shape is not None]
        return cache[id(func)]

    def _shape(self, func: FunctionInfo, call: cst.Call, order: int, path: tuple) -> Optional[BranchShape]:
        if not over_batch_axis(call, func):
            return None
        for i in range(len(path) - 2, -1, -1):
            stmt = path[i]
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                break  # no `if` of this function around it
            if not isinstance(stmt, cst.If):
                continue
            branch = _branch_of(stmt, path[i + 1])
            if branch is None:
                return None
            other = stmt.orelse if branch else stmt.body
            if other is None and branch and i > 0 and _always_returns(stmt.body):
                # `if is_training: ... return batch-statistics formula`, then the moving statistics' formula after
                # the `if`: what follows is the `else`.
                other = _following(path[i - 1], stmt)
            if other is not None and self._computes_moments(other):
                continue  # moments both ways (`if rank == 4:` conv axes, else dense ones): the mode's `if` is further out
            if other is None or not reads_moving_statistics(other, stored_statistics(func)):
                return None
            return call, order, stmt, branch
        # Moments computed first, then an `if` picks them or the moving statistics (`if mc.TRAINING: ...
        # batch_normalization(x, mean, var, ...) else: batch_normalization(x, moving_mean, moving_var, ...)`).
        names = bound_names(path[-1], call) if path else set()
        for if_node in find_all(func.node, cst.If) if names and func.node is not None else ():
            if if_node.orelse is None:
                continue
            body_uses, else_uses = (bool(_loaded(b) & names) for b in (if_node.body, if_node.orelse))
            if body_uses == else_uses:
                continue
            other = if_node.orelse if body_uses else if_node.body
            if reads_moving_statistics(other) and not self._computes_moments(other):
                return call, order, if_node, body_uses
        return None

    def _computes_moments(self, node: cst.CSTNode) -> bool:
        return any(self.builder.canonical(c.func) == _MOMENTS for c in find_all(node, cst.Call))

    def _branch_mode(self, if_node: cst.If, in_body: bool, func: FunctionInfo, index: ProjectIndex) -> ModeArg:
        """The mode the test gives: batch statistics when it holds (or fails, for moments in the `else`)."""
        test = if_node.test
        while True:
            if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
                test, in_body = test.expression, not in_body
            elif isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
                    and isinstance(test.comparisons[0].operator, (cst.Equal, cst.Is)) \
                    and isinstance(test.comparisons[0].comparator, cst.Name) \
                    and test.comparisons[0].comparator.value in ("True", "False"):
                # `if is_training == True:` (or `is False`): the flag, flipped for False
                in_body = in_body if test.comparisons[0].comparator.value == "True" else not in_body
                test = test.left
            else:
                break
        keyword = dotted(test) or "is_training"
        if in_body:
            return self.classify(test, func, keyword, if_node, index)
        if string_test(test) is not None:
            negated = cst.UnaryOperation(operator=cst.Not(), expression=test)
            return replace(self.classify(negated, func, keyword, if_node, index), expr=test)
        inner = self.classify(test, func, keyword, if_node, index)
        # Batch statistics when the test fails: a constant flips (no edit: the constant is written the other
        # way round), a parameter cannot be read as `not p` by its callers.
        flipped = {TRUE: FALSE, FALSE: TRUE}.get(inner.kind)
        if flipped is not None:
            return ModeArg(flipped, None, keyword=keyword, owner=if_node)
        return ModeArg(UNKNOWN, None, keyword=keyword, owner=if_node) if inner.kind == PARAM else inner


def _reads_stored_statistics(node: cst.CSTNode) -> bool:
    """Does a cond branch read stored statistics: an average's value (`ema.average(batch_mean)`) or a name of
    moving statistics (`pop_mean`, `moving_var`)? Naming the averager to update it (`ema.apply`) is not."""
    if any(isinstance(c.func, cst.Attribute) and c.func.attr.value == "average" for c in find_all(node, cst.Call)):
        return True
    return any(word in n.value.lower() for n in find_all(node, cst.Name) for word in ("moving", "running", "pop_", "population"))


def _cond_argument(cond: cst.Call, position: int, keyword: str) -> Optional[cst.BaseExpression]:
    """A `tf.cond` argument by keyword (`pred`, `true_fn`, `false_fn`; TF1's `fn1` / `fn2` too) or position."""
    aliases = {"true_fn": ("true_fn", "fn1"), "false_fn": ("false_fn", "fn2")}.get(keyword, (keyword,))
    found = next((a.value for a in cond.args if a.keyword is not None and a.keyword.value in aliases), None)
    if found is not None:
        return found
    positional = [a.value for a in cond.args if a.keyword is None and not a.star]
    return positional[position] if len(positional) > position else None


_PREDICATE_WRAPPERS = ("cast", "convert_to_tensor", "constant", "identity")


def _unwrapped_predicate(test: Optional[cst.BaseExpression], func: Optional[FunctionInfo] = None) -> Optional[cst.BaseExpression]:
    """`tf.cast(is_train, "bool")`, `tf.convert_to_tensor(is_train)`, `tf.constant(is_train)`, `tf.equal(is_train,
    True)`: the flag inside; also through a local name bound once to such a call (`is_training2 =
    tf.convert_to_tensor(is_training, dtype='bool')`, then `cond(is_training2, ...)`)."""
    if isinstance(test, cst.Name) and func is not None:
        bound = func.assignments.get(test.value, ())
        if len(bound) == 1 and isinstance(bound[0][0], cst.Call) \
                and (dotted(bound[0][0].func) or "").rsplit(".", 1)[-1] in _PREDICATE_WRAPPERS:
            test = bound[0][0]
    while isinstance(test, cst.Call) and test.args:
        called = (dotted(test.func) or "").rsplit(".", 1)[-1]
        if called in _PREDICATE_WRAPPERS:
            test = test.args[0].value
        elif called == "equal" and len(test.args) == 2 and any(
                isinstance(a.value, cst.Name) and a.value.value == "True" for a in test.args):
            # `tf.equal(is_training, True)`, the widely copied blog's predicate: the flag itself
            test = next(a.value for a in test.args if not (isinstance(a.value, cst.Name) and a.value.value == "True"))
        else:
            break
    return test


def _branch_of(if_node: cst.If, child: cst.CSTNode) -> Optional[bool]:
    """True when `child` (a statement) is in the `if`'s body, False when in its `else` / `elif`, else None."""
    body = if_node.body
    if isinstance(body, cst.IndentedBlock) and any(s is child for s in body.body):
        return True
    orelse = if_node.orelse
    if orelse is child:
        return False
    if isinstance(orelse, cst.Else) and isinstance(orelse.body, cst.IndentedBlock) and any(s is child for s in orelse.body.body):
        return False
    return None


def _always_returns(block: cst.BaseSuite) -> bool:
    """Does every path through the block end in a `return` (also inside a final `with`, or both branches of a
    final `if`)?"""
    if not isinstance(block, cst.IndentedBlock) or not block.body:
        return False
    last = block.body[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(small, cst.Return) for small in last.body)
    if isinstance(last, cst.With):
        return _always_returns(last.body)
    if isinstance(last, cst.If):
        return isinstance(last.orelse, cst.Else) and _always_returns(last.body) and _always_returns(last.orelse.body)
    return False


def _following(parent: cst.CSTNode, stmt: cst.CSTNode) -> Optional[cst.IndentedBlock]:
    """The statements after `stmt` in the block of `parent` that holds it, as a block; None when there are none."""
    blocks = [getattr(parent, "body", None)]
    orelse = getattr(parent, "orelse", None)
    if isinstance(orelse, cst.Else):
        blocks.append(orelse.body)
    for block in blocks:
        if isinstance(block, cst.IndentedBlock):
            at = next((k for k, s in enumerate(block.body) if s is stmt), None)
            if at is not None:
                rest = block.body[at + 1:]
                return cst.IndentedBlock(body=rest) if rest else None
    return None


def bound_names(stmt: cst.CSTNode, call: cst.Call) -> set:
    """The names `mean, var = tf.nn.moments(...)` binds."""
    if not isinstance(stmt, cst.SimpleStatementLine):
        return set()
    for small in stmt.body:
        if isinstance(small, cst.Assign) and small.value is call:
            return {n.value for t in small.targets for n in find_all(t.target, cst.Name)}
    return set()


def _loaded(node: cst.CSTNode) -> set:
    """Names used in `node`, keyword names of calls (`mean=moving_mean`) aside."""
    keywords = {id(a.keyword) for a in find_all(node, cst.Arg) if a.keyword is not None}
    return {n.value for n in find_all(node, cst.Name) if id(n) not in keywords}


def over_batch_axis(call: cst.Call, func: FunctionInfo) -> bool:
    """Do the moments reduce over axis 0, the batch (`[0, 1, 2]`, `range(len(shape) - 1)`, a name bound to
    either), rather than per example (instance or layer norm)?"""
    axes = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "axes"), None)
    if axes is None:
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        axes = positional[1] if len(positional) > 1 else None
    if isinstance(axes, cst.Name):
        bound = func.assignments.get(axes.value)
        axes = bound[0][0] if bound and len(bound) == 1 else None
    if isinstance(axes, (cst.List, cst.Tuple)):
        first = axes.elements[0].value if axes.elements else None
        return isinstance(first, cst.Integer) and first.value == "0"
    if isinstance(axes, cst.Call) and isinstance(axes.func, cst.Name) and axes.func.value == "list" and axes.args:
        axes = axes.args[0].value
    return (isinstance(axes, cst.Call) and isinstance(axes.func, cst.Name) and axes.func.value == "range"
            and len(axes.args) == 1)


def reads_moving_statistics(node: cst.CSTNode, stored: frozenset = frozenset()) -> bool:
    """Does the branch name moving statistics (`moving_mean`, `pop_var`, `ema.average(mean)`, 'moving_variance'),
    or read a `stored` name (a variable the function makes with `trainable=False`: `r_mean`)?"""
    names = [n.value for n in find_all(node, cst.Name)]
    if stored and set(names) & stored:
        return True
    texts = names + [n.value for n in find_all(node, cst.SimpleString)]
    return any(word in text.lower() for text in texts for word in MOVING_WORDS)


def stored_statistics(func: FunctionInfo) -> frozenset:
    """Names the function binds to a variable it does not train (`r_mean = tf.Variable(tf.zeros([n]),
    trainable=False)`): where hand-written batch norm keeps its running statistics."""
    out = set()
    for name, values in func.assignments.items():
        for value, _ in values:
            if isinstance(value, cst.Call) and (dotted(value.func) or "").rsplit(".", 1)[-1] in ("Variable", "get_variable") \
                    and any(a.keyword is not None and a.keyword.value == "trainable"
                            and isinstance(a.value, cst.Name) and a.value.value == "False" for a in value.args):
                out.add(name)
    return frozenset(out)
