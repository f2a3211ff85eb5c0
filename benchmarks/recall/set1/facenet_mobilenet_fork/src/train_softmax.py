"""Training a face recognizer with TensorFlow using softmax cross entropy loss
"""
# MIT License
#
# Copyright (c) 2016 David Sandberg
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import argparse
import os
import sys
from datetime import datetime

import numpy as np
import tensorflow as tf
import tensorflow.contrib.slim as slim

import facenet
import models.mobilenet_face as network


def main(args):
    subdir = datetime.strftime(datetime.now(), '%Y%m%d-%H%M%S')
    model_dir = os.path.join(os.path.expanduser(args.models_base_dir), subdir)
    if not os.path.isdir(model_dir):
        os.makedirs(model_dir)

    np.random.seed(seed=args.seed)
    with tf.Graph().as_default():
        tf.set_random_seed(args.seed)
        global_step = tf.Variable(0, trainable=False)

        learning_rate_placeholder = tf.placeholder(tf.float32, name='learning_rate')
        phase_train_placeholder = tf.placeholder(tf.bool, name='phase_train')
        image_batch = tf.placeholder(tf.float32, [None, args.image_size, args.image_size, 3],
                                     name='image_batch')
        label_batch = tf.placeholder(tf.int64, [None], name='label_batch')

        # Build the inference graph
        prelogits, _ = network.inference(image_batch, args.keep_probability,
                                         phase_train=phase_train_placeholder,
                                         bottleneck_layer_size=args.embedding_size,
                                         weight_decay=args.weight_decay)
        logits = slim.fully_connected(prelogits, args.nrof_classes, activation_fn=None,
                                      weights_initializer=slim.initializers.xavier_initializer(),
                                      weights_regularizer=slim.l2_regularizer(args.weight_decay),
                                      scope='Logits', reuse=False)
        embeddings = tf.nn.l2_normalize(prelogits, 1, 1e-10, name='embeddings')

        learning_rate = tf.train.exponential_decay(learning_rate_placeholder, global_step,
                                                   args.learning_rate_decay_epochs * args.epoch_size,
                                                   args.learning_rate_decay_factor, staircase=True)
        tf.summary.scalar('learning_rate', learning_rate)

        cross_entropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=label_batch, logits=logits, name='cross_entropy_per_example')
        cross_entropy_mean = tf.reduce_mean(cross_entropy, name='cross_entropy')
        tf.add_to_collection('losses', cross_entropy_mean)

        regularization_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
        total_loss = tf.add_n([cross_entropy_mean] + regularization_losses, name='total_loss')

        # Build a Graph that trains the model with one batch of examples and updates the model parameters
        train_op = facenet.train(total_loss, global_step, args.optimizer,
                                 learning_rate, args.moving_average_decay,
                                 tf.global_variables(), args.log_histograms)

        # Create a saver
        saver = tf.train.Saver(tf.trainable_variables(), max_to_keep=3)

        summary_op = tf.summary.merge_all()
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        summary_writer = tf.summary.FileWriter(model_dir, sess.graph)

        with sess.as_default():
            for epoch in range(1, args.max_nrof_epochs + 1):
                for batch_number in range(args.epoch_size):
                    images, labels = next_batch(args)
                    feed_dict = {learning_rate_placeholder: args.learning_rate,
                                 phase_train_placeholder: True,
                                 image_batch: images, label_batch: labels}
                    loss_, _, step_, summary_str = sess.run(
                        [total_loss, train_op, global_step, summary_op], feed_dict=feed_dict)
                    summary_writer.add_summary(summary_str, global_step=step_)
                    print('Epoch: [%d][%d/%d]\tLoss %2.3f' % (epoch, batch_number + 1,
                                                              args.epoch_size, loss_))
                checkpoint_path = os.path.join(model_dir, 'model-%s.ckpt' % subdir)
                saver.save(sess, checkpoint_path, global_step=step_, write_meta_graph=False)
                if epoch == 1:
                    saver.export_meta_graph(os.path.join(model_dir, 'model-%s.meta' % subdir))
    return model_dir


def next_batch(args):
    images = np.random.rand(args.batch_size, args.image_size, args.image_size, 3)
    labels = np.random.randint(0, args.nrof_classes, size=args.batch_size)
    return images.astype(np.float32), labels


def parse_arguments(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument('--models_base_dir', type=str, default='~/models/facenet')
    parser.add_argument('--max_nrof_epochs', type=int, default=90)
    parser.add_argument('--batch_size', type=int, default=90)
    parser.add_argument('--image_size', type=int, default=160)
    parser.add_argument('--epoch_size', type=int, default=1000)
    parser.add_argument('--nrof_classes', type=int, default=10575)
    parser.add_argument('--embedding_size', type=int, default=128)
    parser.add_argument('--keep_probability', type=float, default=0.8)
    parser.add_argument('--weight_decay', type=float, default=5e-4)
    parser.add_argument('--optimizer', type=str, default='ADAM',
                        choices=['ADAGRAD', 'ADADELTA', 'ADAM', 'RMSPROP', 'MOM'])
    parser.add_argument('--learning_rate', type=float, default=0.05)
    parser.add_argument('--learning_rate_decay_epochs', type=int, default=100)
    parser.add_argument('--learning_rate_decay_factor', type=float, default=1.0)
    parser.add_argument('--moving_average_decay', type=float, default=0.9999)
    parser.add_argument('--seed', type=int, default=666)
    parser.add_argument('--log_histograms', action='store_true')
    return parser.parse_args(argv)


if __name__ == '__main__':
    main(parse_arguments(sys.argv[1:]))
