"""What the TF / tf.contrib / tf_slim / slim model-zoo functions accept, from a table generated from the
real packages' source (slimlint/data/generate_signatures.py): a fix adds a keyword argument only where
the callee is known to take it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

_TABLE = Path(__file__).resolve().parent.parent / "data" / "signatures.json"


@dataclass(frozen=True)
class Signature:
    params: Tuple[str, ...]  # positional-or-keyword parameters, in order
    kwonly: Tuple[str, ...] = ()
    varkw: bool = False
    defaults: Tuple[Tuple[str, str], ...] = ()  # param -> "true" | "false" | "none"
    positions_known: bool = True  # the versions agree on the order of the parameters

    def default_of(self, param: str) -> Optional[str]:
        return dict(self.defaults).get(param)


@lru_cache(maxsize=1)
def _table() -> Dict[str, dict]:
    try:
        return json.loads(_TABLE.read_text(encoding="utf-8"))["functions"]
    except (OSError, ValueError, KeyError):
        return {}


@lru_cache(maxsize=4096)
def lookup(canonical: str) -> Optional[Signature]:
    """The signature of a canonical API name (`slim.batch_norm`, `slim.nets.resnet_v1.resnet_v1_50`,
    `nets.mobilenet_v1.mobilenet_v1`), or None when the table does not know it."""
    table = _table()
    entry = table.get(canonical)
    if entry is None:
        entry = table.get(_zoo_twin(canonical) or "")
    if entry is None and _reexported(canonical) is not None:
        return lookup(_reexported(canonical))
    if entry is None:
        return None
    return Signature(
        params=tuple(entry["params"]),
        kwonly=tuple(entry["kwonly"]),
        varkw=entry["varkw"],
        defaults=tuple(sorted(entry["defaults"].items())),
        positions_known=not entry.get("positions_differ", False),
    )


def _zoo_twin(canonical: str) -> Optional[str]:
    """`nets.resnet_v1.X` (models/research/slim) and `slim.nets.resnet_v1.X` (tf.contrib / tf_slim) are
    the same network: each is looked up as the other when the table has only one of them. A network in a
    sub-package (`nets.mobilenet.mobilenet_v2.X`) is filed under its module's own name."""
    parts = canonical.split(".")
    if parts[:2] == ["slim", "nets"] and len(parts) >= 4:
        return ".".join(["nets"] + parts[-2:])
    if parts[0] == "nets" and len(parts) >= 3:
        short = ".".join(["nets"] + parts[-2:])
        return short if short != canonical else "slim." + canonical
    return None


_INCEPTION_MODULE = re.compile(r"inception(?:_resnet)?_v\d")


def _reexported(canonical: str) -> Optional[str]:
    """models/research/slim's `nets/inception.py` re-exports every Inception network (tf.contrib's only v1-v3):
    `nets.inception.inception_v4` is `nets.inception_v4.inception_v4`."""
    parts = canonical.split(".")
    if len(parts) >= 3 and parts[-2] == "inception":
        found = _INCEPTION_MODULE.match(parts[-1])
        if found is not None:
            return ".".join(parts[:-2] + [found.group(0), parts[-1]])
    return None
