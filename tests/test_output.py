"""Output formats: text, ruff-shaped JSON, GitHub annotations, SARIF 2.1.0, statistics."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slimlint.findings import Edit, Finding, Fix, Position
from slimlint.output import FORMATS, render
from slimlint.output import github as gh
from slimlint.output import sarif as sarif_mod
from slimlint.output import text as text_mod


def _fix(change: str = "moving mean/variance now update every step", applicability: str = "safe") -> Fix:
    return Fix(
        message="Wrap the train op in control_dependencies(UPDATE_OPS)",
        behaviour_change=change,
        edits=(Edit("with tf.control_dependencies(u):\n    ", Position(7, 1), Position(7, 1)),),
        applicability=applicability,
    )


def _finding(code="SL101", path="train.py", line=7, col=5, fix=None, message="train op ignores UPDATE_OPS", **kw):
    names = {"SL101": "missing-update-ops", "SL201": "training-mode-in-eval", "SL900": "syntax-error"}
    return Finding(
        code=code,
        name=names.get(code, "some-rule"),
        message=message,
        path=path,
        start=Position(line, col),
        end=Position(line, col + 10),
        fix=fix,
        **kw,
    )


@dataclass
class Rule:
    code: str
    name: str
    summary: str
    docs: str


RULES = [
    Rule("SL201", "training-mode-in-eval", "is_training=True in evaluation code", "## What it does\nFinds..."),
    Rule("SL101", "missing-update-ops", "Batch-norm update ops never run", "## What it does\nChecks..."),
]


# -- text -----------------------------------------------------------------------------------------


def test_text_lines_and_summary():
    findings = [
        _finding("SL201", path="eval.py", line=3, col=9),
        _finding("SL101", fix=_fix()),
    ]
    out = render(findings, "concise")
    assert out.splitlines() == [
        "eval.py:3:9: SL201 train op ignores UPDATE_OPS",
        "train.py:7:5: SL101 [*] train op ignores UPDATE_OPS",
        "Found 2 errors.",
        "[*] 1 fixable with the `--fix` option "
        "(fixes change the model's runtime behaviour; review them with `--diff`).",
    ]
    assert out.endswith("\n")


def test_full_text_shows_the_source_line_the_fix_and_its_behaviour_change(tmp_path):
    """ruff's `full` format: the line, a caret under the finding, `= help:` and a note; the lines stay short."""
    (tmp_path / "train.py").write_text("import tensorflow as tf\n" * 6 + "    op = opt.minimize(loss)\x1b[2J\n")
    found = _finding(line=7, col=10, fix=_fix(applicability="unsafe"))
    out = render([found], "text", cwd=tmp_path)
    assert out.splitlines()[:7] == [
        "train.py:7:10: SL101 train op ignores UPDATE_OPS",
        "  |",
        "7 |     op = opt.minimize(loss)\\x1b[2J",
        "  |          ^^^^^^^^^^ SL101",
        "  |",
        "  = help: Wrap the train op in control_dependencies(UPDATE_OPS) (unsafe fix: --unsafe-fixes)",
        "  = note: behaviour change: moving mean/variance now update every step",
    ]
    assert "\x1b" not in out
    assert max(len(line) for line in out.splitlines()) < 120
    assert render([found], "text", cwd=tmp_path / "elsewhere").splitlines()[1].startswith("  = help:"), "no file: no snippet"


def test_text_marker_only_when_fixable():
    line = text_mod.format_finding(_finding())
    assert "[*]" not in line and "behaviour change" not in line
    assert "[*]" in text_mod.format_finding(_finding(fix=_fix()))


def test_unsafe_fixes_are_marked_and_counted_as_ruff_does():
    unsafe = _finding(fix=_fix(applicability="unsafe"))
    assert "[*]" not in text_mod.format_finding(unsafe), "--fix alone would not apply it"
    assert "[*]" in text_mod.format_finding(unsafe, unsafe_fixes=True)
    summary = render([unsafe, _finding(line=9, fix=_fix(applicability="unsafe"))], "text").splitlines()[-1]
    assert summary == "No fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option)."
    mixed = render([unsafe, _finding(line=9, fix=_fix())], "text").splitlines()[-1]
    assert mixed.startswith("[*] 1 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option)")
    enabled = render([unsafe], "text", unsafe_fixes=True).splitlines()[-1]
    assert enabled.startswith("[*] 1 fixable with the `--fix` option (fixes change")


