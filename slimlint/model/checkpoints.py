"""Do the project's checkpoints keep batch norm's moving statistics?

A project whose every `tf.train.Saver` is given the trainable variables only (`Saver(tf.trainable_variables())`,
MAML and its descendants) writes checkpoints without moving_mean / moving_variance: when its batch norm also
always trains, nothing ever reads those statistics, in the training process or after it, and update ops left
unrun change no output. Read from the text of every file of the tree, parsed or not, so that a Saver of all
variables in a file slimlint never parsed (a `utils.py` without batch norm) still counts: only a tree where
every Saver in sight is of trainable variables, and nothing else writes variables out, is such a project.
"""

from __future__ import annotations

import re
from typing import Iterable

# `Saver(tf.trainable_variables())`, `Saver(var_list=tf.compat.v1.trainable_variables(...))`,
# `Saver(tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES))`, `Saver(slim.get_trainable_variables())`.
# The trainable-variables call must be the whole list (`Saver(tf.trainable_variables() + moving)` keeps more).
_TRAINABLE_SAVER = re.compile(
    r"\bSaver\(\s*(?:var_list\s*=\s*)?(?:[\w.]+\.)?(?:trainable_variables\([^()]*\)|get_trainable_variables\([^()]*\)"
    r"|get_collection\(\s*[\w.]*TRAINABLE_VARIABLES\s*\))\s*[,)]")
_ANY_SAVER = re.compile(r"\bSaver\(")
# `Saver(var_list=trainable_vars)` / `Saver(params)`, with the name bound in the same file (_bound_to_trainables).
_NAMED_SAVER = re.compile(r"\bSaver\(\s*(?:var_list\s*=\s*)?([A-Za-z_]\w*)\s*[,)]")
_TRAINABLES_CALL = (r"(?:[\w.]+\.)?(?:trainable_variables\([^()]*\)|get_trainable_variables\([^()]*\)"
                    r"|get_collection\(\s*[\w.]*TRAINABLE_VARIABLES\s*\))")
# Other writers of all variables: they save (or freeze) the moving statistics too.
_ALL_VARIABLE_WRITERS = re.compile(
    r"\b(?:Supervisor|MonitoredTrainingSession|Estimator|Checkpoint|CheckpointManager|simple_save|SavedModelBuilder"
    r"|convert_variables_to_constants|freeze_graph|export_saved_model|export_savedmodel|save_weights|save_model)\b"
    r"|\bsaved_model\.save\("
    r"|\blearning\.train\(")


def _bound_to_trainables(name: str, text: str) -> bool:
    """Is `name` bound in the file once, and only to the trainable variables (`trainable_vars =
    tf.trainable_variables()`), and never grown (`+=`, `.append`, `.extend`)?"""
    if re.search(r"\bdef\s+\w+\s*\([^)]*\b" + re.escape(name) + r"\b", text):
        return False  # also a parameter's name: a `Saver(var_list)` in a helper takes whatever callers pass
    bindings = re.findall(r"^[ \t]*" + re.escape(name) + r"[ \t]*(=[^=].*)$", text, re.MULTILINE)
    grown = re.search(r"\b" + re.escape(name) + r"\s*(?:\+=|\.append\(|\.extend\(|\.insert\()", text)
    return len(bindings) == 1 and grown is None \
        and re.fullmatch(r"=\s*" + _TRAINABLES_CALL + r"\s*(?:#.*)?", bindings[0].strip()) is not None


def trainable_only_checkpoints(texts: Iterable[str]) -> bool:
    """Is every Saver of the tree one of trainable variables (at least one), with no other writer of variables?"""
    trainable = 0
    for text in texts:
        if "Saver(" in text:
            found = len(_TRAINABLE_SAVER.findall(text)) + sum(
                _bound_to_trainables(name, text) for name in _NAMED_SAVER.findall(text))
            if found != len(_ANY_SAVER.findall(text)):
                return False
            trainable += found
        if _ALL_VARIABLE_WRITERS.search(text):
            return False
    return trainable > 0
