#!/usr/bin/env python
# --------------------------------------------------------
# Tensorflow Faster R-CNN
# Licensed under The MIT License [see LICENSE for details]
# Written by Xinlei Chen, based on code from Ross Girshick
# --------------------------------------------------------
"""
Demo script showing detections in sample images.
"""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import argparse
import os

import cv2
import numpy as np
import tensorflow as tf

import _init_paths
from model.config import cfg
from model.test import im_detect
from nets.resnet_v1 import resnetv1

CLASSES = ('__background__', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car',
           'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse', 'motorbike', 'person',
           'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor')


def demo(sess, net, image_name, conf_thresh=0.8):
    im_file = os.path.join(cfg.DATA_DIR, 'demo', image_name)
    im = cv2.imread(im_file)
    scores, boxes = im_detect(sess, net, im)
    for cls_ind, cls in enumerate(CLASSES[1:]):
        cls_ind += 1  # because we skipped background
        cls_scores = scores[:, cls_ind]
        keep = np.where(cls_scores >= conf_thresh)[0]
        print('{}: {} detections with score >= {}'.format(cls, len(keep), conf_thresh))


def parse_args():
    parser = argparse.ArgumentParser(description='Tensorflow Faster R-CNN demo')
    parser.add_argument('--net', dest='demo_net', help='Network to use [res101]',
                        choices=('res50', 'res101'), default='res101')
    parser.add_argument('--model', default='output/res101/voc_2007_trainval/default/'
                                           'res101_faster_rcnn_iter_110000.ckpt')
    return parser.parse_args()


if __name__ == '__main__':
    cfg.TEST.HAS_RPN = True  # Use RPN for proposals
    args = parse_args()

    tfconfig = tf.ConfigProto(allow_soft_placement=True)
    tfconfig.gpu_options.allow_growth = True
    sess = tf.Session(config=tfconfig)

    # load network
    if args.demo_net == 'res50':
        net = resnetv1(num_layers=50)
    else:
        net = resnetv1(num_layers=101)
    net.create_architecture("TEST", 21, tag='default', anchor_scales=[8, 16, 32])
    saver = tf.train.Saver()
    saver.restore(sess, args.model)
    print('Loaded network {:s}'.format(args.model))

    for im_name in ['000456.jpg', '000542.jpg', '001150.jpg', '001763.jpg', '004545.jpg']:
        demo(sess, net, im_name)
