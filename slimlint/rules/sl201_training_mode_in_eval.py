"""SL201: batch norm left in training mode in evaluation, inference or export code."""

from __future__ import annotations


from typing import Iterator

import libcst as cst

from slimlint.fixes import FixActions, add_dict_item, add_keyword, replace_with
from slimlint.model import context
from slimlint.model.options import reassigned
from slimlint.model.facts import TRUE, UNKNOWN
from slimlint.model.dropout import training_branch_calls
from slimlint.model.import_table import dotted
from slimlint.model.unthreaded_modes import true_over_unread_flag, unthreaded_scope_modes
from slimlint.rules.base import Case, Rule, RuleContext, Violation

_MESSAGE = "Batch norm runs in training mode in evaluation code ({what}): it normalises with the batch's own statistics"


_TRAINS_ON_EVAL_MESSAGE = ("This run goes over evaluation data but fetches `{op}` with `{flag}` fed True: it takes a "
                           "training step on the evaluation set, batch norm normalising with the batch's own statistics "
                           "and folding them into its moving statistics, so the reported numbers are training losses and "
                           "the model learns its evaluation data; fetch what it measures alone and feed `{flag}` False")

_CLASS_GRAPH_MESSAGE = ("Batch norm runs in training mode ({how}) in the one graph its class builds, and `{method}()` of "
                        "the same class runs that graph over "
                        "evaluation data: predictions use each batch's own statistics, not the moving statistics; give "
                        "the class a mode placeholder, fed True to train and False to evaluate")

