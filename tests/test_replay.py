"""A warm run replays the stored report only while nothing it depended on has changed.

Whether a run was replayed is observed from outside: `python -X importtime` lists every module the
process imported, and a replay imports neither click nor the engine.
"""

from __future__ import annotations

import json
import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import Run
from tests.support.files import settle

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def run(args, cwd) -> tuple[Run, bool]:
    """`python -m slimlint ARGS` in `cwd`; returns the run and whether it was replayed."""
    env = dict(os.environ)
    env.pop("PYTHONWARNINGS", None)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "slimlint", *args], cwd=str(cwd),
                          capture_output=True, timeout=120, env=env)
    stderr = proc.stderr.decode("utf-8", "replace")
    imported = {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}
    report = "\n".join(line for line in stderr.splitlines() if not line.startswith("import time:"))
    assert "slimlint.replay" in imported
    replayed = "click" not in imported and "slimlint.engine" not in imported
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), report, proc.stdout), replayed


def findings(result: Run) -> list:
    return sorted(line.split(": ")[0] + " " + line.split(": ")[1].split()[0]
                  for line in result.stdout.splitlines() if ": SL" in line)


@pytest.fixture
def project(tmp_path):
    """The seed fixture (model.py + train.py: one SL102 in train.py) as a project with its own config."""
    tree = tmp_path / "project"
    shutil.copytree(FIXTURES / "seed_model_module", tree, ignore=shutil.ignore_patterns("expected", "fixture.toml"))
    (tree / "pyproject.toml").write_text("[tool.slimlint]\n")
    (tree / ".git").mkdir()  # a work tree whose .gitignore ignores nothing yet
    (tree / ".gitignore").write_text("*.log\n")
    return tree


def warm(args, cwd) -> Run:
    """A full run over a settled tree; once the tree has settled again (the first run may have created the
    cache folder in it), the next runs are replays that print exactly what the full run printed."""
    settle(cwd)
    first, replayed = run(args, cwd)
    assert not replayed
    settle(cwd)
    runs = [run(args, cwd), run(args, cwd)]
    assert runs[-1][1], "nothing changed: the run should have been replayed"
    for again, _ in runs:
        assert (again.code, again.stdout_bytes, again.stderr) == (first.code, first.stdout_bytes, first.stderr)
    return runs[-1][0]


@pytest.mark.parametrize("extra", [[], ["--output-format", "json"], ["--output-format", "sarif"],
                                   ["--output-format", "github"], ["--statistics"], ["--exit-zero"]])
def test_a_warm_run_prints_exactly_what_the_full_run_printed(project, extra):
    result = warm([*extra, "."], project)
    assert result.code == (0 if extra == ["--exit-zero"] else 1)
    assert "SL102" in result.stdout


def test_the_entry_goes_to_the_project_cache_and_records_what_the_run_looked_at(project):
    warm(["."], project)
    [entry] = (project / ".slimlint_cache").rglob("replay/*")
    _, _, _, watched, _, _ = marshal.loads(entry.read_bytes())
    paths = {Path(p) for p, _, _ in watched}
    assert {project / "train.py", project / "model.py", project / "pyproject.toml", project} <= paths
    assert Path(__file__).resolve().parent.parent / "slimlint" / "replay.py" in paths  # a changed linter re-runs


def test_a_clean_tree_replays_its_silence(tmp_path):
    tree = tmp_path / "clean"
    shutil.copytree(FIXTURES / "clean_create_train_op", tree, ignore=shutil.ignore_patterns("expected", "fixture.toml"))
    result = warm(["."], tree)
    assert result.code == 0


def edit_model(project):
    model = project / "model.py"
    model.write_text(model.read_text().replace('"decay": 0.9}', '"decay": 0.9, "updates_collections": None}'))


def touch_same_size_and_mtime(project):
    """Rewrite train.py with a same-length edit and put its old mtime back: only ctime tells."""
    train = project / "train.py"
    st = train.stat()
    text = train.read_text()
    train.write_text(text.replace("optimizer.minimize(loss)", "optimizer.maximize(loss)"))
    os.utime(train, ns=(st.st_atime_ns, st.st_mtime_ns))


def add_file(project):
    (project / "sub").mkdir()
    (project / "sub" / "extra.py").write_text((project / "train.py").read_text())


def delete_file(project):
    (project / "train.py").unlink()


def configure_ignore(project):
    (project / "pyproject.toml").write_text('[tool.slimlint]\nignore = ["SL1"]\n')


