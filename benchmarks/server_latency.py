"""How long `slimlint server` takes to answer a didChange on a ~1,000-line file (warm), next to LibCST
parsing the same text.

Generates a project in a temporary folder: a model module and a ~1,000-line script of slim models and
training / evaluation code (the block below, repeated with new names; some copies hold SL102 / SL104 /
SL201 findings, so the fixes' edits are part of the work). Starts `python -m slimlint server` as a
subprocess, opens the script, then sends N didChange notifications (each a new text) and times each one
until its publishDiagnostics arrives; prints the median, next to the median of `libcst.parse_module` on the
same text in this process, and their ratio. Needs the `server` extra (pygls).

`--context DIR` copies a tree into the project as well (its files are context for the script: parsed once,
but the project-wide facts are recomputed at each change), e.g. an installed tf_slim.

Usage: python benchmarks/server_latency.py [--changes N] [--lines L] [--context DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support.lsp_session: the LSP client

MODEL = '''"""Shared building blocks."""

import tensorflow.compat.v1 as tf
import tensorflow.contrib.slim as slim


def block(net, depth, is_training, scope):
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                        normalizer_params={"is_training": is_training, "decay": 0.99}):
        return slim.conv2d(net, depth, [3, 3], scope=scope)
'''

BLOCK = '''

def net_{i}(images, num_classes, is_training=True, scope="net_{i}"):
    """A small slim convnet (copy {i})."""
    with tf.variable_scope(scope):
        with slim.arg_scope([slim.conv2d, slim.fully_connected],
                            normalizer_fn=slim.batch_norm,
                            normalizer_params={{"is_training": is_training, "decay": 0.997}}):
            net = slim.conv2d(images, 32, [3, 3], scope="conv1")
            net = slim.max_pool2d(net, [2, 2], scope="pool1")
            net = model.block(net, 64, is_training, scope="block2")
            net = slim.flatten(net)
            net = slim.dropout(net, keep_prob=0.8, is_training=is_training)
            return slim.fully_connected(net, num_classes, activation_fn=None, normalizer_fn=None, scope="logits")


def train_{i}(images, labels, learning_rate={lr}):
    logits = net_{i}(images, 10, is_training=True)
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    global_step = tf.train.get_or_create_global_step()
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    optimizer = tf.train.MomentumOptimizer(learning_rate, momentum=0.9)
    {train_op}
    return train_op, loss


def evaluate_{i}(images, labels, checkpoint_dir="ckpt_{i}"):
    logits = net_{i}(images, 10, is_training={eval_mode})
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.float32))
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(checkpoint_dir))
        return sess.run(accuracy)
'''

HEADER = '''"""Generated: slim models with their training and evaluation code."""

import tensorflow.compat.v1 as tf
import tensorflow.contrib.slim as slim

import model
'''


def script(lines: int) -> str:
    parts = [HEADER]
    i = 0
    while sum(p.count("\n") for p in parts) < lines:
        buggy = i % 4 == 0  # one copy in four keeps its update ops unwired and evaluates in training mode
        train_op = ("train_op = optimizer.minimize(loss, global_step=global_step)" if buggy else
                    "train_op = slim.learning.create_train_op(loss, optimizer, global_step=global_step)")
        parts.append(BLOCK.format(i=i, lr=0.01 * (i + 1), train_op=train_op, eval_mode="True" if buggy else "False"))
        i += 1
    return "".join(parts)


def parse_seconds(text: str, repeat: int) -> float:
    import libcst

    libcst.parse_module(text)  # warm, as the server is
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        libcst.parse_module(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def server_seconds(project: Path, path: Path, text: str, changes: int):
    from tests.support.lsp_session import Session

    session = await Session(project).start()
    start = time.perf_counter()
    session.open(path, text, version=1)
    findings = len(await session.diagnostics(path, 1, timeout=300))
    first = time.perf_counter() - start
    times = []
    for version in range(2, changes + 2):
        edited = text + f"\n# edit {version}\n"
        start = time.perf_counter()
        session.change(path, edited, version)
        await session.diagnostics(path, version, timeout=300)
        times.append(time.perf_counter() - start)
    await session.close()
    return first, times, findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=20, help="didChange notifications to time (default 20)")
    parser.add_argument("--lines", type=int, default=1000, help="length of the generated script (default 1000)")
    parser.add_argument("--context", type=Path, help="a folder copied into the project as context files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="slimlint-server-latency-") as folder:
        project = Path(folder)
        (project / "pyproject.toml").write_text("[tool.slimlint]\n")
        (project / "model.py").write_text(MODEL)
        if args.context is not None:
            shutil.copytree(args.context, project / args.context.name, ignore=shutil.ignore_patterns("__pycache__"))
        text = script(args.lines)
        path = project / "experiments.py"
        path.write_text(text)
        first, times, findings = asyncio.run(server_seconds(project, path, text, args.changes))
    parse = parse_seconds(text, args.changes)
    warm = statistics.median(times)
    print(f"file: {text.count(chr(10))} lines, {len(text)} characters, {findings} diagnostics"
          + (f"; context: a copy of {args.context}" if args.context is not None else ""))
    print(f"didOpen -> publishDiagnostics (first, includes imports): {first * 1000:.0f} ms")
    print(f"didChange -> publishDiagnostics, warm: median {warm * 1000:.0f} ms over {len(times)} "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")
    print(f"libcst.parse_module of the same text: median {parse * 1000:.0f} ms")
    print(f"ratio server / parse-only: {warm / parse:.2f}")


if __name__ == "__main__":
    main()
