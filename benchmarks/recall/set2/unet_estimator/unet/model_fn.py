"""Estimator model_fn for the U-Net segmentation model."""
import tensorflow as tf

from unet.model import unet, dice_loss


def unet_model_fn(features, labels, mode, params):
    images = features['image']
    n_classes = params['n_classes']

    logits = unet(images, n_classes, is_training=True,
                  base_filters=params.get('base_filters', 32),
                  dropout_rate=params.get('dropout_rate', 0.2))
    probabilities = tf.nn.softmax(logits, name='probabilities')
    predictions = {
        'classes': tf.argmax(logits, axis=-1, output_type=tf.int32),
        'probabilities': probabilities,
    }

    if mode == tf.estimator.ModeKeys.PREDICT:
        export_outputs = {'segmentation': tf.estimator.export.PredictOutput(predictions)}
        return tf.estimator.EstimatorSpec(mode=mode, predictions=predictions,
                                          export_outputs=export_outputs)

    labels = tf.cast(labels, tf.int32)
    ce_loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    loss = ce_loss + params.get('dice_weight', 1.0) * dice_loss(logits, labels, n_classes)

    if mode == tf.estimator.ModeKeys.EVAL:
        eval_metric_ops = {
            'accuracy': tf.metrics.accuracy(labels, predictions['classes']),
            'mean_iou': tf.metrics.mean_iou(labels, predictions['classes'], n_classes),
        }
        return tf.estimator.EstimatorSpec(mode=mode, loss=loss, eval_metric_ops=eval_metric_ops)

    global_step = tf.train.get_or_create_global_step()
    learning_rate = tf.train.exponential_decay(params['learning_rate'], global_step,
                                               decay_steps=params['decay_steps'], decay_rate=0.9)
    optimizer = tf.train.AdamOptimizer(learning_rate)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = optimizer.minimize(loss, global_step=global_step)

    tf.summary.scalar('learning_rate', learning_rate)
    tf.summary.image('prediction', tf.cast(tf.expand_dims(predictions['classes'], -1), tf.float32))
    return tf.estimator.EstimatorSpec(mode=mode, loss=loss, train_op=train_op)