def test_text_fix_without_behaviour_note():
    assert text_mod.format_finding(_finding(fix=_fix(change=""))).endswith("[*] train op ignores UPDATE_OPS")


def test_text_all_checks_passed():
    assert render([], "text") == "All checks passed!\n"


def test_text_singular():
    assert "Found 1 error.\n" in render([_finding()], "text")


def test_text_fixed_counts():
    out = render([_finding(), _finding(line=9)], "text", fixed_count=1)
    assert "Found 3 errors (1 fixed, 2 remaining)." in out
    assert "fixable" not in out


def test_text_everything_fixed():
    assert render([], "text", fixed_count=2) == "Found 2 errors (2 fixed, 0 remaining).\n"


def test_text_remaining_fixable_override():
    out = render([_finding(fix=_fix())], "text", remaining_fixable=0)
    assert "fixable" not in out.splitlines()[-1]
    out = render([_finding()], "text", remaining_fixable=4)
    assert out.splitlines()[-1].startswith("[*] 4 fixable with the `--fix` option")


def test_text_errors_listed_and_no_false_all_passed():
    out = render([], "text", errors=[("missing.py", "No such file or directory")])
    assert out.splitlines() == [
        "missing.py: error: No such file or directory",
        "No errors found, but 1 path could not be checked.",
    ]
    out = render([_finding()], "concise", errors=[("a", "x"), ("b", "y")])
    assert out.splitlines()[1:3] == ["a: error: x", "b: error: y"]
    assert out.splitlines()[-1] == "Found 1 error."


def test_text_one_line_per_finding_even_with_newlines_in_message():
    out = render([_finding(message="first\nsecond", fix=_fix(change="a\nb"))], "text")
    assert out.splitlines()[0] == "train.py:7:5: SL101 [*] first second"
    assert "  = note: behaviour change: a b" in out.splitlines()


def test_findings_sorted():
    findings = [_finding(path="b.py"), _finding(path="a.py", line=9), _finding(path="a.py", line=2)]
    lines = render(findings, "concise").splitlines()[:3]
    assert [ln.split(":")[0] + ":" + ln.split(":")[1] for ln in lines] == ["a.py:2", "a.py:9", "b.py:7"]


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render([], "xml")
    assert FORMATS == ("text", "concise", "json", "github", "sarif")


# -- json -----------------------------------------------------------------------------------------


def test_json_shape(tmp_path):
    findings = [_finding(fix=_fix(), noqa_row=6), _finding("SL201", path="sub/eval.py", line=2, col=1)]
    data = json.loads(render(findings, "json", cwd=tmp_path))
    assert isinstance(data, list) and len(data) == 2
    fixed, plain = sorted(data, key=lambda d: d["code"])
    assert fixed == {
        "cell": None,
        "code": "SL101",
        "end_location": {"column": 15, "row": 7},
        "filename": str(tmp_path / "train.py"),
        "fix": {
            "applicability": "safe",
            "behaviour_change": "moving mean/variance now update every step",
            "edits": [
                {
                    "content": "with tf.control_dependencies(u):\n    ",
                    "end_location": {"column": 1, "row": 7},
                    "location": {"column": 1, "row": 7},
                }
            ],
            "message": "Wrap the train op in control_dependencies(UPDATE_OPS)",
        },
        "location": {"column": 5, "row": 7},
        "message": "train op ignores UPDATE_OPS",
        "name": "missing-update-ops",
        "noqa_row": 6,
        "severity": "error",
        "url": "https://github.com/slimlint/slimlint/blob/main/rules/SL101.md",
    }
    assert plain["fix"] is None
    assert plain["noqa_row"] == 2  # defaults to the reported line
    assert plain["filename"] == str(tmp_path / "sub" / "eval.py")


