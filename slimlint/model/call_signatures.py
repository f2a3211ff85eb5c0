"""What a call's callee accepts (its `def` in the project, or the generated TF / tf_slim / model-zoo table):
may a fix add a keyword, and which argument is passed by position."""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from slimlint.model import api, signatures
from slimlint.model.import_table import dotted
from slimlint.model.facts import (
    OPAQUE,
)
from slimlint.model.summary import ProjectIndex


class CallSignatures:
    """Part of FileModel (semantic.py): uses its builder, functions and module_func."""

    def network_option(self, call: cst.Call) -> Optional[Tuple[str, Tuple[str, ...]]]:
        """(`args.model_def`, candidate modules) when the callee is reached through a module imported at run time
        by the name an option holds (dynamic_imports.py): what a message should name."""
        head = (dotted(call.func) or "").split(".")[0]
        option = self.builder.dynamic_options.get(head)
        return (option, self.builder.dynamic_modules[head]) if option else None

    def accepts_keyword(self, call: cst.Call, keyword: str, index: ProjectIndex) -> bool:
        """Can a fix add `keyword=...` to this call and the program still build? Only when the callee is
        known to take it (its `def` in the project, or the generated TF / tf_slim / model-zoo signature
        table), the call does not already pass it by position, and no `*args` / `**kwargs` may hold it."""
        if any(a.star for a in call.args) or any(a.keyword is not None and a.keyword.value == keyword for a in call.args):
            return False
        positional = sum(1 for a in call.args if a.keyword is None)
        for params, n_positional, any_keyword, skip in self._callee_signatures(call, index):
            if keyword not in params:
                return any_keyword
            at = params.index(keyword)
            return at >= n_positional or at - skip >= positional
        return False

    def passed_by_position(self, call: cst.Call, param: str, index: ProjectIndex) -> Optional[cst.BaseExpression]:
        """The argument a call passes for `param` by position (`batch_norm(x, 0.99, True)`), when the
        callee's signature is known; OPAQUE when a `*args` may hold it."""
        if any(a.star == "*" for a in call.args):
            return OPAQUE
        positional = [a.value for a in call.args if a.keyword is None]
        for params, n_positional, _, skip in self._callee_signatures(call, index):
            if param in params[:n_positional] and 0 <= params.index(param) - skip < len(positional):
                return positional[params.index(param) - skip]
            return None
        return None

    def _callee_signatures(self, call: cst.Call, index: ProjectIndex):
        """(parameters, how many of them may be passed by position, takes **kwargs, leading parameters the
        call does not pass: self) of the callee."""
        if self._call_index is None:
            self._call_index = {}
            for func in self.functions:
                for layer in func.layers:
                    # slim.repeat(x, 3, slim.conv2d, ...) hands its keywords to the layer it repeats: unknown.
                    repeated = self.builder.canonical(layer.call.func) in ("slim.repeat", "slim.stack")
                    self._call_index[id(layer.call)] = (("<repeat>",) if repeated else (layer.api,), None)
                for site in func.calls:
                    self._call_index.setdefault(id(site.call), (site.targets, site))
        targets, site = self._call_index.get(id(call), ((), None))
        if not targets:
            full = self.builder.resolve(call.func)
            targets = (full,) if full else ()
        for target in targets:
            if target == "<repeat>":
                return
            if target.startswith(("slim.", "tf.")):
                found = None
            elif site is not None:
                # Of an instance's candidate classes, the one whose signature takes the call (resolve_site).
                found = index.resolve_site(site, self.module_name)
            else:
                found = index.resolve(target, self.module_name)
            if found is not None:
                summary = index.modules[found[0]][found[1]]
                skip = 1 if summary.params[:1] in (("self",), ("cls",)) else 0
                yield summary.params, summary.n_positional, summary.accepts_any_keyword, skip
                return
            signature = signatures.lookup(api.canonical(target) or target)
            if signature is not None:
                positions = signature.params if signature.positions_known else ()
                yield positions + signature.kwonly, len(positions), signature.varkw, 0
                return

