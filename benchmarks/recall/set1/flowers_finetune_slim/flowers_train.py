"""Fine-tunes an ImageNet inception_v1 checkpoint on the flowers dataset.

Usage:
  python flowers_train.py --dataset_dir=/tmp/flowers \
      --checkpoint_path=/tmp/checkpoints/inception_v1.ckpt \
      --train_dir=/tmp/inception_finetuned
"""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow as tf

from nets import inception

import flowers_data

slim = tf.contrib.slim

flags = tf.app.flags
flags.DEFINE_string('dataset_dir', '/tmp/flowers', 'Where the TFRecords are.')
flags.DEFINE_string('checkpoint_path', '/tmp/checkpoints/inception_v1.ckpt',
                    'ImageNet checkpoint to start from.')
flags.DEFINE_string('train_dir', '/tmp/inception_finetuned/',
                    'Where checkpoints and event logs are written to.')
flags.DEFINE_integer('batch_size', 32, 'Batch size.')
flags.DEFINE_integer('max_steps', 1000, 'Number of training steps.')
flags.DEFINE_float('learning_rate', 0.01, 'Initial learning rate.')
FLAGS = flags.FLAGS


def get_init_fn():
    """Returns a function run by the chief worker to warm-start the training."""
    checkpoint_exclude_scopes = ['InceptionV1/Logits', 'InceptionV1/AuxLogits']
    exclusions = [scope.strip() for scope in checkpoint_exclude_scopes]

    variables_to_restore = []
    for var in slim.get_model_variables():
        excluded = False
        for exclusion in exclusions:
            if var.op.name.startswith(exclusion):
                excluded = True
                break
        if not excluded:
            variables_to_restore.append(var)

    return slim.assign_from_checkpoint_fn(FLAGS.checkpoint_path,
                                          variables_to_restore)


def main(_):
    tf.logging.set_verbosity(tf.logging.INFO)
    with tf.Graph().as_default():
        dataset = flowers_data.get_split('train', FLAGS.dataset_dir)
        images, _, labels = flowers_data.load_batch(
            dataset, batch_size=FLAGS.batch_size, is_training=True)

        # Create the model, use the default arg scope to configure the batch norm parameters.
        with slim.arg_scope(inception.inception_v1_arg_scope()):
            logits, _ = inception.inception_v1(images, num_classes=dataset.num_classes, is_training=True)

        # Specify the loss function:
        one_hot_labels = slim.one_hot_encoding(labels, dataset.num_classes)
        tf.losses.softmax_cross_entropy(one_hot_labels, logits)
        total_loss = tf.losses.get_total_loss()
        tf.summary.scalar('losses/Total_Loss', total_loss)

        global_step = tf.train.get_or_create_global_step()
        optimizer = tf.train.AdamOptimizer(learning_rate=FLAGS.learning_rate)
        train_op = optimizer.minimize(total_loss, global_step=global_step)

        init_fn = get_init_fn()
        scaffold = tf.train.Scaffold(init_fn=lambda scaffold, sess: init_fn(sess))
        hooks = [tf.train.StopAtStepHook(last_step=FLAGS.max_steps)]
        with tf.train.MonitoredTrainingSession(checkpoint_dir=FLAGS.train_dir,
                                               scaffold=scaffold,
                                               hooks=hooks) as sess:
            while not sess.should_stop():
                _, loss_value, step = sess.run([train_op, total_loss, global_step])
                if step % 50 == 0:
                    tf.logging.info('step %d: loss = %.4f', step, loss_value)


if __name__ == '__main__':
    tf.app.run()
