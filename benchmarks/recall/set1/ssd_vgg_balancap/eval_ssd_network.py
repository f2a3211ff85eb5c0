# Copyright 2016 Paul Balanca. All Rights Reserved.
"""Generic evaluation script that evaluates a SSD model on a given dataset."""
import math

import tensorflow as tf

from datasets import dataset_factory
from nets import nets_factory
from preprocessing import preprocessing_factory
import tf_extended as tfe
import tf_utils

slim = tf.contrib.slim

tf.app.flags.DEFINE_string('checkpoint_path', '/tmp/tfmodel/', 'Checkpoint directory.')
tf.app.flags.DEFINE_string('eval_dir', '/tmp/tfmodel/', 'Directory where results are written.')
tf.app.flags.DEFINE_string('model_name', 'ssd_300_vgg', 'The name of the architecture to evaluate.')
tf.app.flags.DEFINE_string('dataset_name', 'pascalvoc_2007', 'The name of the dataset to load.')
tf.app.flags.DEFINE_string('dataset_dir', None, 'The directory where the dataset files are stored.')
tf.app.flags.DEFINE_integer('batch_size', 1, 'The number of samples in each batch.')
tf.app.flags.DEFINE_float('select_threshold', 0.01, 'Selection threshold.')
tf.app.flags.DEFINE_integer('select_top_k', 400, 'Select top-k detected bounding boxes.')
FLAGS = tf.app.flags.FLAGS


def main(_):
    tf.logging.set_verbosity(tf.logging.INFO)
    with tf.Graph().as_default():
        tf_global_step = slim.get_or_create_global_step()
        dataset = dataset_factory.get_dataset(FLAGS.dataset_name, 'test', FLAGS.dataset_dir)
        ssd_class = nets_factory.get_network(FLAGS.model_name)
        ssd_params = ssd_class.default_params._replace(num_classes=dataset.num_classes)
        ssd_net = ssd_class(ssd_params)
        image_preprocessing_fn = preprocessing_factory.get_preprocessing(
            FLAGS.model_name, is_training=False)

        b_image, b_glabels, b_gbboxes, b_gdifficults, b_gbbox_img = tf_utils.build_eval_batch(
            dataset, ssd_net, image_preprocessing_fn, FLAGS.batch_size)

        # SSD network construction.
        arg_scope = ssd_net.arg_scope(data_format='NHWC')
        with slim.arg_scope(arg_scope):
            predictions, localisations, logits, end_points = ssd_net.net(b_image, is_training=False)

        rscores, rbboxes = ssd_net.detected_bboxes(predictions, localisations,
                                                   select_threshold=FLAGS.select_threshold,
                                                   nms_threshold=0.45, top_k=FLAGS.select_top_k)
        names_to_values, names_to_updates = tfe.detection_metrics(
            rscores, rbboxes, b_glabels, b_gbboxes, b_gdifficults, dataset.num_classes)

        num_batches = math.ceil(dataset.num_samples / float(FLAGS.batch_size))
        slim.evaluation.evaluate_once(
            master='',
            checkpoint_path=tf.train.latest_checkpoint(FLAGS.checkpoint_path),
            logdir=FLAGS.eval_dir,
            num_evals=num_batches,
            eval_op=list(names_to_updates.values()),
            variables_to_restore=slim.get_variables_to_restore())
        print(names_to_values)


if __name__ == '__main__':
    tf.app.run()
