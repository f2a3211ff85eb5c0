"""A JSON list shaped like `ruff check --output-format json`, so tools that read ruff read us.

Keys match ruff 0.17 (sorted, as ruff prints them); `fix.behaviour_change` is our addition.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from slimlint.findings import Finding, Position


def render(findings: Sequence[Finding], *, cwd: Path) -> str:
    return json.dumps([to_dict(f, cwd) for f in findings], indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_dict(finding: Finding, cwd: Path) -> dict[str, Any]:
    fix = None
    if finding.fix is not None:
        fix = {
            "applicability": finding.fix.applicability,
            "behaviour_change": finding.fix.behaviour_change,
            "edits": [
                {"content": e.content, "location": _loc(e.start), "end_location": _loc(e.end)}
                for e in finding.fix.edits
            ],
            "message": finding.fix.message,
        }
    return {
        "cell": finding.cell,  # a notebook's cell (1-based); rows and noqa_row are then inside it, as ruff
        "code": finding.code,
        "end_location": _loc(finding.end),
        # ruff prints absolute paths here.
        "filename": _lossless_text(os.path.normpath(os.path.join(cwd, finding.path))),
        "fix": fix,
        "location": _loc(finding.start),
        "message": finding.message,
        "name": finding.name,
        "noqa_row": finding.noqa_row if finding.noqa_row is not None else finding.start.line,
        "severity": "error",
        "url": finding.url,
    }


def _lossless_text(name: str) -> str:
    """A file name as valid UTF-8 text: bytes that are not UTF-8 (surrogate-escaped) become `\\xff` escapes,
    so the JSON stays valid and the original name can be recovered."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _loc(position: Position) -> dict[str, int]:
    return {"column": position.column, "row": position.line}
