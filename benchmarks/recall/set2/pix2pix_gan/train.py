"""Train pix2pix: one discriminator step, then one generator step per batch."""
from __future__ import print_function

import argparse
import os
import time

import tensorflow as tf

from data import load_examples
from model import create_model
from ops import deprocess

parser = argparse.ArgumentParser()
parser.add_argument("--input_dir", required=True, help="path to folder containing images")
parser.add_argument("--output_dir", required=True, help="where to put output files")
parser.add_argument("--max_steps", type=int, default=200000, help="number of training steps")
parser.add_argument("--batch_size", type=int, default=1, help="number of images in batch")
parser.add_argument("--ngf", type=int, default=64, help="number of generator filters in first conv layer")
parser.add_argument("--ndf", type=int, default=64, help="number of discriminator filters in first conv layer")
parser.add_argument("--lr", type=float, default=0.0002, help="initial learning rate for adam")
parser.add_argument("--beta1", type=float, default=0.5, help="momentum term of adam")
parser.add_argument("--l1_weight", type=float, default=100.0, help="weight on L1 term for generator gradient")
parser.add_argument("--gan_weight", type=float, default=1.0, help="weight on GAN term for generator gradient")
parser.add_argument("--save_freq", type=int, default=5000, help="save model every save_freq steps")
a = parser.parse_args()


def main():
    if not os.path.exists(a.output_dir):
        os.makedirs(a.output_dir)

    examples = load_examples(a.input_dir, a.batch_size, mode="train")
    model = create_model(examples.inputs, examples.targets, a, training=True)

    tf.summary.image("outputs", tf.image.convert_image_dtype(deprocess(model.outputs), dtype=tf.uint8))
    tf.summary.scalar("discriminator_loss", model.discrim_loss)
    tf.summary.scalar("generator_loss_GAN", model.gen_loss_GAN)
    tf.summary.scalar("generator_loss_L1", model.gen_loss_L1)

    global_step = tf.train.get_or_create_global_step()
    incr_global_step = tf.assign(global_step, global_step + 1)
    saver = tf.train.Saver(max_to_keep=1)

    sv = tf.train.Supervisor(logdir=a.output_dir, save_summaries_secs=0, saver=None)
    with sv.managed_session() as sess:
        start = time.time()
        for step in range(a.max_steps):
            if sv.should_stop():
                break
            sess.run(model.d_train)
            _, d_loss, g_loss_gan, g_loss_l1, _ = sess.run(
                [model.g_train, model.discrim_loss, model.gen_loss_GAN, model.gen_loss_L1, incr_global_step])
            if step % 100 == 0:
                print("step %d  d %.3f  g_gan %.3f  g_l1 %.3f  (%.1fs)" %
                      (step, d_loss, g_loss_gan, g_loss_l1, time.time() - start))
            if step % a.save_freq == 0:
                saver.save(sess, os.path.join(a.output_dir, "model"), global_step=sv.global_step)


if __name__ == "__main__":
    main()
