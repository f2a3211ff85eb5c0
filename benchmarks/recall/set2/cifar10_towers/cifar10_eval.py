"""Evaluation for CIFAR-10: restores the moving-average shadow variables."""
from __future__ import print_function

import math
import time
from datetime import datetime

import numpy as np
import tensorflow as tf

import cifar10_input
import cifar10_model

FLAGS = tf.app.flags.FLAGS
tf.app.flags.DEFINE_string('eval_dir', '/tmp/cifar10_eval', 'Directory where to write event logs.')
tf.app.flags.DEFINE_string('data_dir', '/tmp/cifar10_data', 'Path to the CIFAR-10 data directory.')
tf.app.flags.DEFINE_string('checkpoint_dir', '/tmp/cifar10_train', 'Directory where to read model checkpoints.')
tf.app.flags.DEFINE_integer('eval_interval_secs', 60 * 5, 'How often to run the eval.')
tf.app.flags.DEFINE_integer('num_examples', 10000, 'Number of examples to run.')
tf.app.flags.DEFINE_integer('batch_size', 128, 'Batch size.')
tf.app.flags.DEFINE_boolean('run_once', False, 'Whether to run eval only once.')


def eval_once(saver, top_k_op):
    with tf.Session() as sess:
        ckpt = tf.train.get_checkpoint_state(FLAGS.checkpoint_dir)
        if not (ckpt and ckpt.model_checkpoint_path):
            print('No checkpoint file found')
            return
        saver.restore(sess, ckpt.model_checkpoint_path)
        coord = tf.train.Coordinator()
        threads = []
        for qr in tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS):
            threads.extend(qr.create_threads(sess, coord=coord, daemon=True, start=True))
        num_iter = int(math.ceil(FLAGS.num_examples / FLAGS.batch_size))
        true_count = 0
        for _ in range(num_iter):
            true_count += np.sum(sess.run([top_k_op]))
        precision = true_count / float(num_iter * FLAGS.batch_size)
        print('%s: precision @ 1 = %.3f' % (datetime.now(), precision))
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)


def evaluate():
    with tf.Graph().as_default():
        images, labels = cifar10_input.inputs(FLAGS.data_dir, FLAGS.batch_size, eval_data=True)
        logits = cifar10_model.inference(images, is_training=False)
        top_k_op = tf.nn.in_top_k(logits, labels, 1)

        variable_averages = tf.train.ExponentialMovingAverage(cifar10_model.MOVING_AVERAGE_DECAY)
        variables_to_restore = variable_averages.variables_to_restore()
        saver = tf.train.Saver(variables_to_restore)

        while True:
            eval_once(saver, top_k_op)
            if FLAGS.run_once:
                break
            time.sleep(FLAGS.eval_interval_secs)


def main(argv=None):
    if tf.gfile.Exists(FLAGS.eval_dir):
        tf.gfile.DeleteRecursively(FLAGS.eval_dir)
    tf.gfile.MakeDirs(FLAGS.eval_dir)
    evaluate()


if __name__ == '__main__':
    tf.app.run()
