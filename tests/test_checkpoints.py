"""checkpoints.trainable_only_checkpoints: read from every file's text, conservative both ways."""

import pytest

from slimlint.model.checkpoints import trainable_only_checkpoints

MAML = "saver = tf.train.Saver(tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES), max_to_keep=10)\n"


@pytest.mark.parametrize("texts, expected", [
    ([MAML], True),
    (["saver = tf.train.Saver(var_list=tf.trainable_variables())\n", "x = 1\n"], True),
    (["s = tf.compat.v1.train.Saver(tf.compat.v1.trainable_variables(scope='net'))\n"], True),
    ([MAML, "saver = tf.train.Saver()\n"], False),  # another file keeps every variable
    ([MAML + "saver = tf.train.Saver(max_to_keep=3)\n"], False),
    (["saver = tf.train.Saver(weights)\n"], False),  # a list bound elsewhere: not known to be trainable-only
    ([MAML, "sv = tf.train.Supervisor(logdir='x')\n"], False),
    ([MAML, "slim.learning.train(train_op, logdir)\n"], False),
    ([MAML, "tf.saved_model.simple_save(sess, 'e', inputs, outputs)\n"], False),
    (["x = 1\n"], False),  # no Saver at all: nothing says the statistics are dropped
    (["saver = tf.train.Saver(tf.trainable_variables() + moving)\n"], False),  # keeps the statistics on purpose
    ([MAML, "tf.saved_model.save(model, 'export')\n"], False),
])
def test_trainable_only_checkpoints(texts, expected):
    assert trainable_only_checkpoints(texts) is expected
