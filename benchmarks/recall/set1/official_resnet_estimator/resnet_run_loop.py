# Copyright 2017 The TensorFlow Authors. All Rights Reserved.
"""Contains utility and supporting functions for ResNet."""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow as tf


def learning_rate_with_decay(batch_size, batch_denom, num_images, boundary_epochs, decay_rates):
    initial_learning_rate = 0.1 * batch_size / batch_denom
    batches_per_epoch = num_images / batch_size
    boundaries = [int(batches_per_epoch * epoch) for epoch in boundary_epochs]
    vals = [initial_learning_rate * decay for decay in decay_rates]

    def learning_rate_fn(global_step):
        global_step = tf.cast(global_step, tf.int32)
        return tf.train.piecewise_constant(global_step, boundaries, vals)

    return learning_rate_fn


def resnet_model_fn(features, labels, mode, model_class, resnet_size, weight_decay,
                    learning_rate_fn, momentum, data_format, loss_filter_fn=None):
    """Shared functionality for different resnet model_fns."""
    tf.summary.image('images', features, max_outputs=6)

    model = model_class(resnet_size, data_format)
    logits = model(features, mode == tf.estimator.ModeKeys.TRAIN)

    predictions = {
        'classes': tf.argmax(logits, axis=1),
        'probabilities': tf.nn.softmax(logits, name='softmax_tensor')
    }

    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(
            mode=mode, predictions=predictions,
            export_outputs={'predict': tf.estimator.export.PredictOutput(predictions)})

    cross_entropy = tf.losses.sparse_softmax_cross_entropy(logits=logits, labels=labels)
    tf.identity(cross_entropy, name='cross_entropy')
    tf.summary.scalar('cross_entropy', cross_entropy)

    def exclude_batch_norm(name):
        return 'batch_normalization' not in name
    loss_filter_fn = loss_filter_fn or exclude_batch_norm

    l2_loss = weight_decay * tf.add_n(
        [tf.nn.l2_loss(tf.cast(v, tf.float32)) for v in tf.trainable_variables()
         if loss_filter_fn(v.name)])
    tf.summary.scalar('l2_loss', l2_loss)
    loss = cross_entropy + l2_loss

    if mode == tf.estimator.ModeKeys.TRAIN:
        global_step = tf.train.get_or_create_global_step()
        learning_rate = learning_rate_fn(global_step)
        tf.identity(learning_rate, name='learning_rate')
        tf.summary.scalar('learning_rate', learning_rate)
        optimizer = tf.train.MomentumOptimizer(learning_rate=learning_rate, momentum=momentum)
        minimize_op = optimizer.minimize(loss, global_step)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        train_op = tf.group(minimize_op, update_ops)
    else:
        train_op = None

    accuracy = tf.metrics.accuracy(labels, predictions['classes'])
    metrics = {'accuracy': accuracy}
    tf.identity(accuracy[1], name='train_accuracy')
    tf.summary.scalar('train_accuracy', accuracy[1])

    return tf.estimator.EstimatorSpec(mode=mode, predictions=predictions, loss=loss,
                                      train_op=train_op, eval_metric_ops=metrics)


def resnet_main(flags, model_function, input_function, shape):
    classifier = tf.estimator.Estimator(
        model_fn=model_function, model_dir=flags.model_dir,
        params={'resnet_size': int(flags.resnet_size), 'data_format': flags.data_format,
                'batch_size': flags.batch_size})
    for _ in range(flags.train_epochs // flags.epochs_between_evals):
        classifier.train(input_fn=lambda: input_function(True, flags.data_dir, flags.batch_size,
                                                         flags.epochs_between_evals))
        eval_results = classifier.evaluate(
            input_fn=lambda: input_function(False, flags.data_dir, flags.batch_size))
        print(eval_results)
    if flags.export_dir is not None:
        input_receiver_fn = tf.estimator.export.build_raw_serving_input_receiver_fn(
            {'image': tf.placeholder(tf.float32, [None] + list(shape), name='input')})
        classifier.export_savedmodel(flags.export_dir, input_receiver_fn)
