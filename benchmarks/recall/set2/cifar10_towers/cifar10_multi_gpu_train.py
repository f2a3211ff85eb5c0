"""A binary to train CIFAR-10 using multiple GPUs with synchronous updates."""
from __future__ import print_function

import os
import re
import time
from datetime import datetime

import numpy as np
import tensorflow as tf

import cifar10_input
import cifar10_model

FLAGS = tf.app.flags.FLAGS
tf.app.flags.DEFINE_string('train_dir', '/tmp/cifar10_train', 'Directory where to write event logs and checkpoint.')
tf.app.flags.DEFINE_string('data_dir', '/tmp/cifar10_data', 'Path to the CIFAR-10 data directory.')
tf.app.flags.DEFINE_integer('max_steps', 100000, 'Number of batches to run.')
tf.app.flags.DEFINE_integer('num_gpus', 2, 'How many GPUs to use.')
tf.app.flags.DEFINE_integer('batch_size', 128, 'Number of images to process in a batch.')


def tower_loss(scope, images, labels):
    """Calculate the total loss on a single tower running the CIFAR model."""
    logits = cifar10_model.inference(images, is_training=True)
    total_loss = cifar10_model.loss(logits, labels, scope=scope)
    loss_name = re.sub('%s_[0-9]*/' % cifar10_model.TOWER_NAME, '', total_loss.op.name)
    tf.summary.scalar(loss_name, total_loss)
    return total_loss


def average_gradients(tower_grads):
    average_grads = []
    for grad_and_vars in zip(*tower_grads):
        grads = [tf.expand_dims(g, 0) for g, _ in grad_and_vars]
        grad = tf.reduce_mean(tf.concat(axis=0, values=grads), 0)
        average_grads.append((grad, grad_and_vars[0][1]))
    return average_grads


def train():
    with tf.Graph().as_default(), tf.device('/cpu:0'):
        global_step = tf.train.get_or_create_global_step()
        lr = tf.train.exponential_decay(0.1, global_step, 50000, 0.1, staircase=True)
        opt = tf.train.GradientDescentOptimizer(lr)

        images, labels = cifar10_input.distorted_inputs(FLAGS.data_dir, FLAGS.batch_size)
        batch_queue = tf.contrib.slim.prefetch_queue.prefetch_queue([images, labels], capacity=2 * FLAGS.num_gpus)

        tower_grads = []
        batchnorm_updates = None
        with tf.variable_scope(tf.get_variable_scope()):
            for i in range(FLAGS.num_gpus):
                with tf.device('/gpu:%d' % i):
                    with tf.name_scope('%s_%d' % (cifar10_model.TOWER_NAME, i)) as scope:
                        image_batch, label_batch = batch_queue.dequeue()
                        loss = tower_loss(scope, image_batch, label_batch)
                        tf.get_variable_scope().reuse_variables()
                        summaries = tf.get_collection(tf.GraphKeys.SUMMARIES, scope)

                        # Retain the Batch Normalization updates operations only from the
                        # final tower. Ideally, we should grab the updates from all towers
                        # but these stats accumulate extremely fast so we can ignore the
                        # other stats from the other towers without significant detriment.
                        batchnorm_updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope)

                        grads = opt.compute_gradients(loss)
                        tower_grads.append(grads)

        grads = average_gradients(tower_grads)
        summaries.append(tf.summary.scalar('learning_rate', lr))
        apply_gradient_op = opt.apply_gradients(grads, global_step=global_step)

        variable_averages = tf.train.ExponentialMovingAverage(cifar10_model.MOVING_AVERAGE_DECAY, global_step)
        variables_averages_op = variable_averages.apply(tf.trainable_variables())

        batchnorm_updates_op = tf.group(*batchnorm_updates)
        train_op = tf.group(apply_gradient_op, variables_averages_op, batchnorm_updates_op)

        saver = tf.train.Saver(tf.global_variables())
        summary_op = tf.summary.merge(summaries)
        sess = tf.Session(config=tf.ConfigProto(allow_soft_placement=True))
        sess.run(tf.global_variables_initializer())
        tf.train.start_queue_runners(sess=sess)
        summary_writer = tf.summary.FileWriter(FLAGS.train_dir, sess.graph)

        for step in range(FLAGS.max_steps):
            start_time = time.time()
            _, loss_value = sess.run([train_op, loss])
            duration = time.time() - start_time
            assert not np.isnan(loss_value), 'Model diverged with loss = NaN'
            if step % 10 == 0:
                examples_per_sec = FLAGS.batch_size * FLAGS.num_gpus / duration
                print('%s: step %d, loss = %.2f (%.1f examples/sec)' % (datetime.now(), step, loss_value,
                                                                       examples_per_sec))
            if step % 100 == 0:
                summary_writer.add_summary(sess.run(summary_op), step)
            if step % 1000 == 0 or (step + 1) == FLAGS.max_steps:
                saver.save(sess, os.path.join(FLAGS.train_dir, 'model.ckpt'), global_step=step)


def main(argv=None):
    if tf.gfile.Exists(FLAGS.train_dir):
        tf.gfile.DeleteRecursively(FLAGS.train_dir)
    tf.gfile.MakeDirs(FLAGS.train_dir)
    train()


if __name__ == '__main__':
    tf.app.run()
