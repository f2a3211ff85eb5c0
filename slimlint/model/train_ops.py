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

    def output_wires_updates(self, op: TrainOp, index) -> bool:
        """Was the graph this train op trains built, before it, by a call of a function that hangs the update ops on
        its output (FunctionSummary.wires_updates_to_output), in its function or, for a method, its class?"""
        funcs = [op.func] + ([f for f in self.functions if f.class_name == op.func.class_name and f is not op.func]
                             if op.func.class_name is not None else [])
        for func in funcs:
            for site in func.calls:
                if func is op.func and site.order > op.order:
                    continue
                summary = index.lookup_site(site, self.module_name)
                if summary is not None and summary.wires_updates_to_output:
                    return True
        return False

    def hand_built_train_ops(self) -> Iterator[TrainOp]:
        for func in self.functions:
            for op in func.train_ops:
                if op.kind in ("minimize", "apply_gradients"):
                    yield op

