"""Model modules chosen at run time (`importlib.import_module(args.model_def)`): the literal candidates of the
option are read (argparse default / choices / dest, TF and absl string flags) and calls through the module are
checked against each candidate module of the project."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from slimlint.lint import findings_of, lint_tree
from slimlint.model.options import CommandLineOptions

MODEL = '''
import tensorflow.contrib.slim as slim


def inference(images, num_classes, phase_train=True):
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm):
        with slim.arg_scope([slim.batch_norm], is_training=phase_train):
            net = slim.conv2d(images, 16, [3, 3], scope="conv1")
            return slim.fully_connected(slim.flatten(net), num_classes, activation_fn=None, scope="logits")
'''

EVAL = '''
import importlib
import tensorflow as tf
{options}


def main():
    network = importlib.import_module({module_arg})
    images = tf.placeholder(tf.float32, [None, 8, 8, 1])
    logits = network.inference(images, 10, phase_train=True)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, "checkpoints/model.ckpt")
        sess.run(logits)
'''

ARGPARSE = 'import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument("--model-def", {extra})\nargs = parser.parse_args()'
FLAGS = 'flags = tf.app.flags\nflags.DEFINE_string("model_def", {default}, "the model module")\nFLAGS = flags.FLAGS'


def _codes(tmp_path, eval_source):
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "__init__.py").write_text("")
    (tmp_path / "nets" / "small.py").write_text(MODEL)
    (tmp_path / "eval.py").write_text(textwrap.dedent(eval_source))
    return [f.code for f in findings_of(lint_tree(tmp_path))]


@pytest.mark.parametrize("options, module_arg", [
    ("", '"nets.small"'),
    (ARGPARSE.format(extra='default="nets.small"'), "args.model_def"),
    (ARGPARSE.format(extra='choices=["nets.small", "nets.big"], required=True'), "args.model_def"),
    (FLAGS.format(default='"nets.small"'), "FLAGS.model_def"),
])
def test_calls_through_a_module_chosen_by_name_are_checked(tmp_path, options, module_arg):
    assert _codes(tmp_path, EVAL.format(options=options, module_arg=module_arg)) == ["SL201"]


@pytest.mark.parametrize("options, module_arg", [
    (ARGPARSE.format(extra="required=True"), "args.model_def"),  # no literal: nothing to resolve
    (ARGPARSE.format(extra='default="nets.missing"'), "args.model_def"),  # not a module of the project
    (FLAGS.format(default="None"), "FLAGS.model_def"),
])
def test_no_literal_project_module_no_finding(tmp_path, options, module_arg):
    assert _codes(tmp_path, EVAL.format(options=options, module_arg=module_arg)) == []


@pytest.mark.parametrize("call, modules", [
    ('importlib.import_module(args.model_def)', ("nets.small", "nets.big")),
    ('__import__(args.model_def)', ("nets",)),  # without a fromlist __import__ returns the top package
    ('__import__(args.model_def, fromlist=["inference"])', ("nets.small", "nets.big")),
    ('__import__("nets.small", globals(), locals(), [])', ("nets",)),
    ('importlib.import_module(".small", "nets")', ("nets.small",)),
    ('importlib.import_module("..small", package="nets.v2")', ("nets.small",)),
    ('importlib.import_module(".small")', ()),  # relative to a package that is not literal
])
def test_the_module_each_importer_returns(call, modules):
    from slimlint.model.dynamic_imports import DynamicImports
    from slimlint.model.import_table import ImportTable

    module = cst.parse_module('import importlib\n'
                              'parser.add_argument("--model_def", default="nets.small", choices=["nets.small", "nets.big"])\n')
    assert DynamicImports(module, ImportTable(module), CommandLineOptions(module)).candidates(cst.parse_expression(call)) == modules


@pytest.mark.parametrize("elsewhere", [
    "def predict(network, images):\n    return network.inference(images, 10)\n",  # a parameter of the same name
    "network = network.Classifier()\n",  # rebound to what the module built
    "for network in []:\n    pass\n",
    "def other():\n    network = importlib.import_module('nets.big')\n",  # another module under the same name
])
def test_a_name_bound_to_something_else_in_the_file_resolves_nothing(elsewhere):
    from slimlint.model.dynamic_imports import DynamicImports
    from slimlint.model.import_table import ImportTable

    module = cst.parse_module("import importlib\nnetwork = importlib.import_module('nets.small')\n" + elsewhere)
    call = module.body[1].body[0].value
    assert DynamicImports(module, ImportTable(module), CommandLineOptions(module)).candidates(call) == ()
    alone = cst.parse_module("import importlib\nnetwork = importlib.import_module('nets.small')\n")
    assert DynamicImports(alone, ImportTable(alone), CommandLineOptions(alone)).candidates(alone.body[1].body[0].value) == ("nets.small",)


def test_the_sl201_message_names_the_option_that_chooses_the_network():
    """Issue 15, shape 1: the finding says which option's value was checked."""
    from pathlib import Path

    from slimlint.lint import findings_of, lint_tree

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "shape_model_chosen_by_option"
    [finding] = findings_of(lint_tree(fixture))
    assert finding.code == "SL201"
    assert finding.message.endswith("(the network is chosen by `args.model_def`; checked with models.small_cnn)")
