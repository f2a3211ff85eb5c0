"""A text prefilter: files that cannot produce a finding are never parsed.

Loss-free by construction: every rule needs batch norm or a mode-taking dropout layer in view. A file can
only have a finding if its text names batch norm itself (a layer, a normalizer_fn, a model-zoo
network) or `slim.dropout` / `tf.layers.dropout` (SL202 / SL208 check dropout on its own), or `tf.nn.dropout` (a
kept fraction below 1 drops in evaluation too: SL208; an RNN `DropoutWrapper` only when it drops the cell's inputs
or state (`input_keep_prob`, `state_keep_prob`): its output dropout may be discarded, and sequence models switch it
with flags of their own, `forward_only`), or calls a project function that
builds batch norm (whose *name* must then appear in the
text: the engine adds those names once the project's summaries are known, and `getattr(<module>, ...)` over a module
that has such functions), or looks up a batch-norm mode
tensor by its graph name (`get_tensor_by_name`, once the project has one), or keeps a hand-written batch norm's
moving averages (`tf.nn.moments`, `ExponentialMovingAverage` and a `cond`) or applies the formula to batch moments
(`tf.nn.moments` and `tf.nn.batch_normalization`), or keeps batch moments in moving averages it hands out
(`tf.nn.moments`, an averager's `.apply(` and `.average(`: average_updates.py), or is a train-op helper
that a file with batch norm calls (the engine follows those calls to their module), or sets Keras's learning
phase (`set_learning_phase(`: the phase fixed when a Keras network is built, or switched before a session run),
or sets a mode-named attribute to False (`model.training = False`: maybe after the object built its batch norm
with the attribute's earlier value, frozen_mode_attrs.py).
A script named for evaluation that imports a saved meta graph is read too (see engine.wants).
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Pattern

# Whole identifiers: `fused_batch_norm` (an op wrapper, thousands of lines in TF's generated code) is not
# batch-norm evidence; `slim.batch_norm`, `from ... import batch_norm as bn` and `normalizer_fn=` are.
STATIC_WORDS = (
    "batch_norm",  # slim.batch_norm, tf.contrib.layers.batch_norm
    "batch_normalization",  # tf.layers.batch_normalization
    "BatchNormalization",
    "normalizer_fn",
)
ZOO_PREFIXES = ("resnet", "inception", "mobilenet", "nasnet", "pnasnet")  # resnet_v1, inception_v3, ...
# `tf.nn.batch_normalization` is a plain function (no moving statistics, no update ops): not evidence.
# `slim.dropout`, `tf.layers.dropout`, `from tensorflow.contrib.layers import dropout` (`tf.nn.dropout`: may_matter).
_DROPOUT = r"\b(?:layers|slim)\.dropout\b|\bimport\b[^\n]*\bdropout\b"
_STATIC: Pattern[str] = re.compile(
    r"(?<!nn\.)\b(?:" + "|".join(STATIC_WORDS) + r")\b|\b(?:" + "|".join(ZOO_PREFIXES) + r")|" + _DROPOUT
)


# Plain substrings first: `in` runs at memory speed, the precise pattern above does not (lookbehind and
# word boundaries disable the regex engine's literal scan), and most files contain none of these.
_LITERALS = ("batch_norm", "BatchNormalization", "normalizer_fn", "dropout") + ZOO_PREFIXES


# `model.training = False`, `self.is_train = False` (the names of facts.MODE_PARAM_NAMES)
MODE_ATTR_FALSE: Pattern[str] = re.compile(
    r"\.(?:is_training|training|is_train|train|phase_train|train_phase|phase)[ \t]*=[ \t]*False\b")


def may_matter(text: str) -> bool:
    if any(word in text for word in _LITERALS) and _STATIC.search(text) is not None:
        return True
    if "set_learning_phase(" in text:
        return True  # Keras's phase fixed before a build, or switched before a run (learning_phase.py)
    if "nn.dropout(" in text:
        return True  # a dropout whose kept fraction is its mode: a constant below 1 drops in evaluation too
    if "DropoutWrapper(" in text and ("input_keep_prob" in text or "state_keep_prob" in text):
        return True  # an RNN cell dropping what it reads: its outputs and state both change (SL208)
    if "= False" in text and MODE_ATTR_FALSE.search(text) is not None:
        return True
    # A hand-written batch norm: moving averages of batch moments, picked by a cond (SL201's update outside it),
    # or the formula applied to batch moments or moving statistics as a Python `if` decides (branch_bn.py).
    if "moments(" not in text:
        return False
    # ... or hands out the update of its moving averages (`return self.ema.apply([...])`, read with `.average(`).
    return ("ExponentialMovingAverage" in text and "cond(" in text or "batch_normalization(" in text
            or ".apply(" in text and ".average(" in text)


def names_pattern(names: Iterable[str]) -> Optional[Pattern[str]]:
    names = sorted(set(names))
    if not names:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")


def getattr_pattern(modules: Iterable[str]) -> Optional[Pattern[str]]:
    """`getattr(ops, name)` over one of these modules (their last name part): a call of any of their functions."""
    names = sorted(set(modules))
    if not names:
        return None
    return re.compile(r"\bgetattr\(\s*(?:" + "|".join(re.escape(n) for n in names) + r")\s*,")

