"""Run-time mode flags: boolean placeholders fed True / False, an object's `self.is_training`
placeholder, and flags that are fed but never reach the network."""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from slimlint.model.facts import (
    FunctionInfo,
)
from slimlint.model.summary import ProjectIndex


class ModeFlags:
    """Part of FileModel (semantic.py): uses its builder, functions and module_func."""

    def is_bool_placeholder(self, value: cst.BaseExpression) -> bool:
        """`tf.placeholder(tf.bool, ...)` (dtype given by position or keyword) or `tf.placeholder_with_default(...)`."""
        if not isinstance(value, cst.Call):
            return False
        api_name = self.builder.canonical(value.func)
        if api_name == "tf.placeholder_with_default":
            return True
        if api_name != "tf.placeholder":
            return False
        dtype = next((a.value for a in value.args if a.keyword is not None and a.keyword.value == "dtype"), None)
        if dtype is None and value.args and value.args[0].keyword is None:
            dtype = value.args[0].value
        return dtype is not None and self.builder.canonical(dtype) == "tf.bool"

    def mode_placeholders(self, func: FunctionInfo) -> List[str]:
        """Names bound (once) to a boolean placeholder in `func` or at module level: a run-time mode flag."""
        out = []
        for scope in (func, self.module_func):
            for name, values in scope.assignments.items():
                if len(values) == 1 and "." not in name and self.is_bool_placeholder(values[0][0]):
                    out.append(name)
        return out

    def mode_attribute(self, func: FunctionInfo, before: int) -> Optional[str]:
        """`self.is_training = tf.placeholder(tf.bool)` made in `func` before `before`: the object's mode flag."""
        for name, values in func.assignments.items():
            if name.startswith("self.") and "train" in name.lower() and any(
                    order < before and self.is_bool_placeholder(value) for value, order in values):
                return name
        return None

    def flag_trains_when_passed(self, func: FunctionInfo, name: str) -> bool:
        """Passing mode flag `name` keeps training as it is: some feed gives it True, or its default is True
        (`tf.placeholder_with_default(True, [])`), so the network still trains where it trained before."""
        if "True" in self.builder.bool_fed.get(name, ()):
            return True
        for scope in (func, self.module_func):
            for value, _ in scope.assignments.get(name, ()):
                if (isinstance(value, cst.Call) and self.builder.canonical(value.func) == "tf.placeholder_with_default"
                        and value.args and isinstance(value.args[0].value, cst.Name) and value.args[0].value.value == "True"):
                    return True
        return False

    def unpassed_mode_flags(self, func: FunctionInfo, index: ProjectIndex) -> List[str]:
        """Boolean mode placeholders fed False somewhere, that no network call in `func` receives. One only ever fed
        True switches nothing to inference: the network's training-mode default does what the feeds say."""
        flags = [p for p in self.mode_placeholders(func) if "False" in self.builder.bool_fed.get(p, ())]
        if not flags:
            return []
        passed = {m.expr.value for c in self.bn_calls(func, index) for m in c.modes.values() if isinstance(m.expr, cst.Name)}
        passed |= {s.mode.expr.value for s in self.bn_sites(func, index) if isinstance(s.mode.expr, cst.Name)}
        return [] if passed & set(flags) else flags

