"""Evaluate the saved batch-normalized DNN on the MNIST test set, one image at a time."""
import numpy as np
import tensorflow as tf

from dnn_bn import build_graph


def main():
    (_, _), (X_test, y_test) = tf.keras.datasets.mnist.load_data()
    X_test = X_test.astype(np.float32).reshape(-1, 28 * 28) / 255.0
    y_test = y_test.astype(np.int32)

    tf.reset_default_graph()
    X, y, training, logits, loss, accuracy = build_graph()
    predicted_class = tf.argmax(logits, axis=1)
    saver = tf.train.Saver()

    with tf.Session() as sess:
        saver.restore(sess, "./my_model_final.ckpt")
        # `training` defaults to False: batch norm uses the moving statistics.
        acc_batch = accuracy.eval(feed_dict={X: X_test, y: y_test})
        correct = 0
        for i in range(1000):
            pred = sess.run(predicted_class, feed_dict={X: X_test[i:i + 1]})
            correct += int(pred[0] == y_test[i])
        print("Test accuracy (full batch):", acc_batch)
        print("Test accuracy (one image per batch, first 1000):", correct / 1000.0)


if __name__ == '__main__':
    main()
