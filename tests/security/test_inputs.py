"""Issue 13, cases 9 and 14: inputs the OS or the tokenizer refuse get a per-path message where it happens."""

from __future__ import annotations

import os

import pytest

from tests.support.cli import run_cli

BN = "import tensorflow as tf\nnet = slim.batch_norm(x)\n"
TRAIN = ("import tensorflow as tf\nnet = tf.layers.batch_normalization(images, training=True)\n"
         "train_op = tf.train.AdamOptimizer(0.1).minimize(net)\n")


def _nest_past_the_path_limit(root, depth: int = 2100) -> None:
    """`root/d/d/...` deeper than PATH_MAX (4096 bytes): made one level at a time through directory fds."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            child = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
    finally:
        os.close(fd)


def _unnest(root) -> None:
    """Remove the chain a level at a time with short paths (pytest's recursive rmtree would hit the recursion limit)."""
    top, below, spare = os.path.join(root, "d"), os.path.join(root, "d", "d"), os.path.join(root, "spare")
    while os.path.isdir(below):
        os.rename(below, spare)
        os.rmdir(top)
        os.rename(spare, top)
    if os.path.isdir(top):
        os.rmdir(top)


@pytest.fixture
def deep_tree(tmp_path):
    _nest_past_the_path_limit(tmp_path)
    yield tmp_path
    _unnest(tmp_path)


def test_directories_nested_past_the_path_limit_are_a_per_path_error(deep_tree):
    tmp_path = deep_tree
    (tmp_path / "train.py").write_text(TRAIN)
    run = run_cli(["--no-cache", "."], tmp_path)
    assert "internal error" not in run.stdout + run.stderr
    assert "cannot read directory: File name too long" in run.stdout + run.stderr
    assert "SL101" in run.stdout, "the rest of the tree is still checked"
    assert run.code == 2  # a path could not be checked (documented exit code)


def test_tokenizer_errors_are_reported_where_they_happen(tmp_path):
    (tmp_path / "quote.py").write_text(BN + 's = """never closed\nnet = 2\n')
    (tmp_path / "dedent.py").write_text(BN + "if True:\n        x = 1\n    y = 2\n")
    run = run_cli(["--no-cache", "--no-prefilter", "--output-format", "concise", "."], tmp_path)
    lines = sorted(l for l in run.stdout.splitlines() if "SL900" in l)
    assert [l.split(": SL900")[0] for l in lines] == ["dedent.py:5:5", "quote.py:3:5"], lines


MODEL = "import tensorflow.contrib.slim as slim\n\n\ndef net(x, is_training=True):\n    return slim.batch_norm(x, is_training=is_training)\n"
EVAL = ("import tensorflow as tf\nimport model\nlogits = model.net(tf.placeholder(tf.float32, [1, 4]))\n"
        "with tf.Session() as sess:\n    tf.train.Saver().restore(sess, 'ckpt')\n    sess.run(logits)\n")


@pytest.mark.parametrize("limit, read", [(None, True), (100, False)])
def test_context_files_over_the_size_limit_are_not_read(tmp_path, limit, read):
    """Issue 13, case 10: a file named alone reads its siblings as context, up to max-context-file-size."""
    (tmp_path / "model.py").write_text(MODEL + "# " + "x" * 200 + "\n")
    (tmp_path / "eval.py").write_text(EVAL)
    if limit is not None:
        (tmp_path / "pyproject.toml").write_text(f"[tool.slimlint]\nmax-context-file-size = {limit}\n")
    run = run_cli(["--no-cache", "eval.py"], tmp_path)
    assert ("SL201" in run.stdout) == read
    assert ("over max-context-file-size" in run.stderr) == (not read)


def test_max_context_file_size_must_be_bytes(tmp_path):
    (tmp_path / "eval.py").write_text(EVAL)
    (tmp_path / "pyproject.toml").write_text('[tool.slimlint]\nmax-context-file-size = "1MB"\n')
    run = run_cli(["--no-cache", "eval.py"], tmp_path)
    assert run.code == 2 and "must be a number of bytes" in run.stdout + run.stderr


@pytest.mark.parametrize("expression", [
    "(a\n" + "    .f(1)\n" * 3000 + ")",  # a generated method chain, one call per line
    " + ".join(["a"] * 3000),  # a generated sum on one line
])
def test_an_expression_nested_past_the_budget_is_one_sl900_at_its_line(tmp_path, expression):
    """Issue 13, case 11: LibCST needs minutes for these; the budget turns them into a notice (timed in
    benchmarks/pathological.py, not here)."""
    (tmp_path / "generated.py").write_text(BN + "y = " + expression + "\n")
    run = run_cli(["--no-cache", "--no-prefilter", "--output-format", "concise", "generated.py"], tmp_path)
    [line] = [l for l in run.stdout.splitlines() if "SL900" in l]
    assert line.startswith("generated.py:3:1: SL900 an expression here is nested more than 1500 levels"), line


def test_ordinary_nesting_is_parsed(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN + "y = " + " + ".join(["a"] * 200) + "\n")
    run = run_cli(["--no-cache", "train.py"], tmp_path)
    assert "SL101" in run.stdout and "SL900" not in run.stdout
