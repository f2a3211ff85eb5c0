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
