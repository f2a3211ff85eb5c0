# Copyright 2018 The TensorFlow Authors All Rights Reserved.
"""Exports trained model to TensorFlow frozen graph."""
import os

import tensorflow as tf
from tensorflow.python.tools import freeze_graph

import common
import model
from utils import preprocess_utils

slim = tf.contrib.slim
flags = tf.app.flags
FLAGS = flags.FLAGS

flags.DEFINE_string('checkpoint_path', None, 'Checkpoint path')
flags.DEFINE_string('export_path', None, 'Path to output Tensorflow frozen graph.')
flags.DEFINE_integer('num_classes', 21, 'Number of classes.')
flags.DEFINE_multi_integer('crop_size', [513, 513], 'Crop size [height, width].')

# Input name of the exported model.
_INPUT_NAME = 'ImageTensor'
# Output name of the exported model.
_OUTPUT_NAME = 'SemanticPredictions'


def _create_input_tensors():
    """Creates and prepares input tensors for DeepLab model."""
    # input_preprocess takes 4-D image tensor as input.
    input_image = tf.placeholder(tf.uint8, [1, None, None, 3], name=_INPUT_NAME)
    original_image_size = tf.shape(input_image)[1:3]
    # Squeeze the dimension in axis=0 since `preprocess_image_and_label` assumes
    # image to be 3-D.
    image = tf.squeeze(input_image, axis=0)
    resized_image, image, _ = preprocess_utils.resize_to_range(
        image, label=None, min_size=FLAGS.min_resize_value, max_size=FLAGS.max_resize_value)
    resized_image_size = tf.shape(resized_image)[:2]
    image = tf.expand_dims(image, 0)
    return image, original_image_size, resized_image_size


def main(unused_argv):
    tf.logging.set_verbosity(tf.logging.INFO)
    tf.logging.info('Prepare to export model to: %s', FLAGS.export_path)

    with tf.Graph().as_default():
        image, image_size, resized_image_size = _create_input_tensors()
        model_options = common.ModelOptions(
            outputs_to_num_classes={common.OUTPUT_TYPE: FLAGS.num_classes},
            crop_size=FLAGS.crop_size,
            atrous_rates=FLAGS.atrous_rates,
            output_stride=FLAGS.output_stride)
        predictions = model.predict_labels(image, model_options=model_options,
                                           image_pyramid=FLAGS.image_pyramid)
        predictions = tf.cast(predictions[common.OUTPUT_TYPE], tf.float32)
        # Crop the valid regions from the predictions.
        semantic_predictions = tf.slice(predictions, [0, 0, 0],
                                        [1, resized_image_size[0], resized_image_size[1]])
        semantic_predictions = tf.squeeze(
            tf.image.resize_images(tf.expand_dims(semantic_predictions, 3), image_size,
                                   method=tf.image.ResizeMethod.NEAREST_NEIGHBOR,
                                   align_corners=True), 3)
        tf.identity(tf.cast(semantic_predictions, tf.int32), name=_OUTPUT_NAME)

        saver = tf.train.Saver(tf.model_variables())
        tf.gfile.MakeDirs(os.path.dirname(FLAGS.export_path))
        freeze_graph.freeze_graph_with_def_protos(
            tf.get_default_graph().as_graph_def(add_shapes=True),
            saver.as_saver_def(),
            FLAGS.checkpoint_path,
            _OUTPUT_NAME,
            restore_op_name=None,
            filename_tensor_name=None,
            output_graph=FLAGS.export_path,
            clear_devices=True,
            initializer_nodes=None)


if __name__ == '__main__':
    flags.mark_flag_as_required('checkpoint_path')
    flags.mark_flag_as_required('export_path')
    tf.app.run()
