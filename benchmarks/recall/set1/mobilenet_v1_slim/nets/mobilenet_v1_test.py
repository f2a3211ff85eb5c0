# Copyright 2017 The TensorFlow Authors. All Rights Reserved.
"""Tests for MobileNet v1."""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import numpy as np
import tensorflow.compat.v1 as tf
import tf_slim as slim

from nets import mobilenet_v1


class MobilenetV1Test(tf.test.TestCase):

    def testBuildClassificationNetwork(self):
        batch_size = 5
        height, width = 224, 224
        num_classes = 1000
        inputs = tf.random_uniform((batch_size, height, width, 3))
        logits, end_points = mobilenet_v1.mobilenet_v1(inputs, num_classes)
        self.assertTrue(logits.op.name.startswith('MobilenetV1/Logits/SpatialSqueeze'))
        self.assertListEqual(logits.get_shape().as_list(), [batch_size, num_classes])
        self.assertTrue('Predictions' in end_points)

    def testTrainEvalWithReuse(self):
        train_batch_size = 5
        eval_batch_size = 2
        height, width = 150, 150
        num_classes = 1000
        train_inputs = tf.random_uniform((train_batch_size, height, width, 3))
        mobilenet_v1.mobilenet_v1(train_inputs, num_classes)
        eval_inputs = tf.random_uniform((eval_batch_size, height, width, 3))
        logits, _ = mobilenet_v1.mobilenet_v1(eval_inputs, num_classes, reuse=True)
        predictions = tf.argmax(logits, 1)
        with self.test_session() as sess:
            sess.run(tf.global_variables_initializer())
            output = sess.run(predictions)
            self.assertEqual(output.shape, (eval_batch_size,))

    def testEvaluation(self):
        batch_size = 2
        height, width = 224, 224
        num_classes = 1000
        eval_inputs = tf.random_uniform((batch_size, height, width, 3))
        logits, _ = mobilenet_v1.mobilenet_v1(eval_inputs, num_classes, is_training=False)
        predictions = tf.argmax(logits, 1)
        with self.test_session() as sess:
            sess.run(tf.global_variables_initializer())
            output = sess.run(predictions)
            self.assertEqual(output.shape, (batch_size,))

    def testBatchNormScopeDoesHasIsTrainingWhenItsNotNone(self):
        sc = mobilenet_v1.mobilenet_v1_arg_scope(is_training=True)
        self.assertIn('is_training', sc[slim.arg_scope_func_key(slim.batch_norm)])
        sc = mobilenet_v1.mobilenet_v1_arg_scope(is_training=False)
        self.assertIn('is_training', sc[slim.arg_scope_func_key(slim.batch_norm)])
        sc = mobilenet_v1.mobilenet_v1_arg_scope()
        self.assertIn('is_training', sc[slim.arg_scope_func_key(slim.batch_norm)])

    def testUnknownBatchSize(self):
        batch_size = 1
        height, width = 224, 224
        num_classes = 1000
        inputs = tf.placeholder(tf.float32, (None, height, width, 3))
        logits, _ = mobilenet_v1.mobilenet_v1(inputs, num_classes)
        self.assertListEqual(logits.get_shape().as_list(), [None, num_classes])
        images = np.random.uniform(size=(batch_size, height, width, 3))
        with self.test_session() as sess:
            sess.run(tf.global_variables_initializer())
            output = sess.run(logits, {inputs: images})
            self.assertEqual(output.shape, (batch_size, num_classes))


if __name__ == '__main__':
    tf.test.main()
