#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""
Evaluate the crnn model on the synth90k test dataset
"""
import argparse
import os.path as ops

import numpy as np
import tensorflow as tf
import glog as log

from config import global_config
from crnn_model import crnn_net
from data_provider import shadownet_data_feed_pipline
from data_provider import tf_io_pipline_fast_tools

CFG = global_config.cfg


def init_args():
    parser = argparse.ArgumentParser()
    parser.add_argument('-i', '--dataset_dir', type=str, help='Directory containing test_features.tfrecords')
    parser.add_argument('-c', '--char_dict_path', type=str)
    parser.add_argument('-o', '--ord_map_dict_path', type=str)
    parser.add_argument('-w', '--weights_path', type=str, help='Path to trained weights')
    return parser.parse_args()


def evaluate_shadownet(dataset_dir, weights_path, char_dict_path, ord_map_dict_path):
    test_dataset = shadownet_data_feed_pipline.CrnnDataFeeder(
        dataset_dir=dataset_dir, char_dict_path=char_dict_path,
        ord_map_dict_path=ord_map_dict_path, flags='test')
    test_images, test_labels, test_images_paths = test_dataset.inputs(batch_size=CFG.TEST.BATCH_SIZE)

    codec = tf_io_pipline_fast_tools.CrnnFeatureReader(
        char_dict_path=char_dict_path, ord_map_dict_path=ord_map_dict_path)

    net = crnn_net.ShadowNet(phase='test', hidden_nums=CFG.ARCH.HIDDEN_UNITS,
                             layers_nums=CFG.ARCH.HIDDEN_LAYERS, num_classes=CFG.ARCH.NUM_CLASSES)
    test_inference_ret = net.inference(inputdata=test_images, name='shadow_net', reuse=False)
    test_decoded, _ = tf.nn.ctc_greedy_decoder(
        test_inference_ret, CFG.ARCH.SEQ_LENGTH * np.ones(CFG.TEST.BATCH_SIZE), merge_repeated=False)

    saver = tf.train.Saver()
    sess_config = tf.ConfigProto(allow_soft_placement=True)
    sess = tf.Session(config=sess_config)

    total_correct = 0
    total_count = 0
    with sess.as_default():
        saver.restore(sess=sess, save_path=weights_path)
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        for _ in range(CFG.TEST.NUM_BATCHES):
            preds, labels = sess.run([test_decoded, test_labels])
            preds = codec.sparse_tensor_to_str(preds[0])
            labels = codec.sparse_tensor_to_str(labels)
            for pred, gt in zip(preds, labels):
                total_count += 1
                total_correct += int(pred == gt)
        coord.request_stop()
        coord.join(threads=threads)
    sess.close()
    log.info('Mean test accuracy is {:5f}'.format(total_correct / max(total_count, 1)))


if __name__ == '__main__':
    args = init_args()
    evaluate_shadownet(dataset_dir=args.dataset_dir, weights_path=args.weights_path,
                       char_dict_path=args.char_dict_path, ord_map_dict_path=args.ord_map_dict_path)
