"""
Model Definition of DarkNet-19 and the YOLOv2 detection head.

For more information : https://pjreddie.com/darknet/yolov2/
"""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow as tf
import tensorflow.contrib.slim as slim


def leaky_relu(x, alpha=0.1):
    return tf.maximum(alpha * x, x)


def darknet_19_arg_scope(is_training=True, weight_decay=5e-4):
    """DarkNet TF-slim Argument Scope"""
    batch_norm_params = {
        'is_training': is_training,
        'center': True,
        'scale': True,
        'decay': 0.99,
        'epsilon': 0.001,
    }
    with slim.arg_scope([slim.conv2d],
                        activation_fn=leaky_relu,
                        normalizer_fn=slim.batch_norm,
                        normalizer_params=batch_norm_params,
                        weights_initializer=tf.truncated_normal_initializer(stddev=0.01),
                        weights_regularizer=slim.l2_regularizer(weight_decay),
                        biases_initializer=None):
        with slim.arg_scope([slim.max_pool2d], kernel_size=[2, 2], stride=2, padding='SAME') as sc:
            return sc


def darknet_19(inputs, scope='darknet_19'):
    with tf.variable_scope(scope, 'darknet_19', [inputs]):
        net = slim.conv2d(inputs, 32, [3, 3], scope='conv1')
        net = slim.max_pool2d(net, scope='pool1')
        net = slim.conv2d(net, 64, [3, 3], scope='conv2')
        net = slim.max_pool2d(net, scope='pool2')
        net = slim.repeat(net, 1, slim.conv2d, 128, [3, 3], scope='conv3_1')
        net = slim.conv2d(net, 64, [1, 1], scope='conv3_2')
        net = slim.conv2d(net, 128, [3, 3], scope='conv3_3')
        net = slim.max_pool2d(net, scope='pool3')
        net = slim.conv2d(net, 256, [3, 3], scope='conv4_1')
        net = slim.conv2d(net, 128, [1, 1], scope='conv4_2')
        net = slim.conv2d(net, 256, [3, 3], scope='conv4_3')
        net = slim.max_pool2d(net, scope='pool4')
        net = slim.conv2d(net, 512, [3, 3], scope='conv5_1')
        net = slim.conv2d(net, 256, [1, 1], scope='conv5_2')
        net = slim.conv2d(net, 512, [3, 3], scope='conv5_3')
        passthrough = net
        net = slim.max_pool2d(net, scope='pool5')
        net = slim.conv2d(net, 1024, [3, 3], scope='conv6_1')
        net = slim.conv2d(net, 512, [1, 1], scope='conv6_2')
        net = slim.conv2d(net, 1024, [3, 3], scope='conv6_3')
    return net, passthrough


def yolo_v2(inputs, num_classes, num_anchors, scope='yolo_v2'):
    """YOLOv2 head with the reorg passthrough layer."""
    with tf.variable_scope(scope, 'yolo_v2', [inputs]):
        net, passthrough = darknet_19(inputs)
        net = slim.conv2d(net, 1024, [3, 3], scope='conv7_1')
        net = slim.conv2d(net, 1024, [3, 3], scope='conv7_2')
        passthrough = slim.conv2d(passthrough, 64, [1, 1], scope='conv_passthrough')
        passthrough = tf.space_to_depth(passthrough, 2)
        net = tf.concat([passthrough, net], axis=-1)
        net = slim.conv2d(net, 1024, [3, 3], scope='conv8')
        net = slim.conv2d(net, num_anchors * (5 + num_classes), [1, 1],
                          activation_fn=None, normalizer_fn=None,
                          biases_initializer=tf.zeros_initializer(), scope='conv_dec')
    return net
