"""CIFAR-10 convnet with batch norm, built with TF-Slim.

inference() builds the model; loss() adds the cross-entropy and weight decay.
"""
import tensorflow as tf

slim = tf.contrib.slim

NUM_CLASSES = 10
TOWER_NAME = 'tower'
MOVING_AVERAGE_DECAY = 0.9999  # The decay to use for the weight moving averages.


def cifar10_arg_scope(weight_decay=0.0004, is_training=True, bn_decay=0.99):
    batch_norm_params = {
        'is_training': is_training,
        'decay': bn_decay,
        'epsilon': 1e-5,
        'scale': True,
    }
    with slim.arg_scope([slim.conv2d, slim.fully_connected],
                        weights_regularizer=slim.l2_regularizer(weight_decay),
                        normalizer_fn=slim.batch_norm,
                        normalizer_params=batch_norm_params):
        with slim.arg_scope([slim.max_pool2d], kernel_size=[3, 3], stride=2, padding='SAME') as sc:
            return sc


def inference(images, is_training=True, dropout_keep_prob=0.5, scope='cifar10'):
    """Build the CIFAR-10 model.

    Args:
      images: Images returned from distorted_inputs() or inputs().
      is_training: whether batch norm uses batch statistics and dropout is active.
    Returns:
      Logits.
    """
    with slim.arg_scope(cifar10_arg_scope(is_training=is_training)):
        with tf.variable_scope(scope, 'cifar10', [images]):
            net = slim.conv2d(images, 64, [5, 5], scope='conv1')
            net = slim.max_pool2d(net, scope='pool1')
            net = slim.conv2d(net, 64, [5, 5], scope='conv2')
            net = slim.max_pool2d(net, scope='pool2')
            net = slim.flatten(net)
            net = slim.fully_connected(net, 384, scope='local3')
            net = slim.dropout(net, dropout_keep_prob, is_training=is_training, scope='dropout3')
            net = slim.fully_connected(net, 192, scope='local4')
            logits = slim.fully_connected(net, NUM_CLASSES, activation_fn=None, normalizer_fn=None,
                                          scope='softmax_linear')
    return logits


def loss(logits, labels, scope=None):
    """Add the cross-entropy and the regularization losses of this tower."""
    labels = tf.cast(labels, tf.int64)
    tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits, scope=scope)
    return tf.add_n(tf.losses.get_losses(scope=scope) +
                    tf.losses.get_regularization_losses(scope=scope), name='total_loss')
