"""Issue 13, case 8: Ctrl-C or SIGTERM during --fix finishes (or rolls back) the file being written, stops,
and lists the files already rewritten; a temporary file that a killed run left is removed by the next run."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

import slimlint.writer as writer
from tests.support.cli import run_cli

BUGGY = ("import tensorflow as tf\nnet = tf.layers.batch_normalization(images, training=True)\n"
         "train_op = tf.train.AdamOptimizer(0.1).minimize(net)\n")
NAMES = ["a_train.py", "b_train.py", "c_train.py"]


@pytest.fixture
def tree(tmp_path):
    for name in NAMES:
        (tmp_path / name).write_text(BUGGY)
    return tmp_path


def _signal_during(monkeypatch, signals):
    """Deliver `signals` to this process while the first file is written: after its temporary file is fsynced,
    before the rename. Returns the paths write_fixed was called for."""
    real_write, real_fsync = writer.write_fixed, os.fsync
    calls, sent = [], []

    def fsync_then_signal(fd):
        real_fsync(fd)
        if not sent:
            sent.append(True)
            for sig in signals:
                os.kill(os.getpid(), sig)

    def write_fixed(path, original, new_bytes):
        calls.append(Path(path).name)
        monkeypatch.setattr(os, "fsync", fsync_then_signal if len(calls) == 1 else real_fsync)
        try:
            return real_write(path, original, new_bytes)
        finally:
            monkeypatch.setattr(os, "fsync", real_fsync)

    monkeypatch.setattr(writer, "write_fixed", write_fixed)
    return calls


def _changed(tree: Path):
    return [name for name in NAMES if (tree / name).read_text() != BUGGY]


@pytest.mark.parametrize("sig, code, name", [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM")])
def test_a_signal_finishes_the_file_being_written_then_stops(tree, monkeypatch, sig, code, name):
    calls = _signal_during(monkeypatch, [sig])
    run = run_cli(["--no-cache", "--fix", "--unsafe-fixes", "--jobs", "1", "."], tree)
    assert run.code == code
    assert calls == ["a_train.py"], "no file is written after the signal"
    assert _changed(tree) == ["a_train.py"], "the file being written when the signal came is finished"
    assert f"interrupted ({name}): 1 file(s) rewritten before the stop, 2 file(s) with fixes left unchanged" in run.stderr
    assert "rewritten: a_train.py" in run.stderr
    assert re.findall(r"^(\w+\.py):\d+:\d+: SL101", run.stdout, re.MULTILINE) == ["b_train.py", "c_train.py"], \
        "the two files not written keep their findings"
    assert sorted(p.name for p in tree.iterdir()) == NAMES, "no temporary file left"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "the handlers are restored"


def test_a_second_signal_rolls_back_the_file_being_written(tree, monkeypatch):
    _signal_during(monkeypatch, [signal.SIGINT, signal.SIGINT])
    run = run_cli(["--no-cache", "--fix", "--unsafe-fixes", "--jobs", "1", "."], tree)
    assert run.code == 130
    assert _changed(tree) == [], "the write in progress is rolled back, nothing half written"
    assert "0 file(s) rewritten before the stop, 3 file(s) with fixes left unchanged" in run.stderr
    assert sorted(p.name for p in tree.iterdir()) == NAMES, "no temporary file left"


def _leftover(folder: Path, target: str, age_seconds: float) -> Path:
    path = folder / f".{target}.k3j_9x0q.slimlint"
    path.write_text("half of a fixed file")
    old = time.time() - age_seconds
    os.utime(path, (old, old))
    return path


def test_the_next_fix_removes_a_killed_runs_temporary_file(tree):
    stale = _leftover(tree, "a_train.py", writer.STALE_AFTER_SECONDS + 60)
    run = run_cli(["--no-cache", "--fix", "--unsafe-fixes", "."], tree)
    assert run.code == 0
    assert not stale.exists()
    assert sorted(p.name for p in tree.iterdir()) == NAMES


def test_only_slimlints_own_old_temporary_files_are_removed(tmp_path):
    (tmp_path / "train.py").write_text(BUGGY)
    young = _leftover(tmp_path, "train.py", 5)  # another run's, maybe in flight
    orphan = _leftover(tmp_path, "gone.py", writer.STALE_AFTER_SECONDS + 60)  # no file of that name beside it
    user = tmp_path / ".train.py.notes.slimlint"  # not mkstemp's pattern
    user.write_text("mine")
    os.utime(user, (0, 0))
    link = tmp_path / ".train.py.abcdefgh.slimlint"
    link.symlink_to(tmp_path / "train.py")
    assert writer.remove_stale_temporaries(tmp_path) == []
    assert young.exists() and orphan.exists() and user.exists() and link.is_symlink()
