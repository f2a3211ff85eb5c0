#! /usr/bin/env python
# coding=utf-8
#================================================================
#   File name   : freeze_graph.py
#   Description : turn a training checkpoint into a frozen .pb for serving
#================================================================

import argparse

import tensorflow as tf
from core.yolov3 import YOLOV3


def model_freeze(pb_file, ckpt_file, output_node_names):
    with tf.name_scope('input'):
        input_data = tf.placeholder(dtype=tf.float32, name='input_data')

    model = YOLOV3(input_data, trainable=False)
    print(model.conv_mbbox, model.conv_lbbox)

    sess = tf.Session(config=tf.ConfigProto(allow_soft_placement=True))
    saver = tf.train.Saver()
    saver.restore(sess, ckpt_file)

    converted_graph_def = tf.graph_util.convert_variables_to_constants(sess,
                                input_graph_def=sess.graph.as_graph_def(),
                                output_node_names=output_node_names)

    with tf.gfile.GFile(pb_file, "wb") as f:
        f.write(converted_graph_def.SerializeToString())


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--pb_file', default='./yolov3_voc.pb')
    parser.add_argument('--ckpt_file', default='./checkpoint/yolov3_test_loss=9.2099.ckpt-5')
    args = parser.parse_args()
    model_freeze(args.pb_file, args.ckpt_file,
                 ["input/input_data", "pred_mbbox/Identity", "pred_lbbox/Identity"])
