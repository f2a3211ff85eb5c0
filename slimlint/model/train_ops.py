"""The hand-built train ops of a file (minimize / apply_gradients) and the names holding update ops."""

from __future__ import annotations

from typing import Iterator


from slimlint.model.facts import (
    FunctionInfo,
    TrainOp,
)


class TrainOpFacts:
    """Part of FileModel (semantic.py): uses its builder, functions and module_func."""

    def update_names(self, func: FunctionInfo) -> set:
        return func.update_names | self.module_func.update_names

    def hand_built_train_ops(self) -> Iterator[TrainOp]:
        for func in self.functions:
            for op in func.train_ops:
                if op.kind in ("minimize", "apply_gradients"):
                    yield op

