"""Outcomes as JSON for the outcome cache: plain data in, checked field by field on the way out.

Anything that is not exactly what `encode` writes decodes to None (the run then checks afresh): a cache
entry can never run code, and a damaged or planted one can only cost time.
"""

from __future__ import annotations

import base64
import json
from typing import List, Optional

from slimlint.findings import Edit, Finding, Fix, Position
from slimlint.file_units import Outcome

_FORMAT = 1


class _Bad(ValueError):
    pass


def encode(outcomes: List[Outcome]) -> bytes:
    return json.dumps({"format": _FORMAT, "outcomes": [_outcome(o) for o in outcomes]}).encode("ascii")


def decode(data: bytes, count: int) -> Optional[List[Outcome]]:
    try:
        doc = json.loads(data.decode("ascii"))
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
            return None
        items = doc.get("outcomes")
        if not isinstance(items, list) or len(items) != count:
            return None
        return [_read_outcome(item) for item in items]
    except (ValueError, UnicodeError, RecursionError, _Bad, TypeError, KeyError):
        return None


def _outcome(o: Outcome) -> dict:
    return {
        "findings": [_finding(f) for f in o.findings],
        "fixed": base64.b64encode(o.fixed).decode("ascii") if o.fixed is not None else None,
        "fixes_applied": o.fixes_applied,
        "error": o.error,
    }


def _finding(f: Finding) -> dict:
    return {
        "code": f.code, "name": f.name, "message": f.message, "path": f.path,
        "start": [f.start.line, f.start.column], "end": [f.end.line, f.end.column],
        "fix": None if f.fix is None else {
            "message": f.fix.message, "behaviour_change": f.fix.behaviour_change, "applicability": f.fix.applicability,
            "edits": [{"content": e.content, "start": [e.start.line, e.start.column], "end": [e.end.line, e.end.column]}
                      for e in f.fix.edits],
        },
        "noqa_row": f.noqa_row,
        "cell": f.cell,
    }


def _str(value, optional: bool = False):
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _Bad("not a string")
    return value


def _int(value, optional: bool = False):
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Bad("not an integer")
    return value


def _position(value) -> Position:
    if not isinstance(value, list) or len(value) != 2:
        raise _Bad("not a position")
    return Position(_int(value[0]), _int(value[1]))


def _read_outcome(item) -> Outcome:
    if not isinstance(item, dict) or not isinstance(item.get("findings"), list):
        raise _Bad("not an outcome")
    fixed = _str(item.get("fixed"), optional=True)
    return Outcome(
        findings=[_read_finding(f) for f in item["findings"]],
        fixed=base64.b64decode(fixed, validate=True) if fixed is not None else None,
        fixes_applied=_int(item.get("fixes_applied")),
        error=_str(item.get("error"), optional=True),
    )


def _read_finding(item) -> Finding:
    if not isinstance(item, dict):
        raise _Bad("not a finding")
    fix = item.get("fix")
    if fix is not None:
        if not isinstance(fix, dict) or not isinstance(fix.get("edits"), list):
            raise _Bad("not a fix")
        edits = []
        for e in fix["edits"]:
            if not isinstance(e, dict):
                raise _Bad("not an edit")
            edits.append(Edit(content=_str(e.get("content")), start=_position(e.get("start")), end=_position(e.get("end"))))
        fix = Fix(message=_str(fix.get("message")), behaviour_change=_str(fix.get("behaviour_change")),
                  edits=tuple(edits), applicability=_str(fix.get("applicability")))
    return Finding(
        code=_str(item.get("code")), name=_str(item.get("name")), message=_str(item.get("message")),
        path=_str(item.get("path")), start=_position(item.get("start")), end=_position(item.get("end")),
        fix=fix, noqa_row=_int(item.get("noqa_row"), optional=True), cell=_int(item.get("cell"), optional=True),
    )
