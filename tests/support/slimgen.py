"""A generator of TF-Slim / TF1 programs that knows which findings each one must produce.

A program is a choice along each axis real code spans (import style, where batch norm comes
from, how the train op is built, where UPDATE_OPS is collected, train or eval file, formatting);
`render()` turns it into source text and the expected set of (code, line) findings.

Ground truth (DESIGN.md rule catalogue):
- BN "adds updates" when it runs in training mode and puts its update ops in UPDATE_OPS:
  slim.batch_norm / normalizer_fn=slim.batch_norm with is_training True or defaulted, or
  tf.layers.batch_normalization(training=True); not with updates_collections=None, not with
  is_training=False, not without BN.
- SL102: plain (unwired) `minimize` in a slim module whose arguments all have a create_train_op twin.
- SL101: any other plain (unwired) minimize / apply_gradients.
- SL103: the list read *before* the model is what wires the train op.
- SL104: the list is collected (before or after the model) and never used; the train op is plain.
- SL201: in an eval-named file that never trains, each BN in training mode (explicit True, or
  slim's default True).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Set, Tuple

IMPORTS = {
    "tf_contrib_alias": (["import tensorflow as tf", "", "slim = tf.contrib.slim"], True),
    "contrib_slim": (["import tensorflow as tf", "import tensorflow.contrib.slim as slim"], True),
    "tf_slim_compat": (["import tensorflow.compat.v1 as tf", "import tf_slim as slim"], True),
    "from_contrib": (["import tensorflow as tf", "from tensorflow.contrib import slim"], True),
    "tf_only": (["import tensorflow as tf"], False),
    "compat_only": (["import tensorflow.compat.v1 as tf"], False),
}
SLIM_BN = ["direct", "direct_default", "normfn", "normfn_default", "argscope", "argscope_var", "tf_layers", "none", "in_place", "in_place_params", "eval_mode"]
PLAIN_BN = ["tf_layers", "none", "tf_layers_false"]
ADDS_UPDATES = {"direct", "direct_default", "normfn", "normfn_default", "argscope", "argscope_var", "tf_layers"}
TRAINING_MODE = ADDS_UPDATES | {"in_place", "in_place_params"}  # for SL201: still training mode
WIRINGS = ["plain", "unused", "ctrl", "group", "group_star", "create"]
COLLECT = ["before", "after", "inline"]
MINIMIZE_ARGS = ["(loss)", "(loss, global_step=global_step)", "(loss, global_step)", "(loss, var_list=tf.trainable_variables())", "(loss, global_step=global_step, name='train')"]
TRAIN_NAMES = ["train.py", "train_image_classifier.py", "model_train.py", "trainer.py"]
EVAL_NAMES = ["eval.py", "eval_image_classifier.py", "inference.py", "export_model.py"]


@dataclass(frozen=True)
class Program:
    imports: str
    bn: str
    wiring: str  # plain | ctrl | group | group_star | create | none (eval files)
    method: str  # minimize | apply_gradients
    collect: str  # before | after | inline
    role: str  # train | eval
    filename: str
    indent: int  # 2 or 4
    in_function: bool
    func_name: str
    blank_lines: Tuple[int, ...]  # a bitmask source: where blank lines / comments go
    comments: bool
    minimize_args: str
    inline_optimizer: bool


class _Writer:
    def __init__(self, indent: str, base: int, blanks: Tuple[int, ...], comments: bool) -> None:
        self.lines: List[str] = []
        self.indent = indent
        self.base = base
        self.blanks = blanks
        self.comments = comments
        self.k = 0

    def stmt(self, text: str, level: int = 0, comment: Optional[str] = None) -> int:
        """Add a statement (maybe preceded by a blank line / a comment); returns its 1-based line."""
        flag = self.blanks[self.k % len(self.blanks)] if self.blanks else 0
        self.k += 1
        pad = self.indent * (self.base + level)
        if flag & 1:
            self.lines.append("")
        if self.comments and comment and flag & 2:
            self.lines.append(f"{pad}# {comment}")
        self.lines.append(pad + text)
        return len(self.lines)

    def raw(self, text: str) -> int:
        self.lines.append(text)
        return len(self.lines)


def render(p: Program) -> Tuple[str, Set[Tuple[str, int]]]:
    header, slim_module = IMPORTS[p.imports]
    ind = " " * p.indent
    w = _Writer(ind, 1 if p.in_function else 0, p.blank_lines, p.comments)
    for line in header:
        w.raw(line)
    w.raw("")
    if p.comments:
        w.raw("# Builds and trains a small conv net.")
    if p.in_function:
        w.raw("")
        w.raw(f"def {p.func_name}():")
    expected: Set[Tuple[str, int]] = set()
    bn_lines: List[int] = []

    w.stmt("images = tf.placeholder(tf.float32, [None, 32, 32, 3])", comment="inputs")
    w.stmt("labels = tf.placeholder(tf.int64, [None])")
    train = p.role == "train"
    if train:
        w.stmt("global_step = tf.train.get_or_create_global_step()")
    read_line = None
    uses_list = train and p.wiring in ("unused", "ctrl", "group", "group_star", "create") and p.collect in ("before", "after")
    if uses_list and p.collect == "before":
        read_line = w.stmt("update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)", comment="update ops")

    # --- the model -------------------------------------------------------------------------------
    bn = p.bn
    if bn == "direct":
        w.stmt("net = slim.conv2d(images, 32, [3, 3], activation_fn=None)", comment="conv + bn")
        bn_lines.append(w.stmt("net = slim.batch_norm(net, is_training=True)"))
    elif bn == "direct_default":
        w.stmt("net = slim.conv2d(images, 32, [3, 3], activation_fn=None)")
        bn_lines.append(w.stmt("net = slim.batch_norm(net, decay=0.9)"))
    elif bn == "normfn":
        bn_lines.append(w.stmt("net = slim.conv2d(images, 32, [3, 3], normalizer_fn=slim.batch_norm, normalizer_params={'is_training': True})", comment="model"))
    elif bn == "normfn_default":
        # slim.batch_norm's is_training defaults to True: SL201's fix must not put is_training on conv2d.
        bn_lines.append(w.stmt("net = slim.conv2d(images, 32, [3, 3], normalizer_fn=slim.batch_norm)"))
    elif bn == "argscope":
        bn_lines.append(w.stmt("with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm, normalizer_params={'is_training': True, 'decay': 0.997}):", comment="model"))
        w.stmt("net = slim.conv2d(images, 32, [3, 3])", level=1)
        w.stmt("net = slim.conv2d(net, 64, [3, 3], stride=2)", level=1)
    elif bn == "argscope_var":
        bn_lines.append(w.stmt("bn_params = {'is_training': True, 'epsilon': 1e-5}"))
        w.stmt("with slim.arg_scope([slim.conv2d, slim.fully_connected], normalizer_fn=slim.batch_norm, normalizer_params=bn_params):")
        w.stmt("net = slim.conv2d(images, 32, [3, 3])", level=1)
        w.stmt("net = slim.conv2d(net, 64, [3, 3])", level=1)
    elif bn == "tf_layers":
        w.stmt("net = tf.layers.conv2d(images, 32, 3)", comment="model")
        bn_lines.append(w.stmt("net = tf.layers.batch_normalization(net, training=True)"))
    elif bn == "tf_layers_false":
        w.stmt("net = tf.layers.conv2d(images, 32, 3)")
        w.stmt("net = tf.layers.batch_normalization(net, training=False)")
    elif bn == "none":
        if slim_module:
            w.stmt("net = slim.conv2d(images, 32, [3, 3])", comment="model")
            w.stmt("net = slim.max_pool2d(net, [2, 2])")
        else:
            w.stmt("net = tf.layers.conv2d(images, 32, 3)")
    elif bn == "in_place":
        w.stmt("net = slim.conv2d(images, 32, [3, 3], activation_fn=None)")
        bn_lines.append(w.stmt("net = slim.batch_norm(net, is_training=True, updates_collections=None)", comment="in-place updates"))
    elif bn == "in_place_params":
        bn_lines.append(w.stmt("net = slim.conv2d(images, 32, [3, 3], normalizer_fn=slim.batch_norm, normalizer_params={'is_training': True, 'updates_collections': None})"))
    elif bn == "eval_mode":
        w.stmt("net = slim.conv2d(images, 32, [3, 3], activation_fn=None)")
        w.stmt("net = slim.batch_norm(net, is_training=False)")
    else:
        raise AssertionError(bn)
    if slim_module:
        w.stmt("net = slim.flatten(net)")
    else:
        w.stmt("net = tf.layers.flatten(net)")
    w.stmt("logits = tf.layers.dense(net, 10)", comment="classifier")

    if not train:
        w.stmt("predictions = tf.argmax(logits, 1)")
        w.stmt("saver = tf.train.Saver()")
        w.stmt("saver.restore(sess, checkpoint_path)", comment="restore the trained weights")
        if p.in_function:
            w.stmt("return predictions")
        for line in bn_lines:
            if bn in TRAINING_MODE:
                expected.add(("SL201", line))
        return "\n".join(w.lines) + "\n", expected

    w.stmt("loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)", comment="loss")
    if uses_list and p.collect == "after":
        read_line = w.stmt("update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)")
    opt = "tf.train.MomentumOptimizer(0.01, 0.9)"
    if not p.inline_optimizer or p.wiring == "create":
        w.stmt(f"optimizer = {opt}", comment="optimizer")
        opt = "optimizer"
    updates = "update_ops" if uses_list else "tf.get_collection(tf.GraphKeys.UPDATE_OPS)"

    def build(level: int, target: str = "train_op") -> int:
        if p.method == "minimize":
            return w.stmt(f"{target} = {opt}.minimize{p.minimize_args}", level=level)
        if p.inline_optimizer:
            w.stmt(f"grads_and_vars = {opt}.compute_gradients(loss)", level=level)
        else:
            w.stmt("grads_and_vars = optimizer.compute_gradients(loss)", level=level)
        return w.stmt(f"{target} = {opt}.apply_gradients(grads_and_vars, global_step=global_step)", level=level)

    op_line = None
    if p.wiring in ("plain", "unused"):
        op_line = build(0)
    elif p.wiring == "ctrl":
        w.stmt(f"with tf.control_dependencies({updates}):", comment="run the batch-norm updates with each step")
        build(1)
    elif p.wiring in ("group", "group_star"):
        build(0, "minimize_op")
        star = "*" if p.wiring == "group_star" else ""
        w.stmt(f"train_op = tf.group(minimize_op, {star}{updates})")
    elif p.wiring == "create":
        extra = ", update_ops=update_ops" if uses_list else ""
        w.stmt(f"train_op = slim.learning.create_train_op(loss, optimizer, global_step=global_step{extra})")
    if p.in_function:
        w.stmt("return train_op")

    if bn in ADDS_UPDATES:
        if p.wiring == "plain":
            sl102 = p.method == "minimize" and slim_module and "name=" not in p.minimize_args
            expected.add(("SL102" if sl102 else "SL101", op_line))
        elif p.wiring == "unused":
            expected.add(("SL104", read_line))  # collected, never used (before or after the model)
        elif uses_list and p.collect == "before":
            expected.add(("SL103", read_line))
    return "\n".join(w.lines) + "\n", expected


def valid(p: Program) -> bool:
    """Combinations that mean something (and whose ground truth is an implemented rule)."""
    slim_module = IMPORTS[p.imports][1]
    if p.bn not in (SLIM_BN if slim_module else PLAIN_BN):
        return False
    if p.role == "eval":
        return p.wiring == "none"
    if p.wiring == "none":
        return False
    if p.wiring == "create" and not slim_module:
        return False
    if p.wiring == "plain" and p.collect != "inline":
        return False
    if p.wiring == "unused" and p.collect == "inline":
        return False
    return True
