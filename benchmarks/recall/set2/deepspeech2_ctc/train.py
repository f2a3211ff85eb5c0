"""Train DeepSpeech2 with CTC on LibriSpeech spectrogram batches."""
from __future__ import print_function

import os
import time

import numpy as np
import tensorflow as tf

from data_utils import SpectrogramBatcher, ALPHABET, sparse_tuple_from
from model import deepspeech2

flags = tf.app.flags
flags.DEFINE_string('train_manifest', 'data/train-clean-100.csv', 'Training manifest')
flags.DEFINE_string('dev_manifest', 'data/dev-clean.csv', 'Dev manifest')
flags.DEFINE_string('model_dir', 'checkpoints/ds2', 'Checkpoint directory')
flags.DEFINE_integer('batch_size', 32, 'Batch size')
flags.DEFINE_integer('epochs', 30, 'Number of epochs')
flags.DEFINE_integer('rnn_layers', 3, 'Number of bidirectional GRU layers')
flags.DEFINE_float('learning_rate', 5e-4, 'Adam learning rate')
flags.DEFINE_float('max_grad_norm', 400.0, 'Gradient clipping norm')
FLAGS = flags.FLAGS


def main(_):
    features = tf.placeholder(tf.float32, [None, None, 161, 1], name='features')
    seq_len = tf.placeholder(tf.int32, [None], name='seq_len')
    labels = tf.sparse_placeholder(tf.int32, name='labels')
    is_training = tf.placeholder(tf.bool, shape=[], name='is_training')

    out_len = (seq_len + 1) // 2
    logits = deepspeech2(features, out_len, num_classes=len(ALPHABET) + 1, num_rnn_layers=FLAGS.rnn_layers)

    loss = tf.reduce_mean(tf.nn.ctc_loss(labels, logits, out_len, time_major=False))
    decoded, _ = tf.nn.ctc_greedy_decoder(tf.transpose(logits, [1, 0, 2]), out_len)
    ler = tf.reduce_mean(tf.edit_distance(tf.cast(decoded[0], tf.int32), labels))

    global_step = tf.train.get_or_create_global_step()
    optimizer = tf.train.AdamOptimizer(FLAGS.learning_rate)
    grads, variables = zip(*optimizer.compute_gradients(loss))
    grads, _ = tf.clip_by_global_norm(grads, FLAGS.max_grad_norm)
    train_op = optimizer.apply_gradients(zip(grads, variables), global_step=global_step)

    train_batches = SpectrogramBatcher(FLAGS.train_manifest, FLAGS.batch_size, shuffle=True)
    dev_batches = SpectrogramBatcher(FLAGS.dev_manifest, FLAGS.batch_size, shuffle=False)
    saver = tf.train.Saver(max_to_keep=5)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        best_dev_ler = np.inf
        for epoch in range(FLAGS.epochs):
            start = time.time()
            for feats, lens, targets in train_batches:
                _, step, loss_val = sess.run([train_op, global_step, loss], feed_dict={
                    features: feats, seq_len: lens, labels: sparse_tuple_from(targets), is_training: True})
                if step % 100 == 0:
                    print('epoch %d step %d loss %.3f' % (epoch, step, loss_val))

            dev_lers = []
            for feats, lens, targets in dev_batches:
                dev_lers.append(sess.run(ler, feed_dict={
                    features: feats, seq_len: lens, labels: sparse_tuple_from(targets), is_training: False}))
            dev_ler = float(np.mean(dev_lers))
            print('epoch %d dev LER %.4f (%.0fs)' % (epoch, dev_ler, time.time() - start))
            if dev_ler < best_dev_ler:
                best_dev_ler = dev_ler
                saver.save(sess, os.path.join(FLAGS.model_dir, 'model.ckpt'), global_step=global_step)


if __name__ == '__main__':
    tf.app.run()
