"""ResNet-32 for CIFAR-10 built with tf.contrib.layers."""
import tensorflow as tf

layers = tf.contrib.layers


def bn_relu(x, is_training, scope):
    return layers.batch_norm(x, decay=0.997, epsilon=1e-5, scale=True, is_training=is_training,
                             activation_fn=tf.nn.relu, scope=scope)


def residual_block(x, out_channels, stride, is_training, scope):
    with tf.variable_scope(scope):
        in_channels = x.get_shape().as_list()[-1]
        preact = bn_relu(x, is_training, 'preact')
        if in_channels != out_channels or stride != 1:
            shortcut = layers.conv2d(preact, out_channels, 1, stride=stride, activation_fn=None,
                                     biases_initializer=None, scope='shortcut')
        else:
            shortcut = x
        h = layers.conv2d(preact, out_channels, 3, stride=stride, activation_fn=None,
                          biases_initializer=None, scope='conv1')
        h = bn_relu(h, is_training, 'bn2')
        h = layers.conv2d(h, out_channels, 3, stride=1, activation_fn=None,
                          biases_initializer=None, scope='conv2')
        return h + shortcut


def inference(images, is_training, num_blocks=5, num_classes=10, weight_decay=2e-4):
    with tf.contrib.framework.arg_scope([layers.conv2d],
                                        weights_regularizer=layers.l2_regularizer(weight_decay),
                                        weights_initializer=layers.variance_scaling_initializer()):
        net = layers.conv2d(images, 16, 3, activation_fn=None, biases_initializer=None, scope='conv0')
        for stage, channels in enumerate([16, 32, 64]):
            for block in range(num_blocks):
                stride = 2 if (block == 0 and stage > 0) else 1
                net = residual_block(net, channels, stride, is_training,
                                     'stage%d_block%d' % (stage, block))
        net = bn_relu(net, is_training, 'final_bn')
        net = tf.reduce_mean(net, axis=[1, 2])
        logits = layers.fully_connected(net, num_classes, activation_fn=None, scope='logits')
    return logits


def loss(logits, labels):
    cross_entropy = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    regularization = tf.add_n(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))
    return cross_entropy + regularization
