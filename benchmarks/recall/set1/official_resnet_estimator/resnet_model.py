# Copyright 2017 The TensorFlow Authors. All Rights Reserved.
"""Contains definitions for Residual Networks (v2 pre-activation)."""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow as tf

_BATCH_NORM_DECAY = 0.997
_BATCH_NORM_EPSILON = 1e-5


def batch_norm(inputs, training, data_format):
    """Performs a batch normalization using a standard set of parameters."""
    # We set fused=True for a significant performance boost. See
    # https://www.tensorflow.org/performance/performance_guide#common_fused_ops
    return tf.layers.batch_normalization(
        inputs=inputs, axis=1 if data_format == 'channels_first' else 3,
        momentum=_BATCH_NORM_DECAY, epsilon=_BATCH_NORM_EPSILON, center=True,
        scale=True, training=training, fused=True)


def fixed_padding(inputs, kernel_size, data_format):
    pad_total = kernel_size - 1
    pad_beg = pad_total // 2
    pad_end = pad_total - pad_beg
    if data_format == 'channels_first':
        return tf.pad(inputs, [[0, 0], [0, 0], [pad_beg, pad_end], [pad_beg, pad_end]])
    return tf.pad(inputs, [[0, 0], [pad_beg, pad_end], [pad_beg, pad_end], [0, 0]])


def conv2d_fixed_padding(inputs, filters, kernel_size, strides, data_format):
    if strides > 1:
        inputs = fixed_padding(inputs, kernel_size, data_format)
    return tf.layers.conv2d(
        inputs=inputs, filters=filters, kernel_size=kernel_size, strides=strides,
        padding=('SAME' if strides == 1 else 'VALID'), use_bias=False,
        kernel_initializer=tf.variance_scaling_initializer(),
        data_format=data_format)


def _building_block_v2(inputs, filters, training, projection_shortcut, strides, data_format):
    shortcut = inputs
    inputs = batch_norm(inputs, training, data_format)
    inputs = tf.nn.relu(inputs)
    if projection_shortcut is not None:
        shortcut = projection_shortcut(inputs)
    inputs = conv2d_fixed_padding(inputs=inputs, filters=filters, kernel_size=3,
                                  strides=strides, data_format=data_format)
    inputs = batch_norm(inputs, training, data_format)
    inputs = tf.nn.relu(inputs)
    inputs = conv2d_fixed_padding(inputs=inputs, filters=filters, kernel_size=3,
                                  strides=1, data_format=data_format)
    return inputs + shortcut


def block_layer(inputs, filters, blocks, strides, training, name, data_format):
    def projection_shortcut(inputs):
        return conv2d_fixed_padding(inputs=inputs, filters=filters, kernel_size=1,
                                    strides=strides, data_format=data_format)

    inputs = _building_block_v2(inputs, filters, training, projection_shortcut, strides,
                                data_format)
    for _ in range(1, blocks):
        inputs = _building_block_v2(inputs, filters, training, None, 1, data_format)
    return tf.identity(inputs, name)


class Model(object):
    """Base class for building the Resnet Model."""

    def __init__(self, resnet_size, num_classes, num_filters, block_sizes, block_strides,
                 data_format=None):
        self.resnet_size = resnet_size
        if not data_format:
            data_format = ('channels_first' if tf.test.is_built_with_cuda() else 'channels_last')
        self.data_format = data_format
        self.num_classes = num_classes
        self.num_filters = num_filters
        self.block_sizes = block_sizes
        self.block_strides = block_strides

    def __call__(self, inputs, training):
        """Add operations to classify a batch of input images.

        Args:
          inputs: A Tensor representing a batch of input images.
          training: A boolean. Set to True to add operations required only when
            training the classifier.
        """
        with tf.variable_scope('resnet_model'):
            if self.data_format == 'channels_first':
                inputs = tf.transpose(inputs, [0, 3, 1, 2])
            inputs = conv2d_fixed_padding(inputs=inputs, filters=self.num_filters, kernel_size=3,
                                          strides=1, data_format=self.data_format)
            inputs = tf.identity(inputs, 'initial_conv')
            for i, num_blocks in enumerate(self.block_sizes):
                num_filters = self.num_filters * (2 ** i)
                inputs = block_layer(inputs=inputs, filters=num_filters, blocks=num_blocks,
                                     strides=self.block_strides[i], training=training,
                                     name='block_layer{}'.format(i + 1),
                                     data_format=self.data_format)
            inputs = batch_norm(inputs, training, self.data_format)
            inputs = tf.nn.relu(inputs)
            axes = [2, 3] if self.data_format == 'channels_first' else [1, 2]
            inputs = tf.reduce_mean(inputs, axes, keepdims=True)
            inputs = tf.identity(inputs, 'final_reduce_mean')
            inputs = tf.squeeze(inputs, axes)
            inputs = tf.layers.dense(inputs=inputs, units=self.num_classes)
            return tf.identity(inputs, 'final_dense')
