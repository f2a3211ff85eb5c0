# --------------------------------------------------------
# Tensorflow Faster R-CNN
# Licensed under The MIT License [see LICENSE for details]
# Written by Xinlei Chen and Zheqi He
# --------------------------------------------------------
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import os

import numpy as np
import tensorflow as tf

from model.config import cfg


class SolverWrapper(object):
    """
      A wrapper class for the training process
    """

    def __init__(self, sess, network, roidb, output_dir, tbdir, pretrained_model=None):
        self.net = network
        self.roidb = roidb
        self.output_dir = output_dir
        self.tbdir = tbdir
        self.pretrained_model = pretrained_model

    def construct_graph(self, sess):
        with sess.graph.as_default():
            # Set the random seed for tensorflow
            tf.set_random_seed(cfg.RNG_SEED)
            # Build the main computation graph
            layers = self.net.create_architecture('TRAIN', self.imdb_num_classes(), tag='default',
                                                  anchor_scales=cfg.ANCHOR_SCALES,
                                                  anchor_ratios=cfg.ANCHOR_RATIOS)
            # Define the loss
            loss = layers['total_loss']
            # Set learning rate and momentum
            lr = tf.Variable(cfg.TRAIN.LEARNING_RATE, trainable=False)
            self.optimizer = tf.train.MomentumOptimizer(lr, cfg.TRAIN.MOMENTUM)

            # Compute the gradients with regard to the loss
            gvs = self.optimizer.compute_gradients(loss)
            # Double the gradient of the bias if set
            if cfg.TRAIN.DOUBLE_BIAS:
                final_gvs = []
                with tf.variable_scope('Gradient_Mult') as scope:
                    for grad, var in gvs:
                        scale = 1.
                        if cfg.TRAIN.DOUBLE_BIAS and '/biases:' in var.name:
                            scale *= 2.
                        if not np.allclose(scale, 1.0):
                            grad = tf.multiply(grad, scale)
                        final_gvs.append((grad, var))
                train_op = self.optimizer.apply_gradients(final_gvs)
            else:
                train_op = self.optimizer.apply_gradients(gvs)

            # We will handle the snapshots ourselves
            self.saver = tf.train.Saver(max_to_keep=100000)
            # Write the train and validation information to tensorboard
            self.writer = tf.summary.FileWriter(self.tbdir, sess.graph)

        return lr, train_op

    def imdb_num_classes(self):
        return self.roidb.num_classes

    def train_model(self, sess, max_iters, data_layer):
        lr, train_op = self.construct_graph(sess)
        sess.run(tf.global_variables_initializer())
        if self.pretrained_model is not None:
            self.net.restore_pretrained(sess, self.pretrained_model)
        iter = 0
        while iter < max_iters + 1:
            blobs = data_layer.forward()
            feed_dict = {self.net._image: blobs['data'], self.net._im_info: blobs['im_info'],
                         self.net._gt_boxes: blobs['gt_boxes']}
            rpn_loss_cls, rpn_loss_box, loss_cls, loss_box, total_loss, _ = sess.run(
                [self.net._losses["rpn_cross_entropy"], self.net._losses['rpn_loss_box'],
                 self.net._losses['cross_entropy'], self.net._losses['loss_box'],
                 self.net._losses['total_loss'], train_op], feed_dict=feed_dict)
            if iter % cfg.TRAIN.DISPLAY == 0:
                print('iter: %d / %d, total loss: %.6f' % (iter, max_iters, total_loss))
            if iter % cfg.TRAIN.SNAPSHOT_ITERS == 0:
                filename = os.path.join(self.output_dir, 'res101_faster_rcnn_iter_{:d}.ckpt'.format(iter))
                self.saver.save(sess, filename)
            iter += 1
