"""String tests of a mode parameter (string_modes.py): which strings train."""

import libcst as cst
import pytest

from slimlint.model.string_modes import default_word, string_test, trains


def _predicate(source):
    found = string_test(cst.parse_expression(source))
    return None if found is None else (cst.Module([]).code_for_node(found[0]), found[1])


@pytest.mark.parametrize("source, subject, training, inference", [
    ("mode == 'train'", "mode", ["train"], ["eval", "infer"]),
    ("'train' == self.mode", "self.mode", ["train"], ["eval"]),
    ("mode != 'eval'", "mode", ["train", "finetune"], ["eval"]),
    ("self.mode in ('train', 'pretrain')", "self.mode", ["train", "pretrain"], ["eval"]),
    ("mode not in ['eval', 'test']", "mode", ["train"], ["eval", "test"]),
    ("self.mode == 'train' or self.mode == 'pretrain'", "self.mode", ["train", "pretrain"], ["eval"]),
    ("mode != 'eval' and mode != 'test'", "mode", ["train"], ["eval", "test"]),
    ("not mode == 'eval'", "mode", ["train"], ["eval"]),
])
def test_string_tests_give_the_training_strings(source, subject, training, inference):
    tested, predicate = _predicate(source)
    assert tested == subject
    assert all(trains(predicate, s) for s in training)
    assert not any(trains(predicate, s) for s in inference)


@pytest.mark.parametrize("source", [
    "mode == 'train' or other == 'train'",  # two subjects
    "mode == 'train' and mode == 'pretrain'",  # never true: not a shape code writes
    "mode != 'eval' or mode != 'test'",  # always true
    "mode == ModeKeys.TRAIN",  # not a string literal (the Estimator rules read these)
    "mode in modes",
    "mode == 'train' == other",
    "'a' == 'b'",
])
def test_other_tests_are_no_string_modes(source):
    assert string_test(cst.parse_expression(source)) is None


def test_a_string_default_gives_a_mode():
    predicate = string_test(cst.parse_expression("mode == 'train'"))[1]
    assert default_word(predicate, cst.parse_expression("'train'")) == "true"
    assert default_word(predicate, cst.parse_expression("'eval'")) == "false"
    assert default_word(predicate, cst.parse_expression("None")) is None
