# Copyright 2017 The TensorFlow Authors. All Rights Reserved.
# Modifications Copyright 2017 Arm Inc. All Rights Reserved.
r"""Simple speech recognition to spot a limited number of keywords.

  python train.py --model_architecture cnn_bn --model_size_info 64 48 128
"""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import argparse
import os.path
import sys

import numpy as np
import tensorflow as tf

import input_data
import models

FLAGS = None


def main(_):
    tf.logging.set_verbosity(tf.logging.INFO)
    sess = tf.InteractiveSession()

    model_settings = models.prepare_model_settings(
        len(input_data.prepare_words_list(FLAGS.wanted_words.split(','))),
        FLAGS.sample_rate, FLAGS.clip_duration_ms, FLAGS.window_size_ms,
        FLAGS.window_stride_ms, FLAGS.dct_coefficient_count)
    audio_processor = input_data.AudioProcessor(
        FLAGS.data_dir, FLAGS.wanted_words.split(','), model_settings)
    fingerprint_size = model_settings['fingerprint_size']
    label_count = model_settings['label_count']

    training_steps_list = list(map(int, FLAGS.how_many_training_steps.split(',')))
    learning_rates_list = list(map(float, FLAGS.learning_rate.split(',')))

    fingerprint_input = tf.placeholder(tf.float32, [None, fingerprint_size],
                                       name='fingerprint_input')
    logits = models.create_model(fingerprint_input, model_settings,
                                 FLAGS.model_architecture, FLAGS.model_size_info,
                                 is_training=True)

    ground_truth_input = tf.placeholder(tf.float32, [None, label_count],
                                        name='groundtruth_input')

    with tf.name_scope('cross_entropy'):
        cross_entropy_mean = tf.reduce_mean(
            tf.nn.softmax_cross_entropy_with_logits(labels=ground_truth_input,
                                                    logits=logits))
    tf.summary.scalar('cross_entropy', cross_entropy_mean)

    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.name_scope('train'), tf.control_dependencies(update_ops):
        learning_rate_input = tf.placeholder(tf.float32, [], name='learning_rate_input')
        train_step = tf.train.AdamOptimizer(learning_rate_input).minimize(cross_entropy_mean)

    predicted_indices = tf.argmax(logits, 1)
    expected_indices = tf.argmax(ground_truth_input, 1)
    correct_prediction = tf.equal(predicted_indices, expected_indices)
    evaluation_step = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
    tf.summary.scalar('accuracy', evaluation_step)

    global_step = tf.train.get_or_create_global_step()
    increment_global_step = tf.assign(global_step, global_step + 1)

    saver = tf.train.Saver(tf.global_variables())
    merged_summaries = tf.summary.merge_all()
    train_writer = tf.summary.FileWriter(FLAGS.summaries_dir + '/train', sess.graph)
    tf.global_variables_initializer().run()

    training_steps_max = np.sum(training_steps_list)
    for training_step in range(1, training_steps_max + 1):
        training_steps_sum = 0
        learning_rate_value = learning_rates_list[-1]
        for i in range(len(training_steps_list)):
            training_steps_sum += training_steps_list[i]
            if training_step <= training_steps_sum:
                learning_rate_value = learning_rates_list[i]
                break
        train_fingerprints, train_ground_truth = audio_processor.get_data(
            FLAGS.batch_size, 0, model_settings, 'training', sess)
        train_summary, train_accuracy, cross_entropy_value, _, _ = sess.run(
            [merged_summaries, evaluation_step, cross_entropy_mean, train_step,
             increment_global_step],
            feed_dict={
                fingerprint_input: train_fingerprints,
                ground_truth_input: train_ground_truth,
                learning_rate_input: learning_rate_value,
            })
        train_writer.add_summary(train_summary, training_step)
        tf.logging.info('Step #%d: rate %f, accuracy %.2f%%, cross entropy %f' %
                        (training_step, learning_rate_value, train_accuracy * 100,
                         cross_entropy_value))
        if training_step % FLAGS.save_step_interval == 0 or training_step == training_steps_max:
            checkpoint_path = os.path.join(FLAGS.train_dir, FLAGS.model_architecture + '.ckpt')
            saver.save(sess, checkpoint_path, global_step=training_step)


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--data_dir', type=str, default='/tmp/speech_dataset/')
    parser.add_argument('--sample_rate', type=int, default=16000)
    parser.add_argument('--clip_duration_ms', type=int, default=1000)
    parser.add_argument('--window_size_ms', type=float, default=30.0)
    parser.add_argument('--window_stride_ms', type=float, default=10.0)
    parser.add_argument('--dct_coefficient_count', type=int, default=40)
    parser.add_argument('--how_many_training_steps', type=str, default='15000,3000')
    parser.add_argument('--learning_rate', type=str, default='0.001,0.0001')
    parser.add_argument('--batch_size', type=int, default=100)
    parser.add_argument('--summaries_dir', type=str, default='/tmp/retrain_logs')
    parser.add_argument('--wanted_words', type=str, default='yes,no,up,down,left,right,on,off,stop,go')
    parser.add_argument('--train_dir', type=str, default='/tmp/speech_commands_train')
    parser.add_argument('--save_step_interval', type=int, default=100)
    parser.add_argument('--model_architecture', type=str, default='cnn_bn')
    parser.add_argument('--model_size_info', type=int, nargs='+', default=[64, 48, 128])
    FLAGS, unparsed = parser.parse_known_args()
    tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)
