"""U-Net for 2D medical image segmentation (TF1 layers API)."""
import tensorflow as tf


def conv_bn_relu(inputs, filters, is_training, name):
    with tf.variable_scope(name):
        x = tf.layers.conv2d(inputs, filters, 3, padding='same', use_bias=False,
                             kernel_initializer=tf.variance_scaling_initializer())
        x = tf.layers.batch_normalization(x, momentum=0.9, training=is_training)
        return tf.nn.relu(x)


def down_block(inputs, filters, is_training, name):
    with tf.variable_scope(name):
        x = conv_bn_relu(inputs, filters, is_training, 'conv1')
        x = conv_bn_relu(x, filters, is_training, 'conv2')
        pooled = tf.layers.max_pooling2d(x, 2, 2)
    return x, pooled


def up_block(inputs, skip, filters, is_training, name):
    with tf.variable_scope(name):
        x = tf.layers.conv2d_transpose(inputs, filters, 2, strides=2, padding='same')
        x = tf.concat([skip, x], axis=-1)
        x = conv_bn_relu(x, filters, is_training, 'conv1')
        x = conv_bn_relu(x, filters, is_training, 'conv2')
    return x


def unet(images, n_classes, is_training, base_filters=32, depth=4, dropout_rate=0.2):
    """Builds the U-Net and returns per-pixel logits."""
    skips = []
    x = images
    with tf.variable_scope('unet'):
        for level in range(depth):
            skip, x = down_block(x, base_filters * 2 ** level, is_training, 'down%d' % level)
            skips.append(skip)

        x = conv_bn_relu(x, base_filters * 2 ** depth, is_training, 'bottleneck1')
        x = tf.layers.dropout(x, rate=dropout_rate, training=is_training)
        x = conv_bn_relu(x, base_filters * 2 ** depth, is_training, 'bottleneck2')

        for level in reversed(range(depth)):
            x = up_block(x, skips[level], base_filters * 2 ** level, is_training, 'up%d' % level)

        logits = tf.layers.conv2d(x, n_classes, 1, name='logits')
    return logits


def dice_loss(logits, labels, n_classes, eps=1e-6):
    probs = tf.nn.softmax(logits)
    onehot = tf.one_hot(labels, n_classes)
    intersection = tf.reduce_sum(probs * onehot, axis=[1, 2])
    union = tf.reduce_sum(probs, axis=[1, 2]) + tf.reduce_sum(onehot, axis=[1, 2])
    dice = (2. * intersection + eps) / (union + eps)
    return 1. - tf.reduce_mean(dice)