def test_json_empty_is_empty_list():
    assert json.loads(render([], "json")) == []


def test_json_absolute_path_kept(tmp_path):
    data = json.loads(render([_finding(path=str(tmp_path / "x.py"))], "json", cwd="/"))
    assert data[0]["filename"] == str(tmp_path / "x.py")


def _key_tree(value):
    """The set of key paths in a JSON value (list items merged)."""
    paths = set()

    def walk(v, prefix):
        if isinstance(v, dict):
            for k, sub in v.items():
                paths.add(prefix + k)
                walk(sub, prefix + k + ".")
        elif isinstance(v, list):
            for item in v:
                walk(item, prefix + "[].")

    walk(value, "")
    return paths


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff not installed")
def test_json_keys_match_ruff(tmp_path):
    # Ask ruff itself for a finding with a fix and compare the key layout with ours.
    (tmp_path / "a.py").write_text("import os\n")
    proc = subprocess.run(
        ["ruff", "check", "--isolated", "--select", "F401", "--output-format", "json", "a.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    ruff_data = json.loads(proc.stdout)
    ours = json.loads(render([_finding(fix=_fix())], "json", cwd=tmp_path))
    assert _key_tree(ours) - _key_tree(ruff_data) == {"[].fix.behaviour_change"}
    assert _key_tree(ruff_data) <= _key_tree(ours)
    # Same types for shared scalar fields.
    for key in ("code", "filename", "message", "name", "url"):
        assert isinstance(ours[0][key], str)
    assert isinstance(ours[0]["noqa_row"], int)
    assert Path(ours[0]["filename"]).is_absolute() and Path(ruff_data[0]["filename"]).is_absolute()
    # ruff prints keys sorted; so do we.
    assert list(ours[0]) == sorted(ours[0])


# -- github ---------------------------------------------------------------------------------------


def test_github_annotation():
    out = render([_finding("SL201", path="eval.py", line=3, col=9)], "github")
    assert out == (
        "::error file=eval.py,line=3,col=9,endLine=3,endColumn=19,title=SL201"
        "::SL201 train op ignores UPDATE_OPS\n"
    )


def test_github_fix_note_is_escaped_into_one_line():
    out = render([_finding(fix=_fix())], "github")
    assert out.count("\n") == 1
    assert out.rstrip("\n").endswith(
        "::SL101 train op ignores UPDATE_OPS%0A  fix: Wrap the train op in control_dependencies(UPDATE_OPS)"
        " (behaviour change: moving mean/variance now update every step)"
    )


def test_github_escapes_properties_and_message():
    finding = _finding(path="dir,x/a:b%.py", message="100% broken\r\nreally")
    out = render([finding], "github")
    assert "file=dir%2Cx/a%3Ab%25.py," in out
    assert out.rstrip("\n").endswith("::SL101 100%25 broken%0D%0Areally")


def test_github_windows_path_uses_forward_slashes():
    assert "file=pkg/eval.py," in render([_finding(path="pkg\\eval.py")], "github")


def test_github_errors():
    assert (
        render([], "github", errors=[("a,b.py", "cannot read")])
        == "::error file=a%2Cb.py,title=slimlint::cannot read\n"
    )
    assert render([], "github") == ""


def _unescape(value: str) -> str:
    # The runner's decoding (actions/runner ActionCommand.cs): %25 last.
    for token, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(token, char)
    return value


@given(st.text())
def test_github_escaping_round_trips(value):
    prop = gh.escape_property(value)
    assert not set(prop) & {",", ":", "\r", "\n"}
    assert _unescape(prop) == value
    data = gh.escape_data(value)
    assert not set(data) & {"\r", "\n"}
    assert _unescape(data) == value


def test_github_command_is_parseable():
    line = gh.format_finding(_finding(path="a, b.py", fix=_fix()))
    m = re.fullmatch(r"::error (?P<props>[^:]*)::(?P<msg>.*)", line)
    assert m, line
    props = dict(p.split("=", 1) for p in m.group("props").split(","))
    assert _unescape(props["file"]) == "a, b.py"
    assert props["line"] == "7" and props["endColumn"] == "15"


# -- sarif ----------------------------------------------------------------------------------------

SARIF_LEVELS = {"none", "note", "warning", "error"}


def _check_region(region):
    for key in ("startLine", "startColumn", "endLine", "endColumn"):
        assert isinstance(region[key], int) and region[key] >= 1, key
    assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])


