"""Each rule's own VALID / INVALID examples, and its generated reference page."""

from __future__ import annotations

from pathlib import Path

import pytest

from slimlint.api import findings_of, fix_tree, lint_tree
from slimlint.rules import ALL_RULES
from slimlint.rules.docs import render_page

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
    if case.expected is not None:
        fixed = fix_tree(tmp_path)
        assert fixed[case.path] == case.expected
        (tmp_path / case.path).write_text(fixed[case.path])
        assert fix_tree(tmp_path) == {}


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_every_rule_is_documented_and_has_examples(rule):
    for field in ("what_it_does", "why_bad", "example", "use_instead", "fix_safety", "summary", "name"):
        assert getattr(rule, field).strip(), field
    if rule.code != "SL900":
        assert rule.valid and rule.invalid
    # A rule that offers fixes says how they change behaviour; one that offers none says why not.
    fixes_offered = any(case.expected is not None for case in rule.invalid)
    if fixes_offered:
        assert rule.behaviour_change
    else:
        assert "No fix" in rule.fix_safety


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_reference_page_is_up_to_date(rule):
    page = ROOT / "rules" / f"{rule.code}.md"
    assert page.exists(), f"run `python -m slimlint.rules.docs` to write {page.name}"
    assert page.read_text() == render_page(rule), f"rules/{rule.code}.md is stale: run `python -m slimlint.rules.docs`"


def test_reference_index_is_up_to_date():
    from slimlint.rules.docs import render_index

    assert (ROOT / "rules" / "README.md").read_text() == render_index()


def test_the_light_code_list_matches_the_registry():
    from slimlint.codes import CODES
    from slimlint.rules import BY_CODE

    assert tuple(CODES) == tuple(BY_CODE)
