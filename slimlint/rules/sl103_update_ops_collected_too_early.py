"""SL103: UPDATE_OPS read before the batch-norm layers it should cover are built."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from slimlint.model.walk import find_all

from slimlint.fixes import FixActions, insert_before, remove_statement
from slimlint.model import context
from slimlint.model.import_table import dotted
from slimlint.rules.base import Case, Rule, RuleContext, Violation


def _sibling_holding(model, read, use_path) -> Optional[object]:
    """The statement in the read's own block that contains the use, if there is one."""
    read_path = model.path_of(read.statement)
    depth = len(read_path)
    if not read_path or len(use_path) < depth or tuple(use_path[: depth - 1]) != tuple(read_path[:-1]):
        return None
    sibling = use_path[depth - 1]
    return None if sibling is read.statement else sibling


def _next_sibling(model, stmt) -> Optional[cst.CSTNode]:
    path = model.path_of(stmt)
    parent = path[-2] if len(path) > 1 else model.module
    for block in (getattr(parent, "body", None), getattr(getattr(parent, "body", None), "body", None)):
        if isinstance(block, (list, tuple)) and any(s is stmt for s in block):
            i = next(i for i, s in enumerate(block) if s is stmt)
            return block[i + 1] if i + 1 < len(block) else None
    return None


def _blank_prefix(lines) -> int:
    n = 0
    while n < len(lines) and lines[n].comment is None:
        n += 1
    return n


def move_fix(model, stmt, before) -> FixActions:
    """Move `stmt` to just before `before`: its comments go with it, the blank lines above it stay put."""
    blank = _blank_prefix(stmt.leading_lines)
    moved = stmt.with_changes(leading_lines=stmt.leading_lines[blank:])
    fix = FixActions().on(stmt, remove_statement(), late=True).on(before, insert_before(moved), late=True)
    following = _next_sibling(model, stmt)
    if blank and following is not None and following is not before and _blank_prefix(following.leading_lines) == 0:
        kept = stmt.leading_lines[:blank]
        fix.on(following, lambda node: node.with_changes(leading_lines=(*kept, *node.leading_lines)))
    return fix


