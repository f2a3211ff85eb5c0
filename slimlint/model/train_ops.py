"""The hand-built train ops of a file (minimize / apply_gradients) and the names holding update ops."""

from __future__ import annotations

from typing import Iterator, Set

import libcst as cst

from slimlint.model import api, context
from slimlint.model.flow import derived_names
from slimlint.model.import_table import dotted
from slimlint.model.unread_params import mention_counts
from slimlint.model.walk import find_all
from slimlint.model.facts import (
    FunctionInfo,
    TrainOp,
)


class TrainOpFacts:
    """Part of FileModel (semantic.py): uses its builder, functions and module_func."""

    def update_names(self, func: FunctionInfo) -> set:
        return func.update_names | self.module_func.update_names | self._from_update_helpers(func)

    def _from_update_helpers(self, func: FunctionInfo) -> set:
        """Names `func` binds to what a helper of this file returns when it returns update ops (`control_deps =
        self._group_control_deps(grads)` over `return grad_tensors + tf.get_collection(UPDATE_OPS)` read into a
        name): they hold the update ops too."""
        cache = self.__dict__.setdefault("_update_helper_names", {})
        if id(func) not in cache:
            helpers = {}  # name -> the positions of its returned tuple that hold update ops (None: the whole value)
            for f in self.functions:
                if f.node is None or f.is_module or not f.update_names:
                    continue
                holding = derived_names(f, f.update_names)
                positions = _returned_positions(f, holding)
                if positions:
                    helpers[f.name] = positions
            out = set()
            body = self._code_of(func) if helpers else None
            for assign in find_all(body, cst.Assign) if body is not None else ():
                value = assign.value
                called = dotted(value.func) if isinstance(value, cst.Call) else None
                if not called or called.rsplit(".", 1)[-1] not in helpers or called.count(".") > 1 \
                        or (called.count(".") == 1 and not called.startswith("self.")):
                    continue
                positions = helpers[called.rsplit(".", 1)[-1]]
                for target in (t.target for t in assign.targets):
                    if None in positions and dotted(target):
                        out.add(dotted(target))
                    elif isinstance(target, (cst.Tuple, cst.List)):
                        # `loss, logits, update_ops = build_model(x)`: only the unpacked update ops
                        out |= {dotted(el.value) for i, el in enumerate(target.elements)
                                if i in positions and dotted(el.value)}
            cache[id(func)] = out
        return cache[id(func)]

    def returned_as(self, op: TrainOp) -> Set[str]:
        """The names a train op is bound to in this file after its function returns it:
        `def model_opt(...): ...; return d_train_opt, g_train_opt` called as `self.d_opt, self.g_opt = model_opt(...)`
        gives {"self.d_opt"} for the first op."""
        func = op.func
        if func.node is None or func.is_module:
            return set()
        positions: Set[object] = set()  # tuple positions it is returned at; None: the whole value
        for ret in find_all(func.node.body, cst.Return):
            if isinstance(ret.value, cst.Tuple):
                positions |= {i for i, el in enumerate(ret.value.elements) if dotted(el.value) in op.targets}
            elif ret.value is not None and dotted(ret.value) in op.targets:
                positions.add(None)
        out: Set[str] = set()
        for assign in find_all(self.module, cst.Assign) if positions else ():
            called = (dotted(assign.value.func) or "") if isinstance(assign.value, cst.Call) else ""
            if called.rsplit(".", 1)[-1] != func.name:
                continue
            for target in (t.target for t in assign.targets):
                if None in positions and dotted(target):
                    out.add(dotted(target))
                if isinstance(target, cst.Tuple):
                    out |= {dotted(el.value) for i, el in enumerate(target.elements)
                            if i in positions and dotted(el.value)}
        return out

    def never_used(self, op: TrainOp) -> bool:
        """Is this train op built in a function and then left alone: bound to local names (and to names built from them,
        `train_op = tf.group(apply_gradient_op, ema_op)`) that nothing else mentions, so nothing runs, returns,
        stores or hands it on? A test script copied from the training script builds one and only restores and
        evaluates: no run of it misses the update ops."""
        func = op.func
        body = func.node
        if func.is_module and self.builder.is_script and self.builder.restores_checkpoint \
                and context.words(self.module_name.rsplit(".", 1)[-1]) & _PREDICTION_SCRIPT_WORDS:
            # A prediction script's own code (`seg_predict.py` copied from training, restoring a checkpoint)
            body = self.module
        elif func.is_module:
            return False  # module code's names may be imported and run by another file
        if body is None or not op.targets or any("." in t for t in op.targets):
            # In place (`sess.run(opt.minimize(loss))`) or kept on an object, it is used.
            return False
        names = set(op.targets)
        while True:
            more = {name for name, values in func.assignments.items() if name not in names
                    and any(self._groups(value) and names & _names_read(value) for value, _ in values)}
            if not more:
                break
            if any("." in name for name in more):
                return False  # `self.train_op = tf.group(op, ...)`
            names |= more
        counts = mention_counts(body, names)
        if not counts:
            return False  # `locals()` / `eval`: mentions cannot be counted
        # Each binding mentions its name once; a value built from the op mentions it once more per read.
        bound = sum(len(func.assignments.get(n, ())) for n in names)
        built_from = sum(sum(1 for read in _name_reads(value) if read in names)
                         for n in names for value, _ in func.assignments.get(n, ()) if self._groups(value))
        return sum(counts.values()) == bound + built_from

    def _groups(self, value: cst.BaseExpression) -> bool:
        """A value that is a train op built from others: `tf.group(...)`, `tf.tuple(...)`, a list or tuple of ops."""
        if isinstance(value, (cst.List, cst.Tuple)):
            return True
        return isinstance(value, cst.Call) and self.canonical(value.func) in api.GROUPING

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



def _name_reads(expr: cst.BaseExpression) -> list:
    """The plain names an expression reads, once per read (attribute and keyword names left out, as
    mention_counts leaves them out)."""
    skipped = {id(n.attr) for n in find_all(expr, cst.Attribute)} | {id(a.keyword) for a in find_all(expr, cst.Arg) if a.keyword}
    return [n.value for n in find_all(expr, cst.Name) if id(n) not in skipped]


def _names_read(expr: cst.BaseExpression) -> Set[str]:
    return set(_name_reads(expr))


# Names of scripts that predict with a restored model (narrower than context's evaluation-file words).
_PREDICTION_SCRIPT_WORDS = {"predict", "prediction", "inference", "infer", "test", "eval", "evaluate", "evaluation", "demo"}


def _returned_positions(func: FunctionInfo, holding: set) -> set:
    """Where the function's `return` gives update ops back: None for a whole returned name that holds them
    (`return control_deps`), or the tuple positions that do (`return loss, logits, update_ops` gives {2})."""
    out: set = set()
    for ret in find_all(func.node.body, cst.Return):
        if isinstance(ret.value, cst.Tuple):
            out |= {i for i, el in enumerate(ret.value.elements) if dotted(el.value) in holding}
        elif ret.value is not None and dotted(ret.value) in holding:
            out.add(None)
    return out
