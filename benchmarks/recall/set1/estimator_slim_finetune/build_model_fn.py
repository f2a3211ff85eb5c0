#! /usr/bin/env python
# -*- coding=utf8 -*-
"""model_fn for fine-tuning slim's resnet_v2_50 with tf.estimator."""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow as tf
import tensorflow.contrib.slim as slim

from nets import resnet_v2
from common import build_model_fn_utils


# build resnet_v2_50
def model_fn(features, labels, mode, params):
    """Build model graph."""

    tf.summary.image('images', features[build_model_fn_utils.DATA_COL])

    opts = params['opts']
    inputs = features[build_model_fn_utils.DATA_COL]

    with slim.arg_scope(resnet_v2.resnet_arg_scope(
            weight_decay=opts.l2_regularizer,
            batch_norm_decay=opts.batch_norm_decay,
            batch_norm_epsilon=opts.batch_norm_epsilon)):
        logits, end_points = resnet_v2.resnet_v2_50(
            inputs,
            num_classes=opts.num_classes,
            is_training=True,
            global_pool=True,
            reuse=None)
        logits = tf.squeeze(logits, [1, 2], name='SpatialSqueeze')

    return build_model_fn_utils.create_estimator_spec(
        mode, logits, labels, params)
