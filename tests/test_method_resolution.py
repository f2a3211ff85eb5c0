"""Calls reached through objects: inherited and template methods, factories' returned instances, fluent chains."""

from __future__ import annotations

import libcst as cst

from slimlint.model.fluent import wraps_as_layer

LAYER = '''
def layer(op):
    def layer_decorated(self, *args, **kwargs):
        output = op(self, self.inputs[0], *args, **kwargs)
        self.feed(output)
        return self
    return layer_decorated
'''

NOT_FLUENT = '''
def logged(op):
    def wrapper(self, *args, **kwargs):
        output = op(self, *args, **kwargs)
        print(output)
        return output
    return wrapper
'''


def _function(source: str) -> cst.FunctionDef:
    return next(s for s in cst.parse_module(source).body if isinstance(s, cst.FunctionDef))


def test_a_decorator_returning_the_network_is_a_fluent_layer():
    assert wraps_as_layer(_function(LAYER))


def test_a_decorator_returning_the_output_is_not():
    assert not wraps_as_layer(_function(NOT_FLUENT))


def _codes(tmp_path, files):
    from slimlint.lint import findings_of, lint_tree

    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return sorted(f"{f.path.rsplit('/', 1)[-1]}:{f.start.line} {f.code}" for f in findings_of(lint_tree(tmp_path)))


MODELS = '''
import tensorflow as tf


class Base(object):
    def block(self, x):
        return tf.nn.relu(tf.contrib.layers.batch_norm(x))

    def forward(self, x):
        return self.body(x)


class Small(Base):
    def body(self, x):
        return self.block(x)
'''

FACTORY = '''
from models import Small


def get_model(name):
    return {"small": Small}[name]()


def again(name):
    return again(name)  # what it returns is what it returns: resolving `again(...).forward` must end
'''

TEST = '''
import tensorflow as tf
from factory import again, get_model

images = tf.placeholder(tf.float32, [8, 4])
logits = get_model("small").forward(images)
looped = again("small").forward(images)
with tf.Session() as sess:
    tf.train.Saver().restore(sess, "ckpt")
    print(sess.run(logits))
'''


def test_an_inherited_template_method_is_followed_through_a_factory(tmp_path):
    assert _codes(tmp_path, {"models.py": MODELS, "factory.py": FACTORY, "test.py": TEST}) == ["test.py:6 SL201"]


def test_a_subclass_without_the_method_is_not_given_another_class_s(tmp_path):
    lone = MODELS.replace("class Small(Base):", "class Small(object):")
    assert _codes(tmp_path, {"models.py": lone, "factory.py": FACTORY, "test.py": TEST}) == []


MODULE_NAMED_AS_ITS_CLASS = '''
import tensorflow as tf


class GAN(object):
    def generator(self, z):
        return tf.nn.relu(tf.contrib.layers.batch_norm(tf.layers.dense(z, 8)))

    def build(self, z):
        return self.generator(z) + self.sampler(z)  # no class up or down the chain defines sampler
'''


def test_a_method_no_class_defines_resolves_to_nothing_and_ends(tmp_path):
    # GAN.py's class GAN: `GAN.sampler` names the module and the class alike, and following its bases must end.
    assert _codes(tmp_path, {"GAN.py": MODULE_NAMED_AS_ITS_CLASS}) == []


def test_packages_re_exporting_a_class_from_each_other_end(tmp_path):
    """`a/__init__.py` takes Net from b and b's from a: finding the base class of `Seg(Net)` must stop."""
    for package, other in (("a", "b"), ("b", "a")):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(f"from {other} import Net\n")
    (tmp_path / "model.py").write_text(
        "import tensorflow as tf\nfrom a import Net\nslim = tf.contrib.slim\n\n\nclass Seg(Net):\n"
        "    def setup(self, is_training):\n        return slim.batch_norm(self.x, is_training=is_training)\n")
    from slimlint.lint import findings_of, lint_tree

    assert findings_of(lint_tree(tmp_path, use_prefilter=False)) == []
