"""Draws a 5x5 grid of digits from the last DCGAN checkpoint."""
import argparse

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from nets import generator


def show_result(images, path, size_figure_grid=5):
    fig, ax = plt.subplots(size_figure_grid, size_figure_grid, figsize=(5, 5))
    for i in range(size_figure_grid):
        for j in range(size_figure_grid):
            ax[i, j].get_xaxis().set_visible(False)
            ax[i, j].get_yaxis().set_visible(False)
    for k in range(size_figure_grid * size_figure_grid):
        i = k // size_figure_grid
        j = k % size_figure_grid
        ax[i, j].cla()
        ax[i, j].imshow(np.reshape(images[k], (64, 64)), cmap='gray')
    plt.savefig(path)
    plt.close()


def main(args):
    z = tf.placeholder(tf.float32, shape=(None, 1, 1, 100))
    isTrain = tf.placeholder(dtype=tf.bool)
    G_z = generator(z, isTrain)

    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(args.checkpoint_dir))
        fixed_z_ = np.random.normal(0, 1, (25, 1, 1, 100))
        test_images = sess.run(G_z, {z: fixed_z_, isTrain: False})
    show_result(test_images, args.output)


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--checkpoint_dir', default='MNIST_DCGAN_results/')
    parser.add_argument('--output', default='MNIST_DCGAN_results/samples.png')
    main(parser.parse_args())
