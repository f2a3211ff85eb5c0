"""Loss functions; each one pulls a batch and runs the model on it."""
import tensorflow as tf


class CrossEntropyLoss(object):
    """Softmax cross-entropy plus L2 weight decay on the model's kernels."""

    def __init__(self, model, iterator, weight_decay=1e-4, label_smoothing=0.0):
        self.model = model
        self.iterator = iterator
        self.weight_decay = weight_decay
        self.label_smoothing = label_smoothing
        self.logits = None
        self.labels = None

    def compute_loss(self):
        images, labels = self.iterator.get_next()
        self.logits = self.model.forward(images)
        self.labels = labels
        one_hot = tf.one_hot(labels, self.model.num_classes)
        xent = tf.losses.softmax_cross_entropy(one_hot, self.logits,
                                               label_smoothing=self.label_smoothing)
        l2 = tf.add_n([tf.nn.l2_loss(v) for v in self.model.var_list
                       if 'kernel' in v.name])
        loss = xent + self.weight_decay * l2
        tf.summary.scalar('loss/cross_entropy', xent)
        tf.summary.scalar('loss/total', loss)
        return loss

    def accuracy(self):
        predictions = tf.argmax(self.logits, axis=1, output_type=tf.int64)
        return tf.reduce_mean(tf.cast(tf.equal(predictions, tf.cast(self.labels, tf.int64)),
                                      tf.float32))
