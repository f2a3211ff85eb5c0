# Copyright 2017 The TensorFlow Authors. All Rights Reserved.
# Modifications Copyright 2017 Arm Inc. All Rights Reserved.
r"""Converts a trained checkpoint into a frozen model for mobile inference.

  python freeze.py --model_architecture cnn_bn --model_size_info 64 48 128 \
      --checkpoint /tmp/speech_commands_train/cnn_bn.ckpt-18000 --output_file /tmp/kws.pb
"""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import argparse
import sys

import tensorflow as tf
from tensorflow.python.framework import graph_util

import input_data
import models

FLAGS = None


def create_inference_graph(wanted_words, sample_rate, clip_duration_ms,
                           window_size_ms, window_stride_ms,
                           dct_coefficient_count, model_architecture, model_size_info):
    """Creates an audio model with the nodes needed for inference."""
    words_list = input_data.prepare_words_list(wanted_words.split(','))
    model_settings = models.prepare_model_settings(
        len(words_list), sample_rate, clip_duration_ms, window_size_ms,
        window_stride_ms, dct_coefficient_count)
    fingerprint_input = tf.placeholder(
        tf.float32, [None, model_settings['fingerprint_size']], name='fingerprint_input')
    logits = models.create_model(fingerprint_input, model_settings, model_architecture,
                                 model_size_info, is_training=False)
    tf.nn.softmax(logits, name='labels_softmax')


def main(_):
    sess = tf.InteractiveSession()
    create_inference_graph(FLAGS.wanted_words, FLAGS.sample_rate,
                           FLAGS.clip_duration_ms, FLAGS.window_size_ms,
                           FLAGS.window_stride_ms, FLAGS.dct_coefficient_count,
                           FLAGS.model_architecture, FLAGS.model_size_info)
    saver = tf.train.Saver(tf.global_variables())
    saver.restore(sess, FLAGS.checkpoint)
    frozen_graph_def = graph_util.convert_variables_to_constants(
        sess, sess.graph_def, ['labels_softmax'])
    tf.train.write_graph(frozen_graph_def, '.', FLAGS.output_file, as_text=False)
    tf.logging.info('Saved frozen graph to %s', FLAGS.output_file)


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--sample_rate', type=int, default=16000)
    parser.add_argument('--clip_duration_ms', type=int, default=1000)
    parser.add_argument('--window_size_ms', type=float, default=30.0)
    parser.add_argument('--window_stride_ms', type=float, default=10.0)
    parser.add_argument('--dct_coefficient_count', type=int, default=40)
    parser.add_argument('--checkpoint', type=str, default='')
    parser.add_argument('--wanted_words', type=str, default='yes,no,up,down,left,right,on,off,stop,go')
    parser.add_argument('--output_file', type=str)
    parser.add_argument('--model_architecture', type=str, default='cnn_bn')
    parser.add_argument('--model_size_info', type=int, nargs='+', default=[64, 48, 128])
    FLAGS, unparsed = parser.parse_known_args()
    tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)
