"""SL205: Saver(tf.trainable_variables()) leaves batch norm's moving statistics out of the checkpoint."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from slimlint.fixes import FixActions, parse_expr
from slimlint.model.api import TRAINABLE_TO_ALL
from slimlint.model import var_scopes
from slimlint.model.facts import DYNAMIC, TRUE
from slimlint.model.import_table import dotted
from slimlint.rules.base import Case, Rule, RuleContext, Violation


class SaverDropsMovingStatistics(Rule):
    code = "SL205"
    name = "saver-drops-moving-statistics"
    summary = "`tf.train.Saver(tf.trainable_variables())` does not save batch norm's moving mean and variance."
    what_it_does = """
        Flags a `tf.train.Saver` built from `tf.trainable_variables()` (or `slim.get_trainable_variables()`),
        also through a name bound once to that list (`weights = tf.trainable_variables(scope=...)`), in a
        file that builds batch norm. Moving mean and variance are not trainable variables. Silent when
        the batch norm chooses its own `variables_collections` (facenet puts the moving statistics in
        TRAINABLE_VARIABLES, so such a Saver keeps them), and for a Saver of one scope's trainable variables
        that only restores (`Saver(tf.trainable_variables(scope="yolo")).restore(...)`: a sub-network's
        weights, often from a checkpoint of another origin, in a scope that may hold no batch norm), for
        one that only restores a training run's starting weights (the function then trains and writes its
        checkpoints with another Saver, and the module builds no network in inference mode), and
        when nothing in the project reads the moving statistics (every batch norm runs in training mode, the
        same projects SL101 is silent on): a checkpoint without them loses nothing.
    """
    why_bad = """
        The checkpoint lacks the moving statistics. Whoever restores it (an evaluation or export script)
        gets moving_mean 0 and moving_variance 1 (their initial values), and inference-mode batch norm
        collapses, although training itself was fine.
    """
    fix_safety = """
        **Unsafe** (applied only with `--unsafe-fixes`): nothing in the code says that the new behaviour is what its author intended, so review the diff.

        The fix saves `tf.global_variables()` (`slim.get_variables()`) with the same arguments, so a scope
        stays a scope: the moving statistics, and also the optimizer's slots and the global step, so
        checkpoints get larger and a restore also restores those. To keep checkpoints small, add only the
        moving statistics to the list by hand instead. A list bound to a name that something else reads
        too (an optimizer's `var_list`) is not changed: the finding then comes without a fix. Nor is a
        Saver that both saves and restores (`saver.restore(sess, pretrained)` then `saver.save(...)`): it
        would ask the checkpoints it reads for variables they were written without.
    """
    behaviour_change = "checkpoints also hold the moving statistics (and optimizer state), so evaluation restores them"
    valid = (
        Case(
            """
            import tensorflow as tf

            net = tf.layers.dense(images, 10)
            saver = tf.train.Saver(tf.trainable_variables())
            """
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=is_training)
            saver = tf.train.Saver(tf.trainable_variables(), max_to_keep=5)
            """,
            fixed="""
            import tensorflow as tf

            net = tf.layers.batch_normalization(images, training=is_training)
            saver = tf.train.Saver(tf.global_variables(), max_to_keep=5)
            """,
            line=4,
            column=24,
            message="A Saver of the trainable variables leaves batch norm's moving statistics out of the checkpoint",
        ),
        Case(
            """
            import tensorflow as tf

            class Detector:
                def build(self, images):
                    with tf.variable_scope("feature_extractor"):
                        self.net = tf.layers.batch_normalization(images, training=self.is_training)

                def create_saver(self):
                    weights = tf.trainable_variables(scope="feature_extractor")
                    self.saver = tf.train.Saver(weights)
                    self.best_saver = tf.train.Saver(weights)

                def save_weight(self, mode, path):
                    saver = self.saver if mode == "latest" else self.best_saver
                    saver.save(self.sess, path)
            """,
            fixed="""
            import tensorflow as tf

            class Detector:
                def build(self, images):
                    with tf.variable_scope("feature_extractor"):
                        self.net = tf.layers.batch_normalization(images, training=self.is_training)

                def create_saver(self):
                    weights = tf.global_variables(scope="feature_extractor")
                    self.saver = tf.train.Saver(weights)
                    self.best_saver = tf.train.Saver(weights)

                def save_weight(self, mode, path):
                    saver = self.saver if mode == "latest" else self.best_saver
                    saver.save(self.sess, path)
            """,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        if not model.savers or not ctx.index.moving_statistics_read or not model.moving_statistics_untrainable(ctx.index):
            return  # (nothing in the project reads the moving statistics: a checkpoint without them loses nothing)
        tf = model.tf_prefix()
        # A Saver of a list built elsewhere (`Saver(weights)`) is reported when it writes checkpoints: one
        # that only restores a backbone from a checkpoint saved that way would break if it asked for more.
        # Not a list grown after it is made (`var_list += bn_moving_vars`): it holds more than the trainables.
        savers = [s for s in model.savers
                  if s.via_name is None or set(s.targets) & model.save_receivers
                  and not var_scopes.extended(model, s.func, s.via_name, _adds_statistics)]
        for saver in savers:
            saves = bool(set(saver.targets) & model.save_receivers)
            restores = bool(set(saver.targets) & model.restore_receivers) or id(saver.call) in model.builder.restoring_calls
            if restores and not saves and _scoped(saver.variables):
                # Restoring one sub-network's weights (`Saver(trainable_variables(scope='yolo')).restore(...)`), often
                # from a checkpoint of another origin: whether that scope holds batch norm is not known here.
                continue
            if restores and not saves and _starts_training(model, saver, ctx.index):
                continue
            getter = TRAINABLE_TO_ALL[model.canonical(saver.variables.func)]
            func = saver.variables.func
            fix = None
            if isinstance(func, cst.Attribute):
                new_func = func.with_changes(attr=cst.Name(getter))
            else:
                new_func = parse_expr(f"{tf}.{getter}") if tf and getter == "global_variables" else None
            # A list bound to a name is changed where it is made, only when nothing else reads that name
            # (an optimizer's var_list must stay the trainable variables).
            # A Saver that also restores would then ask the checkpoints it reads (a pretrained model, earlier
            # runs) for the moving statistics, optimizer slots and global step they may not hold.
            if new_func is not None and not _name_read_elsewhere(model, saver) and not (saves and restores):
                fix = FixActions().on(saver.variables, lambda node, new_func=new_func: node.with_changes(func=new_func))
            yield self.violation(
                saver.variables,
                "A Saver of the trainable variables leaves batch norm's moving statistics out of the checkpoint",
                fix,
                f"Save all the variables (`{getter}`), with the same arguments",
            )


def _starts_training(model, saver, index) -> bool:
    """Does a Saver that only restores load the starting weights of a training run: restored in the function
    that builds it, before every session run there that trains (`saver_init.restore(sess, pretrained)`, then the
    training loop), which writes its checkpoints with another Saver, and whose batch norm is in training mode
    (True, or a run-time flag: not a frozen backbone, nor one an option may freeze)? Training re-estimates the
    moving statistics and the checkpoints it writes hold them: the restore loses nothing anyone reads. A
    restore after training (the best weights, for a test) or in another method (a `load()` before `predict()`)
    is reported."""
    func = saver.func
    if func.node is None or func.is_module or not func.train_ops or not model.save_receivers - set(saver.targets):
        return False
    training = model.training_run_orders(func)
    restores = [site.order for site in func.calls
                if isinstance(site.call.func, cst.Attribute) and site.call.func.attr.value == "restore"
                and dotted(site.call.func.value) in saver.targets]
    if not training or not restores or max(restores) > min(training):
        return False
    kinds = set()
    for bn in (bn for op in func.train_ops for bn in model.op_graph_bn(op, index)):
        if hasattr(bn, "mode"):
            kinds.add(bn.mode.kind)
        else:
            kinds |= {mode.kind for mode in bn.modes.values()}
            if not bn.modes and bn.summary.always_training:
                kinds.add(TRUE)
    # (none in view: the network is built where slimlint cannot see its modes, a model picked by name)
    return kinds <= {TRUE, DYNAMIC} and model.module_name not in index.inference_build_modules


def _adds_statistics(added: str) -> bool:
    """Does what a list is grown with hold the moving statistics (`bn_moving_vars`, `tf.global_variables()`),
    not only a step counter (`var_list.append(global_step)`)?"""
    return any(word in added for word in ("moving", "global_variables", "model_variables", "all_variables", "bn", "batch_norm"))


def _scoped(variables: cst.Call) -> bool:
    """`tf.trainable_variables(scope=...)` / `get_trainable_variables('yolo')`: one scope's variables only."""
    return any((a.keyword is None or a.keyword.value == "scope") and not (isinstance(a.value, cst.Name) and a.value.value == "None")
               for a in variables.args)


def _name_read_elsewhere(model, saver) -> bool:
    """Is the name the Saver's list is bound to read by anything but Savers of that function?

    Loads are counted in the Saver's own function (and at module level, which a function may read); the
    Savers that account for them are that function's own, whether or not they are reported.
    """
    name = saver.via_name
    if name is None:
        return False
    loads = saver.func.loads.get(name, 0)
    if saver.func is not model.module_func:
        loads += model.module_func.loads.get(name, 0)
    own = sum(s.via_name == name and s.func is saver.func for s in model.savers)
    return loads > own
