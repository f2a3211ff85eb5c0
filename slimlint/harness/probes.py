"""In-process instruments the harness puts around a fixture program (child process only).

- A *sentinel* goes into UPDATE_OPS right after each batch-norm call that put update ops there:
  a stateful py_func that counts its runs. If the train op depends on UPDATE_OPS as read at that
  time, the sentinel runs once per train step; otherwise never.
- A *step counter* is attached as a control input to every op `Optimizer.apply_gradients` builds
  (minimize and create_train_op go through it), so we know how many train steps ran.
- When a session closes (or the process exits with it open) we snapshot the counts and every
  moving_mean / moving_variance of its graph.
Records go as JSON lines to $SLIMLINT_MEASUREMENTS, the same file fixture_support writes to.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import threading
import weakref

import numpy as np

_counts: dict[str, int] = {}
_lock = threading.Lock()
_state = threading.local()  # depth of nested BN calls: only the outermost adds a sentinel
_graph_sentinels: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_graph_step_counters: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_open_sessions: "weakref.WeakSet" = weakref.WeakSet()


def _write(record: dict) -> None:
    path = os.environ.get("SLIMLINT_MEASUREMENTS")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(record, sort_keys=True) + "\n")


def _counter_op(tf, key: str, name: str):
    """A stateful op without inputs that counts its runs under `key`."""

    def bump():
        with _lock:
            _counts[key] = _counts.get(key, 0) + 1
        return np.int64(0)

    _counts.setdefault(key, 0)
    # control_dependencies(None) also leaves any cond/while context: the op is usable from anywhere.
    with tf.control_dependencies(None):
        return tf.py_func(bump, [], tf.int64, stateful=True, name=name)


def _wrap_batch_norm(tf, fn):
    @functools.wraps(fn)  # keeps slim's `_key_op`, so arg_scope([slim.batch_norm]) still matches
    def batch_norm(*args, **kwargs):
        depth = getattr(_state, "depth", 0)
        graph = tf.get_default_graph()
        before = len(graph.get_collection(tf.GraphKeys.UPDATE_OPS))
        _state.depth = depth + 1
        try:
            out = fn(*args, **kwargs)
        finally:
            _state.depth = depth
        if depth == 0 and not tf.executing_eagerly():
            if len(graph.get_collection(tf.GraphKeys.UPDATE_OPS)) > before:
                sentinels = _graph_sentinels.setdefault(graph, [])
                key = f"sentinel{id(graph)}_{len(sentinels)}"
                sentinels.append(key)
                op = _counter_op(tf, key, "slimlint_update_sentinel")
                graph.add_to_collection(tf.GraphKeys.UPDATE_OPS, op)
        return out

    batch_norm.__wrapped_by_slimlint__ = True
    return batch_norm


def _install_batch_norm_sentinels(tf) -> None:
    import importlib
    import sys

    # importlib, not `import a.b.c as x`: tf_slim.layers has an attribute `layers` that is not the module.
    slim_layers = importlib.import_module("tf_slim.layers.layers")
    legacy_norm = importlib.import_module("tf_keras.src.legacy_tf_layers.normalization")

    originals = {slim_layers.batch_norm: _wrap_batch_norm(tf, slim_layers.batch_norm)}
    # Every module that re-exports slim's batch_norm (tf_slim, tf_slim.layers, tensorflow.contrib.*).
    for module in list(sys.modules.values()):
        if module is None:
            continue
        for attr in ("batch_norm",):
            value = getattr(module, attr, None) if hasattr(module, "__dict__") else None
            if value in originals:
                setattr(module, attr, originals[value])

    # tf.compat.v1.layers.batch_normalization and BatchNormalization objects share Layer.__call__.
    cls = legacy_norm.BatchNormalization
    cls.__call__ = _wrap_batch_norm(tf, cls.__call__)


def _install_step_counter(tf) -> None:
    from tensorflow.python.training import optimizer as optimizer_lib

    original = optimizer_lib.Optimizer.apply_gradients

    @functools.wraps(original)
    def apply_gradients(self, *args, **kwargs):
        op = original(self, *args, **kwargs)
        graph = op.graph
        key = f"steps{id(graph)}"
        _graph_step_counters[graph] = key
        # A control input of the apply op itself: counts exactly when the update is applied.
        op._add_control_input(_counter_op(tf, key, "slimlint_step_counter").op)
        return op

    optimizer_lib.Optimizer.apply_gradients = apply_gradients


def _moving_stats(sess) -> list:
    graph = sess.graph
    stats = [
        v
        for v in graph.get_collection("variables")
        if v.op.name.endswith("moving_mean") or v.op.name.endswith("moving_variance")
    ]
    if not stats:
        return []
    values = sess.run(stats)
    out = []
    for var, value in zip(stats, values):
        initial = 0.0 if var.op.name.endswith("moving_mean") else 1.0
        out.append(
            {
                "name": var.op.name,
                "moved": float(np.abs(np.asarray(value) - initial).max()),
                "norm": float(np.linalg.norm(value)),
            }
        )
    return out


def _snapshot(sess, when: str) -> None:
    if getattr(sess, "_slimlint_snapshotted", False) or getattr(sess, "_closed", False):
        return
    sess._slimlint_snapshotted = True
    graph = sess.graph
    try:
        stats = _moving_stats(sess)
    except Exception as exc:  # variables never initialised, e.g. a session that only restored part
        stats = [{"error": f"{type(exc).__name__}: {exc}".splitlines()[0]}]
    step_key = _graph_step_counters.get(graph)
    _write(
        {
            "kind": "session",
            "when": when,
            "train_steps": _counts.get(step_key, 0) if step_key else 0,
            "sentinel_runs": [_counts[k] for k in _graph_sentinels.get(graph, [])],
            "moving_stats": stats,
        }
    )


def _install_session_snapshots(tf) -> None:
    from tensorflow.python.client import session as session_lib

    base = session_lib.BaseSession
    original_init, original_close = base.__init__, base.close

    @functools.wraps(original_init)
    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        _open_sessions.add(self)

    @functools.wraps(original_close)
    def close(self):
        _snapshot(self, "close")
        original_close(self)

    base.__init__, base.close = __init__, close

    def at_exit():
        for sess in list(_open_sessions):
            _snapshot(sess, "exit")

    atexit.register(at_exit)


def install() -> None:
    import tensorflow.compat.v1 as tf

    _install_batch_norm_sentinels(tf)
    _install_step_counter(tf)
    _install_session_snapshots(tf)
