"""SARIF 2.1.0, in the subset GitHub code scanning reads.

Locations are relative to %SRCROOT% (the working directory, declared in originalUriBaseIds) with
forward slashes, so alerts match across runs and machines; a file outside it gets an absolute file URI.
Columns count code points (as LibCST and ruff do), declared with `columnKind`.  No
`partialFingerprints`: github/codeql-action's upload-sarif computes them from the source. In a notebook,
lines and columns are inside the finding's cell (as ruff's), which the message and `properties.cell` name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import slimlint
from slimlint.findings import RULE_DOCS_URL, Finding, Fix, Position

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/slimlint/slimlint"
SRCROOT = "%SRCROOT%"


class RuleMeta(Protocol):
    """What the SARIF rule table needs from a rule class (the registry's rules provide it)."""

    code: str
    name: str
    summary: str  # one line
    docs: str | Callable[[], str]  # markdown; slimlint's Rule classes make it a classmethod


def render(
    findings: Sequence[Finding],
    *,
    rules: Sequence[RuleMeta] = (),
    errors: Sequence[tuple[str, str]] = (),
    cwd: Path,
) -> str:
    return json.dumps(to_sarif(findings, rules=rules, errors=errors, cwd=cwd), indent=2, ensure_ascii=False) + "\n"


def to_sarif(
    findings: Sequence[Finding],
    *,
    rules: Sequence[RuleMeta] = (),
    errors: Sequence[tuple[str, str]] = (),
    cwd: Path,
) -> dict[str, Any]:
    descriptors = {r.code: _descriptor(r.code, r.name, r.summary, _docs(r)) for r in rules}
    for f in findings:  # a finding whose rule was not passed in still needs an entry for ruleIndex
        descriptors.setdefault(f.code, _descriptor(f.code, f.name, f.name, ""))
    codes = sorted(descriptors)
    index = {code: i for i, code in enumerate(codes)}
    base_uri = cwd.as_uri()
    if not base_uri.endswith("/"):  # a base URI must end with a slash ("file:///" already does)
        base_uri += "/"
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "slimlint",
                        "informationUri": INFORMATION_URI,
                        "version": slimlint.__version__,
                        "rules": [descriptors[c] for c in codes],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": base_uri}},
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": not errors,
                        "toolExecutionNotifications": [
                            {
                                "level": "error",
                                "message": {"text": message},
                                "locations": [{"physicalLocation": {"artifactLocation": artifact_location(path, cwd)}}],
                            }
                            for path, message in errors
                        ],
                    }
                ],
                "results": [_result(f, index[f.code], cwd) for f in findings],
            }
        ],
    }


def _docs(rule: RuleMeta) -> str:
    docs = rule.docs
    return docs() if callable(docs) else docs


def _descriptor(code: str, name: str, summary: str, docs: str) -> dict[str, Any]:
    docs = docs.strip() or summary
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": docs},
        "helpUri": RULE_DOCS_URL.format(code=code),
        "help": {"text": docs, "markdown": docs},
        "defaultConfiguration": {"level": "error"},
    }


def _result(finding: Finding, rule_index: int, cwd: Path) -> dict[str, Any]:
    artifact = artifact_location(finding.path, cwd)
    message = finding.message if finding.cell is None else f"cell {finding.cell}: {finding.message}"
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": message},
        "locations": [
            {"physicalLocation": {"artifactLocation": artifact, "region": region(finding.start, finding.end)}}
        ],
    }
    if finding.cell is not None:
        # A notebook: regions are inside the cell (as ruff's), the cell is named in the message and here.
        result["properties"] = {"cell": finding.cell}
    fix = finding.fix
    if fix is not None:
        # GitHub shows only the message, so the behaviour change goes there too.
        described = _describe_fix(fix)
        result["message"]["text"] = f"{message} (fix: {described})"
        result["fixes"] = [
            {
                "description": {"text": described},
                "artifactChanges": [
                    {
                        "artifactLocation": artifact,
                        "replacements": [
                            {"deletedRegion": region(e.start, e.end), "insertedContent": {"text": e.content}}
                            for e in fix.edits
                        ],
                    }
                ],
                "properties": {"applicability": fix.applicability, "behaviourChange": fix.behaviour_change},
            }
        ]
    return result


def _describe_fix(fix: Fix) -> str:
    return f"{fix.message}; behaviour change: {fix.behaviour_change}" if fix.behaviour_change else fix.message


def region(start: Position, end: Position) -> dict[str, int]:
    # SARIF's endColumn is one past the last character, like Position ends.
    return {"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column}


def artifact_location(path: str, cwd: Path) -> dict[str, str]:
    absolute = os.path.normpath(os.path.join(cwd, path))
    try:
        relative = os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows
        relative = os.pardir
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return {"uri": Path(absolute).as_uri()}
    # Quoted from the file name's bytes: a name that is not UTF-8 (surrogate-escaped by the OS layer) stays
    # lossless as %XX escapes instead of failing to encode.
    return {"uri": quote(os.fsencode(Path(relative).as_posix()), safe="/"), "uriBaseId": SRCROOT}
