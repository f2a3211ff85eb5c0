# Copyright 2018 The TensorFlow Authors All Rights Reserved.
"""Provides DeepLab model definition and helper functions (trimmed)."""
import tensorflow as tf

from core import feature_extractor

slim = tf.contrib.slim

LOGITS_SCOPE_NAME = 'logits'
ASPP_SCOPE = 'aspp'
CONCAT_PROJECTION_SCOPE = 'concat_projection'


def predict_labels(images, model_options, image_pyramid=None):
    """Predicts segmentation labels."""
    outputs_to_scales_to_logits = multi_scale_logits(
        images,
        model_options=model_options,
        image_pyramid=image_pyramid,
        is_training=False,
        fine_tune_batch_norm=False)

    predictions = {}
    for output in sorted(outputs_to_scales_to_logits):
        scales_to_logits = outputs_to_scales_to_logits[output]
        logits = tf.image.resize_bilinear(scales_to_logits['merged_logits'],
                                          tf.shape(images)[1:3], align_corners=True)
        predictions[output] = tf.argmax(logits, 3)
    return predictions


def multi_scale_logits(images, model_options, image_pyramid, weight_decay=0.0001,
                       is_training=False, fine_tune_batch_norm=False):
    """Gets the logits for multi-scale inputs (only the 1.0 scale is kept here)."""
    if not image_pyramid:
        image_pyramid = [1.0]
    outputs_to_scales_to_logits = {k: {} for k in model_options.outputs_to_num_classes}
    for image_scale in image_pyramid:
        scaled_images = images
        if image_scale != 1.0:
            scaled_height = tf.to_int32(tf.to_float(tf.shape(images)[1]) * image_scale)
            scaled_width = tf.to_int32(tf.to_float(tf.shape(images)[2]) * image_scale)
            scaled_images = tf.image.resize_bilinear(images, [scaled_height, scaled_width],
                                                     align_corners=True)
        outputs_to_logits = _get_logits(
            scaled_images, model_options, weight_decay=weight_decay,
            reuse=tf.AUTO_REUSE, is_training=is_training,
            fine_tune_batch_norm=fine_tune_batch_norm)
        for output in sorted(outputs_to_logits):
            outputs_to_scales_to_logits[output]['logits_%.2f' % image_scale] = outputs_to_logits[output]
    for output in sorted(model_options.outputs_to_num_classes):
        all_logits = [tf.expand_dims(l, axis=4)
                      for l in outputs_to_scales_to_logits[output].values()]
        outputs_to_scales_to_logits[output]['merged_logits'] = tf.reduce_max(
            tf.concat(all_logits, 4), axis=4)
    return outputs_to_scales_to_logits


def extract_features(images, model_options, weight_decay=0.0001, reuse=None,
                     is_training=False, fine_tune_batch_norm=False):
    """Extracts features by the particular model_variant, then applies ASPP."""
    features, end_points = feature_extractor.extract_features(
        images,
        output_stride=model_options.output_stride,
        model_variant=model_options.model_variant,
        weight_decay=weight_decay,
        reuse=reuse,
        is_training=is_training,
        fine_tune_batch_norm=fine_tune_batch_norm)

    batch_norm_params = {
        'is_training': is_training and fine_tune_batch_norm,
        'decay': 0.9997,
        'epsilon': 1e-5,
        'scale': True,
    }
    with slim.arg_scope([slim.conv2d, slim.separable_conv2d],
                        weights_regularizer=slim.l2_regularizer(weight_decay),
                        activation_fn=tf.nn.relu,
                        normalizer_fn=slim.batch_norm,
                        padding='SAME', stride=1, reuse=reuse):
        with slim.arg_scope([slim.batch_norm], **batch_norm_params):
            depth = 256
            branch_logits = [slim.conv2d(features, depth, 1, scope=ASPP_SCOPE + str(0))]
            for i, rate in enumerate(model_options.atrous_rates, 1):
                branch_logits.append(slim.conv2d(features, depth, 3, rate=rate,
                                                 scope=ASPP_SCOPE + str(i)))
            concat_logits = tf.concat(branch_logits, 3)
            concat_logits = slim.conv2d(concat_logits, depth, 1, scope=CONCAT_PROJECTION_SCOPE)
            concat_logits = slim.dropout(concat_logits, keep_prob=0.9, is_training=is_training,
                                         scope=CONCAT_PROJECTION_SCOPE + '_dropout')
            return concat_logits, end_points


def _get_logits(images, model_options, weight_decay=0.0001, reuse=None,
                is_training=False, fine_tune_batch_norm=False):
    features, end_points = extract_features(images, model_options, weight_decay=weight_decay,
                                            reuse=reuse, is_training=is_training,
                                            fine_tune_batch_norm=fine_tune_batch_norm)
    outputs_to_logits = {}
    for output in sorted(model_options.outputs_to_num_classes):
        outputs_to_logits[output] = slim.conv2d(
            features, model_options.outputs_to_num_classes[output], 1,
            activation_fn=None, normalizer_fn=None, reuse=reuse,
            scope=LOGITS_SCOPE_NAME + '_' + output)
    return outputs_to_logits