def _check_artifact(loc):
    assert isinstance(loc["uri"], str) and loc["uri"]
    assert "\\" not in loc["uri"] and " " not in loc["uri"]
    if "uriBaseId" in loc:
        assert loc["uriBaseId"] == "%SRCROOT%"
        assert not loc["uri"].startswith(("/", "file:"))
    else:
        assert loc["uri"].startswith("file:///")


def validate_sarif(doc):
    """Structural checks of what SARIF 2.1.0 requires and GitHub code scanning reads."""
    assert set(doc) >= {"$schema", "version", "runs"}
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].startswith("https://") and "sarif" in doc["$schema"] and "2.1.0" in doc["$schema"]
    assert isinstance(doc["runs"], list) and len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "slimlint"
    assert driver["informationUri"].startswith("https://")
    assert isinstance(driver["version"], str)
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert isinstance(rule["id"], str) and isinstance(rule["name"], str)
        for key in ("shortDescription", "fullDescription"):
            assert isinstance(rule[key]["text"], str) and rule[key]["text"]
        assert isinstance(rule["help"]["text"], str) and isinstance(rule["help"]["markdown"], str)
        assert rule["helpUri"].startswith("https://")
        assert rule["defaultConfiguration"]["level"] in SARIF_LEVELS
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    assert run["columnKind"] in ("unicodeCodePoints", "utf16CodeUnits")
    for invocation in run["invocations"]:
        assert isinstance(invocation["executionSuccessful"], bool)
        for note in invocation["toolExecutionNotifications"]:
            assert note["level"] in SARIF_LEVELS and isinstance(note["message"]["text"], str)
    assert isinstance(run["results"], list)
    for result in run["results"]:
        assert isinstance(result["ruleId"], str)
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in SARIF_LEVELS
        assert isinstance(result["message"]["text"], str) and result["message"]["text"]
        assert 1 <= len(result["locations"]) <= 10  # GitHub reads at most ten
        for location in result["locations"]:
            physical = location["physicalLocation"]
            _check_artifact(physical["artifactLocation"])
            _check_region(physical["region"])
        for fix in result.get("fixes", []):
            assert isinstance(fix["description"]["text"], str)
            for change in fix["artifactChanges"]:
                _check_artifact(change["artifactLocation"])
                for replacement in change["replacements"]:
                    _check_region(replacement["deletedRegion"])
                    assert isinstance(replacement["insertedContent"]["text"], str)


