"""Issue 13, cases 5-7: --fix never loses an edit, never rewrites a read-only file, and a fix that is not written
keeps its finding in every output format; Python 2 files are written in their own syntax."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from slimlint.source import read_source
from slimlint.writer import WriteError, write_fixed
from tests.support.cli import run_cli

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TRAIN = ("import tensorflow as tf\nnet = tf.layers.batch_normalization(images, training=True)\n"
         "train_op = tf.train.AdamOptimizer(0.1).minimize(net)\n")


@pytest.fixture
def read_only(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(TRAIN)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    yield tmp_path
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_a_read_only_file_is_not_rewritten_and_keeps_its_finding(read_only, output_format):
    run = run_cli(["--no-cache", "--fix", "--unsafe-fixes", "--output-format", output_format, "."], read_only)
    assert (read_only / "train.py").read_text() == TRAIN
    assert "read-only file; fix not written" in run.stdout + run.stderr
    assert run.code == 2
    if output_format == "json":
        assert [f["code"] for f in json.loads(run.stdout)] == ["SL101"]
    elif output_format == "sarif":
        assert [r["ruleId"] for r in json.loads(run.stdout)["runs"][0]["results"]] == ["SL101"]
    else:
        assert "SL101" in run.stdout


def test_an_edit_saved_after_the_read_is_never_overwritten(tmp_path):
    """The editor-save race: the file changes between slimlint's read and its write."""
    path = tmp_path / "train.py"
    path.write_text(TRAIN)
    original = read_source(path)
    path.write_text(TRAIN + "# saved by the editor meanwhile\n")
    with pytest.raises(WriteError, match="changed on disk"):
        write_fixed(path, original, TRAIN.replace("minimize", "minimize ").encode())
    assert path.read_text().endswith("# saved by the editor meanwhile\n")
    assert [p.name for p in tmp_path.iterdir()] == ["train.py"], "no temporary file left behind"


def test_a_python2_file_is_fixed_on_disk_in_its_own_syntax(tmp_path):
    tree = tmp_path / "py2"
    shutil.copytree(FIXTURES / "py2_sl101_control_deps", tree)
    run = run_cli(["--no-cache", "--fix", "--unsafe-fixes", "."], tree)
    assert run.code == 0, run.stdout + run.stderr
    assert (tree / "train.py").read_text() == (tree / "expected" / "train.py").read_text()


def _editor(path: str, go, done) -> None:
    """Another process: waits for the signal, saves the file as an editor would (write in place), says so."""
    go.wait(30)
    with open(path, "a") as handle:
        handle.write("# saved by the editor meanwhile\n")
    done.set()


def test_a_save_by_another_process_during_fix_survives(tmp_path, monkeypatch):
    """Case 5 with two processes: the editor saves after slimlint read the file and wrote its temporary copy,
    before the rename. The save survives, the finding stays, the run says why and leaves no temporary file."""
    import multiprocessing
    import os

    path = tmp_path / "train.py"
    path.write_text(TRAIN)
    context = multiprocessing.get_context("spawn")
    go, done = context.Event(), context.Event()
    editor = context.Process(target=_editor, args=(str(path), go, done))
    editor.start()
    real_fsync = os.fsync

    def fsync_then_let_the_editor_save(fd):
        real_fsync(fd)
        if not go.is_set():  # the temporary file is written: the editor saves now
            go.set()
            assert done.wait(30)

    monkeypatch.setattr(os, "fsync", fsync_then_let_the_editor_save)
    try:
        run = run_cli(["--no-cache", "--fix", "--unsafe-fixes", "."], tmp_path)
    finally:
        monkeypatch.setattr(os, "fsync", real_fsync)
        go.set()
        editor.join(30)
    assert path.read_text() == TRAIN + "# saved by the editor meanwhile\n"
    assert "changed on disk since it was read; fix not written" in run.stdout + run.stderr
    assert run.code == 2 and "SL101" in run.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["train.py"]
