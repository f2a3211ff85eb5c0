import os

import numpy as np
import scipy.misc
import tensorflow as tf

from model import DCGAN
from ops import image_manifold_size

flags = tf.app.flags
flags.DEFINE_integer("epoch", 25, "Epoch to train [25]")
flags.DEFINE_float("learning_rate", 0.0002, "Learning rate of for adam [0.0002]")
flags.DEFINE_float("beta1", 0.5, "Momentum term of adam [0.5]")
flags.DEFINE_float("train_size", np.inf, "The size of train images [np.inf]")
flags.DEFINE_integer("batch_size", 64, "The size of batch images [64]")
flags.DEFINE_integer("input_height", 64, "The size of image to use [64]")
flags.DEFINE_integer("output_height", 64, "The size of the output images to produce [64]")
flags.DEFINE_string("dataset", "celebA", "The name of dataset [celebA, mnist, lsun]")
flags.DEFINE_string("data_dir", "./data", "Root directory of dataset [data]")
flags.DEFINE_string("out_dir", "./out", "Root directory for outputs [out]")
flags.DEFINE_string("checkpoint_dir", "checkpoint", "Directory name to save the checkpoints")
flags.DEFINE_boolean("train", False, "True for training, False for testing [False]")
flags.DEFINE_integer("z_dim", 100, "dimensions of z")
FLAGS = flags.FLAGS


def load_dataset(config):
    path = os.path.join(config.data_dir, config.dataset, 'images.npy')
    return np.load(path).astype(np.float32) / 127.5 - 1.


def save_images(images, path):
    h, w = image_manifold_size(images.shape[0])
    img_h, img_w = images.shape[1], images.shape[2]
    merged = np.zeros((img_h * h, img_w * w, images.shape[3]))
    for idx, image in enumerate(images):
        i, j = idx % w, idx // w
        merged[j * img_h:j * img_h + img_h, i * img_w:i * img_w + img_w, :] = image
    scipy.misc.imsave(path, np.squeeze((merged + 1.) / 2.))


def visualize(sess, dcgan, config):
    z_sample = np.random.uniform(-0.5, 0.5, size=(config.batch_size, dcgan.z_dim))
    samples = sess.run(dcgan.sampler, feed_dict={dcgan.z: z_sample})
    save_images(samples, os.path.join(config.out_dir, 'test_samples.png'))


def main(_):
    if not os.path.exists(FLAGS.checkpoint_dir):
        os.makedirs(FLAGS.checkpoint_dir)
    if not os.path.exists(FLAGS.out_dir):
        os.makedirs(FLAGS.out_dir)

    run_config = tf.ConfigProto()
    run_config.gpu_options.allow_growth = True
    with tf.Session(config=run_config) as sess:
        dcgan = DCGAN(sess,
                      input_height=FLAGS.input_height, input_width=FLAGS.input_height,
                      output_height=FLAGS.output_height, output_width=FLAGS.output_height,
                      batch_size=FLAGS.batch_size, sample_num=FLAGS.batch_size,
                      z_dim=FLAGS.z_dim, checkpoint_dir=FLAGS.checkpoint_dir)
        if FLAGS.train:
            dcgan.train(FLAGS, load_dataset(FLAGS))
        else:
            if not dcgan.load(FLAGS.checkpoint_dir):
                raise Exception("[!] Train a model first, then run test mode")
        visualize(sess, dcgan, FLAGS)


if __name__ == '__main__':
    tf.app.run()
