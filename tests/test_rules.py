"""Each rule's own VALID / INVALID examples, and its generated reference page."""

from __future__ import annotations

from pathlib import Path

import pytest

from slimlint.lint import findings_of, fix_tree, lint_tree
from slimlint.rules import ALL_RULES
from slimlint.rules import docs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [(r, "valid", i, c) for r in ALL_RULES for i, c in enumerate(r.valid)] + [
    (r, "invalid", i, c) for r in ALL_RULES for i, c in enumerate(r.invalid)
]


def _write(tmp_path: Path, case) -> Path:
    target = tmp_path / case.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(case.source)
    return target


@pytest.mark.parametrize("rule,kind,i,case", EXAMPLES, ids=lambda x: getattr(x, "code", str(x)))
def test_examples(rule, kind, i, case, tmp_path):
    _write(tmp_path, case)
    codes = [f.code for f in findings_of(lint_tree(tmp_path))]
    if kind == "valid":
        assert rule.code not in codes
        return
    assert codes.count(rule.code) == 1, codes
    [finding] = [f for f in findings_of(lint_tree(tmp_path)) if f.code == rule.code]
    for field, actual in (("line", finding.start.line), ("column", finding.start.column), ("message", finding.message)):
        expected = getattr(case, field)
        assert expected is None or actual == expected, f"{field}: {actual!r} != {expected!r}"
    if case.expected is not None:
        fixed = fix_tree(tmp_path)
        assert fixed[case.path] == case.expected
        (tmp_path / case.path).write_text(fixed[case.path])
        assert fix_tree(tmp_path) == {}


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_every_rule_is_documented_and_has_examples(rule):
    for field in ("what_it_does", "why_bad", "fix_safety", "summary", "name"):
        assert getattr(rule, field).strip(), field
    example, use_instead = rule.example_pair()
    assert example.strip() and use_instead.strip() and example != use_instead
    if rule.code != "SL900":
        assert rule.valid and rule.invalid
    # A rule that offers fixes says how they change behaviour; one that offers none says why not.
    fixes_offered = any(case.expected is not None for case in rule.invalid)
    if fixes_offered:
        assert rule.behaviour_change
    else:
        assert "No fix" in rule.fix_safety


@pytest.mark.parametrize("path", sorted(docs.outputs()), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_generated_files_are_up_to_date(path):
    """Rule pages, the rules index, README's rule table and slimlint/codes.py all come from the registry."""
    assert path.exists(), f"run `python -m slimlint.rules.docs` to write {path.name}"
    assert path.read_text() == docs.outputs()[path], f"{path.relative_to(ROOT)} is stale: run `python -m slimlint.rules.docs`"


def test_documented_examples_show_what_slimlint_reports():
    for rule in ALL_RULES:
        if rule.invalid:
            assert f" {rule.code} " in docs.example_report(rule), rule.code
