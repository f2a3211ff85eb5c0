"""The command-line contract of DESIGN.md ("User-facing contract"), through click's CliRunner."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import textwrap

import pytest

from tests.support.cli import run_cli, run_subprocess

SL101_SRC = textwrap.dedent(
    """\
    import tensorflow as tf

    net = tf.layers.batch_normalization(images, training=True)
    loss = tf.reduce_mean(net)
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
    """
)
SL102_SRC = textwrap.dedent(
    """\
    import tensorflow as tf
    import tensorflow.contrib.slim as slim

    net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm)
    loss = tf.reduce_mean(net)
    optimizer = tf.train.AdamOptimizer(0.01)
    train_op = optimizer.minimize(loss, global_step=global_step)
    """
)
SL201_SRC = textwrap.dedent(
    """\
    import tensorflow.contrib.slim as slim

    net = slim.batch_norm(images, is_training=True)
    """
)
CLEAN_SRC = textwrap.dedent(
    """\
    import tensorflow as tf

    net = tf.layers.batch_normalization(images, training=True)
    loss = tf.reduce_mean(net)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
    """
)
RUFF_KEYS = {"code", "message", "filename", "location", "end_location", "noqa_row", "url", "fix"}


@pytest.fixture
def project(tmp_path):
    (tmp_path / "train.py").write_text(SL101_SRC)
    (tmp_path / "slim_train.py").write_text(SL102_SRC)
    (tmp_path / "eval.py").write_text(SL201_SRC)
    return tmp_path


def codes(stdout: str):
    return sorted(re.findall(r"^\S+:\d+:\d+: (SL\d+)", stdout, re.MULTILINE))


# --- check ----------------------------------------------------------------------------------------


def test_check_reports_and_exits_1(project):
    run = run_cli(["--no-cache", "."], project)
    assert run.code == 1
    assert codes(run.stdout) == ["SL101", "SL102", "SL201"]
    # These fixes are unsafe: no `[*]` (--fix alone would not apply them), the summary says how to opt in.
    assert re.search(r"^train\.py:5:12: SL101 `minimize`", run.stdout, re.MULTILINE), run.stdout
    assert re.search(r"^eval\.py:3:\d+: SL201 Batch norm", run.stdout, re.MULTILINE)
    assert "Found 3 errors." in run.stdout
    assert "No fixes available (3 hidden fixes can be enabled with the `--unsafe-fixes` option)." in run.stdout
    assert "[*]" in run_cli(["--no-cache", "--unsafe-fixes", "."], project).stdout


SL104_SRC = textwrap.dedent(
    """\
    import tensorflow as tf

    net = tf.layers.batch_normalization(images, training=True)
    loss = tf.reduce_mean(net)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
    """
)


def test_fix_applies_safe_fixes_only_and_unsafe_fixes_applies_the_rest(tmp_path):
    """ruff's contract: --fix applies the fixes the JSON calls "safe"; --unsafe-fixes (or the config key) the rest."""
    (tmp_path / "collected.py").write_text(SL104_SRC)  # SL104: collected, never wired (safe)
    (tmp_path / "train.py").write_text(SL101_SRC)  # SL101: nothing says the author meant it (unsafe)
    listed = {f["code"]: f["fix"]["applicability"] for f in json.loads(run_cli(["--no-cache", "--output-format", "json", "."], tmp_path).stdout)}
    assert listed == {"SL104": "safe", "SL101": "unsafe"}
    run = run_cli(["--no-cache", "--fix", "--show-fixes", "."], tmp_path)
    assert run.code == 1
    assert "control_dependencies(update_ops)" in (tmp_path / "collected.py").read_text()
    assert (tmp_path / "train.py").read_text() == SL101_SRC
    assert "Fixed 1 error:\n- collected.py:\n    1 \u00d7 SL104\n" in run.stdout
    assert "1 hidden fix can be enabled with the `--unsafe-fixes` option" in run.stdout
    (tmp_path / "pyproject.toml").write_text("[tool.slimlint]\nunsafe-fixes = true\n")
    again = run_cli(["--no-cache", "--fix", "."], tmp_path)
    assert again.code == 0 and (tmp_path / "train.py").read_text() != SL101_SRC


