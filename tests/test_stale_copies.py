"""Stale copies (slimlint/model/stale_copies.py): a module nothing imports beside a used twin."""

from slimlint.model.stale_copies import stale_copies

MODEL = "import tensorflow as tf\n\n\nclass Learner(object):\n    pass\n"
TRAIN = "from learner import Learner\n\nif __name__ == '__main__':\n    Learner()\n"


def test_a_copy_nothing_imports_beside_the_used_module_is_stale():
    assert stale_copies({"learner": MODEL, "learner_old": MODEL, "train": TRAIN}) == {"learner_old"}


def test_a_copy_named_anywhere_a_program_or_a_package_is_not():
    named = "import importlib\nLearner = importlib.import_module('learner_old').Learner\n"
    assert stale_copies({"learner": MODEL, "learner_old": MODEL, "train": TRAIN, "other": named}) == frozenset()
    program = MODEL + "\nif __name__ == '__main__':\n    Learner()\n"
    assert stale_copies({"learner": MODEL, "learner_old": program, "train": TRAIN}) == frozenset()
    script = MODEL + "\nLearner().fit()\n"
    assert stale_copies({"learner": MODEL, "learner_old": script, "train": TRAIN}) == frozenset()
    assert stale_copies({"learner": MODEL, "pkg": MODEL, "train": TRAIN}, frozenset({"pkg"})) == frozenset()


def test_a_library_nothing_imports_without_a_used_twin_is_left_alone():
    assert stale_copies({"learner": MODEL, "learner_old": MODEL}) == frozenset()
    assert stale_copies({"resnet": MODEL.replace("Learner", "ResNet"), "learner_old": MODEL, "train": TRAIN}) == frozenset()


def test_a_script_whose_module_code_trains_is_not_a_copy():
    script = MODEL + "\ntrain_op = optimizer.minimize(loss)\nwith tf.Session() as sess:\n    sess.run(train_op)\n"
    assert stale_copies({"learner": MODEL, "learner_old": script, "train": TRAIN}) == frozenset()
