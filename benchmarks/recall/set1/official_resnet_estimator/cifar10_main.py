# Copyright 2017 The TensorFlow Authors. All Rights Reserved.
"""Runs a ResNet model on the CIFAR-10 dataset."""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import argparse
import os

import tensorflow as tf

import resnet_model
import resnet_run_loop

_HEIGHT = 32
_WIDTH = 32
_NUM_CHANNELS = 3
_NUM_CLASSES = 10
_NUM_IMAGES = {'train': 50000, 'validation': 10000}
_RECORD_BYTES = _HEIGHT * _WIDTH * _NUM_CHANNELS + 1


def parse_record(raw_record, is_training):
    record_vector = tf.decode_raw(raw_record, tf.uint8)
    label = tf.cast(record_vector[0], tf.int32)
    depth_major = tf.reshape(record_vector[1:_RECORD_BYTES], [_NUM_CHANNELS, _HEIGHT, _WIDTH])
    image = tf.cast(tf.transpose(depth_major, [1, 2, 0]), tf.float32)
    if is_training:
        image = tf.image.resize_image_with_crop_or_pad(image, _HEIGHT + 8, _WIDTH + 8)
        image = tf.random_crop(image, [_HEIGHT, _WIDTH, _NUM_CHANNELS])
        image = tf.image.random_flip_left_right(image)
    image = tf.image.per_image_standardization(image)
    return image, label


def input_fn(is_training, data_dir, batch_size, num_epochs=1):
    filenames = ([os.path.join(data_dir, 'data_batch_%d.bin' % i) for i in range(1, 6)]
                 if is_training else [os.path.join(data_dir, 'test_batch.bin')])
    dataset = tf.data.FixedLengthRecordDataset(filenames, _RECORD_BYTES)
    if is_training:
        dataset = dataset.shuffle(buffer_size=_NUM_IMAGES['train'])
    dataset = dataset.map(lambda value: parse_record(value, is_training))
    dataset = dataset.prefetch(batch_size).repeat(num_epochs).batch(batch_size)
    return dataset


class Cifar10Model(resnet_model.Model):
    """Model class with appropriate defaults for CIFAR-10 data."""

    def __init__(self, resnet_size, data_format=None, num_classes=_NUM_CLASSES):
        if resnet_size % 6 != 2:
            raise ValueError('resnet_size must be 6n + 2:', resnet_size)
        num_blocks = (resnet_size - 2) // 6
        super(Cifar10Model, self).__init__(
            resnet_size=resnet_size, num_classes=num_classes, num_filters=16,
            block_sizes=[num_blocks] * 3, block_strides=[1, 2, 2], data_format=data_format)


def cifar10_model_fn(features, labels, mode, params):
    """Model function for CIFAR-10."""
    if isinstance(features, dict):
        features = features['image']
    features = tf.reshape(features, [-1, _HEIGHT, _WIDTH, _NUM_CHANNELS])
    learning_rate_fn = resnet_run_loop.learning_rate_with_decay(
        batch_size=params['batch_size'], batch_denom=128,
        num_images=_NUM_IMAGES['train'], boundary_epochs=[100, 150, 200],
        decay_rates=[1, 0.1, 0.01, 0.001])
    weight_decay = 2e-4
    return resnet_run_loop.resnet_model_fn(
        features=features, labels=labels, mode=mode, model_class=Cifar10Model,
        resnet_size=params['resnet_size'], weight_decay=weight_decay,
        learning_rate_fn=learning_rate_fn, momentum=0.9,
        data_format=params['data_format'], loss_filter_fn=lambda _: True)


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--data_dir', default='/tmp/cifar10_data/cifar-10-batches-bin')
    parser.add_argument('--model_dir', default='/tmp/cifar10_model')
    parser.add_argument('--export_dir', default=None)
    parser.add_argument('--resnet_size', default='32')
    parser.add_argument('--data_format', default=None)
    parser.add_argument('--batch_size', type=int, default=128)
    parser.add_argument('--train_epochs', type=int, default=250)
    parser.add_argument('--epochs_between_evals', type=int, default=10)
    flags = parser.parse_args()
    resnet_run_loop.resnet_main(flags, cifar10_model_fn, input_fn,
                                shape=[_HEIGHT, _WIDTH, _NUM_CHANNELS])
