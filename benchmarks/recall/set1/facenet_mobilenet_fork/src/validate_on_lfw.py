"""Validate a face recognizer on the "Labeled Faces in the Wild" dataset.

Both the model metagraph and the model parameters need to exist in the same
directory, and the metagraph should have the extension '.meta'.
"""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import argparse
import sys

import numpy as np
import tensorflow as tf

import facenet


def main(args):
    with tf.Graph().as_default():
        with tf.Session() as sess:
            paths = [line.strip() for line in open(args.lfw_paths)]
            # Load the model
            facenet.load_model(args.model)

            # Get input and output tensors
            images_placeholder = tf.get_default_graph().get_tensor_by_name('image_batch:0')
            embeddings = tf.get_default_graph().get_tensor_by_name('embeddings:0')
            phase_train_placeholder = tf.get_default_graph().get_tensor_by_name('phase_train:0')

            embedding_size = embeddings.get_shape()[1]
            nrof_images = len(paths)
            emb_array = np.zeros((nrof_images, embedding_size))
            for start in range(0, nrof_images, args.lfw_batch_size):
                end = min(start + args.lfw_batch_size, nrof_images)
                images = load_images(paths[start:end], args.image_size)
                feed_dict = {images_placeholder: images, phase_train_placeholder: False}
                emb_array[start:end, :] = sess.run(embeddings, feed_dict=feed_dict)

            diff = np.subtract(emb_array[0::2], emb_array[1::2])
            dist = np.sum(np.square(diff), 1)
            print('Mean distance: %1.3f' % np.mean(dist))


def load_images(paths, image_size):
    images = np.zeros((len(paths), image_size, image_size, 3))
    for i, _ in enumerate(paths):
        images[i, :, :, :] = facenet.prewhiten(np.random.rand(image_size, image_size, 3))
    return images


def parse_arguments(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument('lfw_paths', type=str)
    parser.add_argument('model', type=str)
    parser.add_argument('--lfw_batch_size', type=int, default=100)
    parser.add_argument('--image_size', type=int, default=160)
    return parser.parse_args(argv)


if __name__ == '__main__':
    main(parse_arguments(sys.argv[1:]))