class UpdateOpsCollectedTooEarly(Rule):
    code = "SL103"
    name = "update-ops-collected-too-early"
    summary = "UPDATE_OPS is read before the model's batch-norm layers exist, so the list misses their updates."
    what_it_does = """
        Flags `tf.get_collection(tf.GraphKeys.UPDATE_OPS)` when batch-norm layers that put their update ops
        in that collection are built after the read, and the list read is what the train op is made to
        depend on. `get_collection` returns a copy of the collection as it is at that moment, and
        `with tf.control_dependencies(update_ops):` takes the list as it is when the block starts: batch
        norm built inside the block (a loss computed in the train op's own arguments) is missing too.
        Batch norm built after the read by more calls of a function already called before it does not
        count: the read then holds one tower's updates, as multi-GPU training keeps those of the first
        tower (and a validation tower's need not run). Nor does a validation tower built after the read under
        `reuse=True` (its result or the object it is built on named for evaluation: `self._val_model.compute_loss(
        ..., reuse=True)`), or a call given only evaluation data (`cls_pred, loc_pred = ssd.inference(val_images)`)
        under any scope: the train op does not train it.
    """
    why_bad = """
        The list is empty (or misses the later layers), so the train op depends on nothing: the moving
        statistics stay at 0 / 1 and evaluation in inference mode collapses, exactly as if the update ops
        had never been wired (measured: one-image accuracy 0.33 instead of 1.00).
    """
    fix_safety = """
        **Safe** (applied by `--fix`): the code already reads UPDATE_OPS in order to run them; the fix only makes the read see the layers' updates, which is what it evidently intended.

        The fix moves the assignment, unchanged and with the comments above it, to just before the
        statement that first uses the list, in the same block. It is offered only when the read is a plain
        `name = tf.get_collection(...)` statement, that statement sits in the same block as the use, and
        all the missing batch norm is built before that use (not inside the `control_dependencies` block:
        there, build the loss before the block).
        Training then runs the update ops, which changes the trained model's moving statistics.
    """
    behaviour_change = "the train op now depends on the batch-norm update ops (the list read before the model was empty)"
    valid = (
        Case(
            """
            import tensorflow as tf

            def tower_loss(images, reuse):
                with tf.variable_scope("net", reuse=reuse):
                    net = tf.layers.batch_normalization(images, training=True)
                return tf.reduce_mean(net)

            tower_losses = []
            for i in range(2):
                tower_losses.append(tower_loss(images[i], reuse=i > 0))
                if i == 0:
                    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # the first tower's
            with tf.control_dependencies(update_ops):
                train_op = tf.train.AdamOptimizer(0.01).minimize(tf.add_n(tower_losses))
            """
        ),
        Case(
            """
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=True)
            loss = tf.reduce_mean(net)
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            with tf.control_dependencies(update_ops):
                train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf

            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            net = tf.layers.batch_normalization(images, training=True)
            loss = tf.reduce_mean(net)
            with tf.control_dependencies(update_ops):
                train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """,
            fixed="""
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=True)
            loss = tf.reduce_mean(net)
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            with tf.control_dependencies(update_ops):
                train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
            """,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        for func in model.functions:
            if not func.reads:
                continue
            bn = None
            for read in func.reads:
                uses = func.update_uses.get(read.target) if read.target else None
                if not uses:
                    continue
                first_order, first_path, _ = min(uses, key=lambda u: u[0])
                if bn is None:
                    bn = model.training_bn(func, ctx.index)
                # `with tf.control_dependencies(update_ops):` took the list as it was: batch norm built inside
                # the block (the loss built in the train op's own arguments) is missing from it too.
                end = max([first_order] + [b.end_order for b in func.blocks if read.target in b.arg_names and b.order > read.order])
                # A validation tower built later (`self._val_model.compute_loss(..., reuse=True)`) is not what the
                # train op trains: its update ops would only fold validation batches into the statistics.
                late = [b for b in bn if read.order < b.order < end and not _validation_tower(b)]
                if not late or model.more_towers(late, [b for b in bn if b.order < read.order], ctx.index):
                    continue
                fix = None
                sibling = _sibling_holding(model, read, first_path) if read.statement is not None else None
                # Moving the read down to its first use covers only what is built before that use.
                if sibling is not None and len(read.statement.body) == 1 and all(b.order < first_order for b in late):
                    fix = move_fix(model, read.statement, sibling)
                yield self.violation(
                    read.call,
                    "UPDATE_OPS is collected before the batch-norm layers are built: the list misses their update ops",
                    fix,
                    "Move the collection to just before its first use",
                    safe=True,  # the code reads UPDATE_OPS to run them: the fix makes the read see them
                )


def _feeds_train_op(names, func) -> bool:
    """Does a train op of `func` minimise something computed from these names (through its assignments)? A
    function with no train op of its own cannot tell: True. Test-time adaptation and meta-learning train on
    test-named data (`logits = model.inference(test_images)`, then `minimize(entropy(logits))`)."""
    if not func.train_ops:
        return True
    for op in func.train_ops:
        reached, todo = set(), list(op.loss_names)
        while todo:
            name = todo.pop()
            if name in reached:
                continue
            reached.add(name)
            for value, order in func.assignments.get(name, ()):
                if order < op.order:  # a name bound again after the train op (a fetched result) says nothing
                    todo.extend(n.value for n in find_all(value, cst.Name))
        if any(name in reached for name in names):
            return True
    return False


def _validation_tower(built) -> bool:
    """A network call under `reuse=True` whose result or receiver is named for evaluation (`logits_val = net(x,
    reuse=True)`, `self._val_model.compute_loss(..., reuse=True)`), or, under any scope, a call given only
    evaluation data (`cls_pred, loc_pred = ssd.inference(val_images)`): it builds a graph for validation, not
    what the train op trains."""
    site = getattr(built, "site", None)
    if site is None:
        return False
    inputs = [dotted(arg.value) for arg in site.call.args if arg.keyword is None]
    if inputs and all(i and context.eval_target([i]) for i in inputs) and site.assigned_to \
            and not _feeds_train_op(site.assigned_to, site.func):
        return True
    if not site.in_reuse_scope:
        return False
    receiver = (dotted(site.call.func) or "").rpartition(".")[0]
    return context.eval_target(site.assigned_to) or bool(receiver) and context.eval_target([receiver])