def test_check_is_the_default_command(project):
    assert run_cli(["check", "--no-cache", "."], project).stdout == run_cli(["--no-cache", "."], project).stdout


def test_check_default_path_is_cwd(project):
    run = run_cli(["--no-cache"], project)
    assert run.code == 1
    assert codes(run.stdout) == ["SL101", "SL102", "SL201"]


def test_clean_tree_exits_0(tmp_path):
    (tmp_path / "train.py").write_text(CLEAN_SRC)
    run = run_cli(["--no-cache", "."], tmp_path)
    assert run.code == 0
    assert "All checks passed" in run.stdout


def test_check_does_not_write(project):
    before = {p.name: p.read_bytes() for p in project.iterdir() if p.is_file()}
    run_cli(["--no-cache", "."], project)
    assert {p.name: p.read_bytes() for p in project.iterdir() if p.is_file()} == before


# --- fix / diff -----------------------------------------------------------------------------------------


def test_fix_rewrites_and_exits_0(project):
    run = run_cli(["--no-cache", "--fix", "--unsafe-fixes", "."], project)
    assert run.code == 0, run.stdout + run.stderr
    assert "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n    train_op = " in (project / "train.py").read_text()
    assert "slim.learning.create_train_op(loss, optimizer, global_step=global_step)" in (project / "slim_train.py").read_text()
    assert "is_training=False" in (project / "eval.py").read_text()
    again = run_cli(["--no-cache", "."], project)
    assert again.code == 0, again.stdout


