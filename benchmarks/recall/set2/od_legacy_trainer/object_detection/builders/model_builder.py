"""A function to build a DetectionModel from configuration (SSD + MobileNet only)."""
import tensorflow as tf

from object_detection.meta_architectures import ssd_meta_arch
from object_detection.builders import anchor_generator_builder, box_coder_builder, losses_builder

slim = tf.contrib.slim


def build_conv_hyperparams(hyperparams_config, is_training):
    """Returns an arg_scope fn for the convolutions of the feature extractor."""
    batch_norm_params = None
    if hyperparams_config.HasField('batch_norm'):
        batch_norm_params = {
            'decay': hyperparams_config.batch_norm.decay,
            'center': hyperparams_config.batch_norm.center,
            'scale': hyperparams_config.batch_norm.scale,
            'epsilon': hyperparams_config.batch_norm.epsilon,
            # Remove is_training parameter from here and pass it through the
            # feature extractor's own batch norm scope (see freeze_batchnorm).
        }

    def scope_fn():
        with slim.arg_scope([slim.conv2d, slim.separable_conv2d],
                            weights_regularizer=slim.l2_regularizer(hyperparams_config.regularizer_weight),
                            weights_initializer=tf.truncated_normal_initializer(stddev=0.03),
                            activation_fn=tf.nn.relu6,
                            normalizer_fn=slim.batch_norm if batch_norm_params else None):
            with slim.arg_scope([slim.batch_norm], **(batch_norm_params or {})) as sc:
                return sc
    return scope_fn


class SSDMobileNetV1FeatureExtractor(object):
    def __init__(self, is_training, depth_multiplier, min_depth, conv_hyperparams_fn,
                 freeze_batchnorm=False):
        self._is_training = is_training
        self._depth_multiplier = depth_multiplier
        self._min_depth = min_depth
        self._conv_hyperparams_fn = conv_hyperparams_fn
        self._freeze_batchnorm = freeze_batchnorm

    def preprocess(self, resized_inputs):
        return (2.0 / 255.0) * resized_inputs - 1.0

    def extract_features(self, preprocessed_inputs):
        depth = lambda d: max(int(d * self._depth_multiplier), self._min_depth)
        with tf.variable_scope('MobilenetV1', reuse=tf.AUTO_REUSE):
            with slim.arg_scope(self._conv_hyperparams_fn()):
                with slim.arg_scope([slim.batch_norm],
                                    is_training=(self._is_training and not self._freeze_batchnorm)):
                    net = slim.conv2d(preprocessed_inputs, depth(32), [3, 3], stride=2, scope='Conv2d_0')
                    feature_maps = []
                    for i, (stride, channels) in enumerate([(1, 64), (2, 128), (1, 128), (2, 256),
                                                            (1, 256), (2, 512), (1, 512), (2, 1024)]):
                        net = slim.separable_conv2d(net, None, [3, 3], depth_multiplier=1, stride=stride,
                                                    scope='Conv2d_%d_depthwise' % (i + 1))
                        net = slim.conv2d(net, depth(channels), [1, 1], scope='Conv2d_%d_pointwise' % (i + 1))
                        if i in (5, 7):
                            feature_maps.append(net)
        return feature_maps


def _build_ssd_model(ssd_config, is_training, add_summaries=True):
    num_classes = ssd_config.num_classes
    conv_hyperparams_fn = build_conv_hyperparams(ssd_config.feature_extractor.conv_hyperparams, is_training)
    feature_extractor = SSDMobileNetV1FeatureExtractor(
        is_training=is_training,
        depth_multiplier=ssd_config.feature_extractor.depth_multiplier,
        min_depth=ssd_config.feature_extractor.min_depth,
        conv_hyperparams_fn=conv_hyperparams_fn,
        freeze_batchnorm=ssd_config.freeze_batchnorm)
    return ssd_meta_arch.SSDMetaArch(
        is_training=is_training,
        anchor_generator=anchor_generator_builder.build(ssd_config.anchor_generator),
        box_coder=box_coder_builder.build(ssd_config.box_coder),
        feature_extractor=feature_extractor,
        num_classes=num_classes,
        losses=losses_builder.build(ssd_config.loss),
        add_summaries=add_summaries)


def build(model_config, is_training, add_summaries=True):
    """Builds a DetectionModel based on the model config."""
    meta_architecture = model_config.WhichOneof('model')
    if meta_architecture == 'ssd':
        return _build_ssd_model(model_config.ssd, is_training, add_summaries)
    raise ValueError('Unknown meta architecture: {}'.format(meta_architecture))
