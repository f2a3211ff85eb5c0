"""Names a module binds to another module's function or class, so that `pkg.name` reaches it: package
re-exports (`from .resnet_v1 import resnet_v1_50` in `nets/__init__.py`) and module-level aliases
(`resnet_arg_scope = resnet_utils.resnet_arg_scope` in a vendored `resnet_v1.py`). ProjectIndex.resolve
follows them when the module itself defines no such name."""

from __future__ import annotations

from typing import Dict

import libcst as cst

from slimlint.model import api


def module_reexports(model, package: bool = False) -> Dict[str, str]:
    """local name -> fully qualified name, for this module's imports and single module-level aliases that do
    not name TensorFlow (its names are read through the import table, not through the project). A relative
    import is made absolute here, where it is known whether the module is a package's `__init__.py` (its `.`
    is the package itself, `from .network import Network` in `kaffe/tensorflow/__init__.py`)."""
    table = model.builder.table
    out = {local: full for local, full in table.top_level.items() if api.canonical(full) is None}
    for name, values in model.module_func.assignments.items():
        if "." in name or len(values) != 1 or not isinstance(values[0][0], (cst.Name, cst.Attribute)):
            continue
        full = table.resolve(values[0][0])
        if full is not None and api.canonical(full) is None:
            out.setdefault(name, full)
    return {local: _absolute(full, model.module_name, package) for local, full in out.items()}


def _absolute(name: str, module_name: str, package: bool) -> str:
    """`.network.Network` read from module `kaffe.tensorflow` (a package) -> `kaffe.tensorflow.network.Network`;
    `..errors.KaffeError` from `kaffe.tensorflow.transformer` -> `kaffe.errors.KaffeError`."""
    if not name.startswith("."):
        return name
    dots = len(name) - len(name.lstrip("."))
    parts = module_name.split(".") if module_name != "__main__" else []
    keep = len(parts) - dots + (1 if package else 0)
    if keep < 0:
        return name  # above the checked tree: left relative, as before
    return ".".join(parts[:keep] + [name.lstrip(".")])
