"""Make tf_slim 1.1.0 and TF1-era programs run unchanged on TensorFlow 2.21.

Used only inside harness subprocesses (`slimlint.harness.child`): `install()` imports TensorFlow.
The facts behind each step are measured in shared/TF_RUNTIME.md.

How `tensorflow` is made to behave like TF1 (a decision, documented in fixtures/README.md):
the real `tensorflow` module is kept (so `tensorflow.python.*` imports, tf_slim and tf_keras keep
working) and every public name of `tensorflow.compat.v1` is copied over it, then
`disable_v2_behavior()` turns off eager execution, v2 control flow, resource variables by default
and the other v2 switches. `tf.placeholder`, `tf.train.MomentumOptimizer`, `tf.Session`,
`tf.GraphKeys`, `tf.layers`, `tf.contrib` then mean what they meant in TF 1.15.
"""

from __future__ import annotations

import importlib
import os
import sys
import types

_INSTALLED = False


def set_environment(env=os.environ) -> None:
    """Environment that must be in place before TensorFlow is imported."""
    # tf.compat.v1.layers.* exist only with the legacy (tf_keras) Keras.
    env.setdefault("TF_USE_LEGACY_KERAS", "1")
    env.setdefault("TF_DETERMINISTIC_OPS", "1")
    # Keep TF's C++ start-up chatter out of the fixture's stderr tail.
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _alias_tf_keras_legacy_layers() -> None:
    # TF's tensorflow/python/layers/normalization.py imports `tf_keras.legacy_tf_layers.*`;
    # tf_keras 2.21 ships them only under `tf_keras.src.legacy_tf_layers`.
    import tf_keras  # noqa: F401  (fails loudly if the harness extra is missing)

    src = importlib.import_module("tf_keras.src.legacy_tf_layers")
    sys.modules.setdefault("tf_keras.legacy_tf_layers", src)
    for name in ("base", "convolutional", "core", "normalization", "pooling", "variable_scope_shim"):
        try:
            module = importlib.import_module(f"tf_keras.src.legacy_tf_layers.{name}")
        except ImportError:
            continue
        sys.modules.setdefault(f"tf_keras.legacy_tf_layers.{name}", module)
        setattr(src, name, module)


def _readd_moved_private_names(tf) -> None:
    """tf_slim 1.1.0 reaches into TF's private modules for names that moved since 2020."""
    from tensorflow.python.framework import indexed_slices, ops, tensor
    from tensorflow.python.ops import array_ops, control_flow_ops, variable_scope

    v1 = tf.compat.v1
    moved = {
        ops: {"Tensor": tensor.Tensor, "IndexedSlices": indexed_slices.IndexedSlices},
        array_ops: {"stack": v1.stack, "unstack": v1.unstack},
        control_flow_ops: {
            "cond": v1.cond,
            "case": v1.case,
            "while_loop": v1.while_loop,
            "Assert": v1.Assert,
        },
        variable_scope: {"variable": v1.Variable},
    }
    for module, names in moved.items():
        for name, value in names.items():
            if not hasattr(module, name):
                setattr(module, name, value)


def _contrib_module(tf):
    """A `tensorflow.contrib` whose `slim` is tf_slim and whose layers/framework give the slim ops."""
    import tf_slim

    contrib = types.ModuleType("tensorflow.contrib")
    contrib.__path__ = []  # a package, so `import tensorflow.contrib.slim` resolves through sys.modules
    contrib.slim = tf_slim

    layers = types.ModuleType("tensorflow.contrib.layers")
    # tf.contrib.layers held the slim layers (batch_norm, conv2d, ...) plus arg_scope and friends.
    for name in dir(tf_slim.layers):
        if not name.startswith("_"):
            setattr(layers, name, getattr(tf_slim.layers, name))
    layers.arg_scope = tf_slim.arg_scope
    layers.add_arg_scope = tf_slim.add_arg_scope

    framework = types.ModuleType("tensorflow.contrib.framework")
    slim_variables = importlib.import_module("tf_slim.ops.variables")
    for name in dir(slim_variables):
        if not name.startswith("_"):
            setattr(framework, name, getattr(slim_variables, name))
    framework.arg_scope = tf_slim.arg_scope
    framework.add_arg_scope = tf_slim.add_arg_scope
    framework.with_dependencies = importlib.import_module(
        "tensorflow.python.ops.control_flow_ops"
    ).with_dependencies

    contrib.layers = layers
    contrib.framework = framework
    modules = {
        "tensorflow.contrib": contrib,
        "tensorflow.contrib.slim": tf_slim,
        "tensorflow.contrib.layers": layers,
        "tensorflow.contrib.framework": framework,
    }
    return contrib, modules


def _make_tensorflow_tf1(tf) -> None:
    v1 = tf.compat.v1
    # vars(), not getattr(): keeps lazily loaded submodules (keras, estimator) lazy.
    for name, value in list(vars(getattr(v1, "_tfmw_wrapped_module", v1)).items()):
        if name.startswith("_") or name in ("compat",):
            continue
        setattr(tf, name, value)
    # Public names reached through the module wrapper's lazy attributes.
    for name in ("layers", "keras", "train", "nn", "losses", "summary", "logging", "app", "flags"):
        try:
            setattr(tf, name, getattr(v1, name))
        except AttributeError:
            pass
    v1.disable_v2_behavior()


def install() -> None:
    """Apply every patch once. Call before the user program runs."""
    global _INSTALLED
    if _INSTALLED:
        return
    set_environment()
    import tensorflow as tf

    _alias_tf_keras_legacy_layers()
    _readd_moved_private_names(tf)
    contrib, modules = _contrib_module(tf)
    sys.modules.update(modules)
    tf.contrib = contrib
    setattr(tf.compat.v1, "contrib", contrib)
    _make_tensorflow_tf1(tf)
    _INSTALLED = True
