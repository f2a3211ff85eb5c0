import argparse
import logging
import os
import time

import tensorflow as tf

from tf_pose.networks import get_network
from tf_pose.pose_dataset import get_dataflow_batch, DataFlowToQueue

logger = logging.getLogger('train')
logger.setLevel(logging.DEBUG)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Training codes for Openpose using Tensorflow')
    parser.add_argument('--model', default='mobilenet_thin', help='model name')
    parser.add_argument('--datapath', type=str, default='/data/public/rw/coco/annotations')
    parser.add_argument('--imgpath', type=str, default='/data/public/rw/coco/')
    parser.add_argument('--batchsize', type=int, default=64)
    parser.add_argument('--gpus', type=int, default=1)
    parser.add_argument('--max-epoch', type=int, default=600)
    parser.add_argument('--lr', type=float, default=0.001)
    parser.add_argument('--tag', type=str, default='test')
    parser.add_argument('--checkpoint', type=str, default='')
    parser.add_argument('--input-width', type=int, default=432)
    parser.add_argument('--input-height', type=int, default=368)
    args = parser.parse_args()

    modelpath = logpath = './models/train/'
    output_w, output_h = args.input_width // 8, args.input_height // 8

    with tf.device(tf.DeviceSpec(device_type="CPU")):
        input_node = tf.placeholder(tf.float32, shape=(args.batchsize, args.input_height, args.input_width, 3), name='image')
        vectmap_node = tf.placeholder(tf.float32, shape=(args.batchsize, output_h, output_w, 38), name='vectmap')
        heatmap_node = tf.placeholder(tf.float32, shape=(args.batchsize, output_h, output_w, 19), name='heatmap')
        df = get_dataflow_batch(args.datapath, True, args.batchsize, img_path=args.imgpath)
        enqueuer = DataFlowToQueue(df, [input_node, heatmap_node, vectmap_node], queue_size=100)
        q_inp, q_heat, q_vect = enqueuer.dequeue()

    q_inp_split, q_heat_split, q_vect_split = tf.split(q_inp, args.gpus), tf.split(q_heat, args.gpus), tf.split(q_vect, args.gpus)

    losses = []
    for gpu_id in range(args.gpus):
        with tf.device(tf.DeviceSpec(device_type="GPU", device_index=gpu_id)):
            with tf.variable_scope(tf.get_variable_scope(), reuse=(gpu_id > 0)):
                net, pretrain_path, last_layer = get_network(args.model, q_inp_split[gpu_id])
                vect, heat = net.loss_last()
                loss_l1 = tf.nn.l2_loss(vect - q_vect_split[gpu_id], name='loss_l1_tower%d' % gpu_id)
                loss_l2 = tf.nn.l2_loss(heat - q_heat_split[gpu_id], name='loss_l2_tower%d' % gpu_id)
                losses.append(tf.reduce_mean([loss_l1, loss_l2]))

    total_loss = tf.reduce_sum(losses) / args.batchsize
    step_per_epoch = 121745 // args.batchsize
    global_step = tf.Variable(0, trainable=False)
    learning_rate = tf.train.cosine_decay(args.lr, global_step, args.max_epoch * step_per_epoch, alpha=0.0)

    optimizer = tf.train.AdamOptimizer(learning_rate, epsilon=1e-8)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = optimizer.minimize(total_loss, global_step, colocate_gradients_with_ops=True)

    tf.summary.scalar("loss", total_loss)
    tf.summary.scalar("lr", learning_rate)
    merged_summary_op = tf.summary.merge_all()

    saver = tf.train.Saver(max_to_keep=100)
    config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False)
    config.gpu_options.allow_growth = True
    with tf.Session(config=config) as sess:
        sess.run(tf.global_variables_initializer())
        if args.checkpoint:
            saver.restore(sess, tf.train.latest_checkpoint(args.checkpoint))
        elif pretrain_path:
            loader = tf.train.Saver(net.restorable_variables())
            loader.restore(sess, pretrain_path)

        file_writer = tf.summary.FileWriter(os.path.join(logpath, args.tag), sess.graph)
        coord = tf.train.Coordinator()
        enqueuer.set_coordinator(coord)
        enqueuer.start()

        time_started = time.time()
        last_gs_num = 0
        while True:
            _, gs_num = sess.run([train_op, global_step])
            if gs_num > step_per_epoch * args.max_epoch:
                break
            if gs_num - last_gs_num >= 500:
                train_loss, lr_val, summary = sess.run([total_loss, learning_rate, merged_summary_op])
                logger.info('step=%d, lr=%f, loss=%g' % (gs_num, lr_val, train_loss))
                file_writer.add_summary(summary, gs_num)
                last_gs_num = gs_num
            if gs_num % 2000 == 0:
                saver.save(sess, os.path.join(modelpath, args.tag, 'model_latest'), global_step=global_step)

        saver.save(sess, os.path.join(modelpath, args.tag, 'model_latest'), global_step=global_step)
    logger.info('optimization finished. %f' % (time.time() - time_started))
