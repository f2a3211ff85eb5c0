import os

import numpy as np


class Config(object):
    # Setting dataset directory
    CITYSCAPES_DATA_DIR = './data/cityscapes_dataset/cityscape/'
    CITYSCAPES_eval_list = os.path.join('./data/list/cityscapes_val_list.txt')
    CITYSCAPES_train_list = os.path.join('./data/list/cityscapes_train_list.txt')

    IMG_MEAN = np.array((103.939, 116.779, 123.68), dtype=np.float32)

    cityscapes_param = {'name': 'cityscapes',
                        'num_classes': 19,
                        'ignore_label': 255,
                        'eval_size': [1025, 2049],
                        'eval_steps': 500,
                        'eval_list': CITYSCAPES_eval_list,
                        'train_list': CITYSCAPES_train_list,
                        'data_dir': CITYSCAPES_DATA_DIR}

    model_paths = {'train_bn': './model/cityscapes/icnet_cityscapes_train_30k_bnnomerge.npy',
                   'trainval_bn': './model/cityscapes/icnet_cityscapes_trainval_90k_bnnomerge.npy',
                   'others': './snapshots/model.ckpt-60000'}

    TRAINING_SIZE = [720, 720]
    TRAINING_STEPS = 60001
    BATCH_SIZE = 16
    LEARNING_RATE = 1e-4
    MOMENTUM = 0.9
    POWER = 0.9
    WEIGHT_DECAY = 0.0001
    SNAPSHOT_DIR = './snapshots/'
    SAVE_PRED_EVERY = 500

    # Loss Function = LAMBDA1 * sub4_loss + LAMBDA2 * sub24_loss + LAMBDA3 * sub124_loss
    LAMBDA1 = 0.16
    LAMBDA2 = 0.4
    LAMBDA3 = 1.0

    def __init__(self, dataset, is_training=False, filter_scale=1, random_scale=False, random_mirror=False):
        print('Setup configurations...')
        if dataset == 'cityscapes':
            self.param = self.cityscapes_param
        else:
            raise ValueError('Unknown dataset %s' % dataset)

        self.dataset = dataset
        self.random_scale = random_scale
        self.random_mirror = random_mirror
        self.is_training = is_training
        self.filter_scale = filter_scale

    def display(self):
        """Display Configuration values."""
        print("\nConfigurations:")
        for a in dir(self):
            if not a.startswith("__") and not callable(getattr(self, a)) and not isinstance(getattr(self, a), dict):
                print("{:30} {}".format(a, getattr(self, a)))
        print("\n")
