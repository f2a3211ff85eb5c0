import argparse
import logging

import tensorflow as tf

from tf_pose.networks import get_network

logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(message)s')

config = tf.ConfigProto()
config.gpu_options.allocator_type = 'BFC'
config.gpu_options.per_process_gpu_memory_fraction = 0.95
config.gpu_options.allow_growth = True


if __name__ == '__main__':
    """
    Use this script to just save graph and checkpoint.
    While training, checkpoints are saved. You can test them with this python code.
    The written graph.pb is then frozen with freeze_graph for the mobile demo.
    """
    parser = argparse.ArgumentParser(description='Tensorflow Pose Estimation Graph Extractor')
    parser.add_argument('--model', type=str, default='mobilenet_thin', help='mobilenet_thin / mobilenet_fast')
    parser.add_argument('--resize', type=str, default='432x368')
    args = parser.parse_args()

    w, h = [int(x) for x in args.resize.split('x')]
    input_node = tf.placeholder(tf.float32, shape=(None, h, w, 3), name='image')

    with tf.Session(config=config) as sess:
        net, _, last_layer = get_network(args.model, input_node, sess)

        tf.train.write_graph(sess.graph_def, './tmp', 'graph.pb', as_text=True)

        graph = tf.get_default_graph()
        for n in graph.as_graph_def().node:
            if 'concat_stage' not in n.name:
                continue
            logging.info(n.name)

        saver = tf.train.Saver(max_to_keep=100)
        saver.save(sess, './tmp/chk', global_step=1)
