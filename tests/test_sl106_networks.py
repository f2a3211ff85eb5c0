"""SL106 beyond its doc examples: which train ops count as different networks, which read guards a step,
and when a scope would be a wrong fix. Each case was a false positive or a wrong fix found in review."""

from __future__ import annotations

import textwrap

import pytest

from slimlint.lint import findings_of, fix_tree, lint_tree

GAN = """\
import tensorflow as tf


def generator(z):
    with tf.variable_scope("generator"):
        return tf.layers.batch_normalization(tf.layers.dense(z, 8), training=True)


def discriminator(x, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        return tf.layers.dense(tf.layers.batch_normalization(tf.layers.dense(x, 8), training=True), 1)


fake = generator(z)
d_real, d_fake = discriminator(x), discriminator(fake, reuse=True)
d_loss, g_loss = tf.reduce_mean(d_real - d_fake), tf.reduce_mean(d_fake)
t_vars = tf.trainable_variables()
"""


def sl106(tmp_path, body: str, fix: bool = False):
    (tmp_path / "train.py").write_text(GAN + textwrap.dedent(body))
    found = [f for f in findings_of(lint_tree(tmp_path)) if f.code == "SL106"]
    return found, (fix_tree(tmp_path).get("train.py", "") if fix else None)


@pytest.mark.parametrize("body", [
    # One network trained twice (head warm-up, then everything): overlapping filters are not two networks.
    """
    head_vars = [v for v in t_vars if v.name.startswith("discriminator/head")]
    all_vars = [v for v in t_vars if v.name.startswith("discriminator")]
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        warmup = tf.train.AdamOptimizer(1e-3).minimize(d_loss, var_list=head_vars)
        train = tf.train.AdamOptimizer(1e-4).minimize(d_loss, var_list=all_vars)
    """,
    """
    a_vars = [v for v in t_vars if v.name.startswith("discriminator")]
    b_vars = [v for v in t_vars if "discriminator" in v.name]
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        a = tf.train.AdamOptimizer(1e-3).minimize(d_loss, var_list=a_vars)
        b = tf.train.AdamOptimizer(1e-3).minimize(d_loss, var_list=b_vars)
    """,
    # Scoped reads guard the steps; an unscoped read assigned afterwards guards nothing.
    """
    d_vars = [v for v in t_vars if v.name.startswith("discriminator")]
    g_vars = [v for v in t_vars if v.name.startswith("generator")]
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="discriminator")
    with tf.control_dependencies(update_ops):
        d_train = tf.train.AdamOptimizer(2e-4).minimize(d_loss, var_list=d_vars)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="generator")
    with tf.control_dependencies(update_ops):
        g_train = tf.train.AdamOptimizer(2e-4).minimize(g_loss, var_list=g_vars)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    print(len(update_ops))
    """,
    # A step without var_list trains every variable: it should run every update.
    """
    d_vars = [v for v in t_vars if v.name.startswith("discriminator")]
    d_train = tf.train.AdamOptimizer(2e-4).minimize(d_loss, var_list=d_vars)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        joint = tf.train.AdamOptimizer(2e-4).minimize(d_loss + g_loss)
    """,
    # Not a name filter Python would run, and not one to guess at.
    """
    d_vars = [v for v in t_vars if v.name.startswith(b"discriminator")]
    g_vars = [v for v in t_vars if v.name.startswith(b"generator")]
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        d_train = tf.train.AdamOptimizer(2e-4).minimize(d_loss, var_list=d_vars)
        g_train = tf.train.AdamOptimizer(2e-4).minimize(g_loss, var_list=g_vars)
    """,
])
def test_silent(tmp_path, body):
    assert sl106(tmp_path, body)[0] == []


def test_a_reassigned_name_guards_with_its_latest_value(tmp_path):
    found, fixed = sl106(tmp_path, """
    d_vars = [v for v in t_vars if v.name.startswith("discriminator")]
    g_vars = [v for v in t_vars if v.name.startswith("generator")]
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        d_train = tf.train.AdamOptimizer(2e-4).minimize(d_loss, var_list=d_vars)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="generator")
    with tf.control_dependencies(update_ops):
        g_train = tf.train.AdamOptimizer(2e-4).minimize(g_loss, var_list=g_vars)
    """, fix=True)
    assert len(found) == 1 and found[0].fix is not None
    assert 'update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="discriminator")' in fixed


def test_a_prefix_ending_in_a_slash_keeps_the_reused_calls_updates(tmp_path):
    """`discriminator/` would leave out `discriminator_1/...`, the second (reused) call's update ops."""
    found, fixed = sl106(tmp_path, """
    d_vars = [v for v in t_vars if v.name.startswith("discriminator/")]
    g_vars = [v for v in t_vars if v.name.startswith("generator/")]
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        d_train = tf.train.AdamOptimizer(2e-4).minimize(d_loss, var_list=d_vars)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        g_train = tf.train.AdamOptimizer(2e-4).minimize(g_loss, var_list=g_vars)
    """, fix=True)
    assert len(found) == 2
    assert 'UPDATE_OPS, scope="discriminator")' in fixed and 'UPDATE_OPS, scope="generator")' in fixed


def test_no_scope_is_offered_when_a_name_scope_renames_the_ops(tmp_path):
    """Under `tf.name_scope("G")` the update ops are `G/generator/...`: scope="generator" would select none."""
    found, fixed = sl106(tmp_path, """
    with tf.name_scope("G"):
        fake2 = generator(z)
    d_vars = [v for v in t_vars if v.name.startswith("discriminator")]
    g_vars = [v for v in t_vars if v.name.startswith("generator")]
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        d_train = tf.train.AdamOptimizer(2e-4).minimize(d_loss, var_list=d_vars)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        g_train = tf.train.AdamOptimizer(2e-4).minimize(g_loss, var_list=g_vars)
    """, fix=True)
    assert len(found) == 2 and all(f.fix is None for f in found) and fixed == ""


CHAINED = """
d_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="discriminator")
g_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="generator")
d_opt = tf.train.AdamOptimizer(2e-4)
d_grads = d_opt.compute_gradients(d_loss, d_vars)
d_train = d_opt.apply_gradients(d_grads)
g_opt = tf.train.AdamOptimizer(2e-4)
with tf.control_dependencies({deps}):
    g_grads = g_opt.compute_gradients(g_loss, g_vars)
    g_train = g_opt.apply_gradients(g_grads)
"""


def test_a_step_chained_after_the_other_networks_step_runs_each_update_once(tmp_path):
    """SRGAN's `control_dependencies([discrim_train] + UPDATE_OPS)`: one run trains D then G on one batch."""
    assert sl106(tmp_path, CHAINED.format(deps="[d_train] + tf.get_collection(tf.GraphKeys.UPDATE_OPS)"))[0] == []


def test_var_lists_given_to_compute_gradients_tell_the_networks_apart(tmp_path):
    found, fixed = sl106(tmp_path, CHAINED.format(deps="tf.get_collection(tf.GraphKeys.UPDATE_OPS)"), fix=True)
    assert len(found) == 1 and 'UPDATE_OPS, scope="generator")' in fixed
