"""A file's command-line options (slimlint/model/options.py): one scan answers what an option may hold."""

from __future__ import annotations

import textwrap

import libcst as cst

from slimlint.model.options import CommandLineOptions


def _options(code: str) -> CommandLineOptions:
    return CommandLineOptions(cst.parse_module(textwrap.dedent(code)))


def test_strings_read_dest_defaults_choices_and_flags():
    options = _options('''
        parser.add_argument("vae_def", type=str, default="src.models.vae")
        parser.add_argument("--net", "-n", dest="network", choices=("a.b", "c"))
        parser.add_argument("-m", default="x")
        tf.app.flags.DEFINE_string("model", "nets.resnet", "help")
        absl_flags.DEFINE_enum(name="arch", default="a", enum_values=["a", "b"], help="")
        parser.add_argument("--steps", type=int, default=10)
    ''')
    assert options.strings() == {
        "vae_def": ("src.models.vae",),
        "network": ("a.b", "c"),
        "m": ("x",),
        "model": ("nets.resnet",),
        "arch": ("a", "b"),
    }


def test_boolean_defaults_read_store_actions_flags_and_set_defaults():
    options = _options('''
        parser.add_argument("--is-training", action="store_true")
        parser.add_argument("--no_bn", action="store_false")
        parser.add_argument("--train_bn", action="store_true")
        parser.set_defaults(train_bn=True)
        parser.add_argument("--lr", type=float, default=0.1)
        tf.app.flags.DEFINE_boolean("eval", False, "help")
        flags.DEFINE_bool(name="phase", default=True, help="")
    ''')
    assert options.boolean_defaults() == {
        "is_training": (False, "--is-training"),
        "no_bn": (True, "--no_bn"),
        "train_bn": (True, "--train_bn"),
        "eval": (False, "--eval"),
        "phase": (True, "--phase"),
    }
    call, default = options.boolean_flag_default("phase")
    assert isinstance(call, cst.Call) and default.value == "True"
    assert options.boolean_flag_default("is_training") is None  # an argparse option, not a flag with a literal


def test_number_defaults_read_flags_argparse_and_agree_or_give_none():
    options = _options('''
        tf.app.flags.DEFINE_float("keep_prob", 0.5, "help")
        tf.app.flags.DEFINE_boolean("dropout_keep_prob", 1.0, "a boolean flag given a number")
        parser.add_argument("--rate", type=float, default=0.2)
        parser.add_argument("--drop", type=float, default=0.3)
        parser.set_defaults(drop=0.0)
        parser.add_argument("--twice", default=0.5)
        other.add_argument("--twice", default=0.8)
        parser.add_argument("--no_default", type=float)
        parser.add_argument("--verbose", action="store_true")
        tf.app.flags.DEFINE_string("name", "x", "help")
    ''')
    assert options.number_default("keep_prob") == 0.5
    assert options.number_default("dropout_keep_prob") == 1.0
    assert options.number_default("rate") == 0.2
    assert options.number_default("drop") == 0.0  # set_defaults wins
    assert options.number_default("twice") is None  # two definitions that disagree
    assert options.number_default("no_default") is None
    assert options.number_default("verbose") is None
    assert options.number_default("name") is None
    assert options.number_default("undefined") is None


def test_a_later_set_defaults_wins_as_argparse_applies_them_in_order():
    options = _options('''
        parser.add_argument("--keep_prob", type=float, default=0.5)
        parser.add_argument("--train_bn", action="store_true")
        parser.set_defaults(keep_prob=0.7, train_bn=False)
        parser.set_defaults(keep_prob=1.0, train_bn=True)
    ''')
    assert options.number_default("keep_prob") == 1.0
    assert options.boolean_defaults()["train_bn"][0] is True
