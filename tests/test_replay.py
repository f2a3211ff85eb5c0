"""A warm run replays the stored report only while nothing it depended on has changed.

Whether a run was replayed is observed from outside: `python -X importtime` lists every module the
process imported, and a replay imports neither click nor the engine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from slimlint import trusted

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
    _, _, _, watched, _, _ = json.loads(trusted.unseal(entry.read_bytes()))
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


@pytest.mark.parametrize("args", [["--fix", "--unsafe-fixes", "."], ["--diff", "--unsafe-fixes", "."], ["--no-cache", "."], ["missing.py", "."]])
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
    for garbage in (b"", b"\x00garbage", json.dumps(["another", "shape"]).encode(), json.dumps([1, 2, 3]).encode(),
                    b"[" * 100000):
        entry.write_bytes(garbage)
        result, replayed = run(["--output-format", "json", "."], project)
        assert not replayed and json.loads(result.stdout) == expected
        assert "Traceback" not in result.stderr
    assert run(["--output-format", "json", "."], project)[1]


def test_old_entries_are_pruned(project):
    from slimlint import replay

    from slimlint import trusted

    directory = project / ".slimlint_cache" / "entries"
    directory.mkdir(parents=True)
    for i in range(replay._ENTRIES_KEPT + 5):
        (directory / f"{i:016x}.json").write_bytes(b"x")
        os.utime(directory / f"{i:016x}.json", ns=(i * 10**9, i * 10**9))
    trusted.prune(str(directory), ".json", replay._ENTRIES_KEPT)
    left = sorted(p.name for p in directory.iterdir())
    assert len(left) == replay._ENTRIES_KEPT and left[0] == f"{5:016x}.json"


# --- holes found in review: each was a stale or wrong report before its fix -----------------------


def fresh(args, cwd) -> Run:
    return run(["--no-cache", *args], cwd)[0]


def test_an_edited_copy_of_slimlint_is_not_answered_from_either_cache(project, tmp_path):
    """Two copies of the package (a checkout on PYTHONPATH, a reinstall with the same version number)."""
    alt = tmp_path / "alt"
    shutil.copytree(Path(__file__).resolve().parent.parent / "slimlint", alt / "slimlint",
                    ignore=shutil.ignore_patterns("__pycache__"))
    settle(alt)
    rule = next((alt / "slimlint" / "rules").glob("sl102_*.py"))
    env = {**os.environ, "PYTHONPATH": str(alt)}

    def run_alt(args):
        proc = subprocess.run([sys.executable, "-m", "slimlint", *args], cwd=project, capture_output=True, env=env)
        return proc.stdout.decode()

    warm(["."], project)  # the installed copy's entry must not answer for the other copy
    assert "EDITED" not in run_alt(["."])
    rule.write_text(rule.read_text().replace("does not run batch norm", "EDITED does not run batch norm"))
    settle(alt)
    # Another command line: not a replay, so the outcome cache is asked, and must not answer either.
    assert "EDITED" in run_alt(["--statistics", "."]) + run_alt(["."])
    assert "EDITED" in run_alt(["--output-format", "json", "."])


def test_an_entry_written_by_another_user_is_not_trusted(project):
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to hand a file to another user")
    warm(["."], project)
    [entry] = (project / ".slimlint_cache").rglob("replay/*")
    os.chown(entry, 65534, 65534)
    assert not run(["."], project)[1]


def test_a_forged_entry_that_watches_nothing_is_not_trusted(project):
    from slimlint import __version__, replay

    warm(["."], project)
    [entry] = (project / ".slimlint_cache").rglob("replay/*")
    fmt, version, key, _, _, _ = json.loads(trusted.unseal(entry.read_bytes()))
    # Sealed with the user's own secret: only the entry's content can tell it is forged.
    entry.write_bytes(trusted.seal(json.dumps([fmt, version, key, [], "All checks passed!\n", 0]).encode()))
    result, replayed = run(["."], project)
    assert not replayed and result.code == 1


def test_a_cache_dir_that_holds_the_project_still_sees_edits(project):
    warm(["--cache-dir", "..", "."], project)
    train = project / "train.py"
    train.write_text(train.read_text().replace("optimizer.minimize(loss)", "optimizer.maximize(loss)"))
    result, replayed = run(["--cache-dir", "..", "."], project)
    assert not replayed and result.code == 0


def test_the_cache_dir_given_as_the_project_is_not_marked_ignored(project):
    assert findings(run(["--cache-dir", ".", "."], project)[0]) == ["train.py:15:12 SL102"]
    assert not (project / "CACHEDIR.TAG").exists() and (project / ".gitignore").read_text() == "*.log\n"
    assert findings(fresh(["."], project)) == ["train.py:15:12 SL102"]


def test_a_symlinked_module_whose_target_lives_elsewhere(project, tmp_path):
    outside = tmp_path / "generated"
    outside.mkdir()
    (project / "extra.py").symlink_to(outside / "extra.py")  # dangling for now
    warm(["."], project)
    (outside / "extra.py").write_text((project / "train.py").read_text())
    result, replayed = run(["."], project)
    assert not replayed and findings(result) == ["extra.py:15:12 SL102", "train.py:15:12 SL102"]


def test_a_named_config_file_is_read_and_watched(project):
    (project / "custom.toml").write_text('[tool.slimlint]\nignore = ["SL1"]\n')
    assert warm(["--config", "custom.toml", "."], project).code == 0  # its settings apply, not pyproject.toml's
    (project / "custom.toml").unlink()
    result, replayed = run(["--config", "custom.toml", "."], project)
    assert not replayed and result.code == 2 and "no such configuration file" in result.stderr


def test_a_named_config_file_needs_a_slimlint_table(project):
    (project / "custom.toml").write_text('[tool.other]\nx = 1\n')
    result = fresh(["--config", "custom.toml", "."], project)
    assert result.code == 2 and "custom.toml: no [tool.slimlint] table" in result.stderr


def test_in_process_commands_do_not_leak_a_recording(project, monkeypatch, capsys):
    """A --diff through entry.main, then a check through cli.main: the check must not be stored as the diff."""
    from slimlint import entry
    from slimlint.cli import main

    monkeypatch.chdir(project)
    settle(project)
    with pytest.raises(SystemExit):
        entry.main(["--diff", "--unsafe-fixes", "."])
    settle(project)  # the --diff run made the cache folder
    with pytest.raises(SystemExit):
        main(["--exit-zero", "."])
    capsys.readouterr()
    assert not list((project / ".slimlint_cache").rglob("replay/*")), "the check was recorded as the --diff"
    result, replayed = run(["--diff", "--unsafe-fixes", "."], project)
    assert not replayed and result.code == 1 and "Would fix 1 error." in result.stderr


def test_a_stdout_that_cannot_encode_the_report_gets_a_full_run(project):
    (project / "trainé.py").write_text((project / "train.py").read_text())
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    outputs = []
    for i in range(4):
        if i < 2:
            settle(project)  # the first run creates the cache folder; the second stores an entry
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "slimlint", "."], cwd=project,
                              capture_output=True, env=env)
        assert b"Traceback" not in proc.stderr
        outputs.append((proc.returncode, proc.stdout, b"click" in proc.stderr))
    assert all(out[:2] == outputs[0][:2] for out in outputs) and outputs[0][0] == 1
    assert outputs[-1][2], "an ascii stdout is re-wrapped by click: only a full run prints the same bytes"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_reported_alike_by_the_full_run_and_the_replay(project):
    warm(["."], project)
    results = []
    for args in (["--no-cache", "."], ["."]):
        with open("/dev/full", "w") as full:
            proc = subprocess.run([sys.executable, "-m", "slimlint", *args], cwd=project, stdout=full,
                                  stderr=subprocess.PIPE)
        results.append((proc.returncode, proc.stderr.decode().strip().splitlines()))
    assert results[0] == results[1] == (2, ["slimlint: error: cannot write the report: No space left on device"])


def test_a_deleted_working_folder_is_an_error_not_a_traceback(tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    proc = subprocess.run([sys.executable, "-c", "import os, runpy, sys; os.chdir(sys.argv[1]); os.rmdir(sys.argv[1]);"
                           "sys.argv = ['slimlint', '--no-cache', sys.argv[2]]; runpy.run_module('slimlint', run_name='__main__')",
                           str(gone), str(tmp_path)], capture_output=True)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr, proc.stderr.decode()


def test_a_reader_that_has_gone_is_not_an_error_for_the_full_run_or_the_replay(project):
    """`slimlint . | head -1`: the report cannot be delivered, the exit code still says what was found."""
    warm(["."], project)
    results = []
    for args in (["--no-cache", "."], ["."]):
        read_end, write_end = os.pipe()
        os.close(read_end)
        proc = subprocess.run([sys.executable, "-m", "slimlint", *args], cwd=project, stdout=write_end,
                              stderr=subprocess.PIPE)
        os.close(write_end)
        results.append((proc.returncode, proc.stderr))
    assert results == [(1, b""), (1, b"")]
