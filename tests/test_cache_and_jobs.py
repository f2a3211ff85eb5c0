"""The cache replays only what is still true, and parallel runs report exactly what serial ones do."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import Run, run_subprocess

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _findings(run) -> list:
    return [(Path(f["filename"]).name, f["location"]["row"], f["code"]) for f in json.loads(run.stdout)]


@pytest.fixture
def seed(tmp_path):
    tree = tmp_path / "seed"
    shutil.copytree(FIXTURES / "seed_model_module", tree, ignore=shutil.ignore_patterns("expected", "fixture.toml"))
    return tree


def test_editing_the_model_module_changes_the_train_scripts_finding(seed, tmp_path):
    cache = tmp_path / "cache"
    args = ["--output-format", "json", "--cache-dir", str(cache), "."]
    first = run_subprocess(args, seed)
    assert ("train.py", 15, "SL102") in _findings(first)
    assert list(cache.rglob("*.json")), "the first run fills the cache"
    # Warm: nothing changed, same answer.
    assert _findings(run_subprocess(args, seed)) == _findings(first)
    # The model's batch norm now updates in place: train.py itself is unchanged, its finding must go.
    model = seed / "model.py"
    model.write_text(model.read_text().replace('"decay": 0.9}', '"decay": 0.9, "updates_collections": None}'))
    assert ("train.py", 15, "SL102") not in _findings(run_subprocess(args, seed))
    # And back again.
    model.write_text(model.read_text().replace(', "updates_collections": None}', "}"))
    assert ("train.py", 15, "SL102") in _findings(run_subprocess(args, seed))


def test_the_outcome_cache_is_keyed_by_content_not_by_timestamps(seed, tmp_path):
    """Touched files, or a fresh clone with a restored cache folder: same bytes, answered without parsing;
    a same-size edit that puts the old mtime back: new bytes, checked afresh."""
    cache = tmp_path / "cache"
    args = ["--output-format", "json", "--cache-dir", str(cache), "."]
    first = _findings(run_subprocess(args, seed))
    for path in seed.iterdir():
        path.write_bytes(path.read_bytes())  # new mtime and ctime, same content
    env = {**os.environ, "PYTHONWARNINGS": ""}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "slimlint", *args], cwd=seed,
                          capture_output=True, env=env)
    assert b"libcst" not in proc.stderr, "same content: the outcome cache should have answered"
    assert _findings(Run(proc.returncode, proc.stdout.decode(), "", proc.stdout)) == first
    train = seed / "train.py"
    st = train.stat()
    train.write_text(train.read_text().replace("optimizer.minimize(loss)", "optimizer.maximize(loss)"))
    os.utime(train, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert ("train.py", 15, "SL102") not in _findings(run_subprocess(args, seed))


def test_a_changed_setting_is_not_served_from_the_cache(seed, tmp_path):
    cache = tmp_path / "cache"
    base = ["--output-format", "json", "--cache-dir", str(cache)]
    assert _findings(run_subprocess(base + ["."], seed))
    # Ignoring SL102 hands the train op to SL101 (the two never both fire): a different answer, not a replay.
    assert _findings(run_subprocess(base + ["--ignore", "SL102", "."], seed)) == [("train.py", 15, "SL101")]
    assert _findings(run_subprocess(base + ["--ignore", "SL1", "."], seed)) == []


def test_a_corrupt_cache_entry_is_ignored(seed, tmp_path):
    cache = tmp_path / "cache"
    args = ["--output-format", "json", "--cache-dir", str(cache), "."]
    expected = _findings(run_subprocess(args, seed))
    for entry in cache.rglob("*.json"):
        entry.write_bytes(b"not an entry")
    # Another command line with the same settings: not a replay (replay.py), so the outcome cache is asked.
    run = run_subprocess(["--jobs", "1", *args], seed)
    assert _findings(run) == expected
    assert "Traceback" not in run.stderr


def test_parallel_and_serial_runs_agree_in_content_and_order(tmp_path):
    # A hang guard only: the serial run of every fixture takes over a minute on a loaded 2-core machine.
    runs = [run_subprocess(["--no-cache", "--output-format", "json", "--jobs", str(j), str(FIXTURES)], tmp_path, timeout=900)
            for j in (1, 2)]
    serial, parallel = (json.loads(r.stdout) for r in runs)
    assert serial == parallel
    assert len(serial) > 40


@pytest.mark.slow
def test_prefilter_is_loss_free_on_the_tensorflow_tree(tmp_path):
    """The text prefilter skips most files; parsing every file must not find anything more (tf_slim, and
    TensorFlow's layer and training code)."""
    spec = importlib.util.find_spec("tf_slim")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("tf_slim is not installed")
    roots = [Path(list(spec.submodule_search_locations)[0])]
    tf_spec = importlib.util.find_spec("tensorflow")
    if tf_spec is not None and tf_spec.submodule_search_locations:
        # The parts of TensorFlow that build layers, batch norm and training loops (about 200 of its 1,800
        # files): parsing all of them without the filter took most of this test's four minutes on CI; the sweep
        # (test_sweep.py) runs the whole package with the filter.
        tf_root = Path(list(tf_spec.submodule_search_locations)[0]) / "python"
        roots += [tf_root / part for part in ("keras", "layers", "training") if (tf_root / part).is_dir()]
    args = ["--no-cache", "--exit-zero", "--output-format", "json", *map(str, roots)]
    with_filter = run_subprocess(args, tmp_path, timeout=900)
    without = run_subprocess(["--no-prefilter", *args], tmp_path, timeout=1800)
    assert json.loads(with_filter.stdout) == json.loads(without.stdout)
