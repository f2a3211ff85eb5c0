"""Issue 13, cases 1-4: nothing a checked-out tree or a shared folder puts in a cache folder makes slimlint run
code, print a false report, or touch files outside it; a copied cache still answers."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import textwrap

import pytest

from slimlint import __version__, outcome_codec, replay, trusted
from tests.support.cli import run_subprocess

BUGGY = textwrap.dedent(
    """\
    import tensorflow as tf
    is_training = tf.placeholder(tf.bool)
    net = tf.layers.batch_normalization(images, training=is_training)
    train_op = tf.train.AdamOptimizer(0.1).minimize(net)
    """
)
FINDING = "train.py:4:12: SL101"
ROOT_ONLY = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")


@pytest.fixture
def project(tmp_path):
    tree = tmp_path / "project"
    tree.mkdir()
    (tree / "train.py").write_text(BUGGY)
    return tree


def _entries(cache, sub=""):
    folder = cache / __version__ / sub
    return sorted(p for p in folder.glob("*.json")) if folder.is_dir() else []


def _fill(project):
    """Two runs: the first creates the cache folder, the second stores an outcome (and maybe a replay)."""
    for _ in range(2):
        run = run_subprocess(["."], project)
        assert FINDING in run.stdout
    return project / ".slimlint_cache"


class _Boom:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_a_planted_pickle_runs_nothing_and_reports_the_finding(project):
    cache = _fill(project)
    for entry in _entries(cache):
        entry.with_suffix(".pickle").write_bytes(pickle.dumps(_Boom()))
        entry.write_bytes(pickle.dumps(_Boom()))  # the name the cache reads, holding a pickle
    run = run_subprocess(["--output-format", "json", "."], project)
    assert not (project / "pwned").exists()
    assert [f["code"] for f in json.loads(run.stdout)] == ["SL101"]


CLEAN_ENTRY = b'{"format": 1, "outcomes": [{"findings": [], "fixed": null, "fixes_applied": 0, "error": null}]}'


def test_a_planted_clean_outcome_that_others_can_write_is_refused(project):
    cache = _fill(project)
    [entry] = _entries(cache)
    entry.write_bytes(trusted.seal(CLEAN_ENTRY))  # well-formed, sealed, and it says "no findings"
    assert outcome_codec.decode(trusted.unseal(entry.read_bytes()), 1) is not None
    os.chmod(entry, 0o666)  # but writable by others: not trusted
    for stored in _entries(cache, "replay"):
        stored.unlink()
    run = run_subprocess(["."], project)
    assert FINDING in run.stdout, "a group/world-writable entry must not answer"


@pytest.mark.parametrize("seal", ["none", "another secret"])
def test_a_committed_clean_entry_is_ignored(project, seal, monkeypatch):
    """`git clone` makes a committed cache folder the user's own, 0644: only the seal tells it from ours."""
    cache = _fill(project)
    planted = CLEAN_ENTRY
    if seal == "another secret":
        monkeypatch.setenv("SLIMLINT_CACHE_SECRET", "the committer's machine")
        monkeypatch.setattr(trusted, "_secret_cache", [])
        planted = trusted.seal(CLEAN_ENTRY)
        monkeypatch.undo()
    for entry in _entries(cache) + _entries(cache, "replay"):
        entry.write_bytes(planted)
        os.chmod(entry, 0o644)
    run = run_subprocess(["."], project)
    assert FINDING in run.stdout


def test_cache_folders_are_private_whatever_the_umask(project):
    old = os.umask(0o002)
    try:
        first = run_subprocess(["."], project)
        second = run_subprocess(["."], project)
    finally:
        os.umask(old)
    assert "not using the cache folder" not in first.stderr + second.stderr
    assert _entries(project / ".slimlint_cache"), "the second run stores its outcome"


@ROOT_ONLY
def test_entries_owned_by_another_user_are_ignored(project):
    cache = _fill(project)
    for entry in _entries(cache) + _entries(cache, "replay"):
        entry.write_bytes(CLEAN_ENTRY)
        os.chown(entry, 4242, 4242)
    run = run_subprocess(["."], project)
    assert FINDING in run.stdout


def test_a_symlinked_entry_is_not_followed(project, tmp_path):
    cache = _fill(project)
    outside = tmp_path / "outside.json"
    [entry] = _entries(cache)
    shutil.copy(entry, outside)
    entry.unlink()
    entry.symlink_to(outside)
    assert trusted.read_private(str(entry)) is None
    run = run_subprocess(["."], project)
    assert FINDING in run.stdout


@pytest.mark.parametrize("garbage", [b"", b"\x80\x81", b"[" * 100000, b'{"format": 1, "outcomes": [1]}', b"{" + b'"a":1,' * 10 + b"}"])
def test_damaged_entries_are_ignored_without_a_traceback(project, garbage):
    cache = _fill(project)
    for entry in _entries(cache) + _entries(cache, "replay"):
        entry.write_bytes(garbage)
    run = run_subprocess(["."], project)
    run.assert_clean_stderr()
    assert FINDING in run.stdout


def test_the_pruner_never_deletes_through_a_link(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    victim = tmp_path / "precious.json"
    victim.write_text("keep me")
    (folder / "0000.json").symlink_to(victim)
    for i in range(5):
        (folder / f"{i + 1:04d}.json").write_text("{}")
    trusted.prune(str(folder), ".json", keep=1)
    assert victim.read_text() == "keep me"
    assert (folder / "0000.json").is_symlink()
    assert len([p for p in folder.glob("*.json") if not p.is_symlink()]) == 1


def test_a_shared_cache_folder_is_not_used_and_the_run_says_so(project, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    run = run_subprocess(["--cache-dir", str(shared), "."], project)
    assert FINDING in run.stdout
    assert "not using the cache folder" in run.stderr
    assert not list(shared.rglob("*.json"))


def test_a_copied_cache_answers_on_a_fresh_checkout(project, tmp_path, monkeypatch):
    """The key is the content of what ran, not where or when it was installed (CI restores caches)."""
    cache = _fill(project)
    [entry] = _entries(cache)
    copy = tmp_path / "fresh"
    shutil.copytree(project, copy, symlinks=True)
    # Plant a marker finding in the copied outcome: it is printed only if the copied cache answers.
    copied = copy / entry.relative_to(project)
    doc = json.loads(trusted.unseal(copied.read_bytes()))
    doc["outcomes"][0]["findings"][0]["message"] = "answered from the copied cache"
    copied.write_bytes(trusted.seal(json.dumps(doc).encode()))
    for stored in _entries(copy / ".slimlint_cache", "replay"):
        stored.unlink()
    run = run_subprocess(["."], copy)
    assert "answered from the copied cache" in run.stdout


def test_replay_entries_are_data(project):
    cache = _fill(project)
    for path in (project, project / "train.py"):
        os.utime(path, (1e9, 1e9))  # old enough that the run trusts their signatures (see replay.is_racy)
    run_subprocess(["."], project)  # stores a replay entry
    assert _entries(cache, "replay")
    for entry in _entries(cache, "replay"):
        json.loads(trusted.unseal(entry.read_bytes()))
    assert replay.code_digest() == replay.code_digest()
