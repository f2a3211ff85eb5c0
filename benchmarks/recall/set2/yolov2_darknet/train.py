"""Train YOLOv2 (DarkNet-19 backbone) on VOC tfrecords."""
from __future__ import print_function

import os
import time

import tensorflow as tf
import tensorflow.contrib.slim as slim

from nets import darknet
from utils.loss import yolo_v2_loss
from utils.data import voc_input_fn

flags = tf.app.flags
flags.DEFINE_string('train_dir', './checkpoints', 'Directory for checkpoints and summaries')
flags.DEFINE_string('data_dir', './data/voc_tfrecords', 'Directory with the tfrecords')
flags.DEFINE_string('pretrained', './weights/darknet19.ckpt', 'ImageNet-pretrained DarkNet-19')
flags.DEFINE_integer('batch_size', 16, 'Batch size')
flags.DEFINE_integer('max_steps', 120000, 'Number of training steps')
flags.DEFINE_float('learning_rate', 1e-4, 'Initial learning rate')
flags.DEFINE_float('weight_decay', 5e-4, 'L2 weight decay')
flags.DEFINE_integer('num_classes', 20, 'Number of object classes')
FLAGS = flags.FLAGS

ANCHORS = [[1.08, 1.19], [3.42, 4.41], [6.63, 11.38], [9.42, 5.11], [16.62, 10.52]]


def main(_):
    images, boxes, labels = voc_input_fn(FLAGS.data_dir, FLAGS.batch_size, image_size=416)

    with slim.arg_scope(darknet.darknet_19_arg_scope(is_training=True, weight_decay=FLAGS.weight_decay)):
        predictions = darknet.yolo_v2(images, num_classes=FLAGS.num_classes, num_anchors=len(ANCHORS))

    yolo_v2_loss(predictions, boxes, labels, ANCHORS, FLAGS.num_classes)
    total_loss = tf.losses.get_total_loss()

    global_step = tf.train.get_or_create_global_step()
    learning_rate = tf.train.piecewise_constant(global_step, [40000, 80000],
                                                [FLAGS.learning_rate, FLAGS.learning_rate * 0.1,
                                                 FLAGS.learning_rate * 0.01])
    optimizer = tf.train.AdamOptimizer(learning_rate)
    train_op = optimizer.minimize(total_loss, global_step=global_step)

    tf.summary.scalar('total_loss', total_loss)
    tf.summary.scalar('learning_rate', learning_rate)
    summary_op = tf.summary.merge_all()

    backbone_vars = slim.get_variables_to_restore(include=['yolo_v2/darknet_19'])
    init_fn = slim.assign_from_checkpoint_fn(FLAGS.pretrained, backbone_vars, ignore_missing_vars=True)
    saver = tf.train.Saver(tf.trainable_variables(), max_to_keep=5)

    config = tf.ConfigProto(allow_soft_placement=True)
    config.gpu_options.allow_growth = True
    with tf.Session(config=config) as sess:
        sess.run(tf.global_variables_initializer())
        init_fn(sess)
        writer = tf.summary.FileWriter(FLAGS.train_dir, sess.graph)
        start = time.time()
        for step in range(FLAGS.max_steps):
            _, loss_value = sess.run([train_op, total_loss])
            if step % 100 == 0:
                summary = sess.run(summary_op)
                writer.add_summary(summary, step)
                print('step %d, loss %.4f (%.2f s)' % (step, loss_value, time.time() - start))
                start = time.time()
            if step % 5000 == 0 or step + 1 == FLAGS.max_steps:
                saver.save(sess, os.path.join(FLAGS.train_dir, 'yolov2.ckpt'), global_step=step)


if __name__ == '__main__':
    tf.app.run()
