"""`--statistics`: one row per code, most frequent first, like ruff's."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from slimlint.findings import Finding


def rows(findings: Sequence[Finding]) -> list[dict]:
    counts = Counter(f.code for f in findings)
    fixable = Counter(f.code for f in findings if f.fixable)
    names = {f.code: f.name for f in findings}
    ordered = sorted(counts, key=lambda code: (-counts[code], code))
    return [
        {
            "code": code,
            "name": names[code],
            "count": counts[code],
            "fixable": fixable[code] > 0,
            "fixable_count": fixable[code],
        }
        for code in ordered
    ]


def render_text(findings: Sequence[Finding]) -> str:
    table = rows(findings)
    if not table:
        return ""
    count_width = max(len(str(r["count"])) for r in table)
    code_width = max(len(r["code"]) for r in table)
    return "".join(
        f"{r['count']:>{count_width}}\t{r['code']:<{code_width}}\t{'[*]' if r['fixable'] else '[ ]'} {r['name']}\n"
        for r in table
    )


def render_json(findings: Sequence[Finding]) -> str:
    return json.dumps(rows(findings), indent=2) + "\n"
