"""Evaluate the latest ResNet-32 checkpoint on the CIFAR-10 test set."""
from __future__ import print_function

import math

import numpy as np
import tensorflow as tf

import cifar10_input
import resnet_model

FLAGS = tf.app.flags.FLAGS
tf.app.flags.DEFINE_string('data_dir', '/tmp/cifar10_data', 'CIFAR-10 binary data directory')
tf.app.flags.DEFINE_string('checkpoint_dir', '/tmp/resnet32_train', 'Directory with checkpoints')
tf.app.flags.DEFINE_integer('num_examples', 10000, 'Number of test examples')
tf.app.flags.DEFINE_integer('batch_size', 100, 'Evaluation batch size')


def evaluate():
    with tf.Graph().as_default():
        images, labels = cifar10_input.inputs(FLAGS.data_dir, FLAGS.batch_size, eval_data=True)
        logits = resnet_model.inference(images, is_training=False)
        top_k_op = tf.nn.in_top_k(logits, labels, 1)

        saver = tf.train.Saver()
        with tf.Session() as sess:
            ckpt = tf.train.get_checkpoint_state(FLAGS.checkpoint_dir)
            if not (ckpt and ckpt.model_checkpoint_path):
                print('No checkpoint file found')
                return
            saver.restore(sess, ckpt.model_checkpoint_path)
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            num_iter = int(math.ceil(FLAGS.num_examples / FLAGS.batch_size))
            true_count = 0
            for _ in range(num_iter):
                predictions = sess.run(top_k_op)
                true_count += np.sum(predictions)
            precision = true_count / float(num_iter * FLAGS.batch_size)
            print('precision @ 1 = %.4f' % precision)
            coord.request_stop()
            coord.join(threads)


def main(argv=None):
    evaluate()


if __name__ == '__main__':
    tf.app.run()
