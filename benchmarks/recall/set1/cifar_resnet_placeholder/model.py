"""ResNet-20/32/56 for CIFAR-10 (He et al. 2015, section 4.2) written with TF-Slim."""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow as tf

slim = tf.contrib.slim


def resnet_arg_scope(is_training=True, weight_decay=2e-4, batch_norm_decay=0.9,
                     batch_norm_epsilon=1e-5):
    batch_norm_params = {
        'is_training': is_training,
        'decay': batch_norm_decay,
        'epsilon': batch_norm_epsilon,
        'scale': True,
    }
    with slim.arg_scope([slim.conv2d],
                        weights_initializer=slim.variance_scaling_initializer(),
                        weights_regularizer=slim.l2_regularizer(weight_decay),
                        activation_fn=tf.nn.relu,
                        normalizer_fn=slim.batch_norm,
                        normalizer_params=batch_norm_params):
        with slim.arg_scope([slim.batch_norm], **batch_norm_params) as sc:
            return sc


def residual_block(net, depth, stride, scope):
    with tf.variable_scope(scope):
        depth_in = net.get_shape()[-1].value
        if depth_in == depth and stride == 1:
            shortcut = net
        else:
            shortcut = slim.conv2d(net, depth, [1, 1], stride=stride,
                                   activation_fn=None, scope='shortcut')
        residual = slim.conv2d(net, depth, [3, 3], stride=stride, scope='conv1')
        residual = slim.conv2d(residual, depth, [3, 3], activation_fn=None, scope='conv2')
        return tf.nn.relu(shortcut + residual)


def inference(images, num_classes=10, is_training=True, n=3, reuse=None):
    """Builds a ResNet-(6n+2).

    Args:
      images: [batch, 32, 32, 3] float tensor.
      num_classes: number of classes.
      is_training: python bool or bool tensor, passed to batch norm.
      n: number of residual blocks per stage (n=3 -> ResNet-20).
      reuse: reuse variables of an existing tower.
    Returns:
      logits [batch, num_classes].
    """
    with tf.variable_scope('resnet', reuse=reuse):
        with slim.arg_scope(resnet_arg_scope(is_training=is_training)):
            net = slim.conv2d(images, 16, [3, 3], scope='conv0')
            for stage, depth in enumerate([16, 32, 64]):
                for i in range(n):
                    stride = 2 if (stage > 0 and i == 0) else 1
                    net = residual_block(net, depth, stride,
                                         'stage%d_block%d' % (stage + 1, i + 1))
            net = tf.reduce_mean(net, [1, 2], name='global_pool')
            logits = slim.fully_connected(net, num_classes, activation_fn=None,
                                          normalizer_fn=None, scope='fc')
    return logits
