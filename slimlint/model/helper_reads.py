"""UPDATE_OPS read through a helper: `update_ops = get_update_ops()`, where the project's
`def get_update_ops(): return tf.get_collection(tf.GraphKeys.UPDATE_OPS)` may sit in another file.

The builder keeps such a name's uses apart (FunctionInfo.helper_results / helper_uses); once the project's
summaries say the helper returns the collection (FunctionSummary.returns_update_ops), the call becomes a read
of UPDATE_OPS like a `get_collection` written in place, so SL101 sees the wiring and SL103 the order.
"""

from __future__ import annotations

from typing import List

from slimlint.model.facts import FunctionInfo, UpdateOpsRead
from slimlint.model.summary import ProjectIndex


def bind_helper_reads(functions: List[FunctionInfo], module_name: str, index: ProjectIndex) -> None:
    for func in functions:
        for name, (call, statement) in func.helper_results.items():
            if name in func.update_names:
                continue  # bound in an earlier round
            site = next((s for s in func.calls if s.call is call), None)
            summary = index.lookup_site(site, module_name) if site is not None else None
            if summary is None or not summary.returns_update_ops:
                continue
            func.update_names.add(name)
            func.update_uses.setdefault(name, []).extend(func.helper_uses.get(name, ()))
            func.update_other_use = func.update_other_use or name in func.helper_other_uses
            func.reads.append(UpdateOpsRead(call=call, func=func, order=site.order, target=name, statement=statement,
                                            scoped=bool(site.positional or site.kwargs)))
            func.reads.sort(key=lambda read: read.order)
