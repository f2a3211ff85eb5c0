r"""Training executable for detection models.

Example usage:
    ./train \
        --logtostderr \
        --train_dir=path/to/train_dir \
        --pipeline_config_path=pipeline_config.pbtxt
"""
import functools
import json
import os

import tensorflow as tf

from object_detection.builders import dataset_builder
from object_detection.builders import model_builder
from object_detection.legacy import trainer
from object_detection.utils import config_util

flags = tf.app.flags
flags.DEFINE_string('master', '', 'Name of the TensorFlow master to use.')
flags.DEFINE_integer('task', 0, 'task id')
flags.DEFINE_string('train_dir', '', 'Directory to save the checkpoints and training summaries.')
flags.DEFINE_string('pipeline_config_path', '', 'Path to a pipeline_pb2.TrainEvalPipelineConfig config file.')
FLAGS = flags.FLAGS


def main(_):
    assert FLAGS.train_dir, '`train_dir` is missing.'
    if FLAGS.task == 0:
        tf.gfile.MakeDirs(FLAGS.train_dir)
    configs = config_util.get_configs_from_pipeline_file(FLAGS.pipeline_config_path)
    if FLAGS.task == 0:
        tf.gfile.Copy(FLAGS.pipeline_config_path,
                      os.path.join(FLAGS.train_dir, 'pipeline.config'), overwrite=True)

    model_config = configs['model']
    train_config = configs['train_config']
    input_config = configs['train_input_config']

    model_fn = functools.partial(
        model_builder.build,
        model_config=model_config,
        is_training=True)

    def get_next(config):
        return dataset_builder.make_initializable_iterator(dataset_builder.build(config)).get_next()

    create_input_dict_fn = functools.partial(get_next, input_config)

    env = json.loads(os.environ.get('TF_CONFIG', '{}'))
    task_info = type('TaskSpec', (object,), env.get('task', {'type': 'master', 'index': 0}))
    is_chief = (task_info.type == 'master')

    trainer.train(create_input_dict_fn, model_fn, train_config, FLAGS.master,
                  FLAGS.task, is_chief, FLAGS.train_dir)


if __name__ == '__main__':
    tf.app.run()
