#! /usr/bin/env python
# -*- coding=utf8 -*-

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow as tf
import tensorflow.contrib.slim as slim


# feature / serving keys shared with build_model_fn.py and main.py
DATA_COL = 'data'
LABEL_COL = 'label'
DEFAULT_SERVING_KEY = 'serving_default'


def configure_learning_rate(global_step, opts):
    if opts.learning_rate_decay_type == 'exponential':
        return tf.train.exponential_decay(opts.learning_rate, global_step,
                                          opts.decay_steps, opts.learning_rate_decay_factor,
                                          staircase=True, name='exponential_decay_learning_rate')
    elif opts.learning_rate_decay_type == 'fixed':
        return tf.constant(opts.learning_rate, name='fixed_learning_rate')
    raise ValueError('learning_rate_decay_type [%s] was not recognized'
                     % opts.learning_rate_decay_type)


def configure_optimizer(learning_rate, opts):
    if opts.optimizer == 'momentum':
        return tf.train.MomentumOptimizer(learning_rate, momentum=opts.momentum, name='Momentum')
    elif opts.optimizer == 'adam':
        return tf.train.AdamOptimizer(learning_rate, epsilon=opts.adam_epsilon)
    elif opts.optimizer == 'rmsprop':
        return tf.train.RMSPropOptimizer(learning_rate, decay=0.9, momentum=0.9, epsilon=1.0)
    raise ValueError('Optimizer [%s] was not recognized' % opts.optimizer)


def get_finetune_train_op(loss, opts):
    global_step = tf.train.get_global_step()
    learning_rate = configure_learning_rate(global_step, opts)
    tf.summary.scalar('learning_rate', learning_rate)
    optimizer = configure_optimizer(learning_rate, opts)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = optimizer.minimize(loss, global_step=global_step)
    return train_op


def create_estimator_spec(mode, logits, labels, params):
    """Create EstimatorSpec."""
    opts = params['opts']
    probabilities = tf.nn.softmax(logits)
    predicted_classes = tf.argmax(logits, 1)

    if mode == tf.estimator.ModeKeys.PREDICT:
        predictions = {
            'classes': predicted_classes,
            'probabilities': probabilities,
        }
        export_outputs = {
            DEFAULT_SERVING_KEY: tf.estimator.export.PredictOutput(predictions),
        }
        return tf.estimator.EstimatorSpec(mode, predictions=predictions,
                                          export_outputs=export_outputs)

    tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    loss = tf.losses.get_total_loss()
    accuracy = tf.metrics.accuracy(labels=labels, predictions=predicted_classes)
    metrics = {'accuracy': accuracy}
    tf.summary.scalar('accuracy', accuracy[1])

    if mode == tf.estimator.ModeKeys.EVAL:
        return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics)

    assert mode == tf.estimator.ModeKeys.TRAIN
    train_op = get_finetune_train_op(loss, opts)
    if opts.preload_checkpoint_path:
        variables_to_restore = slim.get_variables_to_restore(exclude=['resnet_v2_50/logits'])
        tf.train.init_from_checkpoint(opts.preload_checkpoint_path,
                                      {v.op.name: v for v in variables_to_restore})
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
