"""SL106: one network's train op runs every network's update ops (GAN, several models in one graph)."""

from __future__ import annotations

import re
from typing import Iterator, Optional, Tuple

import libcst as cst

from slimlint.fixes import FixActions, add_keyword
from slimlint.model import api
from slimlint.rules._train_ops import has_training_bn
from slimlint.rules.base import Case, Rule, RuleContext, Violation

_SCOPED_VARIABLE_APIS = {"slim.get_trainable_variables", "slim.get_variables", "slim.get_model_variables", "tf.trainable_variables", "tf.global_variables"}


def _var_list_scope(model, op) -> Tuple[Optional[str], Optional[str]]:
    """Which variables a train op trains, as (a key that tells networks apart, the scope a fix can pass).

    `slim.get_trainable_variables("generator")` (and the like) gives ("generator", "generator");
    `[v for v in tf.trainable_variables() if v.name.startswith("discriminator")]` gives the same;
    `[v for v in t_vars if "d_" in v.name]` (DCGAN's idiom) tells the networks apart but names no scope:
    get_collection matches a scope at the start of the op's name only.
    """
    arg = next((a.value for a in op.call.args if a.keyword is not None and a.keyword.value == "var_list"), None)
    if isinstance(arg, cst.Name):
        values = op.func.assignments.get(arg.value) or []
        arg = values[-1][0] if len(values) == 1 else None
    if isinstance(arg, cst.ListComp):
        return _name_filter(arg)
    if not isinstance(arg, cst.Call):
        return None, None
    name = model.builder.canonical(arg.func)
    scope = None
    if name in _SCOPED_VARIABLE_APIS or name in api.GET_COLLECTION:
        kw = {a.keyword.value: a.value for a in arg.args if a.keyword is not None}
        positional = [a.value for a in arg.args if a.keyword is None]
        index = 1 if name in api.GET_COLLECTION else 0
        scope = kw.get("scope") or (positional[index] if len(positional) > index else None)
    scope = scope.evaluated_value if isinstance(scope, cst.SimpleString) else None
    return scope, scope


def _name_filter(comp: cst.ListComp) -> Tuple[Optional[str], Optional[str]]:
    """The string a list comprehension filters variables by name with, if it does nothing else."""
    target = comp.for_in.target
    if not (isinstance(comp.elt, cst.Name) and isinstance(target, cst.Name) and comp.elt.value == target.value):
        return None, None
    if comp.for_in.inner_for_in is not None or len(comp.for_in.ifs) != 1:
        return None, None
    test = comp.for_in.ifs[0].test

    def is_name_of_target(node) -> bool:  # `v.name`
        return (isinstance(node, cst.Attribute) and node.attr.value == "name"
                and isinstance(node.value, cst.Name) and node.value.value == target.value)

    if (isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and test.func.attr.value == "startswith"
            and is_name_of_target(test.func.value) and len(test.args) == 1
            and isinstance(test.args[0].value, cst.SimpleString)):
        prefix = test.args[0].value.evaluated_value
        return prefix, prefix if re.fullmatch(r"[A-Za-z0-9_/]+", prefix) else None
    if (isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.SimpleString)
            and isinstance(test.comparisons[0].operator, cst.In) and is_name_of_target(test.comparisons[0].comparator)):
        return f"contains {test.left.evaluated_value!r}", None
    return None, None


class UnscopedUpdateOps(Rule):
    code = "SL106"
    name = "unscoped-update-ops"
    summary = "Each train op of a GAN depends on all UPDATE_OPS, so one network's step also updates the other's batch norm."
    what_it_does = """
        Flags `tf.get_collection(tf.GraphKeys.UPDATE_OPS)` without a scope when it guards one of several
        train ops in the same graph that train different variables (`var_list=` from a scope, or a list of
        the variables whose names start with or contain a network's name, as in a GAN's generator and
        discriminator steps).
    """
    why_bad = """
        The discriminator step then also runs the generator's batch-norm updates (on whatever batch the
        discriminator step fed), and the other way round: each network's moving statistics are updated with
        the other's inputs, and at twice the intended rate. Sampling in inference mode is affected first.
    """
    example = """
        d_vars = slim.get_trainable_variables("discriminator")
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            d_train = d_opt.minimize(d_loss, var_list=d_vars)
    """
    use_instead = """
        d_vars = slim.get_trainable_variables("discriminator")
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="discriminator")):
            d_train = d_opt.minimize(d_loss, var_list=d_vars)
    """
    fix_safety = """
        When the train op's `var_list` comes from a named scope (or keeps the variables whose names start with
        one), the fix passes the same scope to `get_collection`, so the step runs only its own network's
        updates (update ops are named after the variable scope they were built in). No fix is offered when
        the names are only known to contain a string, or when one `with` block guards both networks' steps
        (it would have to be split in two).
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
        for func in model.functions:
            ops = [op for op in func.train_ops if op.kind in ("minimize", "apply_gradients")]
            scopes = {id(op): _var_list_scope(model, op) for op in ops}
            if len(ops) < 2 or len({key for key, _ in scopes.values() if key}) < 2:
                continue  # not several networks trained apart
            if not has_training_bn(model, func, ctx.index):
                continue
            guarded: dict = {}  # an unscoped read -> the train ops it guards, in order
            for op in ops:
                for block in op.blocks:
                    reads = [r for r in func.reads if block.order <= r.order <= block.end_order and not r.scoped and r.order < op.order]
                    reads += [r for r in func.reads + model.module_func.reads if r.target in block.arg_names and not r.scoped]
                    for read in reads[:1]:
                        guarded.setdefault(id(read), (read, []))[1].append(op)
            for read, guarded_ops in guarded.values():
                # One read guarding both networks' steps (one `with` around both) cannot be fixed by a scope.
                fix_scopes = {scopes[id(op)][1] for op in guarded_ops}
                scope = fix_scopes.pop() if len(fix_scopes) == 1 else None
                fix = FixActions().on(read.call, add_keyword("scope", f'"{scope}"')) if scope else None
                yield self.violation(
                    read.call,
                    "UPDATE_OPS without a scope: this network's train op also runs the other network's batch-norm updates",
                    fix,
                    f"Pass `scope={scope!r}`" if scope else "",
                )
