# Copyright 2017 The TensorFlow Authors. All Rights Reserved.
# Modifications Copyright 2017 Arm Inc. All Rights Reserved.
"""Model definitions for simple keyword spotting."""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import math

import tensorflow as tf
import tensorflow.contrib.slim as slim


def prepare_model_settings(label_count, sample_rate, clip_duration_ms,
                           window_size_ms, window_stride_ms,
                           dct_coefficient_count):
    """Calculates common settings needed for all models."""
    desired_samples = int(sample_rate * clip_duration_ms / 1000)
    window_size_samples = int(sample_rate * window_size_ms / 1000)
    window_stride_samples = int(sample_rate * window_stride_ms / 1000)
    length_minus_window = (desired_samples - window_size_samples)
    if length_minus_window < 0:
        spectrogram_length = 0
    else:
        spectrogram_length = 1 + int(length_minus_window / window_stride_samples)
    fingerprint_size = dct_coefficient_count * spectrogram_length
    return {
        'desired_samples': desired_samples,
        'window_size_samples': window_size_samples,
        'window_stride_samples': window_stride_samples,
        'spectrogram_length': spectrogram_length,
        'dct_coefficient_count': dct_coefficient_count,
        'fingerprint_size': fingerprint_size,
        'label_count': label_count,
        'sample_rate': sample_rate,
    }


def create_model(fingerprint_input, model_settings, model_architecture,
                 model_size_info, is_training):
    """Builds a model of the requested architecture compatible with the settings."""
    if model_architecture == 'ds_cnn':
        return create_ds_cnn_model(fingerprint_input, model_settings,
                                   model_size_info, is_training)
    elif model_architecture == 'cnn_bn':
        return create_cnn_bn_model(fingerprint_input, model_settings,
                                   model_size_info, is_training)
    else:
        raise Exception('model_architecture argument "' + model_architecture +
                        '" not recognized, should be one of "ds_cnn", "cnn_bn"')


def _reshape_input(fingerprint_input, model_settings):
    input_frequency_size = model_settings['dct_coefficient_count']
    input_time_size = model_settings['spectrogram_length']
    return tf.reshape(fingerprint_input,
                      [-1, input_time_size, input_frequency_size, 1])


def create_ds_cnn_model(fingerprint_input, model_settings, model_size_info,
                        is_training):
    """Depthwise-separable CNN (the model shipped with the repository)."""
    label_count = model_settings['label_count']
    t_dim = model_settings['spectrogram_length']
    f_dim = model_settings['dct_coefficient_count']
    num_filters = model_size_info[1]
    net = _reshape_input(fingerprint_input, model_settings)
    with tf.variable_scope('DS-CNN') as sc:
        end_points_collection = sc.name + '_end_points'
        with slim.arg_scope([slim.convolution2d, slim.separable_convolution2d],
                            activation_fn=None,
                            weights_initializer=slim.initializers.xavier_initializer(),
                            biases_initializer=slim.init_ops.zeros_initializer(),
                            outputs_collections=[end_points_collection]):
            with slim.arg_scope([slim.batch_norm],
                                is_training=is_training,
                                decay=0.96,
                                updates_collections=None,
                                activation_fn=tf.nn.relu):
                net = slim.convolution2d(net, num_filters, [10, 4], stride=[2, 2],
                                         padding='SAME', scope='conv_1')
                net = slim.batch_norm(net, scope='conv_1/batch_norm')
                for layer_no in range(1, 5):
                    net = slim.separable_convolution2d(net, num_outputs=None, stride=1,
                                                       depth_multiplier=1, kernel_size=[3, 3],
                                                       scope='conv_ds_%d/dw_conv' % layer_no)
                    net = slim.batch_norm(net, scope='conv_ds_%d/dw_conv/batch_norm' % layer_no)
                    net = slim.convolution2d(net, num_filters, kernel_size=[1, 1],
                                             scope='conv_ds_%d/pw_conv' % layer_no)
                    net = slim.batch_norm(net, scope='conv_ds_%d/pw_conv/batch_norm' % layer_no)
                t_dim = math.ceil(t_dim / 2.0)
                f_dim = math.ceil(f_dim / 2.0)
                net = slim.avg_pool2d(net, [t_dim, f_dim], scope='avg_pool')
    net = tf.squeeze(net, [1, 2], name='SpatialSqueeze')
    logits = slim.fully_connected(net, label_count, activation_fn=None, scope='fc1')
    return logits


def _conv_bn_relu(net, filters, kernel_size, strides, name):
    net = tf.layers.conv2d(net, filters, kernel_size, strides=strides,
                           padding='same', use_bias=False, name=name)
    net = tf.layers.batch_normalization(net, momentum=0.96, name=name + '_bn')
    return tf.nn.relu(net)


def create_cnn_bn_model(fingerprint_input, model_settings, model_size_info,
                        is_training):
    """Plain CNN with batch norm and a dropout-regularised dense layer.

    model_size_info: [first_filters, second_filters, dense_units]
    """
    label_count = model_settings['label_count']
    first_filters, second_filters, dense_units = model_size_info
    net = _reshape_input(fingerprint_input, model_settings)
    with tf.variable_scope('CNN-BN'):
        net = _conv_bn_relu(net, first_filters, [10, 4], (1, 1), 'conv_1')
        net = tf.layers.max_pooling2d(net, [2, 2], [2, 2], padding='same')
        net = _conv_bn_relu(net, second_filters, [10, 4], (2, 1), 'conv_2')
        net = tf.layers.flatten(net)
        net = tf.layers.dense(net, dense_units, activation=tf.nn.relu, name='fc_1')
        net = tf.layers.dropout(net, rate=0.5, name='fc_1_dropout')
        logits = tf.layers.dense(net, label_count, name='fc_2')
    return logits
