"""Classifies MNIST test digits one at a time with the trained DenseNet checkpoint."""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

from densenet import DenseNet, growth_k, nb_block


def main(args):
    mnist = input_data.read_data_sets('MNIST_data', one_hot=True)

    x = tf.placeholder(tf.float32, shape=[None, 784])
    batch_images = tf.reshape(x, [-1, 28, 28, 1])
    training_flag = tf.placeholder(tf.bool)
    logits = DenseNet(x=batch_images, nb_blocks=nb_block, filters=growth_k,
                      training=training_flag).model
    prediction = tf.argmax(logits, 1)

    saver = tf.train.Saver(tf.global_variables())
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(args.model_dir))
        correct = 0
        for i in range(args.num_images):
            image = mnist.test.images[i:i + 1]
            pred = sess.run(prediction, feed_dict={x: image, training_flag: False})
            correct += int(pred[0] == np.argmax(mnist.test.labels[i]))
        print('single-image accuracy: %.4f' % (correct / float(args.num_images)))


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--model_dir', default='./model')
    parser.add_argument('--num_images', type=int, default=1000)
    main(parser.parse_args())
