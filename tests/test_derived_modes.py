"""A mode flag worked out from a string parameter and then handed to nothing (derived_modes.py)."""

from __future__ import annotations

import libcst as cst
import pytest

from slimlint.model.derived_modes import unread_derived_mode
from slimlint.model.semantic import FileModel


def _function(body: str):
    source = "class Graph:\n    def __init__(self, mode='train'):\n" + "".join(f"        {line}\n" for line in body.splitlines())
    model = FileModel(cst.parse_module(source), "graph")
    return next(f for f in model.functions if f.qualname == "Graph.__init__")


@pytest.mark.parametrize("body", [
    "training = True if mode == 'train' else False\nself.z = encoder(self.x)",
    "is_training = mode == 'train'\nself.z = encoder(self.x)\nif is_training:\n    self.op = minimize(self.z)",
    "training = mode != 'test'\nif not training:\n    self.z = encoder(self.x)",
])
def test_a_flag_at_most_tested_is_unread(body):
    found = unread_derived_mode(_function(body))
    assert found is not None and found.param == "mode"


@pytest.mark.parametrize("body", [
    "training = True if mode == 'train' else False\nself.z = encoder(self.x, training=training)",
    "training = mode == 'train'\nself.training = training",
    "training = flag\nself.z = encoder(self.x)",  # not a test of the parameter
    "training = True if mode == 'train' else 1\nself.z = encoder(self.x)",
])
def test_a_flag_handed_on_or_not_derived_is_not(body):
    assert unread_derived_mode(_function(body)) is None


@pytest.mark.parametrize("body, local, inverted, trains_for", [
    ("eval_mode = True if (mode == 'EVAL') else False\nself.z = head(self.x, eval_mode)", "eval_mode", True, "TRAIN"),
    ("is_test = mode == 'test'\nself.z = head(self.x, is_test)", "is_test", True, "train"),
    ("training = mode == 'train'\nself.z = encoder(self.x, training=training)", "training", False, "train"),
])
def test_a_flag_derived_from_a_string_is_read_with_its_polarity(body, local, inverted, trains_for):
    from slimlint.model.derived_modes import derived_flag
    from slimlint.model.string_modes import trains

    found = derived_flag(_function(body))
    assert found is not None and (found.local, found.inverted) == (local, inverted)
    assert trains(found.predicate, trains_for)
    assert found.training_expr == (f"not {local}" if inverted else local)


@pytest.mark.parametrize("body", [
    "test_images = mode == 'test'\nself.z = head(self.x, test_images)",  # not a flag's name
    "eval_mode = mode\nself.z = head(self.x, eval_mode)",  # not a test
])
def test_other_locals_are_no_derived_flags(body):
    from slimlint.model.derived_modes import derived_flag

    assert derived_flag(_function(body)) is None


_CHAIN = ("if mode == 'train':\n    self.{flag} = {first}\nelif mode == 'test':\n    self.{flag} = {second}\n"
          "else:\n    assert False, mode\nself.z = head(self.x, self.{flag})")


@pytest.mark.parametrize("flag, first, second, inverted", [
    ("forward_only", "False", "True", True),  # seq2seq's name for an inference build
    ("is_training", "True", "False", False),
    ("is_test", "False", "True", True),
])
def test_a_flag_set_branch_by_branch_on_the_object_is_derived(flag, first, second, inverted):
    from slimlint.model.derived_modes import derived_flag
    from slimlint.model.string_modes import trains

    found = derived_flag(_function(_CHAIN.format(flag=flag, first=first, second=second)))
    assert found is not None and (found.local, found.param, found.inverted) == (f"self.{flag}", "mode", inverted)
    assert trains(found.predicate, "train") and not trains(found.predicate, "test")


@pytest.mark.parametrize("body", [
    # also set outside the chain: the string does not decide it alone
    _CHAIN.format(flag="forward_only", first="False", second="True") + "\nself.forward_only = opts.forward",
    # not literals
    _CHAIN.format(flag="forward_only", first="False", second="opts.forward"),
    # not a flag's name
    _CHAIN.format(flag="use_cache", first="False", second="True"),
    # no `else`: a phase no branch tests leaves the attribute unset, so no fix may read it
    "if mode == 'train':\n    self.forward_only = False\nelif mode == 'test':\n    self.forward_only = True\n"
    "self.z = head(self.x, self.forward_only)",
])
def test_other_branch_assignments_are_no_derived_flags(body):
    from slimlint.model.derived_modes import derived_flag

    assert derived_flag(_function(body)) is None


def test_every_branch_of_the_chain_counts():
    """`finetune` sets the training value in a later branch: it trains (not read as evaluation)."""
    from slimlint.model.derived_modes import derived_flag
    from slimlint.model.string_modes import trains

    body = ("if mode == 'train':\n    self.forward_only = False\nelif mode == 'finetune':\n    self.forward_only = False\n"
            "elif mode == 'test':\n    self.forward_only = True\nelse:\n    raise ValueError(mode)\n"
            "self.z = head(self.x, self.forward_only)")
    found = derived_flag(_function(body))
    assert found is not None
    assert trains(found.predicate, "train") and trains(found.predicate, "finetune") and not trains(found.predicate, "test")
