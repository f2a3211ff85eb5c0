import numpy as np
import tensorflow as tf

DEFAULT_PADDING = 'VALID'
BN_param_map = {'scale': 'gamma', 'offset': 'beta', 'variance': 'moving_variance', 'mean': 'moving_mean'}


class Network(object):
    def __init__(self, inputs, cfg, trainable=True):
        self.inputs = inputs
        self.layers = dict(inputs)
        self.trainable = trainable
        self.filter_scale = cfg.filter_scale
        # batch norm mode comes from the configuration object
        self.is_training = cfg.is_training
        self.setup()

    def setup(self):
        raise NotImplementedError('Must be implemented by the subclass.')

    def create_session(self):
        config = tf.ConfigProto()
        config.gpu_options.allow_growth = True
        self.sess = tf.Session(config=config)
        self.sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])

    def restore(self, data_path, var_list=None):
        if data_path.endswith('.npy'):
            self.load_npy(data_path, self.sess)
        else:
            loader = tf.train.Saver(var_list=tf.global_variables())
            loader.restore(self.sess, data_path)
        print('Restore from {}'.format(data_path))

    def load_npy(self, data_path, session, ignore_missing=False):
        data_dict = np.load(data_path, encoding='latin1').item()
        for op_name in data_dict:
            with tf.variable_scope(op_name, reuse=True):
                for param_name, data in data_dict[op_name].items():
                    try:
                        if 'bn' in op_name:
                            param_name = BN_param_map[param_name]
                        session.run(tf.get_variable(param_name).assign(data))
                    except ValueError:
                        if not ignore_missing:
                            raise

    def conv(self, input, k, c_o, s, name, relu=True, padding=DEFAULT_PADDING, biased=True):
        if 'out' not in name and 'cls' not in name:
            c_o *= self.filter_scale
        output = tf.layers.conv2d(input, c_o, k, s, padding=padding, use_bias=biased, name=name,
                                  trainable=self.trainable)
        return tf.nn.relu(output) if relu else output

    def batch_normalization(self, input, name, relu=False):
        output = tf.layers.batch_normalization(input, momentum=0.95, epsilon=1e-5,
                                               training=self.is_training, name=name)
        return tf.nn.relu(output) if relu else output


class ICNet_BN(Network):
    def __init__(self, cfg, mode, image_reader=None):
        self.cfg = cfg
        self.mode = mode
        if mode == 'train':
            self.images, self.labels = image_reader.next_batch
            super(ICNet_BN, self).__init__(inputs={'data': self.images}, cfg=self.cfg)
            self.output = self.layers['conv6_cls']
        elif mode == 'eval':
            self.images, self.labels = image_reader.next_image
            super(ICNet_BN, self).__init__(inputs={'data': self.images}, cfg=self.cfg)
            logits_up = tf.image.resize_bilinear(self.layers['conv6_cls'], size=tf.shape(self.images)[1:3])
            self.output = tf.argmax(logits_up, axis=3)

    def setup(self):
        x = self.layers['data']
        x = self.batch_normalization(self.conv(x, 3, 32, 2, 'conv1_1_3x3_s2', relu=False), 'conv1_1_3x3_s2_bn', relu=True)
        x = self.batch_normalization(self.conv(x, 3, 64, 2, 'conv2_1_3x3_s2', relu=False), 'conv2_1_3x3_s2_bn', relu=True)
        sub4 = self.batch_normalization(self.conv(x, 3, 128, 2, 'conv3_1_3x3_s2', relu=False), 'conv3_1_bn', relu=True)
        self.layers['sub4_out'] = self.conv(sub4, 1, self.cfg.param['num_classes'], 1, 'sub4_out', relu=False)
        sub2 = self.batch_normalization(self.conv(x, 3, 64, 1, 'conv_sub2', relu=False, padding='SAME'), 'conv_sub2_bn')
        self.layers['sub24_out'] = self.conv(sub2, 1, self.cfg.param['num_classes'], 1, 'sub24_out', relu=False)
        self.layers['conv6_cls'] = self.conv(sub2, 1, self.cfg.param['num_classes'], 1, 'conv6_cls', relu=False)
