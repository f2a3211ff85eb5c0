"""Trains the CIFAR-10 classifier with a plain tf.Session loop."""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import argparse
import os

import numpy as np
import tensorflow as tf

import model


def load_cifar10(data_dir):
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.cifar10.load_data()
    x_train = x_train.astype(np.float32) / 127.5 - 1.0
    x_test = x_test.astype(np.float32) / 127.5 - 1.0
    return (x_train, y_train.ravel()), (x_test, y_test.ravel())


def main(args):
    (x_train, y_train), (x_test, y_test) = load_cifar10(args.data_dir)

    images = tf.placeholder(tf.float32, [None, 32, 32, 3], name='images')
    labels = tf.placeholder(tf.int64, [None], name='labels')
    is_training = tf.placeholder(tf.bool, [], name='is_training')

    logits = model.build_classifier(images, 10, training=is_training)
    loss = model.loss_fn(logits, labels)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.float32))

    global_step = tf.train.get_or_create_global_step()
    learning_rate = tf.train.piecewise_constant(global_step, [20000, 30000],
                                                [0.1, 0.01, 0.001])
    optimizer = tf.train.MomentumOptimizer(learning_rate, 0.9, use_nesterov=True)
    # batch norm needs its moving mean / variance updates run with every step
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = optimizer.minimize(loss, global_step=global_step)

    saver = tf.train.Saver(max_to_keep=3)
    num_train = x_train.shape[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(args.max_steps):
            idx = np.random.randint(0, num_train, args.batch_size)
            _, loss_value = sess.run([train_op, loss],
                                     feed_dict={images: x_train[idx], labels: y_train[idx],
                                                is_training: True})
            if step % 100 == 0:
                print('step %d loss %.4f' % (step, loss_value))
            if step % 2000 == 0 or step == args.max_steps - 1:
                accs = []
                for start in range(0, x_test.shape[0], 500):
                    accs.append(sess.run(accuracy, feed_dict={
                        images: x_test[start:start + 500],
                        labels: y_test[start:start + 500],
                        is_training: False}))
                print('step %d test accuracy %.4f' % (step, np.mean(accs)))
                saver.save(sess, os.path.join(args.train_dir, 'model.ckpt'), global_step=step)


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--data_dir', default='/tmp/cifar10')
    parser.add_argument('--train_dir', default='/tmp/cifar10_train')
    parser.add_argument('--batch_size', type=int, default=128)
    parser.add_argument('--max_steps', type=int, default=40000)
    main(parser.parse_args())
