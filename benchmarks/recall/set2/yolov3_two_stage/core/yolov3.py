#! /usr/bin/env python
# coding=utf-8
import numpy as np
import tensorflow as tf

import core.common as common


class YOLOV3(object):
    """Implement tensoflow yolov3 here (tiny backbone variant)"""
    def __init__(self, input_data, trainable, num_class=20, anchor_per_scale=3):

        self.trainable = trainable
        self.num_class = num_class
        self.anchor_per_scale = anchor_per_scale

        try:
            self.conv_lbbox, self.conv_mbbox = self.__build_nework(input_data)
        except:
            raise NotImplementedError("Can not build up yolov3 network!")

        with tf.variable_scope('pred_mbbox'):
            self.pred_mbbox = tf.identity(self.conv_mbbox)
        with tf.variable_scope('pred_lbbox'):
            self.pred_lbbox = tf.identity(self.conv_lbbox)

    def __darknet(self, input_data):
        with tf.variable_scope('darknet'):
            input_data = common.convolutional(input_data, (3, 3, 3, 32), self.trainable, 'conv0')
            input_data = common.convolutional(input_data, (3, 3, 32, 64), self.trainable, 'conv1', downsample=True)
            input_data = common.residual_block(input_data, 64, 32, 64, self.trainable, 'residual0')
            input_data = common.convolutional(input_data, (3, 3, 64, 128), self.trainable, 'conv2', downsample=True)
            input_data = common.residual_block(input_data, 128, 64, 128, self.trainable, 'residual1')
            route_1 = common.convolutional(input_data, (3, 3, 128, 256), self.trainable, 'conv3', downsample=True)
            input_data = common.convolutional(route_1, (3, 3, 256, 512), self.trainable, 'conv4', downsample=True)
        return route_1, input_data

    def __build_nework(self, input_data):
        route_1, input_data = self.__darknet(input_data)
        out_channels = 3 * (self.num_class + 5)

        input_data = common.convolutional(input_data, (1, 1, 512, 256), self.trainable, 'conv52')
        conv_lobj_branch = common.convolutional(input_data, (3, 3, 256, 512), self.trainable, name='conv_lobj_branch')
        conv_lbbox = common.convolutional(conv_lobj_branch, (1, 1, 512, out_channels),
                                          trainable=self.trainable, name='conv_lbbox', activate=False, bn=False)

        input_data = common.convolutional(input_data, (1, 1, 256, 128), self.trainable, 'conv57')
        input_data = common.upsample(input_data, name='upsample0')
        input_data = tf.concat([input_data, route_1], axis=-1)
        conv_mobj_branch = common.convolutional(input_data, (3, 3, 384, 256), self.trainable, name='conv_mobj_branch')
        conv_mbbox = common.convolutional(conv_mobj_branch, (1, 1, 256, out_channels),
                                          trainable=self.trainable, name='conv_mbbox', activate=False, bn=False)
        return conv_lbbox, conv_mbbox

    def compute_loss(self, label_mbbox, label_lbbox):
        with tf.name_scope('loss'):
            m_loss = tf.reduce_mean(tf.reduce_sum(tf.square(self.conv_mbbox - label_mbbox), axis=[1, 2, 3]))
            l_loss = tf.reduce_mean(tf.reduce_sum(tf.square(self.conv_lbbox - label_lbbox), axis=[1, 2, 3]))
        return m_loss + l_loss
