#! /usr/bin/env python
# -*- coding=utf8 -*-
"""Train, evaluate and export the fine-tuned resnet_v2_50 image classifier."""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import argparse

import tensorflow as tf

import build_model_fn
import input_data
from common import build_model_fn_utils


def build_estimator(opts):
    config = tf.estimator.RunConfig(model_dir=opts.model_dir,
                                    save_checkpoints_secs=opts.save_checkpoints_secs,
                                    keep_checkpoint_max=opts.keep_checkpoint_max)
    return tf.estimator.Estimator(model_fn=build_model_fn.model_fn,
                                  config=config,
                                  params={'opts': opts})


def serving_input_receiver_fn(opts):
    def fn():
        image_bytes = tf.placeholder(tf.string, [None], name='image_bytes')
        images = tf.map_fn(lambda b: input_data.preprocess(b, opts.inference_image_size),
                           image_bytes, dtype=tf.float32)
        return tf.estimator.export.ServingInputReceiver(
            {build_model_fn_utils.DATA_COL: images}, {'image_bytes': image_bytes})
    return fn


def main(opts):
    estimator = build_estimator(opts)
    train_spec = tf.estimator.TrainSpec(
        input_fn=lambda: input_data.train_input_fn(opts), max_steps=opts.max_train_steps)
    eval_spec = tf.estimator.EvalSpec(
        input_fn=lambda: input_data.eval_input_fn(opts), steps=None,
        throttle_secs=opts.throttle_secs)
    tf.estimator.train_and_evaluate(estimator, train_spec, eval_spec)

    if opts.export_model_dir:
        estimator.export_savedmodel(opts.export_model_dir, serving_input_receiver_fn(opts))


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--model_dir', default='model_dir')
    parser.add_argument('--export_model_dir', default='export_model_dir')
    parser.add_argument('--preload_checkpoint_path', default='resnet_v2_50.ckpt')
    parser.add_argument('--num_classes', type=int, default=100)
    parser.add_argument('--l2_regularizer', type=float, default=0.0001)
    parser.add_argument('--batch_norm_decay', type=float, default=0.997)
    parser.add_argument('--batch_norm_epsilon', type=float, default=1e-5)
    parser.add_argument('--optimizer', default='momentum')
    parser.add_argument('--momentum', type=float, default=0.9)
    parser.add_argument('--adam_epsilon', type=float, default=1e-8)
    parser.add_argument('--learning_rate', type=float, default=0.01)
    parser.add_argument('--learning_rate_decay_type', default='exponential')
    parser.add_argument('--learning_rate_decay_factor', type=float, default=0.94)
    parser.add_argument('--decay_steps', type=int, default=10000)
    parser.add_argument('--max_train_steps', type=int, default=100000)
    parser.add_argument('--throttle_secs', type=int, default=600)
    parser.add_argument('--save_checkpoints_secs', type=int, default=600)
    parser.add_argument('--keep_checkpoint_max', type=int, default=3)
    parser.add_argument('--inference_image_size', type=int, default=224)
    main(parser.parse_args())
