"""Evaluates the latest CIFAR-10 checkpoint one image at a time (latency benchmark)."""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import argparse
import time

import numpy as np
import tensorflow as tf

import model


def main(args):
    (_, _), (x_test, y_test) = tf.keras.datasets.cifar10.load_data()
    x_test = x_test.astype(np.float32) / 127.5 - 1.0
    y_test = y_test.ravel()

    image = tf.placeholder(tf.float32, [1, 32, 32, 3], name='image')
    logits = model.build_classifier(image, 10, training=False)
    prediction = tf.argmax(logits, 1)

    saver = tf.train.Saver()
    correct = 0
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(args.train_dir))
        start = time.time()
        for i in range(args.num_images):
            pred = sess.run(prediction, feed_dict={image: x_test[i:i + 1]})
            correct += int(pred[0] == y_test[i])
        elapsed = time.time() - start
    print('accuracy %.4f, %.2f ms/image' % (correct / float(args.num_images),
                                           1000.0 * elapsed / args.num_images))


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--train_dir', default='/tmp/cifar10_train')
    parser.add_argument('--num_images', type=int, default=1000)
    main(parser.parse_args())
