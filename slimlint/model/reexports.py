"""Names a module binds to another module's function or class, so that `pkg.name` reaches it: package
re-exports (`from .resnet_v1 import resnet_v1_50` in `nets/__init__.py`) and module-level aliases
(`resnet_arg_scope = resnet_utils.resnet_arg_scope` in a vendored `resnet_v1.py`). ProjectIndex.resolve
follows them when the module itself defines no such name."""

from __future__ import annotations

from typing import Dict

import libcst as cst

from slimlint.model import api


def module_reexports(model) -> Dict[str, str]:
    """local name -> fully qualified name, for this module's imports and single module-level aliases that do
    not name TensorFlow (its names are read through the import table, not through the project)."""
    table = model.builder.table
    out = {local: full for local, full in table.top_level.items() if api.canonical(full) is None}
    for name, values in model.module_func.assignments.items():
        if "." in name or len(values) != 1 or not isinstance(values[0][0], (cst.Name, cst.Attribute)):
            continue
        full = table.resolve(values[0][0])
        if full is not None and api.canonical(full) is None:
            out.setdefault(name, full)
    return out
