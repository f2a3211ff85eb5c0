"""How a file names TensorFlow and TF-Slim: does it use slim, which module-level names are bound to
`tf` / `slim`, and the prefix a fix should write (`tf`, `tf1`, `tf.compat.v1`)."""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from slimlint.model import api
from slimlint.model.facts import SLIM_PACKAGES


class TfNaming:
    """Part of FileModel (semantic.py): uses its builder, functions and module_func."""

    @property
    def uses_slim(self) -> bool:
        """The module imports or binds TF-Slim (tf.contrib.layers alone is not slim code)."""
        table = self.builder.table
        bound = list(table.names.values()) + list(table.aliases.values())
        if any(full.startswith(SLIM_PACKAGES) for full in bound):
            return True
        return any(full == "tensorflow" and f"{local}.contrib.slim." in self.module_code() for local, full in table.names.items())

    def bound_module_name(self, wanted: Tuple[str, ...]) -> Optional[str]:
        """A module-level name bound to one of the canonical modules `wanted` ("tf", "slim")."""
        for name, qualified in self.builder.table.top_level.items():
            if api.canonical(qualified) in wanted and qualified not in ("tensorflow.contrib.layers", "tensorflow.contrib.framework"):
                return name
        for name, qualified in self.aliases.items():
            if api.canonical(qualified) in wanted:
                return name
        return None

    def slim_reference(self) -> Optional[Tuple[str, Optional[str]]]:
        """How fixed code can name the slim module: (expression, module to import as it or None)."""
        bound = self.bound_module_name(("slim",))
        if bound is not None:
            return bound, None
        for local, full in self.builder.table.names.items():
            if full == "tensorflow" and f"{local}.contrib.slim." in self.module_code():
                return f"{local}.contrib.slim", None
        imported = [full for full in self.builder.table.names.values() if full.startswith(SLIM_PACKAGES)]
        if imported and not self.name_in_use("slim"):
            package = "tf_slim" if any(full.startswith("tf_slim") for full in imported) else "tensorflow.contrib.slim"
            return "slim", package
        return None

    def name_in_use(self, name: str) -> bool:
        return (
            name in self.builder.table.names
            or name in self.aliases
            or name in self.builder.local_functions
            or any(name in f.assignments or name in f.params for f in self.functions)
        )

    def module_code(self) -> str:
        """The module's text, generated once: codegen walks the whole tree."""
        if self._code_memo is None:
            self._code_memo = self.module.code
        return self._code_memo

    def tf_prefix(self) -> Optional[str]:
        """How this module spells the TF1 API: `tf`, `tf1`, or `tf.compat.v1` for TF2-style files."""
        bound = {**self.builder.table.top_level, **self.aliases}
        compat = next((name for name, q in bound.items() if q == "tensorflow.compat.v1"), None)
        if compat is not None:
            return compat
        best = next((name for name, q in self.builder.table.top_level.items() if q == "tensorflow"), None)
        if best is not None and f"{best}.compat.v1." in self.module_code():
            return f"{best}.compat.v1"
        return best

    def _canonical(self, expr: cst.BaseExpression) -> Optional[str]:
        return self.builder.canonical(expr)

