# Copyright 2016 Paul Balanca. All Rights Reserved.
"""Definition of 300 VGG-based SSD network (trimmed)."""
from collections import namedtuple

import tensorflow as tf

from nets import custom_layers
from nets import ssd_common

slim = tf.contrib.slim

SSDParams = namedtuple('SSDParameters', ['img_shape', 'num_classes', 'no_annotation_label',
                                         'feat_layers', 'feat_shapes', 'anchor_size_bounds',
                                         'anchor_sizes', 'anchor_ratios', 'anchor_steps',
                                         'anchor_offset', 'normalizations', 'prior_scaling'])


class SSDNet(object):
    """Implementation of the SSD VGG-based 300 network."""
    default_params = SSDParams(
        img_shape=(300, 300), num_classes=21, no_annotation_label=21,
        feat_layers=['block4', 'block7', 'block8', 'block9', 'block10', 'block11'],
        feat_shapes=[(38, 38), (19, 19), (10, 10), (5, 5), (3, 3), (1, 1)],
        anchor_size_bounds=[0.15, 0.90],
        anchor_sizes=[(21., 45.), (45., 99.), (99., 153.), (153., 207.), (207., 261.), (261., 315.)],
        anchor_ratios=[[2, .5], [2, .5, 3, 1. / 3], [2, .5, 3, 1. / 3], [2, .5, 3, 1. / 3],
                       [2, .5], [2, .5]],
        anchor_steps=[8, 16, 32, 64, 100, 300], anchor_offset=0.5,
        normalizations=[20, -1, -1, -1, -1, -1], prior_scaling=[0.1, 0.1, 0.2, 0.2])

    def __init__(self, params=None):
        self.params = params if isinstance(params, SSDParams) else SSDNet.default_params

    def net(self, inputs, is_training=True, update_feat_shapes=True, dropout_keep_prob=0.5,
            prediction_fn=slim.softmax, reuse=None, scope='ssd_300_vgg'):
        """SSD network definition."""
        return ssd_net(inputs, num_classes=self.params.num_classes,
                       feat_layers=self.params.feat_layers, anchor_sizes=self.params.anchor_sizes,
                       anchor_ratios=self.params.anchor_ratios,
                       normalizations=self.params.normalizations, is_training=is_training,
                       dropout_keep_prob=dropout_keep_prob, prediction_fn=prediction_fn,
                       reuse=reuse, scope=scope)

    def arg_scope(self, weight_decay=0.0005, data_format='NHWC'):
        """Network arg_scope."""
        with slim.arg_scope([slim.conv2d, slim.fully_connected], activation_fn=tf.nn.relu,
                            weights_regularizer=slim.l2_regularizer(weight_decay),
                            weights_initializer=tf.contrib.layers.xavier_initializer(),
                            biases_initializer=tf.zeros_initializer()):
            with slim.arg_scope([slim.conv2d, slim.max_pool2d], padding='SAME',
                                data_format=data_format) as sc:
                return sc

    def losses(self, logits, localisations, gclasses, glocalisations, gscores,
               match_threshold=0.5, negative_ratio=3., alpha=1., label_smoothing=0.,
               scope='ssd_losses'):
        return ssd_common.ssd_losses(logits, localisations, gclasses, glocalisations, gscores,
                                     match_threshold=match_threshold,
                                     negative_ratio=negative_ratio, alpha=alpha,
                                     label_smoothing=label_smoothing, scope=scope)


def ssd_net(inputs, num_classes, feat_layers, anchor_sizes, anchor_ratios, normalizations,
            is_training=True, dropout_keep_prob=0.5, prediction_fn=slim.softmax,
            reuse=None, scope='ssd_300_vgg'):
    """SSD net definition: VGG-16 base, no batch normalization."""
    end_points = {}
    with tf.variable_scope(scope, 'ssd_300_vgg', [inputs], reuse=reuse):
        net = slim.repeat(inputs, 2, slim.conv2d, 64, [3, 3], scope='conv1')
        net = slim.max_pool2d(net, [2, 2], scope='pool1')
        net = slim.repeat(net, 2, slim.conv2d, 128, [3, 3], scope='conv2')
        net = slim.max_pool2d(net, [2, 2], scope='pool2')
        net = slim.repeat(net, 3, slim.conv2d, 256, [3, 3], scope='conv3')
        net = slim.max_pool2d(net, [2, 2], scope='pool3')
        net = slim.repeat(net, 3, slim.conv2d, 512, [3, 3], scope='conv4')
        end_points['block4'] = net
        net = slim.max_pool2d(net, [2, 2], scope='pool4')
        net = slim.repeat(net, 3, slim.conv2d, 512, [3, 3], scope='conv5')
        net = slim.max_pool2d(net, [3, 3], stride=1, scope='pool5')

        # Additional SSD blocks: dilated fc6, fc7.
        net = slim.conv2d(net, 1024, [3, 3], rate=6, scope='conv6')
        net = tf.layers.dropout(net, rate=dropout_keep_prob, training=is_training)
        net = slim.conv2d(net, 1024, [1, 1], scope='conv7')
        end_points['block7'] = net
        net = tf.layers.dropout(net, rate=dropout_keep_prob, training=is_training)
        for i, depth in enumerate([512, 256, 256, 256]):
            end_point = 'block%d' % (8 + i)
            with tf.variable_scope(end_point):
                net = slim.conv2d(net, depth // 2, [1, 1], scope='conv1x1')
                if i < 2:
                    net = custom_layers.pad2d(net, pad=(1, 1))
                    net = slim.conv2d(net, depth, [3, 3], stride=2, scope='conv3x3', padding='VALID')
                else:
                    net = slim.conv2d(net, depth, [3, 3], scope='conv3x3', padding='VALID')
            end_points[end_point] = net

        predictions, logits, localisations = [], [], []
        for i, layer in enumerate(feat_layers):
            with tf.variable_scope(layer + '_box'):
                p, l = ssd_common.ssd_multibox_layer(end_points[layer], num_classes,
                                                     anchor_sizes[i], anchor_ratios[i],
                                                     normalizations[i])
            predictions.append(prediction_fn(p))
            logits.append(p)
            localisations.append(l)
        return predictions, localisations, logits, end_points
