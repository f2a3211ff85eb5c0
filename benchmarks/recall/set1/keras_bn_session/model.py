"""Small CIFAR-10 classifier built from tf.keras layers inside a TF1 graph.

Keras layers are used "as a simplified interface to TensorFlow": they are called
on plain tensors and the training loop stays a tf.Session loop.
"""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow as tf

layers = tf.keras.layers

WEIGHT_DECAY = 5e-4


def conv_block(x, filters, training, name, pool=True):
    x = layers.Conv2D(filters, 3, padding='same', use_bias=False,
                      kernel_regularizer=tf.keras.regularizers.l2(WEIGHT_DECAY),
                      name=name + '_conv')(x)
    x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name + '_bn')(x, training=training)
    x = layers.Activation('relu', name=name + '_relu')(x)
    if pool:
        x = layers.MaxPooling2D(2, name=name + '_pool')(x)
    return x


def build_classifier(images, num_classes, training):
    """Returns logits for a batch of 32x32x3 images.

    Args:
      images: float32 tensor [batch, 32, 32, 3] in [-1, 1].
      num_classes: number of output classes.
      training: python bool or scalar bool tensor; selects batch statistics
        (True) or the moving statistics (False) in batch norm, and enables
        dropout.
    """
    with tf.variable_scope('classifier'):
        x = conv_block(images, 64, training, 'block1')
        x = conv_block(x, 128, training, 'block2')
        x = conv_block(x, 256, training, 'block3', pool=False)
        x = layers.GlobalAveragePooling2D(name='gap')(x)
        x = layers.Dropout(0.3, name='drop')(x, training=training)
        logits = layers.Dense(num_classes, name='logits')(x)
    return logits


def loss_fn(logits, labels):
    xent = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    reg = tf.losses.get_regularization_loss()
    return xent + reg
