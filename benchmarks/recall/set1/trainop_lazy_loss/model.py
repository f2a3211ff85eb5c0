"""Convolutional classifier whose graph is created on the first forward() call."""
import tensorflow as tf


class Model(object):
    """A small VGG-like network with batch norm after every convolution.

    The variables are created lazily, the first time `forward` is called, so
    the same object can be applied to the train and to the validation
    iterator.
    """

    def __init__(self, num_classes, is_training, filters=(32, 64, 128), scope='classifier'):
        self.num_classes = num_classes
        self.is_training = is_training
        self.filters = filters
        self.scope = scope
        self.var_list = None

    def _conv_bn(self, x, filters, name):
        x = tf.layers.conv2d(x, filters, 3, padding='same', use_bias=False, name=name)
        x = tf.layers.batch_normalization(x, training=self.is_training, momentum=0.9,
                                          name=name + '_bn')
        return tf.nn.relu(x)

    def forward(self, images):
        with tf.variable_scope(self.scope, reuse=tf.AUTO_REUSE):
            x = images
            for i, f in enumerate(self.filters):
                x = self._conv_bn(x, f, 'conv%d_1' % (i + 1))
                x = self._conv_bn(x, f, 'conv%d_2' % (i + 1))
                x = tf.layers.max_pooling2d(x, 2, 2, name='pool%d' % (i + 1))
            x = tf.reduce_mean(x, axis=[1, 2])
            x = tf.layers.dropout(x, rate=0.3, training=self.is_training)
            logits = tf.layers.dense(x, self.num_classes, name='logits')
        self.var_list = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=self.scope)
        return logits
