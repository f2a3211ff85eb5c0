"""SL106: one network's train op runs every network's update ops (GAN, several models in one graph)."""

from __future__ import annotations

from typing import Iterator


from slimlint.fixes import FixActions, add_keyword
from slimlint.model import var_scopes
from slimlint.rules._train_ops import has_training_bn
from slimlint.rules.base import Case, Rule, RuleContext, Violation

Key = var_scopes.Filter  # ("prefix" | "substring", text): which variable names a var_list keeps


def _overlap(a: Key, b: Key) -> bool:
    """Whether two var_list filters can keep the same variables (then they may train one network)."""
    if "substrings" in (a[0], b[0]):  # any of several substrings: overlaps if one of them does
        parts = lambda key: [("substring", t) for t in key[1].split("\0")] if key[0] == "substrings" else [key]
        return any(_overlap(x, y) for x in parts(a) for y in parts(b))
    (kind_a, x), (kind_b, y) = a, b
    if kind_a == kind_b == "prefix":
        return x.startswith(y) or y.startswith(x)
    if kind_a == kind_b == "substring":
        return x in y or y in x
    contains, prefix = (x, y) if kind_a == "substring" else (y, x)
    return contains in prefix


def _several_networks(keys) -> bool:
    keys = list(keys)
    return any(not _overlap(a, b) for i, a in enumerate(keys) for b in keys[i + 1:])


def _guarding_read(model, func, block, op):
    """The UPDATE_OPS read a `with control_dependencies(...)` block depends on: the one inside its arguments,
    else the last assignment of a name it uses before it (or, from a function, at module level)."""
    inline = [r for r in func.reads if block.order <= r.order <= block.end_order and r.order < op.order]
    if inline:
        return min(inline, key=lambda r: r.order)
    named = [r for r in func.reads if r.target in block.arg_names and r.order < block.order]
    if not named and not func.is_module:
        named = [r for r in model.module_func.reads if r.target in block.arg_names]
    return max(named, key=lambda r: r.order) if named else None


