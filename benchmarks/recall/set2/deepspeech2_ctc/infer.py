"""Transcribe wav files with a trained DeepSpeech2 checkpoint."""
from __future__ import print_function

import sys

import tensorflow as tf

from data_utils import ALPHABET, spectrogram_from_file, indices_to_text
from model import deepspeech2

flags = tf.app.flags
flags.DEFINE_string('model_dir', 'checkpoints/ds2', 'Checkpoint directory')
flags.DEFINE_integer('rnn_layers', 3, 'Number of bidirectional GRU layers')
FLAGS = flags.FLAGS


def main(argv):
    features = tf.placeholder(tf.float32, [1, None, 161, 1], name='features')
    seq_len = tf.placeholder(tf.int32, [1], name='seq_len')
    out_len = (seq_len + 1) // 2
    logits = deepspeech2(features, out_len, num_classes=len(ALPHABET) + 1,
                         num_rnn_layers=FLAGS.rnn_layers, is_training=False)
    decoded, _ = tf.nn.ctc_beam_search_decoder(tf.transpose(logits, [1, 0, 2]), out_len, beam_width=64)
    dense = tf.sparse_tensor_to_dense(decoded[0], default_value=-1)

    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(FLAGS.model_dir))
        for path in argv[1:]:
            spec = spectrogram_from_file(path)
            ids = sess.run(dense, feed_dict={features: spec[None, :, :, None], seq_len: [spec.shape[0]]})
            print('%s: %s' % (path, indices_to_text(ids[0])))


if __name__ == '__main__':
    if len(sys.argv) < 2:
        print('usage: infer.py WAV [WAV ...]')
    tf.app.run()
