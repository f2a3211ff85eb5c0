"""Single-GPU training of ResNet-32 on CIFAR-10 (queue-runner input pipeline)."""
from __future__ import print_function

import os
import time

import tensorflow as tf
from tensorflow.python.ops import control_flow_ops

import cifar10_input
import resnet_model

FLAGS = tf.app.flags.FLAGS
tf.app.flags.DEFINE_string('data_dir', '/tmp/cifar10_data', 'CIFAR-10 binary data directory')
tf.app.flags.DEFINE_string('train_dir', '/tmp/resnet32_train', 'Where to write checkpoints')
tf.app.flags.DEFINE_integer('batch_size', 128, 'Mini-batch size')
tf.app.flags.DEFINE_integer('max_steps', 64000, 'Number of training steps')
tf.app.flags.DEFINE_integer('log_frequency', 100, 'How often to log the loss')


def train():
    with tf.Graph().as_default():
        global_step = tf.train.get_or_create_global_step()
        images, labels = cifar10_input.distorted_inputs(FLAGS.data_dir, FLAGS.batch_size)

        logits = resnet_model.inference(images, is_training=True)
        total_loss = resnet_model.loss(logits, labels)

        # The moving mean/variance of batch norm live in UPDATE_OPS; hang them on the
        # loss as the tf.contrib.layers.batch_norm documentation suggests.
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        if update_ops:
            updates = tf.group(*update_ops)
            total_loss = control_flow_ops.with_dependencies([updates], total_loss)

        boundaries = [32000, 48000]
        values = [0.1, 0.01, 0.001]
        learning_rate = tf.train.piecewise_constant(global_step, boundaries, values)
        optimizer = tf.train.MomentumOptimizer(learning_rate, 0.9)
        train_op = optimizer.minimize(total_loss, global_step=global_step)

        saver = tf.train.Saver(tf.global_variables(), max_to_keep=3)
        config = tf.ConfigProto(allow_soft_placement=True)
        with tf.Session(config=config) as sess:
            sess.run(tf.global_variables_initializer())
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            start_time = time.time()
            for step in range(FLAGS.max_steps):
                if step % FLAGS.log_frequency == 0:
                    _, loss_value = sess.run([train_op, total_loss])
                    duration = time.time() - start_time
                    start_time = time.time()
                    print('step %d, loss = %.3f (%.1f examples/sec)' %
                          (step, loss_value, FLAGS.log_frequency * FLAGS.batch_size / duration))
                else:
                    sess.run(train_op)
                if step % 5000 == 0 or step + 1 == FLAGS.max_steps:
                    saver.save(sess, os.path.join(FLAGS.train_dir, 'model.ckpt'), global_step=step)
            coord.request_stop()
            coord.join(threads)


def main(argv=None):
    if tf.gfile.Exists(FLAGS.train_dir):
        tf.gfile.DeleteRecursively(FLAGS.train_dir)
    tf.gfile.MakeDirs(FLAGS.train_dir)
    train()


if __name__ == '__main__':
    tf.app.run()
