"""The hooks of .pre-commit-hooks.yaml, installed and run by the real pre-commit (`try-repo`).

Slow (pre-commit builds a virtualenv and pip-installs slimlint from this checkout, with libcst and
click from PyPI, for every `try-repo`), but part of the suite: it is what users run.

`try-repo` on a repository with uncommitted changes commits only *tracked* changes into a shadow
repo (`git add -u`), and needs a HEAD at all.  So the test never points it at this checkout:
it copies the files a build needs into a throwaway git repository and commits them there,
which behaves the same in a fresh CI clone and in a working tree full of new files.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
# What `pip install .` needs, plus the hook manifest; tests and fixtures stay behind.
BUILD_FILES = ["pyproject.toml", "setup.py", "setup.cfg", "MANIFEST.in", ".pre-commit-hooks.yaml"]
BUILD_GLOBS = ["README*", "LICENSE*"]
TIMEOUT = 900  # seconds; an install from PyPI is usually well under a minute

MODEL = '''\
import tensorflow as tf
import tensorflow.contrib.slim as slim


def model(images, is_training):
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                        normalizer_params={"is_training": is_training}):
        net = slim.conv2d(images, 32, [3, 3], scope="conv1")
        net = slim.conv2d(net, 64, [3, 3], scope="conv2")
    net = slim.batch_norm(slim.flatten(net), is_training=is_training, scope="bn")
    return slim.fully_connected(net, 10, activation_fn=None, scope="logits")


images = tf.placeholder(tf.float32, [None, 28, 28, 1])
labels = tf.placeholder(tf.int64, [None])
logits = model(images, is_training=True)
loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
'''

BUGGY = MODEL + '''train_op = tf.train.AdamOptimizer(0.01).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op)
'''

CLEAN = MODEL + '''optimizer = tf.train.AdamOptimizer(0.01)
train_op = slim.learning.create_train_op(loss, optimizer)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op)
'''


def git(*args, cwd):
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def env(request, tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    home = cache.mkdir("pre-commit") if cache is not None else tmp_path_factory.mktemp("pre-commit")
    shutil.rmtree(home, ignore_errors=True)  # one run's worth at most; pre-commit.log stays for a look
    home.mkdir(parents=True, exist_ok=True)
    # Run as if in a plain shell, even when pytest itself runs inside a git hook.
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    environ.update(
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
        GIT_AUTHOR_NAME="slimlint tests", GIT_AUTHOR_EMAIL="tests@example.invalid",
        GIT_COMMITTER_NAME="slimlint tests", GIT_COMMITTER_EMAIL="tests@example.invalid",
    )
    return environ


@pytest.fixture(scope="module")
def hook_repo(env, tmp_path_factory):
    repo = tmp_path_factory.mktemp("slimlint-hook-repo")
    names = [n for n in BUILD_FILES if (ROOT / n).exists()]
    names += sorted({p.name for g in BUILD_GLOBS for p in ROOT.glob(g) if p.is_file()})
    assert ".pre-commit-hooks.yaml" in names
    for name in names:
        shutil.copy2(ROOT / name, repo / name)
    shutil.copytree(ROOT / "slimlint", repo / "slimlint",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "slimlint under test", cwd=repo)
    return repo


@pytest.fixture
def project(env, tmp_path):
    """A user's repository with one buggy and one clean slim training script, staged."""
    (tmp_path / "train.py").write_text(BUGGY)
    (tmp_path / "train_clean.py").write_text(CLEAN)
    git("init", "-q", cwd=tmp_path)
    git("add", "-A", cwd=tmp_path)
    return tmp_path


def try_repo(hook_repo, hook, files, cwd, env):
    cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook,
           "--color", "never", "--files", *files]
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False,
                          text=True, timeout=TIMEOUT)
    print(proc.stdout)  # shown by pytest when an assertion fails
    return proc


def test_pre_commit_is_installed():
    # A missing pre-commit must fail loudly, not skip: the hooks are part of the product.
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "--version"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False)
    assert proc.returncode == 0, "pre-commit is missing: pip install -e '.[test]'\n" + proc.stdout


