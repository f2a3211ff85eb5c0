"""Run the trained YOLOv2 detector on a folder of images."""
from __future__ import print_function

import glob
import os

import cv2
import numpy as np
import tensorflow as tf
import tensorflow.contrib.slim as slim

from nets import darknet
from utils.postprocess import decode_predictions, draw_boxes

flags = tf.app.flags
flags.DEFINE_string('checkpoint', './checkpoints', 'Checkpoint directory')
flags.DEFINE_string('image_dir', './demo', 'Folder with images')
flags.DEFINE_string('output_dir', './demo_out', 'Where to write the drawings')
flags.DEFINE_integer('num_classes', 20, 'Number of object classes')
FLAGS = flags.FLAGS

ANCHORS = [[1.08, 1.19], [3.42, 4.41], [6.63, 11.38], [9.42, 5.11], [16.62, 10.52]]


def main(_):
    inputs = tf.placeholder(tf.float32, [1, 416, 416, 3], name='inputs')
    with slim.arg_scope(darknet.darknet_19_arg_scope(is_training=False)):
        predictions = darknet.yolo_v2(inputs, num_classes=FLAGS.num_classes, num_anchors=len(ANCHORS))
    boxes, scores, classes = decode_predictions(predictions, ANCHORS, FLAGS.num_classes)

    ckpt = tf.train.latest_checkpoint(FLAGS.checkpoint)
    init_fn = slim.assign_from_checkpoint_fn(ckpt, slim.get_model_variables(), ignore_missing_vars=True)

    if not os.path.exists(FLAGS.output_dir):
        os.makedirs(FLAGS.output_dir)
    with tf.Session() as sess:
        init_fn(sess)
        for path in glob.glob(os.path.join(FLAGS.image_dir, '*.jpg')):
            image = cv2.imread(path)
            resized = cv2.resize(image, (416, 416))[:, :, ::-1].astype(np.float32) / 255.
            b, s, c = sess.run([boxes, scores, classes], feed_dict={inputs: resized[None]})
            drawn = draw_boxes(image, b, s, c)
            cv2.imwrite(os.path.join(FLAGS.output_dir, os.path.basename(path)), drawn)
            print('%s: %d boxes' % (path, len(b)))


if __name__ == '__main__':
    tf.app.run()