class UnscopedUpdateOps(Rule):
    code = "SL106"
    name = "unscoped-update-ops"
    summary = "Each train op of a GAN depends on all UPDATE_OPS, so one network's step also updates the other's batch norm."
    what_it_does = """
        Flags `tf.get_collection(tf.GraphKeys.UPDATE_OPS)` without a scope when it guards one of several
        train ops in the same graph that train different variables (`var_list=` from a scope, or a list of
        the variables whose names start with or contain a network's name, as in a GAN's generator and
        discriminator steps). Silent when one read guards several networks' steps (one `with` around both
        `minimize` calls) and every `sess.run` of those steps in view feeds the same placeholders: each
        update then runs on the same data in either step, only more often; and silent for such a read when no
        run of those steps is in view (a model class whose steps a training script runs): what the runs feed
        cannot be told, and a scope cannot fix one read guarding both.
    """
    why_bad = """
        The discriminator step then also runs the generator's batch-norm updates (on whatever batch the
        discriminator step fed), and the other way round: each network's moving statistics are updated with
        the other's inputs, and at twice the intended rate. Sampling in inference mode is affected first.
    """
    fix_safety = """
        **Unsafe** (applied only with `--unsafe-fixes`): nothing in the code says that the new behaviour is what its author intended, so review the diff.

        When the train op's `var_list` comes from a named scope (or keeps the variables whose names start with
        one), the fix passes the same scope to `get_collection`, so the step runs only its own network's
        updates (update ops are named after the variable scope they were built in; a trailing `/` is dropped
        so that a reused network's `discriminator_1/...` updates stay in). No fix is offered when the names
        are only known to contain a string, when one `with` block guards both networks' steps (it would have
        to be split in two), or when the project opens a `tf.name_scope` (op names then need not start with
        the variable scope, and the scope could select no update at all).
    """
    behaviour_change = "each train step runs only its own network's batch-norm updates"
    valid = (
        Case(
            """
            import tensorflow as tf

            h = tf.layers.batch_normalization(tf.layers.dense(z, 8), training=True)
            t_vars = tf.trainable_variables()
            d_vars = [v for v in t_vars if "d_" in v.name]
            g_vars = [v for v in t_vars if "g_" in v.name]
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS, "discriminator")):
                d_train = tf.train.AdamOptimizer(2e-4).minimize(d_loss, var_list=d_vars)
            g_train = tf.train.AdamOptimizer(2e-4).minimize(g_loss, var_list=g_vars)
            """
        ),
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            fake = slim.conv2d(z, 8, 3, normalizer_fn=slim.batch_norm, scope="generator")
            g_vars = slim.get_trainable_variables("generator")
            d_vars = slim.get_trainable_variables("discriminator")
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS, "generator")):
                g_train = tf.train.AdamOptimizer(2e-4).minimize(g_loss, var_list=g_vars)
            d_train = tf.train.AdamOptimizer(2e-4).minimize(d_loss, var_list=d_vars)
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf

            h = tf.layers.batch_normalization(tf.layers.dense(z, 8), training=True)
            t_vars = tf.trainable_variables()
            d_vars = [v for v in t_vars if v.name.startswith("discriminator")]
            g_vars = [v for v in t_vars if v.name.startswith("generator")]
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                d_train = tf.train.AdamOptimizer(2e-4).minimize(d_loss, var_list=d_vars)
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="generator")):
                g_train = tf.train.AdamOptimizer(2e-4).minimize(g_loss, var_list=g_vars)
            """,
            fixed="""
            import tensorflow as tf

            h = tf.layers.batch_normalization(tf.layers.dense(z, 8), training=True)
            t_vars = tf.trainable_variables()
            d_vars = [v for v in t_vars if v.name.startswith("discriminator")]
            g_vars = [v for v in t_vars if v.name.startswith("generator")]
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="discriminator")):
                d_train = tf.train.AdamOptimizer(2e-4).minimize(d_loss, var_list=d_vars)
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="generator")):
                g_train = tf.train.AdamOptimizer(2e-4).minimize(g_loss, var_list=g_vars)
            """,
        ),
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            fake = slim.conv2d(z, 8, 3, normalizer_fn=slim.batch_norm, scope="generator")
            g_vars = slim.get_trainable_variables("generator")
            d_vars = slim.get_trainable_variables("discriminator")
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                g_train = tf.train.AdamOptimizer(2e-4).minimize(g_loss, var_list=g_vars)
            d_train = tf.train.AdamOptimizer(2e-4).minimize(d_loss, var_list=d_vars)
            """,
            fixed="""
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            fake = slim.conv2d(z, 8, 3, normalizer_fn=slim.batch_norm, scope="generator")
            g_vars = slim.get_trainable_variables("generator")
            d_vars = slim.get_trainable_variables("discriminator")
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="generator")):
                g_train = tf.train.AdamOptimizer(2e-4).minimize(g_loss, var_list=g_vars)
            d_train = tf.train.AdamOptimizer(2e-4).minimize(d_loss, var_list=d_vars)
            """,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        # Under `tf.name_scope`, op names no longer start with the variable scope: a scope would select nothing.
        name_scoped = any(f.opens_name_scope for f in model.functions) or any(
            s.opens_name_scope for functions in ctx.index.modules.values() for s in functions.values())
        for func in model.functions:
            keyed = []
            for op in func.train_ops:
                if op.kind in ("minimize", "apply_gradients"):
                    key, fix_scope = var_scopes.var_list_scope(model, op)
                    if key is not None:  # an op training every variable rightly runs every update
                        keyed.append((op, key, fix_scope))
            if not _several_networks(key for _, key, _ in keyed):
                continue  # not several networks trained apart
            if not has_training_bn(model, func, ctx.index):
                continue
            guarded: dict = {}  # an unscoped read -> the fix scopes of the train ops it guards
            guarded_ops: dict = {}  # an unscoped read -> those train ops
            for op, key, fix_scope in keyed:
                others = {t for other, other_key, _ in keyed if not _overlap(key, other_key) for t in other.targets}
                for block in op.blocks:
                    read = _guarding_read(model, func, block, op)
                    if block.arg_names & others:
                        # `control_dependencies([d_train] + UPDATE_OPS)`: the other network's step runs first, in the
                        # same run, on the same batch; its updates run once, where it would run them itself.
                        continue
                    if read is not None and not read.scoped:
                        guarded.setdefault(id(read), (read, [], []))[1].append(fix_scope)
                        guarded[id(read)][2].append(op.targets)
                        guarded_ops.setdefault(id(read), []).append(op)
            for read, fix_scopes, ops in guarded.values():
                if all(var_scopes.holds_all_batch_norm(model, op, ctx.index) for op in guarded_ops[id(read)]):
                    continue  # the other networks have no batch norm: every update it runs is this network's
                if len(ops) > 1 and model.same_feeds(guarded_ops[id(read)]):
                    # Both networks' steps run under this one read and feed the same inputs: every update runs on
                    # the same data in either step (only twice as often), so no statistics see another's inputs.
                    continue
                if len(ops) > 1 and not any(model.run_feeds_of(op) for op in guarded_ops[id(read)]):
                    # One `with` around both steps, run from another file (`model.D_minimize` in a training
                    # script): what each run feeds is not in view, and there is no scope to fix it with.
                    continue
                # One read guarding both networks' steps (one `with` around both) cannot be fixed by a scope.
                scope = fix_scopes[0] if len(set(fix_scopes)) == 1 and not name_scoped else None
                fix = FixActions().on(read.call, add_keyword("scope", f'"{scope}"')) if scope else None
                yield self.violation(
                    read.call,
                    "UPDATE_OPS without a scope: this network's train op also runs the other network's batch-norm updates",
                    fix,
                    f"Pass `scope={scope!r}`" if scope else "",
                )
