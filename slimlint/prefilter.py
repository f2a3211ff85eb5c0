"""A text prefilter: files that cannot produce a finding are never parsed.

Loss-free by construction: every rule needs batch norm in view. A file can only have a finding if its
text names batch norm itself (a layer, a normalizer_fn, a model-zoo
network), or calls a project function that builds batch norm (whose *name* must then appear in the
text: the engine adds those names once the project's summaries are known), or is a train-op helper
that a file with batch norm calls (the engine follows those calls to their module).
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Pattern

STATIC_WORDS = (
    "batch_norm",  # slim.batch_norm, tf.contrib.layers.batch_norm, batch_normalization
    "BatchNormalization",
    "normalizer_fn",
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
