# Copyright 2018 The TensorFlow Authors. All Rights Reserved.
"""Validate mobilenet_v1 with options for quantization."""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import math

import tensorflow.compat.v1 as tf
import tf_slim as slim
from tensorflow.contrib import quantize as contrib_quantize

from nets import mobilenet_v1
import mobilenet_v1_train

flags = tf.app.flags
flags.DEFINE_integer('num_examples', 50000, 'Number of examples to evaluate')
flags.DEFINE_string('eval_dir', '', 'Directory for writing eval event logs')
FLAGS = flags.FLAGS


def metrics(logits, labels):
    """Specify the metrics for eval."""
    labels = tf.squeeze(labels)
    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({
        'Accuracy': tf.metrics.accuracy(tf.argmax(logits, 1), labels),
        'Recall_5': tf.metrics.recall_at_k(labels, logits, 5),
    })
    for name, value in names_to_values.items():
        slim.summaries.add_scalar_summary(value, name, prefix='eval', print_summary=True)
    return list(names_to_updates.values())


def build_model():
    """Build the mobilenet_v1 model for evaluation."""
    g = tf.Graph()
    with g.as_default():
        inputs, labels = mobilenet_v1_train.imagenet_input(is_training=False)

        scope = mobilenet_v1.mobilenet_v1_arg_scope(is_training=False, weight_decay=0.0)
        with slim.arg_scope(scope):
            logits, _ = mobilenet_v1.mobilenet_v1(
                inputs,
                is_training=False,
                depth_multiplier=FLAGS.depth_multiplier,
                num_classes=FLAGS.num_classes)

        if FLAGS.quantize:
            contrib_quantize.create_eval_graph()

        eval_ops = metrics(logits, labels)
    return g, eval_ops


def eval_model():
    """Evaluates mobilenet_v1."""
    g, eval_ops = build_model()
    with g.as_default():
        num_batches = math.ceil(FLAGS.num_examples / float(FLAGS.batch_size))
        slim.evaluation.evaluate_once('', FLAGS.checkpoint_dir, FLAGS.eval_dir,
                                      num_evals=num_batches, eval_op=eval_ops)


def main(unused_arg):
    eval_model()


if __name__ == '__main__':
    tf.app.run(main)