def test_sarif_structure(tmp_path):
    findings = [
        _finding(fix=_fix(), path="train.py"),
        _finding("SL201", path="sub dir/eval.py", line=2, col=1),
        _finding("SL900", path="py2/old.py", line=1, col=1, message="cannot parse"),  # rule not passed in
    ]
    doc = json.loads(render(findings, "sarif", rules=RULES, cwd=tmp_path))
    validate_sarif(doc)
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["SL101", "SL201", "SL900"]
    sl101 = run["tool"]["driver"]["rules"][0]
    assert sl101["shortDescription"]["text"] == "Batch-norm update ops never run"
    assert sl101["help"]["markdown"].startswith("## What it does")
    assert sl101["helpUri"].endswith("/rules/SL101.md")
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    assert uris == ["py2/old.py", "sub%20dir/eval.py", "train.py"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_fix_and_behaviour_change(tmp_path):
    doc = json.loads(render([_finding(fix=_fix())], "sarif", rules=RULES, cwd=tmp_path))
    result = doc["runs"][0]["results"][0]
    assert "behaviour change: moving mean/variance now update every step" in result["message"]["text"]
    (fix,) = result["fixes"]
    assert fix["properties"] == {
        "applicability": "safe",
        "behaviourChange": "moving mean/variance now update every step",
    }
    (replacement,) = fix["artifactChanges"][0]["replacements"]
    assert replacement["deletedRegion"] == {"startLine": 7, "startColumn": 1, "endLine": 7, "endColumn": 1}
    assert replacement["insertedContent"]["text"].startswith("with tf.control_dependencies")


def test_sarif_paths_relative_with_forward_slashes(tmp_path):
    findings = [
        _finding(path=str(tmp_path / "pkg" / "a.py")),  # absolute but inside cwd
        _finding(path="pkg/../pkg/b.py"),
        _finding(path="/elsewhere/c.py"),  # outside cwd: an absolute file URI
    ]
    doc = json.loads(render(findings, "sarif", cwd=tmp_path))
    validate_sarif(doc)
    locs = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in doc["runs"][0]["results"]]
    assert locs == [
        {"uri": "file:///elsewhere/c.py"},
        {"uri": "pkg/a.py", "uriBaseId": "%SRCROOT%"},
        {"uri": "pkg/b.py", "uriBaseId": "%SRCROOT%"},
    ]


def test_sarif_errors_become_notifications(tmp_path):
    doc = json.loads(render([], "sarif", cwd=tmp_path, errors=[("gone.py", "No such file or directory")]))
    validate_sarif(doc)
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["message"]["text"] == "No such file or directory"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "gone.py"


def test_sarif_empty_run_lists_rules(tmp_path):
    doc = json.loads(render([], "sarif", rules=RULES, cwd=tmp_path))
    validate_sarif(doc)
    assert doc["runs"][0]["results"] == []
    assert len(doc["runs"][0]["tool"]["driver"]["rules"]) == 2


def test_sarif_rule_meta_protocol_is_structural():
    # Any object with the four attributes will do; the lead's rule classes need no base class.
    class R:
        code, name, summary, docs = "SL101", "missing-update-ops", "one line", ""

    doc = sarif_mod.to_sarif([], rules=[R()], cwd=Path("/"))
    (rule,) = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rule["fullDescription"]["text"] == "one line"  # empty docs fall back to the summary


def test_sarif_accepts_rule_classes_with_docs_classmethod():
    # slimlint.rules.base.Rule generates its page in a classmethod `docs()`.
    class SL101:
        code, name, summary = "SL101", "missing-update-ops", "one line"

        @classmethod
        def docs(cls) -> str:
            return "# SL101 missing-update-ops\n\n## What it does\n"

    doc = sarif_mod.to_sarif([_finding()], rules=[SL101], cwd=Path("/"))
    validate_sarif(doc)
    (rule,) = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rule["help"]["markdown"].startswith("# SL101 missing-update-ops")


# -- statistics -----------------------------------------------------------------------------------


def test_statistics_text():
    findings = [_finding("SL201", line=i) for i in range(1, 12)] + [_finding(fix=_fix()), _finding(line=99)]
    lines = render(findings, "text", statistics=True).splitlines()
    assert lines[:2] == [
        "11\tSL201\t[ ] training-mode-in-eval",
        " 2\tSL101\t[*] missing-update-ops",
    ]
    assert lines[2] == "Found 13 errors."
    assert lines[3].startswith("[*] 1 fixable")


def test_statistics_ties_sorted_by_code():
    lines = render([_finding("SL201"), _finding("SL101")], "text", statistics=True).splitlines()
    assert [ln.split("\t")[1] for ln in lines[:2]] == ["SL101", "SL201"]


def test_statistics_json():
    data = json.loads(render([_finding(fix=_fix()), _finding()], "json", statistics=True))
    assert data == [{"code": "SL101", "name": "missing-update-ops", "count": 2, "fixable": True, "fixable_count": 1}]


def test_statistics_empty():
    assert render([], "text", statistics=True) == "All checks passed!\n"
