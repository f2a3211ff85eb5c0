"""pix2pix generator (U-Net) and PatchGAN discriminator."""
import collections

import tensorflow as tf

from ops import discrim_conv, gen_conv, gen_deconv, lrelu, batchnorm

EPS = 1e-12

Model = collections.namedtuple("Model", "outputs, predict_real, predict_fake, discrim_loss, "
                                        "gen_loss_GAN, gen_loss_L1, d_train, g_train")


def create_generator(generator_inputs, generator_outputs_channels, ngf, training):
    layers = []
    with tf.variable_scope("encoder_1"):
        layers.append(gen_conv(generator_inputs, ngf))

    for out_channels in [ngf * 2, ngf * 4, ngf * 8, ngf * 8, ngf * 8]:
        with tf.variable_scope("encoder_%d" % (len(layers) + 1)):
            rectified = lrelu(layers[-1], 0.2)
            layers.append(batchnorm(gen_conv(rectified, out_channels), training))

    num_encoder_layers = len(layers)
    for decoder_layer, (out_channels, dropout) in enumerate([(ngf * 8, 0.5), (ngf * 8, 0.5), (ngf * 4, 0.0),
                                                             (ngf * 2, 0.0), (ngf, 0.0)]):
        skip_layer = num_encoder_layers - decoder_layer - 1
        with tf.variable_scope("decoder_%d" % (skip_layer + 1)):
            inp = layers[-1] if decoder_layer == 0 else tf.concat([layers[-1], layers[skip_layer]], axis=3)
            output = batchnorm(gen_deconv(tf.nn.relu(inp), out_channels), training)
            if dropout > 0.0:
                output = tf.layers.dropout(output, rate=dropout, training=training)
            layers.append(output)

    with tf.variable_scope("decoder_1"):
        inp = tf.concat([layers[-1], layers[0]], axis=3)
        layers.append(tf.tanh(gen_deconv(tf.nn.relu(inp), generator_outputs_channels)))
    return layers[-1]


def create_discriminator(discrim_inputs, discrim_targets, ndf, training, n_layers=3):
    layers = []
    inp = tf.concat([discrim_inputs, discrim_targets], axis=3)
    with tf.variable_scope("layer_1"):
        layers.append(lrelu(discrim_conv(inp, ndf, stride=2), 0.2))
    for i in range(n_layers):
        with tf.variable_scope("layer_%d" % (len(layers) + 1)):
            out_channels = ndf * min(2 ** (i + 1), 8)
            stride = 1 if i == n_layers - 1 else 2
            layers.append(lrelu(batchnorm(discrim_conv(layers[-1], out_channels, stride), training), 0.2))
    with tf.variable_scope("layer_%d" % (len(layers) + 1)):
        layers.append(tf.sigmoid(discrim_conv(layers[-1], out_channels=1, stride=1)))
    return layers[-1]


def create_model(inputs, targets, a, training=True):
    with tf.variable_scope("generator"):
        outputs = create_generator(inputs, int(targets.get_shape()[-1]), a.ngf, training)
    with tf.name_scope("real_discriminator"):
        with tf.variable_scope("discriminator"):
            predict_real = create_discriminator(inputs, targets, a.ndf, training)
    with tf.name_scope("fake_discriminator"):
        with tf.variable_scope("discriminator", reuse=True):
            predict_fake = create_discriminator(inputs, outputs, a.ndf, training)

    discrim_loss = tf.reduce_mean(-(tf.log(predict_real + EPS) + tf.log(1 - predict_fake + EPS)))
    gen_loss_GAN = tf.reduce_mean(-tf.log(predict_fake + EPS))
    gen_loss_L1 = tf.reduce_mean(tf.abs(targets - outputs))
    gen_loss = gen_loss_GAN * a.gan_weight + gen_loss_L1 * a.l1_weight

    d_vars = [var for var in tf.trainable_variables() if var.name.startswith("discriminator")]
    g_vars = [var for var in tf.trainable_variables() if var.name.startswith("generator")]

    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        d_train = tf.train.AdamOptimizer(a.lr, a.beta1).minimize(discrim_loss, var_list=d_vars)
        g_train = tf.train.AdamOptimizer(a.lr, a.beta1).minimize(gen_loss, var_list=g_vars)

    return Model(outputs=outputs, predict_real=predict_real, predict_fake=predict_fake,
                 discrim_loss=discrim_loss, gen_loss_GAN=gen_loss_GAN, gen_loss_L1=gen_loss_L1,
                 d_train=d_train, g_train=g_train)
