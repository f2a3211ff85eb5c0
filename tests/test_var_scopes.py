"""A train op whose var_list picks a network by its variable scope (var_scopes.py): the discriminator of a GAN
that is only ever built in training mode reads no moving statistics, so its op leaving out the update ops is
no finding, however the var_list names the scope; when the scope cannot be read, the op is still reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from slimlint.lint import findings_of, lint_tree

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "sl101_gan_discriminator_only_trains"
D_PARAMS = '        d_params = [v for v in t_vars if v.name.startswith("d")]\n'


def _sl101_lines(tmp_path, d_params: str):
    for name in ("ops.py", "gan_train.py", "gan_model.py"):
        text = (FIXTURE / name).read_text()
        if name == "gan_model.py":
            assert D_PARAMS in text
            text = text.replace(D_PARAMS, d_params)
        (tmp_path / name).write_text(text)
    return [f.start.line for f in findings_of(lint_tree(tmp_path)) if f.code == "SL101"]


@pytest.mark.parametrize("d_params", [
    D_PARAMS,
    '        d_params = [var for var in t_vars if "discriminator" in var.name]\n',
    '        d_params = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="discriminator")\n',
    '        d_params = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, "discriminator")\n',
    '        d_params = tf.trainable_variables("discriminator")\n',
    '        d_params = tf.trainable_variables(scope="disc")\n',
])
def test_training_only_discriminator_op_is_silent(tmp_path, d_params):
    assert _sl101_lines(tmp_path, d_params) == [46]


@pytest.mark.parametrize("d_params", [
    '        d_params = tf.trainable_variables()\n',  # every variable: the generator's too
    '        d_params = [v for v in t_vars if v.name.startswith("")]\n',  # an empty prefix matches every scope
    '        d_params = [v for v in t_vars if not v.name.startswith("g")]\n',  # not a plain name test
    '        d_params = tf.trainable_variables(scope="gen")\n',  # the generator, read in inference mode
    '        d_params = [v for v in t_vars if "r" in v.name]\n',  # "r" is in "generator" too
])
def test_op_over_a_network_read_in_inference_mode_is_reported(tmp_path, d_params):
    assert _sl101_lines(tmp_path, d_params) == [45, 46]
