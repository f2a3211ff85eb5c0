"""Train, evaluate and export the U-Net with tf.estimator."""
import argparse

import tensorflow as tf

from unet.model_fn import unet_model_fn
from unet.data import make_input_fn, serving_input_receiver_fn


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument('--data_dir', required=True)
    parser.add_argument('--model_dir', default='/tmp/unet_model')
    parser.add_argument('--export_dir', default='/tmp/unet_export')
    parser.add_argument('--batch_size', type=int, default=8)
    parser.add_argument('--max_steps', type=int, default=20000)
    parser.add_argument('--learning_rate', type=float, default=1e-4)
    parser.add_argument('--n_classes', type=int, default=2)
    return parser.parse_args()


def main():
    args = parse_args()
    tf.logging.set_verbosity(tf.logging.INFO)

    params = {
        'n_classes': args.n_classes,
        'learning_rate': args.learning_rate,
        'decay_steps': 5000,
        'base_filters': 32,
        'dropout_rate': 0.2,
    }
    run_config = tf.estimator.RunConfig(save_checkpoints_steps=1000, keep_checkpoint_max=5)
    estimator = tf.estimator.Estimator(model_fn=unet_model_fn, model_dir=args.model_dir,
                                       params=params, config=run_config)

    train_spec = tf.estimator.TrainSpec(
        input_fn=make_input_fn(args.data_dir, 'train', args.batch_size, shuffle=True),
        max_steps=args.max_steps)
    eval_spec = tf.estimator.EvalSpec(
        input_fn=make_input_fn(args.data_dir, 'val', args.batch_size, shuffle=False),
        steps=None, throttle_secs=600)
    tf.estimator.train_and_evaluate(estimator, train_spec, eval_spec)

    estimator.export_savedmodel(args.export_dir, serving_input_receiver_fn)


if __name__ == '__main__':
    main()
