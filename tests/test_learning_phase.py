"""Keras's learning phase fixed before a build, and switched right before a run (learning_phase.py)."""

from __future__ import annotations

import libcst as cst
import pytest

from slimlint.model.learning_phase import keras_batch_norm_named, switches_before_run
from slimlint.model.semantic import FileModel


def _function(body: str):
    source = "import tensorflow as tf\nK = tf.keras.backend\ndef build(x):\n    return x\ndef f(sess, x):\n" + "".join(
        f"    {line}\n" for line in body.splitlines())
    model = FileModel(cst.parse_module(source), "m")
    return model, next(f for f in model.functions if f.qualname == "f")


@pytest.mark.parametrize("arg, phase", [("1", True), ("True", True), ("0", False), ("False", False), ("value=1", True)])
def test_literal_phases_are_read(arg, phase):
    _, func = _function(f"K.set_learning_phase({arg})")
    assert [p for p, _, _ in func.learning_phases] == [phase]


@pytest.mark.parametrize("arg", ["flag", "1 if training else 0", "2"])
def test_other_phases_are_not(arg):
    _, func = _function(f"K.set_learning_phase({arg})")
    assert func.learning_phases == []


@pytest.mark.parametrize("body, switch", [
    ("K.set_learning_phase(0)\nsess.run(x)", True),
    ("K.set_learning_phase(0)\nprint('eval')\nsess.run(x)", True),  # not the project's, not Keras
    ("K.set_learning_phase(0)\nmodel = tf.keras.applications.ResNet50()\nsess.run(x)", False),
    ("K.set_learning_phase(0)\nnet = build(x)\nsess.run(net)", False),
    ("K.set_learning_phase(0)", False),
    ("sess.run(x)\nK.set_learning_phase(0)", False),
])
def test_a_switch_is_a_set_followed_by_a_run_with_no_build_between(body, switch):
    _, func = _function(body)
    (_, order, _), = func.learning_phases
    assert switches_before_run(func, order) is switch


@pytest.mark.parametrize("name, named", [
    ("tf.keras.applications.InceptionV3", True),
    ("tf.keras.applications.resnet.ResNet50", True),
    ("tf.keras.layers.BatchNormalization", True),
    ("tf.keras.applications.VGG16", False),
    ("tf.keras.applications.vgg19.VGG19", False),
    ("tf.keras.applications.resnet.preprocess_input", False),
    ("tf.keras.layers.Dense", False),
    (None, False),
])
def test_keras_batch_norm_names(name, named):
    assert keras_batch_norm_named(name) is named
