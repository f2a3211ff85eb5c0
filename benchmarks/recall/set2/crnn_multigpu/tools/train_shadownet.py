#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""
Train shadow net script (multi gpu)
"""
import os
import os.path as ops
import time
import math
import argparse

import tensorflow as tf
import glog as logger
import numpy as np

from crnn_model import crnn_net
from config import global_config
from data_provider import shadownet_data_feed_pipline

CFG = global_config.cfg


def init_args():
    parser = argparse.ArgumentParser()
    parser.add_argument('-d', '--dataset_dir', type=str, help='Directory containing train_features.tfrecords')
    parser.add_argument('-w', '--weights_path', type=str, help='Path to pre-trained weights to continue training')
    parser.add_argument('-c', '--char_dict_path', type=str)
    parser.add_argument('-o', '--ord_map_dict_path', type=str)
    return parser.parse_args()


def average_gradients(tower_grads):
    average_grads = []
    for grad_and_vars in zip(*tower_grads):
        grads = []
        for g, _ in grad_and_vars:  # one tower dimension per gpu
            grads.append(tf.expand_dims(g, 0))
        grad = tf.reduce_mean(tf.concat(grads, 0), 0)
        average_grads.append((grad, grad_and_vars[0][1]))
    return average_grads


def compute_net_gradients(images, labels, net, optimizer=None, is_net_first_initialized=False):
    _, net_loss = net.compute_loss(inputdata=images, labels=labels, name='shadow_net',
                                   reuse=is_net_first_initialized)
    grads = optimizer.compute_gradients(net_loss) if optimizer is not None else None
    return net_loss, grads


def train_shadownet_multi_gpu(dataset_dir, weights_path, char_dict_path, ord_map_dict_path):
    train_dataset = shadownet_data_feed_pipline.CrnnDataFeeder(
        dataset_dir=dataset_dir, char_dict_path=char_dict_path,
        ord_map_dict_path=ord_map_dict_path, flags='train')
    val_dataset = shadownet_data_feed_pipline.CrnnDataFeeder(
        dataset_dir=dataset_dir, char_dict_path=char_dict_path,
        ord_map_dict_path=ord_map_dict_path, flags='val')

    train_samples = []
    val_samples = []
    for i in range(CFG.TRAIN.GPU_NUM):
        train_samples.append(train_dataset.inputs(batch_size=CFG.TRAIN.BATCH_SIZE))
        val_samples.append(val_dataset.inputs(batch_size=CFG.TRAIN.BATCH_SIZE))

    shadownet = crnn_net.ShadowNet(phase='train', hidden_nums=CFG.ARCH.HIDDEN_UNITS,
                                   layers_nums=CFG.ARCH.HIDDEN_LAYERS, num_classes=CFG.ARCH.NUM_CLASSES)
    shadownet_val = crnn_net.ShadowNet(phase='test', hidden_nums=CFG.ARCH.HIDDEN_UNITS,
                                       layers_nums=CFG.ARCH.HIDDEN_LAYERS, num_classes=CFG.ARCH.NUM_CLASSES)

    tower_grads = []
    train_tower_loss = []
    val_tower_loss = []
    batchnorm_updates = None

    global_step = tf.Variable(0, name='global_step', trainable=False)
    learning_rate = tf.train.polynomial_decay(
        learning_rate=CFG.TRAIN.LEARNING_RATE, global_step=global_step,
        decay_steps=CFG.TRAIN.EPOCHS, end_learning_rate=0.000001, power=CFG.TRAIN.LR_DECAY_RATE)
    optimizer = tf.train.MomentumOptimizer(learning_rate=learning_rate, momentum=0.9)

    with tf.variable_scope(tf.get_variable_scope()):
        is_network_initialized = False
        for i in range(CFG.TRAIN.GPU_NUM):
            with tf.device('/gpu:{:d}'.format(i)):
                with tf.name_scope('tower_{:d}'.format(i)) as _:
                    train_loss, grads = compute_net_gradients(
                        train_samples[i][0], train_samples[i][1], shadownet, optimizer,
                        is_net_first_initialized=is_network_initialized)
                    is_network_initialized = True

                    # Only use the mean and var in the first gpu tower to update the parameter
                    if i == 0:
                        batchnorm_updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)

                    tower_grads.append(grads)
                    train_tower_loss.append(train_loss)
                with tf.name_scope('validation_{:d}'.format(i)) as _:
                    val_loss, _ = compute_net_gradients(
                        val_samples[i][0], val_samples[i][1], shadownet_val, optimizer,
                        is_net_first_initialized=is_network_initialized)
                    val_tower_loss.append(val_loss)

    grads = average_gradients(tower_grads)
    avg_train_loss = tf.reduce_mean(train_tower_loss)
    avg_val_loss = tf.reduce_mean(val_tower_loss)

    # Track the moving averages of all trainable variables
    variable_averages = tf.train.ExponentialMovingAverage(CFG.TRAIN.MOVING_AVERAGE_DECAY, num_updates=global_step)
    variables_averages_op = variable_averages.apply(tf.trainable_variables())

    # Group all the op needed for training
    batchnorm_updates_op = tf.group(*batchnorm_updates)
    apply_gradient_op = optimizer.apply_gradients(grads, global_step=global_step)
    train_op = tf.group(apply_gradient_op, variables_averages_op)

    saver = tf.train.Saver()
    model_save_dir = 'model/crnn_syn90k_multi_gpu'
    os.makedirs(model_save_dir, exist_ok=True)
    model_save_path = ops.join(model_save_dir, 'shadownet_{:s}.ckpt'.format(time.strftime('%Y-%m-%d-%H-%M-%S')))

    sess_config = tf.ConfigProto(allow_soft_placement=True)
    sess_config.gpu_options.allow_growth = CFG.TRAIN.TF_ALLOW_GROWTH
    sess = tf.Session(config=sess_config)

    with sess.as_default():
        epoch = 0
        if weights_path is None:
            sess.run(tf.global_variables_initializer())
        else:
            saver.restore(sess=sess, save_path=weights_path)
            epoch = sess.run(global_step)

        while epoch < CFG.TRAIN.EPOCHS:
            epoch += 1
            _, train_loss_value, lr = sess.run(fetches=[train_op, avg_train_loss, learning_rate])
            if math.isnan(train_loss_value):
                raise ValueError('Train loss is nan')
            val_loss_value = sess.run(avg_val_loss)
            if epoch % CFG.TRAIN.DISPLAY_STEP == 0:
                logger.info('Epoch_Train: {:d} total_loss= {:6f} val_loss= {:6f} lr= {:6f}'.format(
                    epoch, train_loss_value, val_loss_value, lr))
            if epoch % 5000 == 0:
                saver.save(sess=sess, save_path=model_save_path, global_step=epoch)
    sess.close()


if __name__ == '__main__':
    args = init_args()
    train_shadownet_multi_gpu(dataset_dir=args.dataset_dir, weights_path=args.weights_path,
                              char_dict_path=args.char_dict_path, ord_map_dict_path=args.ord_map_dict_path)