def gitignore_train(project):
    (project / ".gitignore").write_text("*.log\ntrain.py\n")  # edited in place: the folder's mtime stays


def config_above(project):
    # The project's own pyproject.toml goes; one above it now configures the run.
    (project / "pyproject.toml").unlink()
    (project.parent / "pyproject.toml").write_text('[tool.slimlint]\nignore = ["SL1"]\n')
    settle(project.parent / "pyproject.toml")  # outside the folder the tests settle


@pytest.mark.parametrize("change, expected", [
    (edit_model, []),  # the finding in train.py depends on model.py
    (touch_same_size_and_mtime, []),
    (add_file, ["sub/extra.py:15:12 SL102", "train.py:15:12 SL102"]),
    (delete_file, []),
    (configure_ignore, []),
    (gitignore_train, []),
    (config_above, []),
])
def test_any_change_the_result_depends_on_means_a_full_run(project, change, expected):
    warm(["."], project)
    change(project)
    result, replayed = run(["."], project)
    assert not replayed
    assert findings(result) == expected
    assert warm(["."], project).stdout == result.stdout


def test_a_file_modified_just_before_the_run_is_not_trusted_yet(project):
    """Its stat could survive another write in the same timestamp tick: no entry until it has settled."""
    warm(["."], project)
    train = project / "train.py"
    train.write_text(train.read_text() + "\n")
    assert not run(["."], project)[1]
    assert not run(["."], project)[1], "stored an entry for a file modified a moment ago"
    warm(["."], project)


def test_a_named_file_is_replayed_only_while_its_context_is_unchanged(project):
    """pre-commit names the changed files; the model module they import is context, and is watched."""
    assert findings(warm(["train.py"], project)) == ["train.py:15:12 SL102"]
    assert findings(warm(["model.py", "train.py"], project)) == ["train.py:15:12 SL102"]
    edit_model(project)
    result, replayed = run(["train.py"], project)
    assert not replayed and findings(result) == []


def test_another_command_line_or_folder_is_not_replayed(project):
    warm(["."], project)
    assert not run(["--output-format", "json", "."], project)[1]
    assert not run(["project"], project.parent)[1]
    assert run(["project"], project.parent)[1]


@pytest.mark.parametrize("args", [["--fix", "."], ["--diff", "."], ["--no-cache", "."], ["missing.py", "."]])
def test_fixes_diffs_uncached_runs_and_errors_are_never_replayed(project, args):
    settle(project)
    for _ in range(2):
        assert not run(args, project)[1]
    assert not list((project / ".slimlint_cache").rglob("replay/*"))


def test_stdin_is_never_replayed(project):
    source = (project / "train.py").read_bytes()
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "slimlint", "-"], cwd=project,
                              input=source, capture_output=True, timeout=120)
        assert b"click" in proc.stderr


def test_an_explicit_cache_dir_holds_the_entry(project, tmp_path):
    cache = tmp_path / "elsewhere"
    warm(["--cache-dir", str(cache), "."], project)
    assert list(cache.rglob("replay/*"))
    assert not (project / ".slimlint_cache").exists()


def test_a_cache_dir_inside_the_walked_tree_still_replays(project):
    """The run's own cache writes change that folder's mtime; they are not inputs of the result."""
    warm(["--cache-dir", "cache", "."], project)


def test_a_corrupt_or_foreign_entry_is_ignored_and_replaced(project):
    warm(["--output-format", "json", "."], project)
    settle(project)
    [entry] = (project / ".slimlint_cache").rglob("replay/*")
    expected = json.loads(run(["--output-format", "json", "."], project)[0].stdout)
    for garbage in (b"", b"\x00garbage", marshal.dumps(("another", "shape")), marshal.dumps([1, 2, 3])):
        entry.write_bytes(garbage)
        result, replayed = run(["--output-format", "json", "."], project)
        assert not replayed and json.loads(result.stdout) == expected
        assert "Traceback" not in result.stderr
    assert run(["--output-format", "json", "."], project)[1]


def test_old_entries_are_pruned(project):
    from slimlint import replay

    directory = project / ".slimlint_cache" / "entries"
    directory.mkdir(parents=True)
    for i in range(replay._ENTRIES_KEPT + 5):
        (directory / f"{i:016x}").write_bytes(b"x")
        os.utime(directory / f"{i:016x}", ns=(i * 10**9, i * 10**9))
    replay._prune(str(directory))
    left = sorted(p.name for p in directory.iterdir())
    assert len(left) == replay._ENTRIES_KEPT and left[0] == f"{5:016x}"
