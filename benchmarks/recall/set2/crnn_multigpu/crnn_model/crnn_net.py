#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""
Implement the crnn model mentioned in An End-to-End Trainable Neural Network for Image-based Sequence
Recognition and Its Application to Scene Text Recognition paper
"""
import numpy as np
import tensorflow as tf
from tensorflow.contrib import rnn

from config import global_config

CFG = global_config.cfg


class ShadowNet(object):
    """
        Implement the crnn model for squence recognition
    """
    def __init__(self, phase, hidden_nums, layers_nums, num_classes):
        """
        :param phase: 'Train' or 'Test'
        """
        if phase == 'train':
            self._phase = tf.constant('train', dtype=tf.string)
        else:
            self._phase = tf.constant('test', dtype=tf.string)
        self._hidden_nums = hidden_nums
        self._layers_nums = layers_nums
        self._num_classes = num_classes
        self._is_training = self._init_phase()

    def _init_phase(self):
        return tf.equal(self._phase, tf.constant('train', dtype=tf.string))

    @staticmethod
    def layerbn(inputdata, is_training, name):
        return tf.layers.batch_normalization(inputs=inputdata, training=is_training, name=name)

    def _conv_stage(self, inputdata, out_dims, name, pool_stride=(2, 2)):
        with tf.variable_scope(name_or_scope=name):
            conv = tf.layers.conv2d(inputdata, out_dims, 3, padding='same', use_bias=False, name='conv')
            bn = self.layerbn(inputdata=conv, is_training=self._is_training, name='bn')
            relu = tf.nn.relu(bn, name='relu')
            max_pool = tf.layers.max_pooling2d(relu, pool_size=pool_stride, strides=pool_stride, name='max_pool')
        return max_pool

    def _feature_sequence_extraction(self, inputdata, name):
        with tf.variable_scope(name_or_scope=name):
            conv1 = self._conv_stage(inputdata=inputdata, out_dims=64, name='conv1')
            conv2 = self._conv_stage(inputdata=conv1, out_dims=128, name='conv2')
            conv3 = self._conv_stage(inputdata=conv2, out_dims=256, name='conv3', pool_stride=(2, 1))
            conv4 = self._conv_stage(inputdata=conv3, out_dims=512, name='conv4', pool_stride=(2, 1))
            conv5 = tf.layers.conv2d(conv4, 512, (2, 1), strides=(2, 1), use_bias=False, name='conv5')
            bn5 = self.layerbn(inputdata=conv5, is_training=self._is_training, name='bn5')
        return tf.nn.relu(bn5, name='relu5')

    def _sequence_label(self, inputdata, name):
        with tf.variable_scope(name_or_scope=name):
            fw_cell_list = [tf.nn.rnn_cell.LSTMCell(nh, forget_bias=1.0) for
                            nh in [self._hidden_nums] * self._layers_nums]
            bw_cell_list = [tf.nn.rnn_cell.LSTMCell(nh, forget_bias=1.0) for
                            nh in [self._hidden_nums] * self._layers_nums]
            stack_lstm_layer, _, _ = rnn.stack_bidirectional_dynamic_rnn(
                fw_cell_list, bw_cell_list, inputdata, dtype=tf.float32)
            [_, _, hidden_nums] = inputdata.get_shape().as_list()
            shape = tf.shape(stack_lstm_layer)
            rnn_reshaped = tf.reshape(stack_lstm_layer, [shape[0] * shape[1], shape[2]])
            w = tf.get_variable(name='w', shape=[2 * self._hidden_nums, self._num_classes],
                                initializer=tf.truncated_normal_initializer(stddev=0.02))
            logits = tf.matmul(rnn_reshaped, w, name='logits')
            logits = tf.reshape(logits, [shape[0], shape[1], self._num_classes], name='logits_reshape')
            rnn_out = tf.transpose(logits, [1, 0, 2], name='transpose_time_major')
        return rnn_out

    def inference(self, inputdata, name, reuse=False):
        with tf.variable_scope(name_or_scope=name, reuse=reuse):
            cnn_out = self._feature_sequence_extraction(inputdata=inputdata, name='feature_extraction_module')
            sequence = tf.squeeze(cnn_out, axis=1, name='squeeze')
            net_out = self._sequence_label(inputdata=sequence, name='sequence_rnn_module')
        return net_out

    def compute_loss(self, inputdata, labels, name, reuse):
        inference_ret = self.inference(inputdata=inputdata, name=name, reuse=reuse)
        loss = tf.reduce_mean(
            tf.nn.ctc_loss(labels=labels, inputs=inference_ret,
                           sequence_length=CFG.ARCH.SEQ_LENGTH * np.ones(CFG.TRAIN.BATCH_SIZE)),
            name='ctc_loss')
        return inference_ret, loss
