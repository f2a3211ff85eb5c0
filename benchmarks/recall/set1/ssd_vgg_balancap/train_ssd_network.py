# Copyright 2016 Paul Balanca. All Rights Reserved.
"""Generic training script that trains a SSD model using a given dataset."""
import tensorflow as tf
from tensorflow.python.ops import control_flow_ops

from datasets import dataset_factory
from deployment import model_deploy
from nets import nets_factory
from preprocessing import preprocessing_factory
import tf_utils

slim = tf.contrib.slim

tf.app.flags.DEFINE_string('train_dir', '/tmp/tfmodel/', 'Directory for checkpoints.')
tf.app.flags.DEFINE_integer('num_clones', 1, 'Number of model clones to deploy.')
tf.app.flags.DEFINE_boolean('clone_on_cpu', False, 'Use CPUs to deploy clones.')
tf.app.flags.DEFINE_string('model_name', 'ssd_300_vgg', 'The name of the architecture to train.')
tf.app.flags.DEFINE_string('dataset_name', 'pascalvoc_2012', 'The name of the dataset to load.')
tf.app.flags.DEFINE_string('dataset_dir', None, 'The directory where the dataset files are stored.')
tf.app.flags.DEFINE_integer('batch_size', 32, 'The number of samples in each batch.')
tf.app.flags.DEFINE_float('weight_decay', 0.00004, 'The weight decay on the model weights.')
tf.app.flags.DEFINE_float('negative_ratio', 3., 'Negative ratio in the loss function.')
tf.app.flags.DEFINE_float('moving_average_decay', None, 'The decay to use for the moving average.')
tf.app.flags.DEFINE_integer('max_number_of_steps', None, 'The maximum number of training steps.')
FLAGS = tf.app.flags.FLAGS


def main(_):
    tf.logging.set_verbosity(tf.logging.DEBUG)
    with tf.Graph().as_default():
        deploy_config = model_deploy.DeploymentConfig(num_clones=FLAGS.num_clones,
                                                      clone_on_cpu=FLAGS.clone_on_cpu)
        with tf.device(deploy_config.variables_device()):
            global_step = slim.create_global_step()

        dataset = dataset_factory.get_dataset(FLAGS.dataset_name, 'train', FLAGS.dataset_dir)
        ssd_class = nets_factory.get_network(FLAGS.model_name)
        ssd_params = ssd_class.default_params._replace(num_classes=dataset.num_classes)
        ssd_net = ssd_class(ssd_params)
        image_preprocessing_fn = preprocessing_factory.get_preprocessing(
            FLAGS.model_name, is_training=True)

        with tf.device(deploy_config.inputs_device()):
            batch_queue = tf_utils.build_ssd_input_queue(dataset, ssd_net, image_preprocessing_fn,
                                                         FLAGS.batch_size, deploy_config)

        def clone_fn(batch_queue):
            """Allows data parallelism by creating multiple clones of network_fn."""
            b_image, b_gclasses, b_glocalisations, b_gscores = tf_utils.reshape_list(
                batch_queue.dequeue(), ssd_net.batch_shapes)
            arg_scope = ssd_net.arg_scope(weight_decay=FLAGS.weight_decay)
            with slim.arg_scope(arg_scope):
                predictions, localisations, logits, end_points = ssd_net.net(b_image, is_training=True)
            ssd_net.losses(logits, localisations, b_gclasses, b_glocalisations, b_gscores,
                           negative_ratio=FLAGS.negative_ratio)
            return end_points

        summaries = set(tf.get_collection(tf.GraphKeys.SUMMARIES))
        clones = model_deploy.create_clones(deploy_config, clone_fn, [batch_queue])
        first_clone_scope = deploy_config.clone_scope(0)
        # Gather update_ops from the first clone. These contain, for example,
        # the updates for the batch_norm variables created by network_fn.
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, first_clone_scope)

        if FLAGS.moving_average_decay:
            moving_average_variables = slim.get_model_variables()
            variable_averages = tf.train.ExponentialMovingAverage(FLAGS.moving_average_decay,
                                                                  global_step)
            # Update ops executed locally by trainer.
            update_ops.append(variable_averages.apply(moving_average_variables))

        with tf.device(deploy_config.optimizer_device()):
            learning_rate = tf_utils.configure_learning_rate(FLAGS, dataset.num_samples, global_step)
            optimizer = tf_utils.configure_optimizer(FLAGS, learning_rate)
            summaries.add(tf.summary.scalar('learning_rate', learning_rate))

        variables_to_train = tf_utils.get_variables_to_train(FLAGS)
        total_loss, clones_gradients = model_deploy.optimize_clones(clones, optimizer,
                                                                    var_list=variables_to_train)
        summaries.add(tf.summary.scalar('total_loss', total_loss))

        # Create gradient updates.
        grad_updates = optimizer.apply_gradients(clones_gradients, global_step=global_step)
        update_ops.append(grad_updates)
        update_op = tf.group(*update_ops)
        train_tensor = control_flow_ops.with_dependencies([update_op], total_loss,
                                                          name='train_op')

        summaries |= set(tf.get_collection(tf.GraphKeys.SUMMARIES, first_clone_scope))
        summary_op = tf.summary.merge(list(summaries), name='summary_op')

        saver = tf.train.Saver(max_to_keep=5, keep_checkpoint_every_n_hours=1.0,
                               write_version=2, pad_step_number=False)
        slim.learning.train(
            train_tensor,
            logdir=FLAGS.train_dir,
            master='',
            is_chief=True,
            init_fn=tf_utils.get_init_fn(FLAGS),
            summary_op=summary_op,
            number_of_steps=FLAGS.max_number_of_steps,
            saver=saver,
            save_interval_secs=600,
            save_summaries_secs=60)


if __name__ == '__main__':
    tf.app.run()
