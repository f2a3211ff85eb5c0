"""DeepSpeech2-style acoustic model: 2D conv front end + bidirectional GRUs + CTC."""
import tensorflow as tf


def conv_bn_layer(inputs, filters, kernel, strides, is_training, name):
    with tf.variable_scope(name):
        x = tf.layers.conv2d(inputs, filters, kernel, strides, padding='same', use_bias=False)
        x = tf.layers.batch_normalization(x, momentum=0.997, epsilon=1e-5, training=is_training)
        # clipped ReLU as in the DeepSpeech2 paper
        return tf.minimum(tf.nn.relu(x), 20.0)


def rnn_layer(inputs, seq_len, num_hidden, is_training, use_bn, name):
    with tf.variable_scope(name):
        if use_bn:
            # sequence-wise batch norm on the input-to-hidden projection
            inputs = tf.layers.batch_normalization(inputs, momentum=0.997, epsilon=1e-5, training=is_training)
        fw_cell = tf.nn.rnn_cell.GRUCell(num_hidden)
        bw_cell = tf.nn.rnn_cell.GRUCell(num_hidden)
        outputs, _ = tf.nn.bidirectional_dynamic_rnn(fw_cell, bw_cell, inputs, sequence_length=seq_len,
                                                     dtype=tf.float32)
        return tf.concat(outputs, -1)


def deepspeech2(features, seq_len, num_classes, num_rnn_layers=3, rnn_hidden=512, is_training=True):
    """
    :param features: [batch, time, freq, 1] log spectrogram
    :param seq_len: [batch] number of valid frames after the conv stride
    :return: logits [batch, time / 2, num_classes]
    """
    with tf.variable_scope('deepspeech2'):
        x = conv_bn_layer(features, 32, (11, 41), (2, 2), is_training, 'conv1')
        x = conv_bn_layer(x, 32, (11, 21), (1, 2), is_training, 'conv2')

        batch_size = tf.shape(x)[0]
        feat_size = x.get_shape().as_list()[2] * x.get_shape().as_list()[3]
        x = tf.reshape(x, [batch_size, -1, feat_size])

        for layer_id in range(num_rnn_layers):
            x = rnn_layer(x, seq_len, rnn_hidden, is_training, use_bn=(layer_id != 0),
                          name='rnn_%d' % layer_id)

        x = tf.layers.batch_normalization(x, momentum=0.997, epsilon=1e-5, training=is_training)
        logits = tf.layers.dense(x, num_classes, name='fc')
    return logits
