"""Tests for cifar10_model."""
import numpy as np
import tensorflow as tf

import cifar10_model


class Cifar10ModelTest(tf.test.TestCase):

    def testBuildTrainingGraph(self):
        images = tf.random_uniform((4, 24, 24, 3))
        logits = cifar10_model.inference(images)
        self.assertListEqual(logits.get_shape().as_list(), [4, cifar10_model.NUM_CLASSES])
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        # two moving averages per batch norm layer: conv1, conv2, local3, local4
        self.assertEqual(len(update_ops), 8)

    def testBuildEvaluationGraphHasNoUpdates(self):
        images = tf.random_uniform((2, 24, 24, 3))
        cifar10_model.inference(images, is_training=False)
        self.assertEqual(len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)), 0)

    def testTrainingModeDependsOnBatch(self):
        images = tf.placeholder(tf.float32, (None, 24, 24, 3))
        logits = cifar10_model.inference(images, is_training=True)
        with self.test_session() as sess:
            sess.run(tf.global_variables_initializer())
            batch = np.random.rand(8, 24, 24, 3).astype(np.float32)
            full = sess.run(logits, feed_dict={images: batch})
            single = sess.run(logits, feed_dict={images: batch[:1]})
            # batch statistics differ, so the first row changes with the batch
            self.assertFalse(np.allclose(full[:1], single))

    def testLossAddsRegularization(self):
        images = tf.random_uniform((4, 24, 24, 3))
        labels = tf.constant([0, 1, 2, 3])
        logits = cifar10_model.inference(images)
        total_loss = cifar10_model.loss(logits, labels)
        self.assertGreater(len(tf.losses.get_regularization_losses()), 0)
        with self.test_session() as sess:
            sess.run(tf.global_variables_initializer())
            self.assertGreater(sess.run(total_loss), 0.0)


if __name__ == '__main__':
    tf.test.main()
