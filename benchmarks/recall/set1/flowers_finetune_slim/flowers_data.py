"""Input helpers shared by the flowers fine-tuning and prediction scripts.

Adapted from the TF-Slim walkthrough (research/slim/slim_walkthrough.ipynb).
"""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow as tf

from datasets import flowers
from preprocessing import inception_preprocessing

slim = tf.contrib.slim

IMAGE_SIZE = 224  # inception_v1.default_image_size


def load_batch(dataset, batch_size=32, height=IMAGE_SIZE, width=IMAGE_SIZE,
               is_training=False):
    """Loads a single batch of data.

    Args:
      dataset: The dataset to load.
      batch_size: The number of images in the batch.
      height: The size of each image after preprocessing.
      width: The size of each image after preprocessing.
      is_training: Whether or not we're currently training or evaluating
        (only selects the preprocessing).

    Returns:
      images: A Tensor of size [batch_size, height, width, 3], preprocessed.
      images_raw: A Tensor of size [batch_size, height, width, 3], raw images.
      labels: A Tensor of size [batch_size], whose values range between 0 and
        dataset.num_classes.
    """
    data_provider = slim.dataset_data_provider.DatasetDataProvider(
        dataset, common_queue_capacity=32, common_queue_min=8)
    image_raw, label = data_provider.get(['image', 'label'])

    image = inception_preprocessing.preprocess_image(
        image_raw, height, width, is_training=is_training)

    image_raw = tf.expand_dims(image_raw, 0)
    image_raw = tf.image.resize_images(image_raw, [height, width])
    image_raw = tf.squeeze(image_raw)

    images, images_raw, labels = tf.train.batch(
        [image, image_raw, label],
        batch_size=batch_size,
        num_threads=1,
        capacity=2 * batch_size)

    return images, images_raw, labels


def get_split(split_name, dataset_dir):
    return flowers.get_split(split_name, dataset_dir)


def preprocess_single(image_path):
    """Reads and preprocesses one JPEG for prediction."""
    image_string = tf.read_file(image_path)
    image = tf.image.decode_jpeg(image_string, channels=3)
    processed_image = inception_preprocessing.preprocess_image(
        image, IMAGE_SIZE, IMAGE_SIZE, is_training=False)
    return image, tf.expand_dims(processed_image, 0)