def test_fix_exit_non_zero_on_fix(project):
    run = run_cli(["--no-cache", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix", "."], project)
    assert run.code == 1
    run = run_cli(["--no-cache", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix", "."], project)  # nothing left to fix
    assert run.code == 0


def test_fix_leaves_unfixable_findings_and_exits_1(tmp_path):
    (tmp_path / "legacy.py").write_text('import tensorflow as tf\nprint "x"\nprint("y", end="")\n')
    (tmp_path / "train.py").write_text(SL101_SRC)
    run = run_cli(["--no-cache", "--no-prefilter", "--fix", "--unsafe-fixes", "."], tmp_path)
    assert run.code == 1
    assert codes(run.stdout) == ["SL900"]


def test_diff_writes_nothing(project):
    before = {p.name: p.read_bytes() for p in project.iterdir()}
    run = run_cli(["--no-cache", "--diff", "--unsafe-fixes", "."], project)
    assert run.code == 1
    assert "--- a/train.py" in run.stdout and "+++ b/train.py" in run.stdout
    assert "+    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)" in run.stdout
    assert {p.name: p.read_bytes() for p in project.iterdir()} == before


def test_diff_of_a_file_without_a_final_newline_applies_as_a_patch(tmp_path):
    src = SL101_SRC.rstrip("\n")
    (tmp_path / "train.py").write_text(src)
    run = run_cli(["--no-cache", "--diff", "--unsafe-fixes", "."], tmp_path)
    assert run.code == 1 and run.stdout.count("\\ No newline at end of file\n") == 2
    patched = subprocess.run(["git", "apply", "--check", "-"], input=run.stdout, text=True, cwd=tmp_path,
                             capture_output=True)
    assert patched.returncode == 0, patched.stdout + patched.stderr


def test_diff_on_clean_tree(tmp_path):
    (tmp_path / "train.py").write_text(CLEAN_SRC)
    run = run_cli(["--no-cache", "--diff", "--unsafe-fixes", "."], tmp_path)
    assert run.code == 0
    assert run.stdout == ""


# --- selection -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, expected",
    [
        # With SL102 off, the slim train op falls back to SL101's form (SL101 and SL102 never both fire).
        (["--select", "SL101"], ["SL101", "SL101"]),
        (["--select", "SL2"], ["SL201"]),
        (["--select", "SL101,SL201"], ["SL101", "SL101", "SL201"]),
        (["--select", "SL101", "--extend-select", "SL201"], ["SL101", "SL101", "SL201"]),
        (["--ignore", "SL201"], ["SL101", "SL102"]),
        (["--ignore", "SL1"], ["SL201"]),
        (["--select", "SL1", "--ignore", "SL102"], ["SL101", "SL101"]),
        (["--select", "ALL"], ["SL101", "SL102", "SL201"]),
    ],
)
def test_selection(project, args, expected):
    run = run_cli(["--no-cache", *args, "."], project)
    assert codes(run.stdout) == expected, run.stdout
    assert run.code == (1 if expected else 0)


def test_ignoring_sl102_gives_sl101_form(project):
    """SL101 and SL102 never both fire; with SL102 off, the slim train op gets SL101's form."""
    run = run_cli(["--no-cache", "--ignore", "SL102", "slim_train.py"], project)
    assert codes(run.stdout) == ["SL101"]


def test_train_op_fix_option(project):
    run = run_cli(["--no-cache", "--train-op-fix", "control-dependencies", "slim_train.py"], project)
    assert codes(run.stdout) == ["SL101"]


def test_exit_zero(project):
    run = run_cli(["--no-cache", "--exit-zero", "."], project)
    assert run.code == 0
    assert codes(run.stdout) == ["SL101", "SL102", "SL201"]


def test_statistics(project):
    run = run_cli(["--no-cache", "--statistics", "."], project)
    assert run.code == 1
    for code in ("SL101", "SL102", "SL201"):
        assert re.search(rf"^\s*1\s+{code}\b", run.stdout, re.MULTILINE), run.stdout
    assert not re.search(r"^\S+:\d+:\d+:", run.stdout, re.MULTILINE)
    js = run_cli(["--no-cache", "--statistics", "--output-format", "json", "."], project)
    data = json.loads(js.stdout)
    assert {d["code"] for d in data} == {"SL101", "SL102", "SL201"}


# --- output formats ---------------------------------------------------------------------------------


def test_json_output(project):
    run = run_cli(["--no-cache", "--output-format", "json", "."], project)
    assert run.code == 1
    data = json.loads(run.stdout)
    assert len(data) == 3
    for item in data:
        assert RUFF_KEYS <= set(item), item.keys()
        assert os.path.isabs(item["filename"])
        for key in ("location", "end_location"):
            assert set(item[key]) == {"row", "column"} and item[key]["row"] >= 1 and item[key]["column"] >= 1
        assert item["fix"]["applicability"] in ("safe", "unsafe", "display-only")
        assert item["fix"]["message"]
        assert item["fix"]["edits"], item
        for edit in item["fix"]["edits"]:
            assert {"content", "location", "end_location"} <= set(edit)
    sl101 = next(i for i in data if i["code"] == "SL101")
    assert sl101["location"] == {"row": 5, "column": 12}
    assert sl101["noqa_row"] == 5


def test_json_edits_reproduce_the_fix(project):
    """Applying the JSON edit gives exactly what --fix writes."""
    data = json.loads(run_cli(["--no-cache", "--output-format", "json", "train.py"], project).stdout)
    [item] = data
    [edit] = item["fix"]["edits"]
    lines = SL101_SRC.splitlines(True)
    start, end = edit["location"], edit["end_location"]
    before = "".join(lines[: start["row"] - 1]) + lines[start["row"] - 1][: start["column"] - 1]
    after = lines[end["row"] - 1][end["column"] - 1:] if end["row"] - 1 < len(lines) else ""
    after += "".join(lines[end["row"]:])
    patched = before + edit["content"] + after
    run_cli(["--no-cache", "--fix", "--unsafe-fixes", "train.py"], project)
    assert patched == (project / "train.py").read_text()


def test_json_empty(tmp_path):
    (tmp_path / "train.py").write_text(CLEAN_SRC)
    run = run_cli(["--no-cache", "--output-format", "json", "."], tmp_path)
    assert run.code == 0
    assert json.loads(run.stdout) == []


def test_sarif_output(project):
    run = run_cli(["--no-cache", "--output-format", "sarif", "."], project)
    assert run.code == 1
    doc = json.loads(run.stdout)
    assert doc["version"] == "2.1.0"
    [sarif_run] = doc["runs"]
    assert sarif_run["tool"]["driver"]["name"] == "slimlint"
    rule_ids = {r["id"] for r in sarif_run["tool"]["driver"]["rules"]}
    assert {"SL101", "SL102", "SL201"} <= rule_ids
    results = sarif_run["results"]
    assert sorted(r["ruleId"] for r in results) == ["SL101", "SL102", "SL201"]
    for r in results:
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_github_output(project):
    run = run_cli(["--no-cache", "--output-format", "github", "."], project)
    assert run.code == 1
    lines = [l for l in run.stdout.splitlines() if l.strip()]
    assert len(lines) == 3
    for line in lines:
        assert line.startswith("::error "), line
    # Workflow-command properties may come in any order (GitHub parses them by name).
    props = []
    for line in lines:
        head, _, message = line[len("::error "):].partition("::")
        props.append((dict(kv.split("=", 1) for kv in head.split(",")), message))
    sl101 = [p for p, m in props if p.get("file") == "train.py" and "SL101" in p.get("title", "")]
    assert sl101 and sl101[0]["line"] == "5" and sl101[0]["col"] == "12", props


def test_text_output_has_behaviour_change_note(project):
    run = run_cli(["--no-cache", "train.py"], project)
    assert "behaviour change" in run.stdout


# --- suppression -------------------------------------------------------------------------------------


@pytest.mark.parametrize("comment, silenced", [
    ("  # noqa: SL101", True),
    ("  # noqa:SL101", True),
    ("  # noqa: SL102,SL101", True),
    ("  # noqa", True),
    ("  # NOQA", True),
    ("  # noqa: SL201", False),
])
def test_noqa_on_reported_line(tmp_path, comment, silenced):
    src = SL101_SRC.replace("minimize(loss)\n", f"minimize(loss){comment}\n")
    (tmp_path / "train.py").write_text(src)
    run = run_cli(["--no-cache", "--ignore", "SL901", "."], tmp_path)  # unused codes: tests/test_noqa.py
    assert (codes(run.stdout) == []) == silenced, run.stdout
    assert run.code == (0 if silenced else 1)
    fix = run_cli(["--no-cache", "--fix", "--unsafe-fixes", "."], tmp_path)
    assert ((tmp_path / "train.py").read_text() == src) == silenced, fix.stdout


def test_noqa_on_another_line_does_not_silence(tmp_path):
    src = SL101_SRC.replace("loss = tf.reduce_mean(net)\n", "loss = tf.reduce_mean(net)  # noqa: SL101\n")
    (tmp_path / "train.py").write_text(src)
    # SL101 is reported where it is, and the misplaced comment is an unused noqa code (SL901).
    assert codes(run_cli(["--no-cache", "."], tmp_path).stdout) == ["SL101", "SL901"]


def test_file_level_noqa(tmp_path):
    (tmp_path / "train.py").write_text("# slimlint: noqa\n" + SL101_SRC)
    run = run_cli(["--no-cache", "."], tmp_path)
    assert run.code == 0
    run_cli(["--no-cache", "--fix", "--unsafe-fixes", "."], tmp_path)
    assert (tmp_path / "train.py").read_text() == "# slimlint: noqa\n" + SL101_SRC


# --- configuration -----------------------------------------------------------------------------------


def test_per_file_ignores(project):
    (project / "pyproject.toml").write_text('[tool.slimlint]\nper-file-ignores = { "eval.py" = ["SL201"], "slim_*.py" = ["SL1"] }\n')
    run = run_cli(["--no-cache", "."], project)
    assert codes(run.stdout) == ["SL101"]


def test_pyproject_select_and_command_line_wins(project):
    (project / "pyproject.toml").write_text('[tool.slimlint]\nselect = ["SL201"]\n')
    assert codes(run_cli(["--no-cache", "."], project).stdout) == ["SL201"]
    assert codes(run_cli(["--no-cache", "--select", "SL101", "."], project).stdout) == ["SL101", "SL101"]


def test_eval_paths(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "run_model.py").write_text(SL201_SRC)
    assert codes(run_cli(["--no-cache", "."], tmp_path).stdout) == []
    (tmp_path / "pyproject.toml").write_text('[tool.slimlint]\neval-paths = ["scripts/run_*.py"]\n')
    run = run_cli(["--no-cache", "."], tmp_path)
    assert codes(run.stdout) == ["SL201"]
    assert "scripts/run_model.py:3:" in run.stdout


def test_train_paths_override_eval_name(tmp_path):
    (tmp_path / "eval.py").write_text(SL201_SRC)
    (tmp_path / "pyproject.toml").write_text('[tool.slimlint]\ntrain-paths = ["eval.py"]\n')
    assert codes(run_cli(["--no-cache", "."], tmp_path).stdout) == []


def test_config_found_from_subdirectory(project):
    (project / "pyproject.toml").write_text('[tool.slimlint]\nignore = ["SL201"]\n')
    sub = project / "pkg"
    sub.mkdir()
    (sub / "eval.py").write_text(SL201_SRC)
    assert codes(run_cli(["--no-cache", "eval.py"], sub).stdout) == []


# --- rule ---------------------------------------------------------------------------------------------


def test_rule_explains(tmp_path):
    run = run_cli(["rule", "SL101"], tmp_path)
    assert run.code == 0
    for heading in ("# SL101 missing-update-ops", "## What it does", "## Why is this bad?", "## Example", "Use instead", "## Fix safety"):
        assert heading in run.stdout, heading
    assert run_cli(["rule", "sl101"], tmp_path).stdout == run.stdout


def test_rule_all(tmp_path):
    run = run_cli(["rule", "--all"], tmp_path)
    assert run.code == 0
    listed = re.findall(r"^(SL\d+)\s", run.stdout, re.MULTILINE)
    assert {"SL101", "SL102", "SL103", "SL201", "SL900"} <= set(listed)
    data = json.loads(run_cli(["rule", "--all", "--output-format", "json"], tmp_path).stdout)
    assert {d["code"] for d in data} == set(listed)


def test_rule_unknown(tmp_path):
    run = run_subprocess(["rule", "SL999"], tmp_path)
    assert run.code == 2
    assert "SL999" in run.stderr
    assert "Traceback" not in run.stderr


def test_help_and_version(tmp_path):
    run = run_cli(["--help"], tmp_path)
    assert run.code == 0 and "Exit codes" in run.stdout
    run = run_cli(["check", "--help"], tmp_path)
    for option in ("--fix", "--unsafe-fixes", "--diff", "--unsafe-fixes", "--select", "--extend-select", "--ignore", "--exit-zero", "--exit-non-zero-on-fix",
                   "--statistics", "--output-format", "--no-cache", "--jobs", "--stdin-filename"):
        assert option in run.stdout, option
    assert run_cli(["--version"], tmp_path).code == 0


# --- fix safety: nothing changes outside the edit ---------------------------------------------------


def _fixed_bytes(tmp_path, raw: bytes, name="train.py") -> bytes:
    path = tmp_path / name
    path.write_bytes(raw)
    run = run_cli(["--no-cache", "--fix", "--unsafe-fixes", name], tmp_path)
    assert run.code == 0, run.stdout + run.stderr
    return path.read_bytes()


def test_fix_keeps_comments(tmp_path):
    src = textwrap.dedent(
        """\
        import tensorflow as tf  # TF1
        # build the model
        net = tf.layers.batch_normalization(images, training=True)  # BN
        loss = tf.reduce_mean(net)
        # the train op
        train_op = tf.train.AdamOptimizer(0.01).minimize(loss)  # step
        # done
        """
    )
    out = _fixed_bytes(tmp_path, src.encode()).decode()
    assert out == src.replace(
        "# the train op\ntrain_op = tf.train.AdamOptimizer(0.01).minimize(loss)  # step\n",
        "# the train op\nwith tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)  # step\n",
    )


def test_fix_keeps_tabs(tmp_path):
    src = (
        "import tensorflow as tf\n\n"
        "def train(images):\n"
        "\tnet = tf.layers.batch_normalization(images, training=True)\n"
        "\tloss = tf.reduce_mean(net)\n"
        "\ttrain_op = tf.train.AdamOptimizer(0.01).minimize(loss)\n"
        "\treturn train_op\n"
    )
    out = _fixed_bytes(tmp_path, src.encode()).decode()
    assert out == src.replace(
        "\ttrain_op = tf.train.AdamOptimizer(0.01).minimize(loss)\n",
        "\twith tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n\t\ttrain_op = tf.train.AdamOptimizer(0.01).minimize(loss)\n",
    )
    compile(out, "train.py", "exec")


def test_fix_keeps_crlf(tmp_path):
    raw = SL101_SRC.replace("\n", "\r\n").encode()
    out = _fixed_bytes(tmp_path, raw)
    assert b"\n" not in out.replace(b"\r\n", b"")  # every line ending still CRLF
    assert out.replace(b"\r\n", b"\n").decode() == SL101_SRC.replace(
        "train_op = tf.train", "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n    train_op = tf.train"
    )


def test_fix_keeps_bom(tmp_path):
    raw = b"\xef\xbb\xbf" + SL101_SRC.encode()
    out = _fixed_bytes(tmp_path, raw)
    assert out.startswith(b"\xef\xbb\xbf")
    assert out.count(b"\xef\xbb\xbf") == 1
    assert b"control_dependencies" in out


def test_fix_keeps_file_mode(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SL101_SRC)
    os.chmod(path, 0o751)
    run_cli(["--no-cache", "--fix", "--unsafe-fixes", "train.py"], tmp_path)
    assert "control_dependencies" in path.read_text()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o751
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".slimlint")]  # no temp files left


def test_fix_keeps_trailing_whitespace_and_no_final_newline(tmp_path):
    src = SL101_SRC.replace("loss = tf.reduce_mean(net)\n", "loss = tf.reduce_mean(net)   \n").rstrip("\n")
    out = _fixed_bytes(tmp_path, src.encode()).decode()
    assert "loss = tf.reduce_mean(net)   \n" in out
    assert not out.endswith("\n")


def test_fix_through_subprocess_no_traceback(project):
    run = run_subprocess(["--no-cache", "--fix", "--unsafe-fixes", "."], project)
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr


# --- what a user types (issue 16, item 8) ------------------------------------------------------------


def test_diff_exits_0_when_nothing_would_change_even_with_findings_left(tmp_path):
    """ruff's --diff contract: exit 1 only when it would change something."""
    (tmp_path / "legacy.py").write_text('import tensorflow as tf\nprint "x"\nprint("y", end="")\n')  # SL900, no fix
    run = run_cli(["--no-cache", "--no-prefilter", "--diff", "--unsafe-fixes", "."], tmp_path)
    assert (run.code, run.stdout) == (0, "")
    assert "No errors would be fixed." in run.stderr


@pytest.mark.parametrize("word, suggestion", [("chek", "check"), ("rules", "rule"), ("verfy", "verify")])
def test_a_mistyped_command_is_named_not_taken_for_a_missing_path(tmp_path, word, suggestion):
    run = run_cli([word], tmp_path)
    assert run.code == 2
    assert f"unknown command '{word}' (did you mean '{suggestion}'?)" in run.stderr
    assert "no such file" not in run.stderr.lower()


def test_a_path_named_like_a_command_is_checked(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "train.py").write_text(SL101_SRC)
    run = run_cli(["--no-cache", "rules"], tmp_path)
    assert run.code == 1 and codes(run.stdout) == ["SL101"]


def test_hidden_options_are_never_suggested(tmp_path):
    run = run_cli(["--no-pre", "."], tmp_path)
    assert run.code == 2
    assert "No such option '--no-pre'" in run.stderr
    assert "--no-prefilter" not in run.stderr


def test_short_version_flag(tmp_path):
    run = run_cli(["-V"], tmp_path)
    assert run.code == 0 and run.stdout.startswith("slimlint, version ")


def test_no_python_files_is_said(tmp_path):
    (tmp_path / "empty").mkdir()
    run = run_cli(["--no-cache", "empty"], tmp_path)
    assert run.code == 0
    assert "no Python files found" in run.stderr


def test_the_cache_goes_to_the_project_root_not_into_the_named_folder(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.slimlint]\n")
    package = tmp_path / "src" / "models"
    package.mkdir(parents=True)
    (package / "train.py").write_text(SL101_SRC)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = run_cli([str(package)], elsewhere)
    assert run.code == 1
    assert (tmp_path / ".slimlint_cache").is_dir()
    assert not (package / ".slimlint_cache").exists() and not (elsewhere / ".slimlint_cache").exists()


def test_without_a_configuration_the_cache_goes_to_the_working_directory(tmp_path):
    package = tmp_path / "site-packages" / "somepkg"
    package.mkdir(parents=True)
    (package / "train.py").write_text(SL101_SRC)
    work = tmp_path / "work"
    work.mkdir()
    run = run_cli([str(package)], work)
    assert run.code == 1
    assert (work / ".slimlint_cache").is_dir() and not (package / ".slimlint_cache").exists()


def test_stdin_with_a_file_name_is_judged_with_the_project_around_it(tmp_path):
    """Editors lint the unsaved buffer through stdin: its model module is on disk (issue 16, item 3)."""
    import shutil
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "seed_model_module"
    for name in ("model.py", "train.py"):
        shutil.copy(fixture / name, tmp_path / name)
    source = (tmp_path / "train.py").read_bytes()
    named = run_cli(["--output-format", "concise", "-", "--stdin-filename", "train.py"], tmp_path, stdin=source)
    assert named.code == 1 and codes(named.stdout) == ["SL102"]
    assert "model.py" not in named.stdout, "context files are never reported"
    unnamed = run_cli(["--output-format", "concise", "-"], tmp_path, stdin=source)
    assert unnamed.code == 0, "without a name there is no project to read"


SL207_SRC = textwrap.dedent(
    """\
    import tensorflow as tf
    import tensorflow.contrib.slim as slim

    def build(images, is_training=True):
        return slim.batch_norm(images, is_training=is_training)

    is_training = {placeholder}
    logits = build(images)
    feed = {{is_training: False}}
    """
)


@pytest.mark.parametrize("placeholder, feeds, applicability", [
    ("tf.placeholder(tf.bool, [])", "train_feed = {is_training: True}\n", "safe"),  # training feeds True
    ("tf.placeholder_with_default(True, [])", "", "safe"),  # training keeps the default
    ("tf.placeholder(tf.bool, [])", "", "unsafe"),  # nothing feeds True: training would need a feed it lacks
])
def test_sl207_fix_is_safe_only_when_training_keeps_its_mode(tmp_path, placeholder, feeds, applicability):
    (tmp_path / "train.py").write_text(SL207_SRC.format(placeholder=placeholder) + feeds)
    [finding] = json.loads(run_cli(["--no-cache", "--output-format", "json", "."], tmp_path).stdout)
    assert (finding["code"], finding["fix"]["applicability"]) == ("SL207", applicability)


def test_old_mac_line_ends_are_fixed_and_kept(tmp_path):
    """A file whose lines end in a lone CR (old Mac OS) is fixed like any other: LibCST drops its last CR, so
    it reads the file with LF ends and the fixed file gets its CRs back; the diff shows one line per line."""
    code = ("import tensorflow as tf\n\n\n"
            "def train(images, labels):\n"
            "    net = tf.layers.batch_normalization(tf.layers.conv2d(images, 8, 3), training=True)\n"
            "    loss = tf.losses.mean_squared_error(labels, net)\n"
            "    return tf.train.AdamOptimizer(0.1).minimize(loss)\n")
    path = tmp_path / "train.py"
    path.write_bytes(code.replace("\n", "\r").encode())
    diff = run_cli(["--no-cache", "--unsafe-fixes", "--diff", "train.py"], cwd=tmp_path)
    assert diff.code == 1 and "\r" not in diff.stdout, diff.stdout
    assert "+        return tf.train.AdamOptimizer(0.1).minimize(loss)\n" in diff.stdout
    run = run_cli(["--no-cache", "--unsafe-fixes", "--fix", "train.py"], cwd=tmp_path)
    assert run.code == 0, run.stdout
    written = path.read_bytes()
    assert b"\n" not in written and b"tf.control_dependencies(" in written
    assert written.replace(b"\r", b"\n").decode().replace(
        "    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
        "        return tf.train.AdamOptimizer(0.1).minimize(loss)\n",
        "    return tf.train.AdamOptimizer(0.1).minimize(loss)\n") == code
