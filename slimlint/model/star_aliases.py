"""TF names a file gets through a star import of a project module: `from ops import *` where ops.py does
`import tensorflow as tf` (and has no `__all__`) binds `tf` in the importing file too.

Model files written that way never import TensorFlow themselves; without this, `tf.control_dependencies`
and `tf.GraphKeys.UPDATE_OPS` there resolve to nothing, while `opt.minimize(...)` is still a train op.

Read from the project modules' text: their top-level `import` lines that name TF / slim / Keras modules (no
parse, nothing run). One level of star import is followed further (`ops.py` star-importing `utils.py`).
The engine attaches the result to each unit (Unit.star_aliases) before models are built; the run cache is
keyed on every file's bytes, so a change to ops.py's imports is seen.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Dict, List, Optional, Sequence

from slimlint.file_units import Unit
from slimlint.model import api
from slimlint.model.summary import nearest_module

_STAR = re.compile(r"^from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\*", re.M)
_IMPORT = re.compile(r"^import[ \t]+([\w.]+)(?:[ \t]+as[ \t]+(\w+))?[ \t]*(?:#[^\r\n]*)?\r?$", re.M)
_FROM = re.compile(r"^from[ \t]+([\w.]+)[ \t]+import[ \t]+(\w+)(?:[ \t]+as[ \t]+(\w+))?[ \t]*(?:#[^\r\n]*)?\r?$", re.M)
_ALL = re.compile(r"^__all__\b", re.M)
_DEPTH = 2


def attach_star_aliases(units: Sequence[Unit]) -> List[Unit]:
    """The units, those that star-import project modules binding TF names replaced with a copy that carries them."""
    by_module: Dict[str, Unit] = {u.module_name: u for u in units if u.source is not None}
    out = []
    for unit in units:
        text = unit.source.text if unit.source is not None else ""
        aliases = _star_aliases(unit.module_name, text, by_module, 0) if "import *" in text else {}
        out.append(replace(unit, star_aliases=tuple(sorted(aliases.items()))) if aliases else unit)
    return out


def _star_aliases(module: str, text: str, by_module: Dict[str, Unit], depth: int) -> Dict[str, str]:
    found: Dict[str, str] = {}
    for star in _STAR.findall(text):  # in order: a later star import's binding wins, as in Python
        target = _find(star, module, by_module)
        if target is None or target.source is None or _ALL.search(target.source.text):
            continue  # not the project's, or `__all__` decides what it exports
        if depth + 1 < _DEPTH and "import *" in target.source.text:
            found.update(_star_aliases(target.module_name, target.source.text, by_module, depth + 1))
        found.update(_tf_imports(target.source.text))
    return found


def _tf_imports(text: str) -> Dict[str, str]:
    """Local name -> qualified TF / slim / Keras name, for a module's top-level import lines."""
    out: Dict[str, str] = {}
    for full, alias in _IMPORT.findall(text):
        local = alias or full.split(".")[0]
        qualified = full if alias else local
        if api.canonical(qualified) is not None:
            out[local] = qualified
    for base, name, alias in _FROM.findall(text):
        qualified = f"{base}.{name}"
        if api.canonical(qualified) is not None:
            out[alias or name] = qualified
    return out


def _find(star: str, module: str, by_module: Dict[str, Unit]) -> Optional[Unit]:
    """The project module `from <star> import *` in `module` names: relative to its package, else the module
    nearest to it whose dotted name ends with it (scripts import siblings by their bare name)."""
    if star.startswith("."):
        dots = len(star) - len(star.lstrip("."))
        package = module.split(".")[: -dots] if dots <= module.count(".") + 1 else []
        name = ".".join(package + [star.lstrip(".")] if star.lstrip(".") else package)
        return by_module.get(name)
    found = nearest_module(star, module, by_module)
    return by_module[found] if found is not None else None
