"""Applies the fine-tuned flowers model to a few images.

Usage:
  python flowers_predict.py --train_dir=/tmp/inception_finetuned img1.jpg img2.jpg
"""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import sys

import numpy as np
import tensorflow as tf

from datasets import flowers
from nets import inception

import flowers_data

slim = tf.contrib.slim

flags = tf.app.flags
flags.DEFINE_string('train_dir', '/tmp/inception_finetuned/',
                    'Directory holding the fine-tuned checkpoint.')
FLAGS = flags.FLAGS

NUM_CLASSES = 5
CLASS_NAMES = ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips']


def predict(image_paths):
    with tf.Graph().as_default():
        image_path = tf.placeholder(tf.string, shape=[], name='image_path')
        _, processed_images = flowers_data.preprocess_single(image_path)

        # Create the model, use the default arg scope to configure the batch norm parameters.
        with slim.arg_scope(inception.inception_v1_arg_scope()):
            logits, _ = inception.inception_v1(processed_images, num_classes=NUM_CLASSES)
        probabilities = tf.nn.softmax(logits)

        checkpoint_path = tf.train.latest_checkpoint(FLAGS.train_dir)
        init_fn = slim.assign_from_checkpoint_fn(
            checkpoint_path, slim.get_variables_to_restore())

        results = []
        with tf.Session() as sess:
            init_fn(sess)
            for path in image_paths:
                np_probabilities = sess.run(probabilities,
                                            feed_dict={image_path: path})
                np_probabilities = np_probabilities[0, :]
                sorted_inds = np.argsort(-np_probabilities)
                best = sorted_inds[0]
                print('%s: %0.2f%% => [%s]' % (path, 100 * np_probabilities[best],
                                               CLASS_NAMES[best]))
                results.append(best)
        return results


def main(argv):
    image_paths = argv[1:]
    if not image_paths:
        print('usage: flowers_predict.py IMAGE [IMAGE...]')
        sys.exit(1)
    assert flowers.SPLITS_TO_SIZES  # dataset module is importable
    predict(image_paths)


if __name__ == '__main__':
    tf.app.run()
