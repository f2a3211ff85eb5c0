"""CIFAR-10 loading and augmentation in numpy (the whole set fits in memory)."""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import numpy as np
import tensorflow as tf

MEAN = np.array([125.3, 123.0, 113.9], dtype=np.float32)
STD = np.array([63.0, 62.1, 66.7], dtype=np.float32)


def load():
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.cifar10.load_data()
    x_train = (x_train.astype(np.float32) - MEAN) / STD
    x_test = (x_test.astype(np.float32) - MEAN) / STD
    return x_train, y_train.ravel(), x_test, y_test.ravel()


def augment(batch):
    """Random crop with 4-pixel padding and random horizontal flip."""
    padded = np.pad(batch, ((0, 0), (4, 4), (4, 4), (0, 0)), mode='constant')
    out = np.empty_like(batch)
    for i in range(batch.shape[0]):
        x, y = np.random.randint(0, 9, size=2)
        crop = padded[i, y:y + 32, x:x + 32, :]
        if np.random.rand() < 0.5:
            crop = crop[:, ::-1, :]
        out[i] = crop
    return out


def iterate_minibatches(x, y, batch_size, shuffle=True):
    indices = np.arange(x.shape[0])
    if shuffle:
        np.random.shuffle(indices)
    for start in range(0, x.shape[0] - batch_size + 1, batch_size):
        excerpt = indices[start:start + batch_size]
        yield x[excerpt], y[excerpt]