def test_check_hook(hook_repo, project, env):
    clean = try_repo(hook_repo, "slimlint", ["train_clean.py"], project, env)
    assert clean.returncode == 0
    assert "Passed" in clean.stdout

    buggy = try_repo(hook_repo, "slimlint", ["train.py", "train_clean.py"], project, env)
    assert buggy.returncode == 1
    assert "Failed" in buggy.stdout
    # One finding line, "path:line:col: SL102 ...", for the buggy file; nothing about the clean one.
    assert re.search(r"\btrain\.py:\d+:\d+:? .*\bSL10[12]\b", buggy.stdout)
    assert "train_clean.py" not in buggy.stdout
    # The check hook never writes.
    assert (project / "train.py").read_text() == BUGGY


def test_fix_hook_leaves_unsafe_fixes_alone_by_default(hook_repo, project, env):
    """As ruff: the fix hook applies safe fixes only; this one (SL102) is unsafe, so the hook fails and writes nothing."""
    run = try_repo(hook_repo, "slimlint-fix", ["train.py"], project, env)
    assert run.returncode == 1
    assert "hidden fix can be enabled with the `--unsafe-fixes` option" in run.stdout
    assert (project / "train.py").read_text() == BUGGY


def test_fix_hook(hook_repo, project, env):
    """Opted in through the project's configuration (`unsafe-fixes = true`), as the README shows."""
    (project / "pyproject.toml").write_text("[tool.slimlint]\nunsafe-fixes = true\n")
    git("add", "pyproject.toml", cwd=project)
    files = ["train.py", "train_clean.py"]
    first = try_repo(hook_repo, "slimlint-fix", files, project, env)
    assert first.returncode == 1
    assert "Failed" in first.stdout
    fixed = (project / "train.py").read_text()
    assert fixed != BUGGY
    assert "create_train_op" in fixed or "control_dependencies" in fixed
    assert (project / "train_clean.py").read_text() == CLEAN

    second = try_repo(hook_repo, "slimlint-fix", files, project, env)
    assert second.returncode == 0
    assert "Passed" in second.stdout
    assert (project / "train.py").read_text() == fixed


def _notebook(source: str) -> str:
    """BUGGY / CLEAN as a Jupyter notebook: the model in one cell, the training in the next, a magic first."""
    model, training = source.split("train_op = ", 1) if "minimize" in source else source.split("optimizer = ", 1)
    training = ("train_op = " if "minimize" in source else "optimizer = ") + training
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
              "source": text.splitlines(keepends=True)} for text in ("%matplotlib inline\n" + model, training)]
    cells.insert(1, {"cell_type": "markdown", "metadata": {}, "source": ["Train:"]})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def test_hooks_take_notebooks(hook_repo, project, env):
    """`types_or: [python, jupyter]`: pre-commit passes notebooks to both hooks (with `types: [python]` it
    would skip them: "no files to check")."""
    (project / "tutorial.ipynb").write_text(_notebook(BUGGY))
    (project / "clean.ipynb").write_text(_notebook(CLEAN))
    git("add", "-A", cwd=project)
    check = try_repo(hook_repo, "slimlint", ["tutorial.ipynb", "clean.ipynb"], project, env)
    assert check.returncode == 1
    assert re.search(r"\btutorial\.ipynb:cell 3:\d+:\d+: .*\bSL102\b", check.stdout)
    assert "clean.ipynb" not in check.stdout
    assert (project / "tutorial.ipynb").read_text() == _notebook(BUGGY)

    (project / "pyproject.toml").write_text("[tool.slimlint]\nunsafe-fixes = true\n")
    git("add", "pyproject.toml", cwd=project)
    first = try_repo(hook_repo, "slimlint-fix", ["tutorial.ipynb"], project, env)
    assert first.returncode == 1
    fixed = (project / "tutorial.ipynb").read_text()
    assert "create_train_op" in fixed and "%matplotlib inline" in fixed
    assert json.loads(fixed)["cells"][:2] == json.loads(_notebook(BUGGY))["cells"][:2]
    second = try_repo(hook_repo, "slimlint-fix", ["tutorial.ipynb"], project, env)
    assert second.returncode == 0
    assert "Passed" in second.stdout