class TrainingModeInEval(Rule):
    code = "SL201"
    name = "training-mode-in-eval"
    summary = "`is_training=True` in evaluation, inference or export code: predictions depend on the batch."
    what_it_does = """
        Flags batch norm that runs in training mode in code that evaluates, serves, exports or samples from
        a model: `is_training=True` / `training=True` (or `tf.constant(True)`, a tensor no feed changes) given to batch norm, to an arg_scope or
        `normalizer_params`, or to a function that passes it on to batch norm (your own model functions
        across files, slim's model zoo, a network factory in the style of slim's `nets_factory`: a network
        picked from a module-level dict of functions, called by a closure with the factory's `is_training`,
        `get_network_fn(name, ..., is_training=True)`), and calls that leave a model's `is_training=True`
        default in place. A mode may be a string the model tests (`is_training=(self.mode == 'train')`,
        `self.mode in ('train', 'pretrain')`, `mode != 'eval'`): `Model(images, 'train')` in evaluation code
        is reported, without a fix (which string means evaluation is the model's own). A helper that picks
        the mode with a Python test of its mode parameter (`if phase_train: batch_norm(x, is_training=True)
        else: batch_norm(x, is_training=False)`) passes that parameter on: its callers' value is judged.
        Evaluation code is: scripts named for it (eval, test, inference, predict, export, freeze, demo,
        sample, validate ... but not unit tests, nor a `*_test(s).py` smoke-test script whose runs feed only
        asserts about output shapes), functions named for it (evaluate, export, sample ...;
        `predict` / `inference` only when training code calls no function of that module named so), functions
        that restore a checkpoint and then only run what the model predicts (the slim walkthrough's "apply the
        fine-tuned model": no train op built or run there, no project function called after the network is
        built, not reached from a function that trains),
        Estimator `mode == ModeKeys.PREDICT / EVAL` branches, `reuse=True` evaluation towers assigned to
        eval-named results, and scripts that restore a checkpoint and never train. `eval-paths` /
        `train-paths` in the configuration say what a file is when its name does not.

        Also flags, in model code, batch norm that ignores its model's mode flag: a function (or a class,
        through its constructor) takes a flag (a parameter that reaches some of its batch norm, or one named
        as a mode, `is_train`, that it reads) while this batch norm is built with `is_training=True`
        written out or left at a default of True (a backbone under `mobilenet_v2.training_scope()`, a
        normaliser helper that never passes its `is_train` on), and the project builds that model with the
        flag False elsewhere, directly or through configs, constructors and functions that hand the flag
        on (`get_network(..., trainable=False)`, `argparser(is_train=False)`), or with a boolean option False
        by default (`Detector(is_training=FLAGS.train)` under `DEFINE_boolean('train', False, ...)`); not in a
        leftover method that nothing calls (no resolved call reaches it, its file never calls it by name). Batch-norm
        objects made in the constructor (`self.d_bn1 = batch_norm(name='d_bn1')`, called `self.d_bn1(x)`) count,
        also when their class comes in through one of several star imports. The flag may be one the function
        works out from a string parameter and hands on to other layers (`eval_mode = key == 'EVAL'` given to the
        heads of a tower built once per key, the backbone left at its default): the project's call with the
        evaluation string is its inference build, and the fix passes `is_training=not eval_mode`. A constructor
        may keep that flag on the object, set branch by branch (`if phase == 'train': self.forward_only = False`
        / `elif phase == 'test': self.forward_only = True`), and the string may come from a command-line option
        whose default or choices include an evaluation string (`Model(phase=args.phase)` over `--phase` with
        `choices=['train', 'test']`): a network given a written True there gets `not self.forward_only`.

        Also an assignment of False to a mode attribute after the object was built with it (`model.training =
        False` before calling a finished network, `self.is_train = False` in an `evaluate()` that then runs the
        session): the constructor, or a method it calls on self, handed `self.training` to batch norm, Python read
        its value then, and no code reads the attribute later, so the graph keeps training-mode batch norm. Silent
        when some method reads the attribute when it runs (the network builds its layers when called) or the
        function builds again after the assignment (`self.build_network(x)`). Also when the graph was built by a
        method called on the finished object earlier in the same function (`logits = model.network_fn(images)`,
        then `model.is_training = False` for the validation loop), when only such methods read the attribute
        and none is called on the object after the assignment or in a loop around it. No fix: the mode has to be
        given when the object is built.

        Also an arg-scope factory left at its training-mode default inside a function that hands its own mode to
        the network built under that scope: the factory puts `is_training` in `normalizer_params` (which
        override the network's own `arg_scope([slim.batch_norm], is_training=...)`), and the call passes it
        nothing (`arg_scopes_map[name](weight_decay=weight_decay)` in slim's `network_fn` closure, whose
        `get_network_fn(..., is_training=False)` evaluation build then still trains that batch norm). Reported
        at the factory's call when the project builds the function with the flag False or in evaluation code;
        a fix passes the flag when the call reaches that factory alone (not one picked from a dict of them).

        Also a `True` written for batch norm's mode (at a layer, or at a call of a function that builds it) in a
        function that takes a mode parameter of its own and never reads it (`def res_block(x, state,
        is_training=True): conv_lstm(x, state, is_training=True)`), when the project builds that function in
        inference or evaluation code through the networks that call it, none of them handing it False (such a
        call is SL209's): reported at the `True`, no fix (the function's callers leave the parameter at its
        default, so passing it on alone changes nothing; both edits are the author's).

        The mode may come in on an object: a network that reads it from a config it is handed
        (`self.is_training = cfg.is_training`, `training=self.cfg.is_training`) gets the mode of the object
        passed (`cfg = TrainConfig(is_training=True)`, kept by the config class's constructor or a base class
        constructor, or set on the object afterwards: `cfg.is_training = False`). The finding points at the
        object passed, with no fix: its True is the training run's too. A mode a method stores on the object
        (`def build(self, images, is_training): self.is_training = is_training`, the only place the class sets
        it) is that method's parameter for the methods it calls: `model.build(images, is_training=True)` in
        evaluation code is reported there.

        And a session run over evaluation data that feeds the model's boolean mode placeholder True
        (`sess.run([loss, pred], feed_dict={images: val_images_batch, phase_train: True})`): it fetches
        nothing that trains (no train op, optimizer or update; a `tf.metrics` update op only accumulates), it
        feeds other batches than the training runs (a `feed_dict` or batch name rebound for the validation loop
        holds new data), the placeholder reaches batch norm as its mode
        (also through `tf.cond(phase_train, lambda: batch_norm(..., is_training=True), lambda:
        batch_norm(..., is_training=False))`), and its data or results are named for evaluation (`val`,
        `valid`, `test`, `eval`), or its data was just read from data so named (`image, label =
        sess.run(next_element_test)`), or it runs in evaluation code. The placeholder may be a model object's
        (`net.is_training`, `self.network.train_phase`) when every binding of the object constructs a project
        class whose batch norm takes that attribute as its mode. An `..._op` named for what it computes
        (`loss_op`, `summary_op`) is no train op. The placeholder may be named in the graph rather
        than passed: batch norm built with `training=tf.get_default_graph().get_tensor_by_name('is_training:0')`
        follows the placeholder made with `name='is_training'`, and a frozen-graph predictor that looks the
        tensor up (`graph.get_tensor_by_name('prefix/is_training:0')`) and feeds it True runs the served
        network's batch norm in training mode; so does a run on a restored meta graph that feeds the tensor
        by its name (`feed_dict={'images:0': batch, 'is_training:0': True}`). The value fed may be a flag the
        enclosing `if` tests True (a validation loop inside `if conf.training == True:` feeding `{train_phase:
        conf.training}`), unless something may change the flag in the branch before the feed. Evaluation data
        may also be a dataset object's split (`{x: mnist.test.images}`) or a batch rebound from evaluation data
        (`batch = X_test`, then `batch = batch.reshape(...)`). The fix feeds `False`.

        Also a run over evaluation data in a training function whose only model build puts batch norm in
        training mode by a constant (`create_model(inputs, settings, is_training=True)`, then
        `sess.run(evaluation_step, feed_dict={inputs: validation_inputs})`), or by the training function's
        own mode parameter left at a default that trains (`def train(..., mode='train')` building
        `LSTMOCR(mode)`, with no test of `mode` in the function): no placeholder or flag can switch that
        graph, so validation and test numbers use each batch's own statistics. The run must feed one of the
        model's inputs (or the model object's own placeholders, `{model.inputs: val_inputs}`). A model's mode
        may be a string it tests (`is_training=(self.mode == 'train')`): `LSTMOCR('train')` trains. The build
        may also be a network with no mode to give whose batch norm always trains (`encoder(x)` over
        `batch_norm(conv)` at the library's default), and the function a script's module-level code (a
        notebook's cells: train, then test, on one graph). The evaluation data may be what the loop around the
        run copies into the fed arrays (`support[i] = test_dataset[cls, picked]`), or what a flag named for it
        picks (`{is_val: True}` where the model's input is `tf.cond(is_val, lambda: val_batch, lambda:
        train_batch)`). The run may also sit in the
        branch of a mode flag where it is False (`if not training:` restoring the network and playing greedily on
        game states, whatever they are named); the training runs may sit in a function nested in the training
        function (`def train_batch(gen): sess.run([model.optimizer, ...])`); and the evaluation may go through a
        helper of the file handed the model object (`inference(sess, model, val_gen)`, named for evaluation or
        handed evaluation data, running a session and training nothing: reported at that call). Silent when the function also builds the model in another mode (an
        evaluation tower, also through a helper of its own) or feeds a mode. No fix is offered: an evaluation
        graph has to be built.

        And a script named for evaluation (`test.py`, `test_net.py`, `eval.py`) that builds a project network
        whose batch norm is never given a mode: every batch norm at the library's default (training), and no
        function on the way takes a mode (`model.inference(images)` over `tf.contrib.layers.batch_norm(conv)`, also
        through a factory that returns an instance from a dict of classes and a base class that runs its subclass's
        layers; a caffe-tensorflow network whose `@layer` methods chain from `self.feed('data')`). A written
        `training=True` is batch statistics on purpose (MAML's and Reptile's transductive batch norm, batch-size-1
        designs) and is left alone. Reported at the build, without a fix: the network
        needs a mode first. The moving statistics that evaluation should read then count as read, so SL101
        reports the train op that never updates them. Silent in a project that trains adversarially (a GAN's test
        script samples the way training did, by design), in code named for sampling, and where a function on the
        way takes a mode it drops (SL209 and the ignored-flag finding point at the cause).

        A hand-written batch norm counts as batch norm when a Python `if` picks its statistics: one branch
        normalises with `tf.nn.moments` over the batch axis, the other reads moving statistics, and the function
        applies `tf.nn.batch_normalization` (TF's resnet_model.py `_batch_norm` under `if self.mode == 'train':`,
        a config's `if mc.TRAINING:`): the `if` test is its mode, read as an `is_training=` argument is. A config
        object made by a project factory (`cfg = edict(); cfg.TRAINING = True; return cfg`) carries the
        literal the factory sets. So does the widely copied form where a `tf.cond` picks them: `mean, var =
        tf.cond(tf.cast(is_train, "bool"), mean_var_with_update, lambda: (ema.average(batch_mean), ...))`, its
        predicate the mode. A network with no mode of its own that leaves such a wrapper's `is_train=True`
        default, built by training code and by an evaluation script, is reported at the evaluation build.

        And a hand-written batch norm's moving-average update (`ema.apply([batch_mean, batch_var])` of a
        `tf.train.ExponentialMovingAverage`) built before the `tf.cond` whose training branch only names it
        (`with tf.control_dependencies([ema_apply_op]):`): a cond gates only the ops its branches build, so the
        update runs on evaluation batches too. No fix: the `apply` belongs inside the branch function.

        And training-mode batch norm that updates in place (`updates_collections=None`) built before the
        `tf.cond` that picks it (`bn_train = batch_norm(x, is_training=True, updates_collections=None)`, then
        `tf.cond(train_phase, lambda: bn_train, lambda: bn_inference)`, the other branch an inference-mode
        build): a cond gates only the ops its branch
        functions build, so this one runs on every evaluation batch too and folds it into the moving
        statistics. No fix is offered: the calls belong inside the branch functions. Silent in a method that
        nothing in the project names (a helper kept from an earlier version): it is never called.

        And Keras graph code that fixes the learning phase to 1 (`tf.keras.backend.set_learning_phase(True)`) in a
        file that builds Keras batch norm (a `keras.applications` network other than VGG, a
        `BatchNormalization` layer), in a program that later sets the phase to 0 right before a session run
        (a validation helper: `set_learning_phase(False)`, then `sess.run(...)`, no Keras layer or project
        function called in between). A phase set to a constant is read when each layer is built: the network's
        batch norm is built in training mode with no switch left in the graph, so the later 0 changes nothing and
        validation runs on batch statistics (measured on TF 2.x's compat.v1 graph mode: outputs keep mean 0 on data of
        mean 3 after the switch). Reported at the `set_learning_phase(1)`, without a fix. Silent when the phase is
        set before an evaluation build (a separate evaluation script that sets 0 and then builds), and for a set
        that is itself a switch before a run (`def train(self): set_learning_phase(1); sess.run(...)`).

        And evaluation code that imports a saved meta graph (`tf.train.import_meta_graph(ckpt + '.meta')`) in a
        project that builds batch norm only in training mode (the library's default, a written or default True;
        no False, placeholder or run-time mode anywhere) and does not train adversarially: the only graph a training
        run can save normalises with batch statistics. Reported at the import, without a fix (the network needs a
        mode, and an inference graph to restore the checkpoint into). Silent for a meta file named by a literal
        path (a downloaded pretrained network inspected or used to initialise), and in code named for sampling.
        Also a run inside a loop over an evaluation set (`for ids in batches(eval_ids):`, a loop binding the fed data
        from `test_ids`) that fetches a train op and feeds the mode flag True: an evaluation that takes training
        steps on its own data. Reported at the True, no fix (feeding False would still train on it).

        Also a model class (DeepFM-style: `fit_on_batch` trains, `predict` runs) that builds one graph whose batch
        norm nothing gives a mode (`batch_norm(deep)` at the library's default True, or `training=True` written
        in; no mode parameter or placeholder anywhere in the class or the base classes of its file it inherits
        from) and runs that graph over evaluation data in another method (`predict(self, X)` feeding new data,
        also a base class's, with the layers in a subclass): reported at the batch norm, no fix (the class needs
        a mode placeholder, fed True to train and False to evaluate). Not in GANs, nor for methods named for
        sampling.

        Also a training script's module function that runs the script's own graph through its globals (its run
        feeds the model's placeholders) called with an evaluation split by name (`score('valid', 32)`), when
        the graph's batch norm trains by a constant or a default: reported at the call. A run in one branch of
        an `if mode == 'train': ... elif mode == 'test':` chain is judged against the builds its branch can
        reach; a batch named `data_test` that is a slice of the data the training runs feed is a preview of
        training data, not evaluation data.

        Also a run over evaluation data in a training function that builds the same network twice, in training
        mode and in inference mode (`boxes = self.build()`, `boxes_val = self.build(istraining=False)`), when
        the run fetches a result computed from the training build only (`loss` where `loss_val` was meant):
        reported at the run, no fix (which inference result was meant is the author's call).
    """
    why_bad = """
        In training mode batch norm normalises each batch with that batch's own mean and variance and
        ignores the learned moving statistics. Predictions then depend on what else is in the batch; with
        one image per batch every image is normalised to the same thing and gets the same class (measured:
        accuracy 0.33 on a 3-class task, every prediction one class, versus 1.00 in inference mode).
    """
    fix_safety = """
        **Safe** (applied by `--fix`) when the project calls the same network with that parameter False elsewhere (its own inference or export call): the fix gives this evaluation the mode the author gives it there. Otherwise **unsafe** (only with `--unsafe-fixes`): nothing in the code says that the new behaviour is what its author intended, so review the diff.

        The fix replaces the `True` with `False`, or adds `is_training=False` (the callee's own parameter
        name) to a call that relied on a default of True. A keyword is added only where the callee is known
        to take it and the call does not already pass it by position: your own function's `def`, or the
        signature of the TF / tf_slim / model-zoo function in a table generated from the real packages'
        source (`python -m slimlint.data.generate_signatures`); for any other callee the finding comes
        without a fix. slim's MobileNet networks take no mode of their own: under
        `arg_scope(mobilenet_v2.training_scope())` the scope's `is_training` (True by default) is theirs, and
        the fix passes `is_training=False` to the scope, as slim's README does to evaluate (also to a
        project's own copy of slim's MobileNet, when its code shows the scope gives conv layers batch norm).
        No fix when a function that builds a train op also calls the function holding the `True` (a loader
        both a prediction script and the training script use): False there would freeze training's batch norm.
        Batch norm that ignores its model's flag gets the flag instead (`is_training=is_training`,
        `training_scope(is_training=self.trainable)`): training, where the flag is True, is unchanged. Predictions
        change: they now use the moving statistics learned in training. Silent
        when the mode comes from a placeholder, a flag, `mode == ModeKeys.TRAIN`, or a dict slimlint cannot
        read (`**params_from_a_helper()`), and for model-zoo helpers that take no mode (`resnet_v1_block`).
        `normalizer_params` given to the layers win over a network's own `arg_scope([batch_norm], ...)`,
        as in slim itself. Silent, too, for code named for drawing samples (`def sample_images`, a
        `generate_from_ckpt` script) from batch norm the project never gives a mode other than training (a
        network no call builds in another mode; the sampling module's own batch norm, when nothing in that
        module gets another mode): a GAN sampled the way it trained uses batch statistics by design, nothing
        reads those moving statistics, and the fix would make the generator read statistics no run ever used.
        Where the project builds that network in inference mode too, sampling in training mode is reported.
        An evaluation script's boolean flag that is True by default and is its batch norm's mode
        (`DEFINE_boolean('batch_norm_training', True, ...)`, `is_training=FLAGS.batch_norm_training`) is
        reported once, at its definition; the unsafe fix defaults it to False (a user can still pass True),
        only in a file that trains nothing. Batch norm given a written True in a layer whose mode parameter
        receives a placeholder some run feeds False is given the parameter instead.
    """
    behaviour_change = "batch norm uses its moving statistics at evaluation: predictions no longer depend on the rest of the batch"
    valid = (
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            is_training = tf.placeholder(tf.bool, [])
            net = slim.batch_norm(images, is_training=is_training)
            """,
            path="eval.py",
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            def build(images, is_training=True):
                return slim.batch_norm(images, is_training=is_training)
            """,
            path="model.py",
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            net = slim.batch_norm(images, is_training=True)
            """,
            path="model_test.py",
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            batch_norm_params = {"is_training": False, "decay": 0.997}
            with slim.arg_scope([slim.batch_norm], **batch_norm_params):
                net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm)
            """,
            path="eval.py",
        ),
    )
    invalid = (
        Case(
            """
            import tensorflow as tf

            class Net(object):
                def __init__(self):
                    self.x = tf.placeholder(tf.float32, [None, 32])
                    self.is_training = tf.placeholder(tf.bool, [])
                    hidden = tf.layers.dense(self.x, 10)
                    self.logits = tf.layers.batch_normalization(hidden, training=self.is_training)

            net = Net()
            test_logits = sess.run(net.logits, feed_dict={net.x: x_test, net.is_training: True})
            """,
            path="train.py",
            line=11,
            column=79,
            fixed="""
            import tensorflow as tf

            class Net(object):
                def __init__(self):
                    self.x = tf.placeholder(tf.float32, [None, 32])
                    self.is_training = tf.placeholder(tf.bool, [])
                    hidden = tf.layers.dense(self.x, 10)
                    self.logits = tf.layers.batch_normalization(hidden, training=self.is_training)

            net = Net()
            test_logits = sess.run(net.logits, feed_dict={net.x: x_test, net.is_training: False})
            """,
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm,
                              normalizer_params={'is_training': True})
            """,
            path="eval.py",
            fixed="""
            import tensorflow.contrib.slim as slim

            net = slim.conv2d(images, 8, [3, 3], normalizer_fn=slim.batch_norm,
                              normalizer_params={'is_training': False})
            """,
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            def build(images, is_training=True):
                return slim.batch_norm(images, is_training=is_training)

            logits = build(images)
            """,
            path="export_model.py",
            fixed="""
            import tensorflow.contrib.slim as slim

            def build(images, is_training=True):
                return slim.batch_norm(images, is_training=is_training)

            logits = build(images, is_training=False)
            """,
        ),
        Case(
            """
            import tensorflow.contrib.slim as slim

            def head(net, is_training):
                net = slim.conv2d(net, 8, [3, 3], normalizer_fn=slim.batch_norm,
                                  normalizer_params={'is_training': is_training})
                return slim.batch_norm(net, is_training=True, scope='embedding_bn')

            def predict(images):
                return head(images, is_training=False)
            """,
            path="model.py",
            fixed="""
            import tensorflow.contrib.slim as slim

            def head(net, is_training):
                net = slim.conv2d(net, 8, [3, 3], normalizer_fn=slim.batch_norm,
                                  normalizer_params={'is_training': is_training})
                return slim.batch_norm(net, is_training=is_training, scope='embedding_bn')

            def predict(images):
                return head(images, is_training=False)
            """,
        ),
        Case(
            """
            import tensorflow as tf

            def graph_conv(adj, feats, units, keep_r, is_train):
                feats = tf.contrib.layers.dropout(feats, keep_r, is_training=is_train)
                feats = tf.layers.dense(tf.matmul(adj, feats), units)
                return tf.contrib.layers.batch_norm(feats, is_training=True, updates_collections=None)

            is_train = tf.placeholder(tf.bool, name='is_train')
            logits = graph_conv(adj, feats, 7, 0.8, is_train)
            valid_acc = sess.run(accuracy, {adj: graph, feats: x, is_train: False})
            """,
            fixed="""
            import tensorflow as tf

            def graph_conv(adj, feats, units, keep_r, is_train):
                feats = tf.contrib.layers.dropout(feats, keep_r, is_training=is_train)
                feats = tf.layers.dense(tf.matmul(adj, feats), units)
                return tf.contrib.layers.batch_norm(feats, is_training=is_train, updates_collections=None)

            is_train = tf.placeholder(tf.bool, name='is_train')
            logits = graph_conv(adj, feats, 7, 0.8, is_train)
            valid_acc = sess.run(accuracy, {adj: graph, feats: x, is_train: False})
            """,
            line=6,
        ),
        Case(
            """
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            flags = tf.app.flags
            flags.DEFINE_boolean('bn_training', True, 'Use training mode for batch norm.')
            FLAGS = flags.FLAGS

            def net(images, is_training):
                return slim.conv2d(images, 16, [3, 3], normalizer_fn=slim.batch_norm,
                                   normalizer_params={'is_training': is_training})

            depth = net(images, is_training=FLAGS.bn_training)
            with tf.Session() as sess:
                tf.train.Saver().restore(sess, checkpoint)
                print(sess.run(depth))
            """,
            path="eval.py",
            fixed="""
            import tensorflow as tf
            import tensorflow.contrib.slim as slim

            flags = tf.app.flags
            flags.DEFINE_boolean('bn_training', False, 'Use training mode for batch norm.')
            FLAGS = flags.FLAGS

            def net(images, is_training):
                return slim.conv2d(images, 16, [3, 3], normalizer_fn=slim.batch_norm,
                                   normalizer_params={'is_training': is_training})

            depth = net(images, is_training=FLAGS.bn_training)
            with tf.Session() as sess:
                tf.train.Saver().restore(sess, checkpoint)
                print(sess.run(depth))
            """,
            line=5,
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = ctx.model
        seen = set()
        true_by_option: dict = {}  # boolean option defaulting to True -> evaluation builds taking it as their mode
        for func in model.functions:
            trained = (model.module_name, func.qualname) in ctx.index.training_callees or context.forward_name_trained(
                func, model.module_name, ctx.index.training_callees)
            # Restore a checkpoint, then only predict: evaluation whatever the function's name or file.
            predicts = (ctx.role != context.UNIT_TEST and model.restores_and_predicts(func, ctx.index)
                        and (model.module_name, func.qualname) not in ctx.index.train_op_callees)
            # Drawing samples from batch norm that is never given a mode other than training: batch statistics
            # by design (nothing reads the moving statistics, and the fix would make the generator read them).
            sampling = context.samples_by_name(model.module_name, func)
            # A function some training code also builds its train op over: passing False here would freeze that
            # training's batch norm too, so the finding stands without an edit.
            key = (model.module_name, func.qualname)
            shared = key in ctx.index.train_op_callees and key in ctx.index.trained_graph_callees
            for found in unthreaded_scope_modes(model, func, ctx.index):
                yield from self._report_unthreaded_scope(ctx, found, seen)
            for found in true_over_unread_flag(model, func, ctx.index):
                yield from self._once(found.expr, seen, (
                    f"Batch norm runs in training mode whatever `{found.flag}` says: `True` is written here while "
                    f"`{func.name}` takes `{found.flag}` and never reads it, and the project builds `{func.name}` in "
                    f"inference or evaluation code (through a network that calls it), where this batch norm still "
                    f"normalises with the batch's own statistics; pass `{found.flag}` on, and have its callers give it one"))
            # `if phase_train: batch_norm(x, is_training=True) else: batch_norm(x, is_training=False)`: the True
            # holds only when the flag does; the calls that give the flag are judged at those calls.
            training_only = None
            for site in model.bn_sites(func, ctx.index):
                if site.mode.kind == UNKNOWN and isinstance(site.mode.expr, cst.Attribute) and not sampling \
                        and model.option_default(site.mode.expr) is True \
                        and context.is_eval_context(ctx.role, func, site.order, trained):
                    true_by_option.setdefault(site.mode.expr.attr.value, []).append(site.layer.call)
                if site.mode.kind != TRUE or site.in_place and site.mode.expr is None:
                    continue
                if training_only is None:
                    training_only = training_branch_calls(func.node)[0] if func.node is not None else set()
                if id(site.layer.call) in training_only and site.mode.expr is not None:
                    continue
                if sampling and model.module_name not in ctx.index.moded_modules:
                    continue
                if not (predicts or context.is_eval_context(ctx.role, func, site.order, trained)):
                    evaluator = model.class_evaluator(func, ctx.role, ctx.index)
                    if evaluator is not None and id(site.layer.call) not in seen:
                        seen.add(id(site.layer.call))
                        # No fix: True is what training needs; the class needs a mode it can switch.
                        how = "nothing gives it a mode, so it takes the library's default True" \
                            if site.mode.expr is None else "`True` is written in, and nothing in the class switches it"
                        yield self.violation(site.layer.call, _CLASS_GRAPH_MESSAGE.format(method=evaluator, how=how))
                    continue
                yield from self._report(ctx, site.mode, site.layer.call, "batch_norm", seen, fixable=not shared)
            # A fed mode placeholder that never reaches the network: SL207 passes it (the better fix).
            flagged = bool(model.unpassed_mode_flags(func, ctx.index))
            for call in model.bn_calls(func, ctx.index):
                tower = call.site.in_reuse_scope and context.eval_target(call.site.assigned_to)
                if not (tower or predicts or context.is_eval_context(ctx.role, func, call.order, trained)):
                    continue
                if model.result_unused(call.site):
                    continue  # built only to create the variables: the evaluation runs another build
                network = ctx.index.network_key(call.site, model.module_name)
                if sampling and not ctx.index.built_in_other_modes(network):
                    continue
                for param, mode in sorted(call.modes.items()):
                    if mode.kind == UNKNOWN and isinstance(mode.expr, cst.Attribute) and not sampling \
                            and model.option_default(mode.expr) is True:
                        true_by_option.setdefault(mode.expr.attr.value, []).append(call.site.call)
                    if mode.kind == TRUE and not (flagged and mode.expr is None):
                        # The project's own inference call of this network says what the author intends.
                        safe = ctx.index.called_with_false_mode(network, param)
                        # A validation tower (`g_test = generator(z_test, reuse=True)`) is its own build: its
                        # fix leaves training's alone even in a function training code calls.
                        yield from self._report(ctx, mode, call.site.call, param, seen, safe, fixable=tower or not shared)
            # A network whose batch norm always trains, built by evaluation code: no mode to pass, no fix. In a GAN
            # project it is the design (samples and translations use batch statistics, as they trained).
            for site in [] if ctx.index.adversarial else model.evaluated_always_training(func, ctx.role, ctx.index, predicts):
                callee = site.call.func
                shown = dotted(callee) or cst.Module([]).code_for_node(callee)
                shown = shown if len(shown) <= 60 else "..." + shown[-57:]  # a long chain: its last links
                yield from self._once(site.call, seen, (
                    f"Batch norm runs in training mode in evaluation code: `{shown}` builds batch norm "
                    "that always trains (no mode reaches it), so predictions use each batch's own statistics, not the "
                    "moving statistics; give the network a mode and build it with the mode False here"))
            for ignored in model.bn_ignoring_mode_flag(func, ctx.index):
                yield from self._report_ignored_flag(ctx, ignored, seen)
            for average in model.averages_updated_outside_cond(func):
                line = ctx.model.position(average.cond).start.line
                yield from self._once(average.apply, seen, (
                    f"The moving-average update of this hand-written batch norm is built outside the `tf.cond` "
                    f"(line {line}) whose training branch depends on it, so it runs whatever the predicate says: "
                    "every evaluation batch is folded into the moving statistics evaluation reads; build it "
                    "inside the branch function"))
            for outside in model.bn_built_outside_cond(func, ctx.index):
                line = ctx.model.position(outside.cond.call).start.line
                yield from self._once(outside.site.layer.call, seen, (
                    f"Batch norm in training mode runs in evaluation too: it is built before the `tf.cond` (line {line}) "
                    f"that picks `{outside.name}`, so it runs whatever the predicate says, and its in-place update "
                    "folds every evaluation batch into the moving statistics; build it inside the branch function"))
            for imported in model.imported_training_graphs(func, ctx.role, ctx.index):
                yield from self._once(imported, seen, (
                    "Batch norm runs in training mode in the graph this imports: no batch norm of the project is "
                    "ever built in another mode, so the meta graph a training run saved normalises with each "
                    "batch's own statistics, not the moving statistics; give the network a mode, build an "
                    "inference graph with it False and restore the checkpoint into that"))
            for target, attr, built_by in model.late_false_writes(func, ctx.index):
                when = f"the object's constructor handed `self.{attr}` to its batch norm when it was built" \
                    if built_by is None else (
                        f"`{cst.Module([]).code_for_node(built_by.func)}(...)` (line "
                        f"{ctx.model.position(built_by).start.line}) handed `self.{attr}` to its batch norm when it "
                        "built the graph")
                yield from self._once(target, seen, (
                    f"Setting `{attr}` to False here changes no batch norm: {when}, "
                    "and Python read the value it held then; "
                    "no code reads it again, so the graph keeps normalising with each batch's own statistics. "
                    "Give the object its mode when it is built (a constructor parameter), or make the mode a "
                    "placeholder fed False"))
            for graph_run in model.eval_runs_on_training_graph(func, ctx.index):
                line = ctx.model.position(graph_run.build).start.line
                called = cst.Module([]).code_for_node(graph_run.run.func)
                subject = "This run" if called.rsplit(".", 1)[-1] in ("run", "eval") else f"This call of `{called}()`"
                yield from self._once(graph_run.run, seen, (
                    f"{subject} evaluates {graph_run.data} on "
                    f"{'the training graph' if graph_run.trained else 'a graph built like the training one'}, whose batch norm is in training "
                    f"mode by {graph_run.how} (line {line}): the numbers use each batch's own statistics, not the moving "
                    "statistics inference uses; build an evaluation graph with the mode False, or feed a mode placeholder"))
            for found in model.eval_runs_fetching_training_build(func, ctx.index):
                # No fix: which of the inference build's results was meant is the author's call.
                yield from self._once(found.run, seen, (
                    f"This run evaluates {found.data} but fetches `{found.fetched}`, computed from the training-mode "
                    f"build at line {ctx.model.position(found.build).start.line}, although line "
                    f"{ctx.model.position(found.twin).start.line} builds the same network in inference mode for "
                    "evaluation: the number uses each batch's own statistics; fetch the inference build's result"))
            for fed in model.eval_runs_fed_true(func, ctx.role, ctx.index):
                if fed.trains is not None and id(fed.value) not in seen:
                    seen.add(id(fed.value))
                    # No fix: feeding False would still take a training step on the evaluation data.
                    yield self.violation(fed.value, _TRAINS_ON_EVAL_MESSAGE.format(flag=fed.flag, op=fed.trains))
                    continue
                if id(fed.value) not in seen:
                    seen.add(id(fed.value))
                    what = f"`{fed.flag}` fed True in a run over evaluation data" if fed.line is None else (
                        f"`{fed.flag}` fed `{dotted(fed.value)}`, True here ({'tested' if fed.tested else 'set'} at line "
                        f"{fed.line}), in a run over evaluation data")
                    yield self.violation(fed.value, _MESSAGE.format(what=what),
                                         FixActions().on(fed.value, replace_with("False")), "Feed `False`")
        yield from self._report_true_options(ctx, true_by_option)
        if ctx.role != context.UNIT_TEST:
            for call, (module, qualname) in model.training_phase_fixed(ctx.index):
                switch = ("the module code" if qualname == "<module>" else f"`{qualname}`") + (
                    "" if module == model.module_name else f" of `{module}`")
                yield from self._once(call, seen, (
                    "Keras's learning phase is fixed to 1 here, before the model is built: its batch norm is built in "
                    f"training mode with no switch left in the graph, so the `set_learning_phase(0)` that {switch} "
                    "calls before a session run changes nothing, and evaluation normalises with each batch's own "
                    "statistics; leave the phase unset while building (Keras then feeds it) or build the evaluation "
                    "model after setting it to 0"))

    def _once(self, node: cst.CSTNode, seen: set, message: str) -> Iterator[Violation]:
        """A finding without a fix, once per node (two shapes may point at the same call)."""
        if id(node) not in seen:
            seen.add(id(node))
            yield self.violation(node, message)

    def _report_unthreaded_scope(self, ctx: RuleContext, found, seen: set) -> Iterator[Violation]:
        """An arg-scope factory left at its training-mode default where the network under it gets the flag."""
        call = found.site.call
        if id(call) in seen:
            return
        seen.add(id(call))
        built = (f"with `{found.flag}=False`" if found.built == "False"
                 else "in inference or evaluation code (through a network that calls it)")
        picked = "" if found.only_target else " (one of the factories this call picks from)"
        message = (f"Batch norm runs in training mode whatever `{found.flag}` says: `{found.factory}`{picked} puts "
                   f"`{found.param}` in its batch norm's `normalizer_params`, which override the network's own mode, "
                   f"and this call leaves it at its default True; the project builds this {built}, where that batch "
                   f"norm still normalises with the batch's own statistics")
        fix = None
        if found.only_target and ctx.model.accepts_keyword(call, found.param, ctx.index):
            fix = FixActions().on(call, add_keyword(found.param, found.flag))
        yield self.violation(call, message, fix, f"Pass `{found.param}={found.flag}`" if fix else "")

    def _report_true_options(self, ctx: RuleContext, true_by_option: dict) -> Iterator[Violation]:
        """An evaluation script's boolean flag, True by default, that is the mode of its batch norm: run as the
        defaults run it (`python eval.py`), evaluation normalises with batch statistics. Reported once, at the
        flag's definition, where its default is fixed; only in a file that trains nothing."""
        model = ctx.model
        if ctx.role != context.EVAL or model.builder.has_train_ops:
            return
        if any(module == model.module_name for module, _ in ctx.index.training_callees):
            return  # training code calls into this module (`mnist_inference.py`): the flags it defines are training's too
        code = model.module_code()
        for option, calls in sorted(true_by_option.items()):
            found = model.options.boolean_flag_default(option)
            if found is None or reassigned(option, code):
                continue  # `FLAGS.is_training = False` before the build: the default never reaches it
            definition, default = found
            numbers = sorted({model.position(c).start.line for c in calls})
            lines = ("line " if len(numbers) == 1 else "lines ") + ", ".join(str(n) for n in numbers)
            yield self.violation(
                definition,
                f"`--{option}` defaults to True and is the batch-norm mode of this evaluation code ({lines}): "
                "run with its defaults, evaluation normalises with each batch's own statistics, not the moving "
                "statistics training learned; default it to False",
                FixActions().on(default, replace_with("False")), f"Default `--{option}` to False",
                behaviour_change="evaluation run with the defaults uses the moving statistics; passing "
                                 f"`--{option}=True` keeps the old behaviour")

    def _report_ignored_flag(self, ctx: RuleContext, ignored, seen: set) -> Iterator[Violation]:
        """Batch norm left in training mode in a model the project also builds with its flag False."""
        mode, flag = ignored.mode, ignored.flag
        shown = f"`{ignored.derived or flag or ignored.param}`"
        built = f"`{ignored.param}=False`" if ignored.false_by_option is None else \
            f"`{ignored.param}={ignored.false_by_option}` (False by default)"
        if ignored.derived is not None:
            built = f"a `{ignored.param}` that `{ignored.derived}` reads as evaluation"
            if ignored.false_by_option is not None:  # `Model(phase=args.phase)`, `--phase` offering 'test'
                built = f"`{ignored.param}={ignored.false_by_option}`, an option that offers a {ignored.param} " \
                        f"`{ignored.derived}` reads as evaluation,"
        message = (f"Batch norm runs in training mode whatever {shown} says: {ignored.model} is built with "
                   f"{built} elsewhere (its inference or export build), where this batch norm still "
                   "normalises with the batch's own statistics")
        if ignored.run_time is not None:
            given = f"`{ignored.run_time}`, which some run sets False" if ignored.run_time else \
                "by its callers, which some run sets False"
            message = (f"Batch norm runs in training mode whatever {shown} says: {ignored.model} is given "
                       f"`{ignored.param}` at run time ({given}), and in those runs this batch norm still "
                       "normalises with the batch's own statistics")
        if mode.expr is not None:
            if id(mode.expr) in seen:
                return
            seen.add(id(mode.expr))
            fix = FixActions().on(mode.expr, replace_with(flag)) if flag else None
            yield self.violation(mode.expr, message, fix, f"Pass `{flag}`" if fix else "")
            return
        keyword = mode.keyword or "is_training"
        scope = ctx.model.is_mode_scope(mode.owner, ctx.index)
        at = mode.owner if scope else ignored.call
        key = (id(at), keyword)
        if key in seen or (id(ignored.call), keyword) in seen:
            return
        seen.add(key)
        fix = None
        if flag and isinstance(at, cst.Call) and (mode.owner is at) and ctx.model.accepts_keyword(at, keyword, ctx.index):
            fix = FixActions().on(at, add_keyword(keyword, flag))
        yield self.violation(at, message, fix, f"Pass `{keyword}={flag}`" + (" to the scope" if scope else "") if fix else "")

    def _report(self, ctx: RuleContext, mode, call: cst.Call, param: str, seen: set,
                safe: bool = False, fixable: bool = True) -> Iterator[Violation]:
        chosen = ctx.model.network_option(call)
        # The network comes from an option's default: say which, so the user knows what was checked.
        via = f" (the network is chosen by `{chosen[0]}`; checked with {', '.join(chosen[1])})" if chosen else ""
        if mode.expr is not None:
            if id(mode.expr) in seen:
                return
            seen.add(id(mode.expr))
            if mode.via_string:
                # `Model(images, 'train')`: the model tests the string; which string means evaluation is its own.
                what = f"`{mode.keyword or param}={mode.expr.value if isinstance(mode.expr, cst.SimpleString) else dotted(mode.expr)}`"
                yield self.violation(mode.expr, _MESSAGE.format(what=what + ", which the model reads as training") + via)
                return
            fix = FixActions().on(mode.expr, replace_with("False")) if fixable else None
            yield self.violation(mode.expr, _MESSAGE.format(what=f"`{mode.keyword or param}=True`") + via, fix,
                                 "Pass `False`" if fixable else "", safe)
            return
        keyword = mode.keyword or param
        if "." in keyword and isinstance(mode.owner, cst.BaseExpression):
            call = mode.owner  # point at the object passed: it carries the mode
        key = (id(call), param)
        if key in seen:
            return
        seen.add(key)
        if "." in keyword or mode.via_string:
            # An object's attribute (`cfg.is_training`), or a string default the model tests: nothing to pass here.
            fix, how = None, ""
        elif isinstance(mode.owner, cst.Dict):
            fix, how = FixActions().on(mode.owner, add_dict_item("is_training", "False")), "Add `'is_training': False` to normalizer_params"
        elif mode.owner is call and keyword == "normalizer_params" and ctx.model.accepts_keyword(call, keyword, ctx.index):
            fix, how = FixActions().on(call, add_keyword("normalizer_params", "{'is_training': False}")), "Pass `normalizer_params={'is_training': False}`"
        elif mode.owner is call and ctx.model.accepts_keyword(call, keyword, ctx.index):
            fix, how = FixActions().on(call, add_keyword(keyword, "False")), f"Pass `{keyword}=False`"
        elif ctx.model.is_mode_scope(mode.owner, ctx.index):
            # `arg_scope(mobilenet_v2.training_scope())` gives the network its mode: the default is the scope's.
            call = mode.owner
            fix, how = FixActions().on(call, add_keyword(keyword, "False")), f"Pass `{keyword}=False` to the scope"
        else:
            # The default comes through an arg_scope (no single faithful edit), or the callee is not known
            # to take the keyword (a fix must never break the program).
            fix, how = None, ""
        if not fixable:
            fix, how = None, ""
        if "." in keyword:
            # A config object carries the mode (`cfg.is_training`); its True is shared with training: no edit here.
            what = f"the `{keyword.split('.')[0]}` passed here carries `{keyword.split('.')[1]}=True`"
        elif keyword == "normalizer_params":
            what = "`is_training` defaults to True here"
        else:
            what = f"`{keyword}` defaults to True here"
        yield self.violation(call, _MESSAGE.format(what=what) + via, fix, how, safe)
