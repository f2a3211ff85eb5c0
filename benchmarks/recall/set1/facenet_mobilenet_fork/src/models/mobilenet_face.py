"""MobileNet-v1 style embedding network for facenet.

Ported from tensorflow/models research/slim/nets/mobilenet_v1.py so that the
facenet training scripts can use it as --model_def.
"""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow as tf
import tensorflow.contrib.slim as slim


def mobilenet_v1_arg_scope(is_training=True,
                           weight_decay=0.00004,
                           stddev=0.09,
                           regularize_depthwise=False,
                           batch_norm_decay=0.995,
                           batch_norm_epsilon=0.001):
    """Defines the default MobilenetV1 arg scope."""
    batch_norm_params = {
        'center': True,
        'scale': True,
        'decay': batch_norm_decay,
        'epsilon': batch_norm_epsilon,
    }
    if is_training is not None:
        batch_norm_params['is_training'] = is_training

    weights_init = tf.truncated_normal_initializer(stddev=stddev)
    regularizer = tf.contrib.layers.l2_regularizer(weight_decay)
    if regularize_depthwise:
        depthwise_regularizer = regularizer
    else:
        depthwise_regularizer = None
    with slim.arg_scope([slim.conv2d, slim.separable_conv2d],
                        weights_initializer=weights_init,
                        activation_fn=tf.nn.relu6, normalizer_fn=slim.batch_norm):
        with slim.arg_scope([slim.batch_norm], **batch_norm_params):
            with slim.arg_scope([slim.conv2d], weights_regularizer=regularizer):
                with slim.arg_scope([slim.separable_conv2d],
                                    weights_regularizer=depthwise_regularizer) as sc:
                    return sc


_CONV_DEFS = [
    # (kind, stride, depth)
    ('conv', 2, 32),
    ('sep', 1, 64),
    ('sep', 2, 128),
    ('sep', 1, 128),
    ('sep', 2, 256),
    ('sep', 1, 256),
    ('sep', 2, 512),
    ('sep', 1, 512),
    ('sep', 1, 512),
    ('sep', 2, 1024),
    ('sep', 1, 1024),
]


def mobilenet_face(inputs, is_training=True, dropout_keep_prob=0.8,
                   bottleneck_layer_size=128, reuse=None, scope='MobilenetV1'):
    end_points = {}
    with tf.variable_scope(scope, 'MobilenetV1', [inputs], reuse=reuse):
        with slim.arg_scope([slim.batch_norm, slim.dropout], is_training=is_training):
            net = inputs
            for i, (kind, stride, depth) in enumerate(_CONV_DEFS):
                end_point = 'Conv2d_%d' % i
                if kind == 'conv':
                    net = slim.conv2d(net, depth, [3, 3], stride=stride, scope=end_point)
                else:
                    net = slim.separable_conv2d(net, None, [3, 3], depth_multiplier=1,
                                                stride=stride, scope=end_point + '_depthwise')
                    net = slim.conv2d(net, depth, [1, 1], stride=1,
                                      scope=end_point + '_pointwise')
                end_points[end_point] = net

            with tf.variable_scope('Logits'):
                net = tf.reduce_mean(net, [1, 2], keep_dims=True, name='global_pool')
                net = slim.flatten(net)
                net = slim.dropout(net, dropout_keep_prob, scope='Dropout')
                end_points['PreLogitsFlatten'] = net
            net = slim.fully_connected(net, bottleneck_layer_size, activation_fn=None,
                                       scope='Bottleneck', reuse=False)
    return net, end_points


def inference(images, keep_probability, phase_train=True,
              bottleneck_layer_size=128, weight_decay=0.0, reuse=None):
    with slim.arg_scope(mobilenet_v1_arg_scope(is_training=phase_train,
                                               weight_decay=weight_decay)):
        return mobilenet_face(images, is_training=phase_train,
                              dropout_keep_prob=keep_probability,
                              bottleneck_layer_size=bottleneck_layer_size,
                              reuse=reuse)
