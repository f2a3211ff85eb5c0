"""A fix adds a keyword argument only where the callee is known to take it (issue 11: fixes that added
`is_training=False` to `resnet_v1_block` made the program fail to build), and never when the argument is
already passed by position."""

from __future__ import annotations

import json
import textwrap

from slimlint.lint import findings_of, fix_tree, lint_tree
from slimlint.model import api, signatures


def lint(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    return findings_of(lint_tree(tmp_path))


# --- the generated table ---------------------------------------------------------------------------


def _takes(name: str, keyword: str) -> bool:
    sig = signatures.lookup(name)
    return sig.varkw or keyword in sig.params + sig.kwonly


def test_the_table_knows_the_mode_parameters_of_the_real_apis():
    assert _takes("slim.batch_norm", "is_training")
    assert _takes("slim.conv2d", "normalizer_params")
    assert not _takes("slim.conv2d", "is_training")
    assert signatures.lookup("tf.layers.batch_normalization").params.index("training") == 14
    assert signatures.lookup("slim.nets.resnet_v1.resnet_v1_50").default_of("is_training") == "true"
    # models/research/slim's layout (`from nets import mobilenet_v1`) finds its own entry.
    assert _takes("nets.mobilenet_v1.mobilenet_v1", "is_training")


def test_zoo_helpers_without_a_mode_are_not_networks():
    assert api.zoo_network("slim.nets.resnet_v1.resnet_v1_50") is True
    assert api.zoo_network("slim.nets.resnet_v1.resnet_v1") is True
    assert api.zoo_network("slim.nets.vgg.vgg_16") is False
    assert api.zoo_network("slim.nets.resnet_v1.resnet_v1_block") is None  # a Block namedtuple
    assert api.zoo_network("nets.mobilenet_v1.mobilenet_v1_base") is None  # builds under the caller's scope
    assert api.zoo_network("slim.nets.resnet_v1.no_such_function") is None  # unknown: never guessed


def test_the_shipped_table_is_generated_data(tmp_path):
    data = json.loads(signatures._TABLE.read_text(encoding="utf-8"))
    assert data["sources"]["tf1_wheel"].startswith("tensorflow")
    assert len(data["functions"]) > 300


# --- fixes ------------------------------------------------------------------------------------------

ZOO_EVAL = """\
    import tensorflow as tf
    import tensorflow.contrib.slim as slim
    from tensorflow.contrib.slim.nets import resnet_v1

    images = tf.placeholder(tf.float32, [None, 64, 64, 3])
    blocks = [resnet_v1.resnet_v1_block("block1", base_depth=16, num_units=2, stride=2)]
    with slim.arg_scope(resnet_v1.resnet_arg_scope()):  # where resnet_v1's batch norm comes from
        logits, _ = resnet_v1.resnet_v1(images, blocks, num_classes=10)
    saver = tf.train.Saver()
"""


def test_a_zoo_network_gets_the_keyword_and_its_block_specs_are_left_alone(tmp_path):
    [finding] = lint(tmp_path, {"eval.py": ZOO_EVAL})
    assert (finding.code, finding.start.line) == ("SL201", 8)
    fixed = fix_tree(tmp_path)["eval.py"]
    assert "resnet_v1.resnet_v1(images, blocks, num_classes=10, is_training=False)" in fixed
    assert 'resnet_v1_block("block1", base_depth=16, num_units=2, stride=2)' in fixed


def test_a_project_function_gets_the_keyword_it_declares(tmp_path):
    model = """\
        import tensorflow.contrib.slim as slim

        def build(images, is_training=True):
            return slim.batch_norm(images, is_training=is_training)
    """
    [finding] = lint(tmp_path, {"model.py": model, "eval.py": "import model\nlogits = model.build(images)\n"})
    assert finding.fix is not None
    assert "model.build(images, is_training=False)" in fix_tree(tmp_path)["eval.py"]


def test_a_mode_kept_on_the_object_is_passed_to_the_constructor_not_the_call(tmp_path):
    model = """\
        import tensorflow.contrib.slim as slim

        class Net:
            def __init__(self, is_training=True):
                self.is_training = is_training

            def __call__(self, images):
                return slim.batch_norm(images, is_training=self.is_training)
    """
    [finding] = lint(tmp_path, {"model.py": model, "eval.py": "import model\nnet = model.Net()\nlogits = net(images)\n"})
    assert (finding.code, finding.start.line, finding.fix is not None) == ("SL201", 2, True)
    assert fix_tree(tmp_path)["eval.py"] == "import model\nnet = model.Net(is_training=False)\nlogits = net(images)\n"


def test_a_mode_passed_by_position_is_read(tmp_path):
    # tf.layers.batch_normalization's 15th parameter is `training`: passed by position, it is passed.
    args = ", ".join(["x", "-1", "0.99", "0.001", "True", "True"] + ["None"] * 8 + ["is_training"])
    train = f"""\
        import tensorflow as tf

        def build(x, is_training):
            return tf.layers.batch_normalization({args})

        loss = tf.reduce_mean(build(images, True))
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
    """
    assert [f.code for f in lint(tmp_path, {"train.py": train})] == []


def test_a_positional_true_mode_in_evaluation_is_found(tmp_path):
    args = ", ".join(["x", "-1", "0.99", "0.001", "True", "True"] + ["None"] * 8 + ["True"])
    [finding] = lint(tmp_path, {"eval.py": f"import tensorflow as tf\nnet = tf.layers.batch_normalization({args})\n"})
    assert finding.code == "SL201"
    assert "tf.layers.batch_normalization(x, -1, 0.99, 0.001, True, True" in fix_tree(tmp_path)["eval.py"]
    assert fix_tree(tmp_path)["eval.py"].rstrip().endswith("None, False)")


def test_arguments_gathered_by_star_args_never_reach_keyword_only_parameters(tmp_path):
    """`def net(images, *widths, is_training=True)`: `net(x, 64, 128)` leaves is_training at its default."""
    found = lint(tmp_path, {
        "model.py": """
            import tf_slim as slim

            def net(images, *widths, is_training=True):
                for width in widths:
                    images = slim.conv2d(images, width, [3, 3], normalizer_fn=slim.batch_norm,
                                         normalizer_params={"is_training": is_training})
                return images
        """,
        "eval.py": """
            import tensorflow as tf
            from model import net

            def main():
                features = net(tf.compat.v1.placeholder(tf.float32, [None, 32, 32, 3]), 64, 128)
                with tf.compat.v1.Session() as sess:
                    tf.compat.v1.train.Saver().restore(sess, "model.ckpt")
                    print(sess.run(features))

            if __name__ == "__main__":
                main()
        """,
    })
    assert [f.code for f in found] == ["SL201"]
    assert "net(tf.compat.v1.placeholder(tf.float32, [None, 32, 32, 3]), 64, 128, is_training=False)" in fix_tree(tmp_path)["eval.py"]


def test_the_inception_reexport_module_names_every_inception_network():
    # models/research/slim's nets/inception.py re-exports v4 and Inception-ResNet-v2 too (tf.contrib's only v1-v3)
    assert api.zoo_network("nets.inception.inception_v4") is True
    assert api.zoo_network("nets.inception.inception_resnet_v2") is True
    assert api.zoo_network("nets.inception.inception_v4_arg_scope") is None


def test_two_findings_on_one_call_pass_the_keyword_once(tmp_path):
    # The mode parameter reaches batch norm (SL201) and dropout (SL208): both fixes add it; the call gets one.
    (tmp_path / "model.py").write_text(textwrap.dedent("""
        import tensorflow.contrib.slim as slim

        def classifier(images, is_training=True):
            net = slim.batch_norm(images, is_training=is_training)
            return slim.dropout(net, keep_prob=0.5, is_training=is_training)
        """))
    (tmp_path / "evaluate.py").write_text(textwrap.dedent("""
        from model import classifier

        logits = classifier(images)
        """))
    codes = sorted(f.code for f in lint(tmp_path, {}))
    assert codes == ["SL201", "SL208"]
    fixed = fix_tree(tmp_path)["evaluate.py"]
    assert "classifier(images, is_training=False)" in fixed
    assert fixed.count("is_training") == 1
