"""Issue 13, cases 12 and 13: what a checked tree names cannot break the report: file names that are not UTF-8
keep JSON and SARIF valid (lossless escapes), terminal escape sequences never reach the terminal raw."""

from __future__ import annotations

import json
import os

import pytest

from tests.support.cli import run_cli

TRAIN = (b"import tensorflow as tf\nnet = tf.layers.batch_normalization(images, training=True)\n"
         b"train_op = tf.train.AdamOptimizer(0.1).minimize(net)\n")


@pytest.fixture
def non_utf8_name(tmp_path):
    try:
        with open(os.path.join(os.fsencode(tmp_path), b"bad\xff.py"), "wb") as f:
            f.write(TRAIN)
    except OSError:
        pytest.skip("the file system refuses a non-UTF-8 name")
    return tmp_path


def test_json_stays_valid_with_a_non_utf8_file_name(non_utf8_name):
    run = run_cli(["--no-cache", "--output-format", "json", "."], non_utf8_name)
    [finding] = json.loads(run.stdout_bytes.decode("utf-8"))
    assert finding["code"] == "SL101"
    assert finding["filename"].endswith("bad\\xff.py")


def test_sarif_stays_valid_with_a_non_utf8_file_name(non_utf8_name):
    run = run_cli(["--no-cache", "--output-format", "sarif", "."], non_utf8_name)
    assert "internal error" not in run.stdout + run.stderr
    sarif = json.loads(run.stdout_bytes.decode("utf-8"))
    [result] = sarif["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad%FF.py"


def test_escape_sequences_in_names_and_source_are_not_printed_raw(tmp_path):
    (tmp_path / "t\x1b[2Jx.py").write_bytes(TRAIN)
    (tmp_path / "esc.py").write_bytes(b'import tensorflow as tf\nnet = slim.batch_norm(x)\nprint("a" ; "\x1b[31mRED")\n')
    run = run_cli(["--no-cache", "--no-prefilter", "."], tmp_path)
    assert b"\x1b" not in run.stdout_bytes
    assert "SL101" in run.stdout and "SL900" in run.stdout
