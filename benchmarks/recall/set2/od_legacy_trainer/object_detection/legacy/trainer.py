"""Detection model trainer.

This file provides a generic training method that can be used to train a
DetectionModel.
"""
import tensorflow as tf

from object_detection.builders import optimizer_builder
from object_detection.builders import preprocessor_builder
from object_detection.core import batcher
from object_detection.core import standard_fields as fields
from object_detection.utils import variables_helper

slim = tf.contrib.slim


def _create_losses(input_queue, create_model_fn, train_config):
    """Creates loss function for a DetectionModel."""
    detection_model = create_model_fn()
    read_data_list = input_queue.dequeue()
    images = [detection_model.preprocess(d[fields.InputDataFields.image])[0] for d in read_data_list]
    images = tf.concat(images, 0)
    groundtruth_boxes_list = [d[fields.InputDataFields.groundtruth_boxes] for d in read_data_list]
    groundtruth_classes_list = [d[fields.InputDataFields.groundtruth_classes] for d in read_data_list]
    detection_model.provide_groundtruth(groundtruth_boxes_list, groundtruth_classes_list)
    prediction_dict = detection_model.predict(images, None)
    losses_dict = detection_model.loss(prediction_dict, None)
    for loss_tensor in losses_dict.values():
        tf.losses.add_loss(loss_tensor)


def train(create_tensor_dict_fn, create_model_fn, train_config, master, task, is_chief, train_dir):
    """Training function for detection models."""
    detection_model = create_model_fn()
    data_augmentation_options = [
        preprocessor_builder.build(step) for step in train_config.data_augmentation_options]

    with tf.Graph().as_default():
        global_step = slim.create_global_step()

        with tf.device('/cpu:0'):
            input_queue = batcher.create_input_queue(
                train_config.batch_size, create_tensor_dict_fn,
                train_config.batch_queue_capacity, train_config.num_batch_queue_threads,
                train_config.prefetch_queue_capacity, data_augmentation_options)

        summaries = set(tf.get_collection(tf.GraphKeys.SUMMARIES))

        with tf.name_scope('clone_0') as first_clone_scope:
            _create_losses(input_queue, create_model_fn, train_config)

        # Gather update_ops from the first clone. These contain, for example,
        # the updates for the batch_norm variables created by model_fn.
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, first_clone_scope)

        training_optimizer, optimizer_summary_vars = optimizer_builder.build(train_config.optimizer)
        for var in optimizer_summary_vars:
            tf.summary.scalar(var.op.name, var, family='LearningRate')

        total_loss = tf.losses.get_total_loss()
        grads_and_vars = training_optimizer.compute_gradients(total_loss)
        total_loss = tf.check_numerics(total_loss, 'LossTensor is inf or nan.')

        # Optionally freeze some layers by setting their gradients to be zero.
        if train_config.freeze_variables:
            grads_and_vars = variables_helper.freeze_gradients_matching_regex(
                grads_and_vars, train_config.freeze_variables)

        # Optionally clip gradients
        if train_config.gradient_clipping_by_norm > 0:
            with tf.name_scope('clip_grads'):
                grads_and_vars = slim.learning.clip_gradient_norms(
                    grads_and_vars, train_config.gradient_clipping_by_norm)

        # Create gradient updates.
        grad_updates = training_optimizer.apply_gradients(grads_and_vars, global_step=global_step)
        update_ops.append(grad_updates)
        update_op = tf.group(*update_ops, name='update_barrier')
        with tf.control_dependencies([update_op]):
            train_tensor = tf.identity(total_loss, name='train_op')

        for loss_tensor in tf.losses.get_losses():
            summaries.add(tf.summary.scalar('Losses/' + loss_tensor.op.name, loss_tensor))
        summaries.add(tf.summary.scalar('Losses/TotalLoss', tf.losses.get_total_loss()))
        summaries |= set(tf.get_collection(tf.GraphKeys.SUMMARIES, first_clone_scope))
        summary_op = tf.summary.merge(list(summaries), name='summary_op')

        session_config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False)
        saver = tf.train.Saver(keep_checkpoint_every_n_hours=train_config.keep_checkpoint_every_n_hours)

        init_fn = None
        if train_config.fine_tune_checkpoint:
            var_map = detection_model.restore_map(fine_tune_checkpoint_type='classification')
            available_var_map = variables_helper.get_variables_available_in_checkpoint(
                var_map, train_config.fine_tune_checkpoint, include_global_step=False)
            init_saver = tf.train.Saver(available_var_map)

            def initializer_fn(sess):
                init_saver.restore(sess, train_config.fine_tune_checkpoint)
            init_fn = initializer_fn

        slim.learning.train(
            train_tensor,
            logdir=train_dir,
            master=master,
            is_chief=is_chief,
            session_config=session_config,
            init_fn=init_fn,
            summary_op=summary_op,
            number_of_steps=(train_config.num_steps if train_config.num_steps else None),
            save_summaries_secs=120,
            saver=saver)
