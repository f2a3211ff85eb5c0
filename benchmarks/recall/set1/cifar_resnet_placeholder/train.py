"""Trains ResNet-20 on CIFAR-10 and validates after every epoch."""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import argparse
import os

import numpy as np
import tensorflow as tf

import cifar_input
import model


def main(args):
    x_train, y_train, x_test, y_test = cifar_input.load()

    images = tf.placeholder(tf.float32, [None, 32, 32, 3], name='images')
    labels = tf.placeholder(tf.int64, [None], name='labels')
    is_training = tf.placeholder(tf.bool, name='is_training')
    learning_rate = tf.placeholder(tf.float32, name='learning_rate')

    logits = model.inference(images, num_classes=10, n=args.n)

    cross_entropy = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    l2_loss = tf.add_n(tf.losses.get_regularization_losses())
    loss = cross_entropy + l2_loss
    correct = tf.equal(tf.argmax(logits, 1), labels)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

    global_step = tf.train.get_or_create_global_step()
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        optimizer = tf.train.MomentumOptimizer(learning_rate, 0.9, use_nesterov=True)
    train_op = optimizer.minimize(loss, global_step=global_step)

    saver = tf.train.Saver(tf.global_variables(), max_to_keep=5)
    epoch_learning_rate = args.learning_rate
    best_acc = 0.0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(args.epochs):
            if epoch in (args.epochs // 2, args.epochs * 3 // 4):
                epoch_learning_rate /= 10
            for batch_x, batch_y in cifar_input.iterate_minibatches(x_train, y_train,
                                                                    args.batch_size):
                train_feed_dict = {
                    images: cifar_input.augment(batch_x),
                    labels: batch_y,
                    learning_rate: epoch_learning_rate,
                    is_training: True,
                }
                _, batch_loss = sess.run([train_op, loss], feed_dict=train_feed_dict)

            test_acc = []
            for batch_x, batch_y in cifar_input.iterate_minibatches(x_test, y_test, 1000,
                                                                    shuffle=False):
                test_feed_dict = {
                    images: batch_x,
                    labels: batch_y,
                    is_training: False,
                }
                test_acc.append(sess.run(accuracy, feed_dict=test_feed_dict))
            test_acc = float(np.mean(test_acc))
            print('epoch %d loss %.4f test accuracy %.4f' % (epoch + 1, batch_loss, test_acc))
            if test_acc > best_acc:
                best_acc = test_acc
                saver.save(sess, os.path.join(args.train_dir, 'best.ckpt'))


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--train_dir', default='./model')
    parser.add_argument('--n', type=int, default=3)
    parser.add_argument('--epochs', type=int, default=164)
    parser.add_argument('--batch_size', type=int, default=128)
    parser.add_argument('--learning_rate', type=float, default=0.1)
    main(parser.parse_args())
