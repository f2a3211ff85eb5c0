"""Entry point: python train.py --data_dir /data/tfrecords --logdir /tmp/run1"""
import argparse

import tensorflow as tf

from loss import CrossEntropyLoss
from model import Model
from train_op import TrainOp


def parse_example(serialized, image_size):
    features = tf.parse_single_example(serialized, {
        'image/encoded': tf.FixedLenFeature([], tf.string),
        'image/class/label': tf.FixedLenFeature([], tf.int64),
    })
    image = tf.image.decode_jpeg(features['image/encoded'], channels=3)
    image = tf.image.resize_images(image, [image_size, image_size])
    image = tf.image.random_flip_left_right(image) / 127.5 - 1.0
    return image, features['image/class/label']


def make_iterator(pattern, batch_size, image_size):
    files = tf.data.Dataset.list_files(pattern)
    dataset = files.interleave(tf.data.TFRecordDataset, cycle_length=4)
    dataset = dataset.shuffle(10000).repeat()
    dataset = dataset.map(lambda s: parse_example(s, image_size), num_parallel_calls=4)
    dataset = dataset.batch(batch_size).prefetch(2)
    return dataset.make_one_shot_iterator()


def main(args):
    iterator = make_iterator(args.data_dir + '/train-*', args.batch_size, args.image_size)
    model = Model(num_classes=args.num_classes, is_training=True)
    loss_fn = CrossEntropyLoss(model, iterator, weight_decay=args.weight_decay)
    train_op = TrainOp(model, loss_fn, args.learning_rate, args.decay_steps,
                       beta=0.9, staircase=True).create_train_op()
    accuracy = loss_fn.accuracy()
    tf.summary.scalar('accuracy/train', accuracy)

    hooks = [tf.train.StopAtStepHook(last_step=args.max_steps),
             tf.train.LoggingTensorHook({'acc': accuracy}, every_n_iter=100)]
    with tf.train.MonitoredTrainingSession(checkpoint_dir=args.logdir, hooks=hooks,
                                           save_checkpoint_secs=300) as sess:
        while not sess.should_stop():
            sess.run(train_op)


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--data_dir', required=True)
    parser.add_argument('--logdir', default='/tmp/classifier')
    parser.add_argument('--num_classes', type=int, default=10)
    parser.add_argument('--image_size', type=int, default=64)
    parser.add_argument('--batch_size', type=int, default=64)
    parser.add_argument('--learning_rate', type=float, default=1e-3)
    parser.add_argument('--decay_steps', type=int, default=5000)
    parser.add_argument('--weight_decay', type=float, default=1e-4)
    parser.add_argument('--max_steps', type=int, default=50000)
    main(parser.parse_args())
