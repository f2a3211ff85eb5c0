"""Horovod + tf.estimator MNIST example (TF1): train, evaluate, then export from rank 0."""
import os

import numpy as np
import tensorflow as tf
import horovod.tensorflow as hvd

from mnist_model import cnn_model_fn

tf.logging.set_verbosity(tf.logging.INFO)


def serving_input_receiver_fn():
    images = tf.placeholder(tf.float32, [None, 784], name="images")
    return tf.estimator.export.ServingInputReceiver({"x": images}, {"x": images})


def main(unused_argv):
    # Horovod: initialize Horovod.
    hvd.init()

    # Load training and eval data
    (train_data, train_labels), (eval_data, eval_labels) = \
        tf.keras.datasets.mnist.load_data('MNIST-data-%d' % hvd.rank())
    train_data = np.reshape(train_data, (-1, 784)) / 255.0
    eval_data = np.reshape(eval_data, (-1, 784)) / 255.0

    # Horovod: pin GPU to be used to process local rank (one GPU per process)
    config = tf.ConfigProto()
    config.gpu_options.allow_growth = True
    config.gpu_options.visible_device_list = str(hvd.local_rank())

    # Horovod: save checkpoints only on worker 0 to prevent other workers from corrupting them.
    model_dir = './mnist_convnet_model' if hvd.rank() == 0 else None

    mnist_classifier = tf.estimator.Estimator(
        model_fn=cnn_model_fn, model_dir=model_dir,
        config=tf.estimator.RunConfig(session_config=config))

    # Horovod: BroadcastGlobalVariablesHook broadcasts initial variable states from
    # rank 0 to all other processes.
    bcast_hook = hvd.BroadcastGlobalVariablesHook(0)

    train_input_fn = tf.estimator.inputs.numpy_input_fn(
        x={"x": train_data.astype(np.float32)}, y=train_labels.astype(np.int32),
        batch_size=100, num_epochs=None, shuffle=True)

    # Horovod: adjust number of steps based on number of GPUs.
    mnist_classifier.train(input_fn=train_input_fn, steps=20000 // hvd.size(), hooks=[bcast_hook])

    eval_input_fn = tf.estimator.inputs.numpy_input_fn(
        x={"x": eval_data.astype(np.float32)}, y=eval_labels.astype(np.int32),
        num_epochs=1, shuffle=False)
    eval_results = mnist_classifier.evaluate(input_fn=eval_input_fn)
    print(eval_results)

    if hvd.rank() == 0:
        mnist_classifier.export_savedmodel(os.path.join(model_dir, 'export'), serving_input_receiver_fn)


if __name__ == "__main__":
    tf.app.run()
