"""In-process instruments the harness puts around a fixture program (child process only).

- A *sentinel* goes into UPDATE_OPS right after each batch-norm call that put update ops there:
  a stateful py_func that counts its runs. If the train op depends on UPDATE_OPS as read at that
  time, the sentinel runs once per train step; otherwise never.
- A *step counter* is attached as a control input to every op `Optimizer.apply_gradients` builds
  (minimize and create_train_op go through it), so we know how many train steps ran.
- When a session closes (or the process exits with it open) we snapshot the counts and every
  moving_mean / moving_variance of its graph.
- For `update_ops_scoped`, only in a graph with train ops over variables of two or more top-level
  scopes (a GAN's generator and discriminator steps): each train op also gets its own counter, and
  for the first few `Session.run` calls that run exactly one train op, the moving statistics are
  read before and after the run; how much each one changed is recorded per train op, with the
  scopes of the variables that train op updates.
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
# graph -> [{"key": counter key, "scopes": top-level scopes of the variables the train op updates}]
_graph_train_ops: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_probing = threading.local()  # inside a probe's own Session.run: do not probe it
PROBE_RUNS = 3  # solo runs measured per train op
PROBE_BUDGET = 50  # Session.run calls probed per session, at most


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
        # grads_and_vars may be a generator: read it once, pass the same pairs on.
        if args:
            args = (tuple(args[0]),) + tuple(args[1:])
            pairs = args[0]
        else:
            pairs = kwargs["grads_and_vars"] = tuple(kwargs["grads_and_vars"])
        op = original(self, *args, **kwargs)
        graph = op.graph
        key = f"steps{id(graph)}"
        _graph_step_counters[graph] = key
        # A control input of the apply op itself: counts exactly when the update is applied.
        op._add_control_input(_counter_op(tf, key, "slimlint_step_counter").op)
        _register_train_op(tf, graph, op, pairs)
        return op

    optimizer_lib.Optimizer.apply_gradients = apply_gradients


def _register_train_op(tf, graph, op, pairs) -> None:
    scopes = sorted({v.op.name.split("/")[0] for g, v in pairs if g is not None})
    train_ops = _graph_train_ops.setdefault(graph, [])
    key = f"train{id(graph)}_{len(train_ops)}"
    train_ops.append({"key": key, "scopes": scopes})
    op._add_control_input(_counter_op(tf, key, "slimlint_train_op_counter").op)


def _two_networks(graph) -> list:
    """The graph's train ops, when they update variables of two or more top-level scopes; else []."""
    train_ops = _graph_train_ops.get(graph, [])
    scopes = {tuple(t["scopes"]) for t in train_ops if t["scopes"]}
    return train_ops if len(scopes) >= 2 else []


def _moving_stat_variables(graph) -> list:
    return [
        v
        for v in graph.get_collection("variables")
        if v.op.name.endswith("moving_mean") or v.op.name.endswith("moving_variance")
    ]


def _probed_run(original, sess, args, kwargs):
    """Session.run, measuring how each moving statistic changed if exactly one train op ran."""
    if getattr(_probing, "active", False):
        return original(sess, *args, **kwargs)
    train_ops = _two_networks(sess.graph)
    probes = sess.__dict__.setdefault("_slimlint_train_probes", {})
    budget = getattr(sess, "_slimlint_probe_budget", PROBE_BUDGET)
    wanted = any(probes.get(t["key"], {}).get("runs", 0) < PROBE_RUNS for t in train_ops)
    if not train_ops or budget <= 0 or not wanted:
        return original(sess, *args, **kwargs)
    sess._slimlint_probe_budget = budget - 1
    stats = _moving_stat_variables(sess.graph)
    _probing.active = True
    try:
        before = sess.run(stats) if stats else []
    except Exception:  # not initialised yet (this may be the initialising run)
        before = None
    finally:
        _probing.active = False
    counts = {t["key"]: _counts.get(t["key"], 0) for t in train_ops}
    # Trace the run (if the program does not) to see where batch norm ran: such a program may never
    # call fixture_support.evaluate, which otherwise reports it.
    metadata = None
    untraced = len(args) <= 2 and "options" not in kwargs and "run_metadata" not in kwargs
    if before is not None and untraced and not sess.__dict__.get("_slimlint_bn_devices"):
        from tensorflow.core.protobuf import config_pb2

        metadata = config_pb2.RunMetadata()
        kwargs = dict(kwargs, run_metadata=metadata)
        kwargs["options"] = config_pb2.RunOptions(trace_level=config_pb2.RunOptions.FULL_TRACE)
    result = original(sess, *args, **kwargs)
    ran = [t for t in train_ops if _counts.get(t["key"], 0) != counts[t["key"]]]
    if before is None or len(ran) != 1:
        return result
    if metadata is not None:
        sess._slimlint_bn_devices = sorted(
            {
                dev.device
                for dev in metadata.step_stats.dev_stats
                for node in dev.node_stats
                if "batchnorm" in node.node_name.lower() or "FusedBatchNorm" in node.timeline_label
            }
        )
    _probing.active = True
    try:
        after = sess.run(stats) if stats else []
    except Exception:
        return result
    finally:
        _probing.active = False
    probe = probes.setdefault(ran[0]["key"], {"scopes": ran[0]["scopes"], "runs": 0, "stat_changes": {}})
    probe["runs"] += 1
    changes = probe["stat_changes"]
    for var, old, new in zip(stats, before, after):
        change = float(np.abs(np.asarray(new) - np.asarray(old)).max())
        changes[var.op.name] = max(changes.get(var.op.name, 0.0), change)
    return result


def _moving_stats(sess) -> list:
    graph = sess.graph
    stats = _moving_stat_variables(graph)
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
    record = {
        "kind": "session",
        "when": when,
        "train_steps": _counts.get(step_key, 0) if step_key else 0,
        "sentinel_runs": [_counts[k] for k in _graph_sentinels.get(graph, [])],
        "moving_stats": stats,
    }
    train_ops = _two_networks(graph)
    if train_ops:  # only then: one-network programs keep exactly their old records
        probes = getattr(sess, "_slimlint_train_probes", {})
        record["train_ops"] = [
            {
                "scopes": t["scopes"],
                "steps": _counts.get(t["key"], 0),
                "probed_runs": probes.get(t["key"], {}).get("runs", 0),
                "stat_changes": probes.get(t["key"], {}).get("stat_changes", {}),
            }
            for t in train_ops
        ]
        record["bn_devices"] = getattr(sess, "_slimlint_bn_devices", [])
    _write(record)


def _install_session_snapshots(tf) -> None:
    from tensorflow.python.client import session as session_lib

    base = session_lib.BaseSession
    original_init, original_close, original_run = base.__init__, base.close, base.run

    @functools.wraps(original_init)
    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        _open_sessions.add(self)

    @functools.wraps(original_close)
    def close(self):
        _snapshot(self, "close")
        original_close(self)

    @functools.wraps(original_run)
    def run(self, *args, **kwargs):
        return _probed_run(original_run, self, args, kwargs)

    base.__init__, base.close, base.run = __init__, close, run

    def at_exit():
        for sess in list(_open_sessions):
            _snapshot(sess, "exit")

    atexit.register(at_exit)


def install() -> None:
    import tensorflow.compat.v1 as tf

    _install_batch_norm_sentinels(tf)
    _install_step_counter(tf)
    _install_session_snapshots(tf)
