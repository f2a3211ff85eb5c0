"""Issue 13, cases 16-17: valid code that got a wrong result. Star imports of TF / slim modules resolve like the
named imports; a file-level `# slimlint: noqa: CODES` silences only those codes."""

from __future__ import annotations

import re
import textwrap

import pytest

from tests.support.cli import run_cli

# Batch norm's updates never reach the train op (SL101), and evaluation-like code is absent: one finding.
SL101_TRAIN = textwrap.dedent(
    """\
    import tensorflow as tf
    is_training = tf.placeholder(tf.bool)
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = tf.reduce_mean(net)
    train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
    """
)
# A slim net trained with a plain minimize (SL102), every slim name reached through `IMPORT`.
SLIM_TRAIN = """\
import tensorflow as tf
{import_line}


def net(images, is_training):
    with arg_scope([conv2d], normalizer_fn=batch_norm, normalizer_params={{"is_training": is_training}}):
        x = conv2d(images, 32, [3, 3], scope="conv1")
    return fully_connected(flatten(x), 10, activation_fn=None, scope="logits")


logits = net(tf.placeholder(tf.float32, [None, 28, 28, 1]), is_training=True)
loss = tf.reduce_mean(logits)
train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
"""
# Evaluation code that runs batch norm in training mode (SL201).
SLIM_EVAL = """\
import tensorflow as tf
{import_line}

images = tf.placeholder(tf.float32, [1, 28, 28, 1])
net = {prefix}batch_norm(images, is_training=True)
predictions = tf.argmax(net, axis=-1)
saver = tf.train.Saver()
with tf.Session() as sess:
    saver.restore(sess, "model.ckpt")
"""


def codes(output: str) -> list:
    return sorted(re.findall(r":\d+:\d+: (SL\d+)", output))


def _check(tmp_path, name: str, text: str) -> list:
    """The codes reported (SL901, an unused noqa code, has tests of its own in test_noqa.py)."""
    (tmp_path / name).write_text(text)
    run = run_cli(["--no-cache", "--ignore", "SL901", name], tmp_path)
    run.assert_clean_stderr()
    return codes(run.stdout)


# --- case 16: star imports -------------------------------------------------------------------------------


@pytest.mark.parametrize("import_line", [
    "from tensorflow.contrib.slim import *",
    "from tf_slim import *",
    "from tensorflow.contrib.layers import *\nfrom tensorflow.contrib.framework import arg_scope",
])
def test_slim_layers_through_a_star_import_are_seen(tmp_path, import_line):
    found = _check(tmp_path, "train.py", SLIM_TRAIN.format(import_line=import_line))
    if "contrib.layers" in import_line:
        # tf.contrib.layers alone is not slim code: SL101 (the control_dependencies fix), as with named imports
        assert found == ["SL101"]
    else:
        assert found == ["SL102"]


@pytest.mark.parametrize("import_line, prefix", [
    ("from tensorflow.contrib import *", "slim."),
    ("from tensorflow.contrib.slim import *", ""),
    ("from tf_slim import *", ""),
    ("from tensorflow.contrib.slim import *\nfrom tensorflow.contrib.slim import batch_norm", ""),
])
def test_batch_norm_through_a_star_import_in_evaluation_code(tmp_path, import_line, prefix):
    assert _check(tmp_path, "eval.py", SLIM_EVAL.format(import_line=import_line, prefix=prefix)) == ["SL201"]


def test_star_import_named_import_agree(tmp_path):
    """The star import gives the same report as importing the names one by one."""
    named = _check(tmp_path, "named.py", SLIM_TRAIN.format(
        import_line="from tensorflow.contrib.slim import arg_scope, batch_norm, conv2d, flatten, fully_connected"))
    star = _check(tmp_path, "star.py", SLIM_TRAIN.format(import_line="from tensorflow.contrib.slim import *"))
    assert star == named == ["SL102"]


def test_a_project_function_shadows_the_star_import(tmp_path):
    """`def batch_norm(...)` after the star import is the project's own: not slim's (which trains by default)."""
    text = SLIM_EVAL.format(import_line="from tensorflow.contrib.slim import *", prefix="").replace(
        "images = tf", "def batch_norm(x, is_training):\n    return x\n\n\nimages = tf")
    assert _check(tmp_path, "eval.py", text) == []


def test_a_star_import_of_another_package_binds_nothing(tmp_path):
    text = SLIM_EVAL.format(import_line="from mylayers import *", prefix="")
    assert _check(tmp_path, "eval.py", text) == []


# --- case 17: file-level noqa with codes --------------------------------------------------------------------


def test_file_level_noqa_with_a_code_silences_only_that_code(tmp_path):
    text = "# slimlint: noqa: SL102\n" + SLIM_TRAIN.format(import_line="import tensorflow.contrib.slim as slim").replace(
        "with arg_scope([conv2d], normalizer_fn=batch_norm", "with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm"
    ).replace("conv2d(images", "slim.conv2d(images").replace("fully_connected(flatten(x)", "slim.fully_connected(slim.flatten(x)")
    assert _check(tmp_path, "train.py", text) == []
    assert _check(tmp_path, "train.py", text.replace("noqa: SL102", "noqa: SL101")) == ["SL102"]


def test_file_level_noqa_with_another_code_keeps_the_finding_and_its_fix(tmp_path):
    (tmp_path / "train.py").write_text("# slimlint: noqa: SL201\n" + SL101_TRAIN)
    assert codes(run_cli(["--no-cache", "."], tmp_path).stdout) == ["SL101", "SL901"]  # SL901: the SL201 silences nothing
    run_cli(["--no-cache", "--fix", "--unsafe-fixes", "."], tmp_path)
    assert "control_dependencies" in (tmp_path / "train.py").read_text()


@pytest.mark.parametrize("directive, left", [
    ("# slimlint: noqa: SL101", []),
    ("# slimlint: noqa:SL201, SL101", []),
    ("# slimlint: noqa: SL201", ["SL101"]),
    ("# slimlint: noqa", []),  # the bare form: the whole file
    ("# slimlint: noqa  (generated)", []),
    ("# slimlint: noqa: not-a-code", ["SL101"]),  # a malformed list silences nothing, not everything
    ("x = 1  # slimlint: noqa", ["SL101"]),  # not on a line of its own
])
def test_file_level_directive_forms(tmp_path, directive, left):
    assert _check(tmp_path, "train.py", SL101_TRAIN + directive + "\n") == left


def test_file_level_noqa_with_codes_at_the_end_of_the_file(tmp_path):
    assert _check(tmp_path, "train.py", SL101_TRAIN + "\n# slimlint: noqa: SL101\n") == []
