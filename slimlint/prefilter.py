"""A text prefilter: files that cannot produce a finding are never parsed.

Loss-free by construction: every rule needs one of these words in the file it reports on
(a batch-norm layer, a train op, the update-ops collection, an arg_scope, a model-zoo network),
or a call to a project function that builds batch norm, whose *name* must then appear in the
text (the engine adds those names once the project's summaries are known).
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Pattern

STATIC_WORDS = (
    "batch_norm",  # slim.batch_norm, tf.contrib.layers.batch_norm, batch_normalization
    "BatchNormalization",
    "normalizer_fn",
    "arg_scope",
    "minimize",
    "apply_gradients",
    "create_train_op",
    "update_ops",
    "UPDATE_OPS",
    "resnet",
    "inception",
    "mobilenet",
    "nasnet",
)
_STATIC: Pattern[str] = re.compile("|".join(re.escape(w) for w in STATIC_WORDS))


def may_matter(text: str) -> bool:
    return _STATIC.search(text) is not None


def names_pattern(names: Iterable[str]) -> Optional[Pattern[str]]:
    names = sorted(set(names))
    if not names:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
