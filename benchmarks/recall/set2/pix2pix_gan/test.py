"""Translate a folder of input images with a trained pix2pix generator."""
from __future__ import print_function

import argparse
import os

import tensorflow as tf

from data import load_examples
from model import create_generator
from ops import deprocess

parser = argparse.ArgumentParser()
parser.add_argument("--input_dir", required=True, help="path to folder containing images")
parser.add_argument("--output_dir", required=True, help="where to put output files")
parser.add_argument("--checkpoint", required=True, help="directory with checkpoint to resume training from")
parser.add_argument("--ngf", type=int, default=64, help="number of generator filters in first conv layer")
a = parser.parse_args()


def main():
    if not os.path.exists(a.output_dir):
        os.makedirs(a.output_dir)

    examples = load_examples(a.input_dir, batch_size=1, mode="test")
    with tf.variable_scope("generator"):
        outputs = create_generator(examples.inputs, 3, a.ngf, training=False)

    converted = tf.image.convert_image_dtype(deprocess(outputs), dtype=tf.uint8, saturate=True)
    encoded = tf.map_fn(tf.image.encode_png, converted, dtype=tf.string, name="output_pngs")

    restore_saver = tf.train.Saver()
    with tf.Session() as sess:
        checkpoint = tf.train.latest_checkpoint(a.checkpoint)
        restore_saver.restore(sess, checkpoint)
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        for step in range(examples.count):
            pngs, paths = sess.run([encoded, examples.paths])
            for png, path in zip(pngs, paths):
                name = os.path.splitext(os.path.basename(path.decode("utf8")))[0]
                with open(os.path.join(a.output_dir, name + "-outputs.png"), "wb") as f:
                    f.write(png)
        coord.request_stop()
        coord.join(threads)


if __name__ == "__main__":
    main()
