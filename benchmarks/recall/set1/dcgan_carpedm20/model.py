from __future__ import division

import os
import time

import numpy as np
import tensorflow as tf

from ops import (batch_norm, conv2d, conv_out_size_same, deconv2d, histogram_summary,
                 linear, lrelu, merge_summary, scalar_summary, SummaryWriter)


class DCGAN(object):
    def __init__(self, sess, input_height=64, input_width=64, batch_size=64, sample_num=64,
                 output_height=64, output_width=64, z_dim=100, gf_dim=64, df_dim=64,
                 c_dim=3, checkpoint_dir=None):
        self.sess = sess
        self.batch_size = batch_size
        self.sample_num = sample_num
        self.input_height, self.input_width = input_height, input_width
        self.output_height, self.output_width = output_height, output_width
        self.z_dim, self.gf_dim, self.df_dim, self.c_dim = z_dim, gf_dim, df_dim, c_dim
        self.checkpoint_dir = checkpoint_dir

        # batch normalization : deals with poor initialization helps gradient flow
        self.d_bn1 = batch_norm(name='d_bn1')
        self.d_bn2 = batch_norm(name='d_bn2')
        self.d_bn3 = batch_norm(name='d_bn3')
        self.g_bn0 = batch_norm(name='g_bn0')
        self.g_bn1 = batch_norm(name='g_bn1')
        self.g_bn2 = batch_norm(name='g_bn2')
        self.g_bn3 = batch_norm(name='g_bn3')
        self.build_model()

    def build_model(self):
        image_dims = [self.input_height, self.input_width, self.c_dim]
        self.inputs = tf.placeholder(tf.float32, [self.batch_size] + image_dims, name='real_images')
        self.z = tf.placeholder(tf.float32, [None, self.z_dim], name='z')

        self.G = self.generator(self.z)
        self.D, self.D_logits = self.discriminator(self.inputs, reuse=False)
        self.sampler = self.sampler(self.z)
        self.D_, self.D_logits_ = self.discriminator(self.G, reuse=True)

        def sigmoid_cross_entropy_with_logits(x, y):
            return tf.nn.sigmoid_cross_entropy_with_logits(logits=x, labels=y)

        self.d_loss_real = tf.reduce_mean(
            sigmoid_cross_entropy_with_logits(self.D_logits, tf.ones_like(self.D)))
        self.d_loss_fake = tf.reduce_mean(
            sigmoid_cross_entropy_with_logits(self.D_logits_, tf.zeros_like(self.D_)))
        self.g_loss = tf.reduce_mean(
            sigmoid_cross_entropy_with_logits(self.D_logits_, tf.ones_like(self.D_)))
        self.d_loss = self.d_loss_real + self.d_loss_fake
        self.g_sum = merge_summary([histogram_summary("d_", self.D_),
                                    scalar_summary("g_loss", self.g_loss)])
        self.d_sum = merge_summary([histogram_summary("d", self.D),
                                    scalar_summary("d_loss", self.d_loss)])

        t_vars = tf.trainable_variables()
        self.d_vars = [var for var in t_vars if 'd_' in var.name]
        self.g_vars = [var for var in t_vars if 'g_' in var.name]
        self.saver = tf.train.Saver()

    def train(self, config, data):
        d_optim = tf.train.AdamOptimizer(config.learning_rate, beta1=config.beta1) \
            .minimize(self.d_loss, var_list=self.d_vars)
        g_optim = tf.train.AdamOptimizer(config.learning_rate, beta1=config.beta1) \
            .minimize(self.g_loss, var_list=self.g_vars)
        tf.global_variables_initializer().run()
        writer = SummaryWriter(os.path.join(config.out_dir, "logs"), self.sess.graph)

        counter = 1
        start_time = time.time()
        for epoch in range(config.epoch):
            batch_idxs = min(len(data), config.train_size) // self.batch_size
            for idx in range(batch_idxs):
                batch_images = data[idx * self.batch_size:(idx + 1) * self.batch_size]
                batch_z = np.random.uniform(-1, 1, [self.batch_size, self.z_dim]).astype(np.float32)

                # Update D network
                _, summary_str = self.sess.run([d_optim, self.d_sum],
                                               feed_dict={self.inputs: batch_images, self.z: batch_z})
                writer.add_summary(summary_str, counter)

                # Update G network (twice, to make sure that d_loss does not go to zero)
                for _ in range(2):
                    _, summary_str = self.sess.run([g_optim, self.g_sum], feed_dict={self.z: batch_z})
                    writer.add_summary(summary_str, counter)

                counter += 1
                if np.mod(counter, 100) == 1:
                    print("Epoch: [%2d] [%4d/%4d] time: %4.4f" % (epoch, idx, batch_idxs,
                                                                   time.time() - start_time))
                if np.mod(counter, 500) == 2:
                    self.saver.save(self.sess, os.path.join(self.checkpoint_dir, "DCGAN.model"),
                                    global_step=counter)

    def discriminator(self, image, reuse=False):
        with tf.variable_scope("discriminator") as scope:
            if reuse:
                scope.reuse_variables()
            h0 = lrelu(conv2d(image, self.df_dim, name='d_h0_conv'))
            h1 = lrelu(self.d_bn1(conv2d(h0, self.df_dim * 2, name='d_h1_conv')))
            h2 = lrelu(self.d_bn2(conv2d(h1, self.df_dim * 4, name='d_h2_conv')))
            h3 = lrelu(self.d_bn3(conv2d(h2, self.df_dim * 8, name='d_h3_conv')))
            h4 = linear(tf.reshape(h3, [self.batch_size, -1]), 1, 'd_h4_lin')
            return tf.nn.sigmoid(h4), h4

    def _sizes(self):
        s_h, s_w = self.output_height, self.output_width
        s_h2, s_w2 = conv_out_size_same(s_h, 2), conv_out_size_same(s_w, 2)
        s_h4, s_w4 = conv_out_size_same(s_h2, 2), conv_out_size_same(s_w2, 2)
        s_h8, s_w8 = conv_out_size_same(s_h4, 2), conv_out_size_same(s_w4, 2)
        s_h16, s_w16 = conv_out_size_same(s_h8, 2), conv_out_size_same(s_w8, 2)
        return (s_h, s_w), (s_h2, s_w2), (s_h4, s_w4), (s_h8, s_w8), (s_h16, s_w16)

    def generator(self, z):
        with tf.variable_scope("generator"):
            (s_h, s_w), (s_h2, s_w2), (s_h4, s_w4), (s_h8, s_w8), (s_h16, s_w16) = self._sizes()
            z_ = linear(z, self.gf_dim * 8 * s_h16 * s_w16, 'g_h0_lin')
            h0 = tf.nn.relu(self.g_bn0(tf.reshape(z_, [-1, s_h16, s_w16, self.gf_dim * 8])))
            h1 = tf.nn.relu(self.g_bn1(deconv2d(h0, [self.batch_size, s_h8, s_w8, self.gf_dim * 4], name='g_h1')))
            h2 = tf.nn.relu(self.g_bn2(deconv2d(h1, [self.batch_size, s_h4, s_w4, self.gf_dim * 2], name='g_h2')))
            h3 = tf.nn.relu(self.g_bn3(deconv2d(h2, [self.batch_size, s_h2, s_w2, self.gf_dim * 1], name='g_h3')))
            h4 = deconv2d(h3, [self.batch_size, s_h, s_w, self.c_dim], name='g_h4')
            return tf.nn.tanh(h4)

    def sampler(self, z):
        with tf.variable_scope("generator") as scope:
            scope.reuse_variables()
            (s_h, s_w), (s_h2, s_w2), (s_h4, s_w4), (s_h8, s_w8), (s_h16, s_w16) = self._sizes()
            z_ = linear(z, self.gf_dim * 8 * s_h16 * s_w16, 'g_h0_lin')
            h0 = tf.nn.relu(self.g_bn0(tf.reshape(z_, [-1, s_h16, s_w16, self.gf_dim * 8]), train=False))
            h1 = tf.nn.relu(self.g_bn1(deconv2d(h0, [self.batch_size, s_h8, s_w8, self.gf_dim * 4], name='g_h1'), train=False))
            h2 = tf.nn.relu(self.g_bn2(deconv2d(h1, [self.batch_size, s_h4, s_w4, self.gf_dim * 2], name='g_h2'), train=False))
            h3 = tf.nn.relu(self.g_bn3(deconv2d(h2, [self.batch_size, s_h2, s_w2, self.gf_dim * 1], name='g_h3'), train=False))
            h4 = deconv2d(h3, [self.batch_size, s_h, s_w, self.c_dim], name='g_h4')
            return tf.nn.tanh(h4)

    def load(self, checkpoint_dir):
        ckpt = tf.train.get_checkpoint_state(checkpoint_dir)
        if ckpt and ckpt.model_checkpoint_path:
            self.saver.restore(self.sess, ckpt.model_checkpoint_path)
            return True
        return False
