# Copyright 2018 The TensorFlow Authors All Rights Reserved.
"""Training script for the DeepLab model (trimmed)."""
import six
import tensorflow as tf

import common
import model
from datasets import segmentation_dataset
from deployment import model_deploy
from utils import input_generator
from utils import train_utils

slim = tf.contrib.slim
prefetch_queue = slim.prefetch_queue
flags = tf.app.flags
FLAGS = flags.FLAGS

flags.DEFINE_integer('num_clones', 1, 'Number of clones to deploy.')
flags.DEFINE_string('train_logdir', None, 'Where the checkpoint and logs are stored.')
flags.DEFINE_integer('training_number_of_steps', 30000, 'The number of steps used for training')
flags.DEFINE_float('momentum', 0.9, 'The momentum value to use')
flags.DEFINE_integer('train_batch_size', 12, 'The number of images in each batch during training.')
flags.DEFINE_float('weight_decay', 0.00004, 'The value of the weight decay for training.')
flags.DEFINE_multi_integer('train_crop_size', [513, 513], 'Image crop size [height, width].')
flags.DEFINE_string('tf_initial_checkpoint', None, 'The initial checkpoint in tensorflow format.')
flags.DEFINE_boolean('fine_tune_batch_norm', True, 'Fine tune the batch norm parameters or not.')
flags.DEFINE_string('dataset', 'pascal_voc_seg', 'Name of the segmentation dataset.')
flags.DEFINE_string('dataset_dir', None, 'Where the dataset reside.')


def _build_deeplab(inputs_queue, outputs_to_num_classes, ignore_label):
    """Builds a clone of DeepLab."""
    samples = inputs_queue.dequeue()
    samples[common.IMAGE] = tf.identity(samples[common.IMAGE], name=common.IMAGE)
    samples[common.LABEL] = tf.identity(samples[common.LABEL], name=common.LABEL)

    model_options = common.ModelOptions(outputs_to_num_classes=outputs_to_num_classes,
                                        crop_size=FLAGS.train_crop_size,
                                        atrous_rates=FLAGS.atrous_rates,
                                        output_stride=FLAGS.output_stride)
    outputs_to_scales_to_logits = model.multi_scale_logits(
        samples[common.IMAGE],
        model_options=model_options,
        image_pyramid=FLAGS.image_pyramid,
        weight_decay=FLAGS.weight_decay,
        is_training=True,
        fine_tune_batch_norm=FLAGS.fine_tune_batch_norm)

    for output, num_classes in six.iteritems(outputs_to_num_classes):
        train_utils.add_softmax_cross_entropy_loss_for_each_scale(
            outputs_to_scales_to_logits[output], samples[common.LABEL], num_classes,
            ignore_label, loss_weight=1.0, upsample_logits=True, scope=output)
    return outputs_to_scales_to_logits


def main(unused_argv):
    tf.logging.set_verbosity(tf.logging.INFO)
    config = model_deploy.DeploymentConfig(num_clones=FLAGS.num_clones)
    clone_batch_size = FLAGS.train_batch_size // config.num_clones
    dataset = segmentation_dataset.get_dataset(FLAGS.dataset, 'train', dataset_dir=FLAGS.dataset_dir)

    with tf.Graph().as_default():
        with tf.device(config.inputs_device()):
            samples = input_generator.get(dataset, FLAGS.train_crop_size, clone_batch_size,
                                          is_training=True)
            inputs_queue = prefetch_queue.prefetch_queue(samples, capacity=128 * config.num_clones)

        # Create the global step on the device storing the variables.
        with tf.device(config.variables_device()):
            global_step = tf.train.get_or_create_global_step()
            # Define the model and create clones.
            model_fn = _build_deeplab
            model_args = (inputs_queue, {common.OUTPUT_TYPE: dataset.num_classes},
                          dataset.ignore_label)
            clones = model_deploy.create_clones(config, model_fn, args=model_args)
            # Gather update_ops from the first clone. These contain, for example,
            # the updates for the batch_norm variables created by model_fn.
            first_clone_scope = config.clone_scope(0)
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, first_clone_scope)

        with tf.device(config.optimizer_device()):
            learning_rate = train_utils.get_model_learning_rate(
                'poly', 0.0001, 2000, 0.1, FLAGS.training_number_of_steps, 0.9)
            optimizer = tf.train.MomentumOptimizer(learning_rate, FLAGS.momentum)

        with tf.device(config.variables_device()):
            total_loss, grads_and_vars = model_deploy.optimize_clones(clones, optimizer)
            total_loss = tf.check_numerics(total_loss, 'Loss is inf or nan.')
            # Create gradient update op.
            grad_updates = optimizer.apply_gradients(grads_and_vars, global_step=global_step)
            update_ops.append(grad_updates)
            update_op = tf.group(*update_ops)
            with tf.control_dependencies([update_op]):
                train_tensor = tf.identity(total_loss, name='train_op')

        session_config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False)
        slim.learning.train(
            train_tensor,
            logdir=FLAGS.train_logdir,
            log_every_n_steps=10,
            master='',
            number_of_steps=FLAGS.training_number_of_steps,
            is_chief=True,
            session_config=session_config,
            init_fn=train_utils.get_model_init_fn(FLAGS.train_logdir, FLAGS.tf_initial_checkpoint,
                                                  True, [], ignore_missing_vars=True),
            save_summaries_secs=600,
            save_interval_secs=1200)


if __name__ == '__main__':
    flags.mark_flag_as_required('train_logdir')
    flags.mark_flag_as_required('dataset_dir')
    tf.app.run()
