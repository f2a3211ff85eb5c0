# Copyright 2018 The TensorFlow Authors. All Rights Reserved.
"""Build and train mobilenet_v1 with options for quantization."""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow.compat.v1 as tf
import tf_slim as slim
from tensorflow.contrib import quantize as contrib_quantize

from datasets import dataset_factory
from nets import mobilenet_v1
from preprocessing import preprocessing_factory

flags = tf.app.flags
flags.DEFINE_integer('batch_size', 64, 'Batch size')
flags.DEFINE_integer('num_classes', 1001, 'Number of classes to distinguish')
flags.DEFINE_integer('number_of_steps', None, 'Number of training steps to perform')
flags.DEFINE_integer('image_size', 224, 'Input image resolution')
flags.DEFINE_float('depth_multiplier', 1.0, 'Depth multiplier for mobilenet')
flags.DEFINE_bool('quantize', False, 'Quantize training')
flags.DEFINE_string('checkpoint_dir', '', 'Directory for writing training checkpoints and logs')
flags.DEFINE_string('dataset_dir', '', 'Location of dataset')
FLAGS = flags.FLAGS


def imagenet_input(is_training):
    """Data reader for imagenet."""
    split = 'train' if is_training else 'validation'
    dataset = dataset_factory.get_dataset('imagenet', split, FLAGS.dataset_dir)
    provider = slim.dataset_data_provider.DatasetDataProvider(
        dataset, shuffle=is_training, common_queue_capacity=2 * FLAGS.batch_size,
        common_queue_min=FLAGS.batch_size)
    [image, label] = provider.get(['image', 'label'])
    image_preprocessing_fn = preprocessing_factory.get_preprocessing(
        'mobilenet_v1', is_training=is_training)
    image = image_preprocessing_fn(image, FLAGS.image_size, FLAGS.image_size)
    images, labels = tf.train.batch([image, label], batch_size=FLAGS.batch_size,
                                    num_threads=4, capacity=5 * FLAGS.batch_size)
    labels = slim.one_hot_encoding(labels, FLAGS.num_classes)
    return images, labels


def build_model():
    """Builds graph for model to train with rewrites for quantization."""
    g = tf.Graph()
    with g.as_default():
        inputs, labels = imagenet_input(is_training=True)
        with slim.arg_scope(mobilenet_v1.mobilenet_v1_arg_scope(is_training=True)):
            logits, _ = mobilenet_v1.mobilenet_v1(
                inputs,
                is_training=True,
                depth_multiplier=FLAGS.depth_multiplier,
                num_classes=FLAGS.num_classes)

        tf.losses.softmax_cross_entropy(labels, logits)

        # Call rewriter to produce graph with fake quant ops and folded batch norms
        if FLAGS.quantize:
            contrib_quantize.create_training_graph(quant_delay=250000)

        total_loss = tf.losses.get_total_loss(name='total_loss')
        learning_rate = tf.train.exponential_decay(
            0.045, tf.train.get_or_create_global_step(),
            int(1271167 / FLAGS.batch_size * 2.5), 0.94, staircase=True)
        opt = tf.train.GradientDescentOptimizer(learning_rate)

        train_tensor = slim.learning.create_train_op(
            total_loss,
            optimizer=opt)

    slim.summaries.add_scalar_summary(total_loss, 'total_loss', 'losses')
    slim.summaries.add_scalar_summary(learning_rate, 'learning_rate', 'training')
    return g, train_tensor


def train_model():
    """Trains mobilenet_v1."""
    g, train_tensor = build_model()
    with g.as_default():
        slim.learning.train(
            train_tensor,
            FLAGS.checkpoint_dir,
            graph=g,
            number_of_steps=FLAGS.number_of_steps,
            save_summaries_secs=100,
            save_interval_secs=100,
            global_step=tf.train.get_global_step())


def main(unused_arg):
    train_model()


if __name__ == '__main__':
    tf.app.run(main)
