"""Keras's learning phase fixed by `set_learning_phase(1)` before a model is built.

In graph code, `tf.keras.backend.set_learning_phase(1)` makes the phase a Python constant: every Keras layer built
while it holds (the BatchNormalization of a `keras.applications` network) is built in training mode, with no switch
left in the graph. A later `set_learning_phase(0)` reaches only layers built after it: called just before a session
runs the model built earlier (a validation pass, a test loop), it changes nothing, and evaluation normalises with
each batch's own statistics. A script that sets the phase before it builds an evaluation model is fine, and so is
eager code (TF2 reads the phase at each call): a switch counts only when a session run follows it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Tuple

import libcst as cst

from slimlint.model import api
from slimlint.model.cross_file import MODULE_CODE
from slimlint.model.walk import find_all

if TYPE_CHECKING:
    from slimlint.model.facts import FunctionInfo
    from slimlint.model.summary import ProjectIndex

SET_LEARNING_PHASE = "tf.keras.backend.set_learning_phase"
_KERAS_MODEL_BUILDERS = frozenset({"Model", "Input", "Sequential"})
# keras.applications networks built without batch norm
_WITHOUT_BATCH_NORM = {"VGG16", "VGG19", "vgg16", "vgg19"}


def learning_phase_value(call: cst.Call) -> Optional[bool]:
    """The phase a `set_learning_phase` call sets, when written as a literal: True for training (1, True)."""
    arg = next((a for a in call.args if a.keyword is None or a.keyword.value == "value"), None)
    value = arg.value if arg is not None else None
    if isinstance(value, cst.Integer) and value.value in ("0", "1"):
        return value.value == "1"
    if isinstance(value, cst.Name) and value.value in ("True", "False"):
        return value.value == "True"
    return None


def switches_before_run(func: FunctionInfo, order: int) -> bool:
    """Is the phase set at `order` followed, in its function, by a session run with no Keras API or project
    function called in between (`set_learning_phase(0); sess.run(...)`): a switch meant for a model built earlier."""
    runs = [r for r in func.run_call_orders if r > order]
    if not runs:
        return False
    first = min(runs)
    return not any(order < k < first for k in func.keras_call_orders) and not any(
        order < site.order < first for site in func.calls)


def _fixed_phase_calls(func: FunctionInfo) -> List[cst.Call]:
    """The function's `set_learning_phase(1)` calls that are no switch before a run."""
    return [call for training, order, call in func.learning_phases if training and not switches_before_run(func, order)]


def keras_batch_norm_named(expr_canonical: Optional[str]) -> bool:
    """Does a canonical name mean Keras batch norm: the layer, or a `keras.applications` network built with it?"""
    if not expr_canonical:
        return False
    if expr_canonical in api.KERAS_BATCH_NORM:
        return True
    prefix = "tf.keras.applications."
    return expr_canonical.startswith(prefix) and expr_canonical.rsplit(".", 1)[-1][:1].isupper() and \
        not (set(expr_canonical[len(prefix):].split(".")) & _WITHOUT_BATCH_NORM)


class LearningPhaseFacts:
    """FileModel's facts about set_learning_phase (a mixin: `self` is the FileModel)."""

    def switches_to_inference_before_run(self, func: FunctionInfo) -> bool:
        """FunctionSummary.inference_phase_switch: `set_learning_phase(0)` right before a session run."""
        return any(not training and switches_before_run(func, order) for training, order, _ in func.learning_phases)

    def fixes_training_phase(self, func: FunctionInfo) -> bool:
        """FunctionSummary.training_phase_fixed: `set_learning_phase(1)` that is no switch before a run."""
        return bool(_fixed_phase_calls(func))

    def training_phase_fixed(self, index: ProjectIndex) -> List[Tuple[cst.Call, Tuple[str, str]]]:
        """`set_learning_phase(1)` calls of this file that build its Keras batch norm in training mode, in a program
        that later switches the phase to 0 before a run, which then changes nothing: (the call, (module, qualname)
        of a function that switches)."""
        fixed = [((self.module_name, MODULE_CODE if func.is_module else func.qualname), call)
                 for func in self.functions for call in _fixed_phase_calls(func)]
        if not fixed:
            return []
        switches = index.inference_phase_switches()
        if not switches or not self._names_keras_batch_norm():
            return []
        out = []
        for where, call in fixed:
            switch = next((s for s in switches if _one_program(where, s, index)), None)
            if switch is not None:
                out.append((call, switch))
        return out

    def follows_learning_phase(self, call: cst.Call, func: FunctionInfo, index: ProjectIndex) -> bool:
        """A Keras BatchNormalization applied with no `training` (`BatchNormalization()(x)`, `bn(x)`) takes Keras's
        learning phase, 0 unless the code sets it: in graph code it runs in inference mode, while training too.
        Not when any file names the phase (sets it, feeds `K.learning_phase()`), nor inside a Keras layer's own
        methods, where the outer call's `training` reaches it."""
        if index.keras_phase_named or index.eager_training or len([a for a in call.args if a.keyword is None]) > 1 \
                or any(a.star or (a.keyword is not None and a.keyword.value == "training") for a in call.args):
            return False
        built = call.func if isinstance(call.func, cst.Call) else None
        if built is not None and any(a.keyword is not None and a.keyword.value == "trainable" for a in built.args):
            return False  # `BatchNormalization(trainable=False)(x)`: frozen on purpose
        if self._builds_keras_model():
            return False  # layers of a functional `Model(inputs, outputs)`: its call (or fit) gives `training`
        # a Keras Layer / Model subclass (or a library class slimlint cannot read): the outer call gives `training`
        return func.class_name is None or not self.foreign_ancestor(func.class_name, index)

    def _builds_keras_model(self) -> bool:
        """Does this file assemble a Keras model (`tf.keras.Input`, `Model(inputs, outputs)`, `Sequential`)?"""
        memo = self.__dict__.get("_keras_model_memo")
        if memo is None:
            own = set(self.builder.classes) | {f.name for f in self.functions}
            memo = any(self._keras_model_call(call, own) for call in find_all(self.module, cst.Call))
            self.__dict__["_keras_model_memo"] = memo
        return memo

    def _keras_model_call(self, call: cst.Call, own: set) -> bool:
        canonical = self.canonical(call.func) or ""
        if canonical.rsplit(".", 1)[-1] in _KERAS_MODEL_BUILDERS and "keras" in canonical:
            return True
        # `from tensorflow.keras.models import *`, then `Model(inputs=..., outputs=...)`: a name no import resolves
        return isinstance(call.func, cst.Name) and call.func.value in _KERAS_MODEL_BUILDERS and call.func.value not in own \
            and not canonical


    def _names_keras_batch_norm(self) -> bool:
        return any(keras_batch_norm_named(self.canonical(node))
                   for kind in (cst.Attribute, cst.Name) for node in find_all(self.module, kind))


def _one_program(fixed: Tuple[str, str], switch: Tuple[str, str], index: ProjectIndex) -> bool:
    """Do the phase fixed in `fixed` and the switch in `switch` run in one program: one module (its functions and
    its module code) reaches both? A switch in a method counts where its class is constructed (a model object
    handed to a helper that validates with it)."""
    owner = switch[1].rsplit(".", 1)[0] + ".__init__" if "." in switch[1] else None
    for module, functions in index.modules.items():
        roots = {(module, qual) for qual in functions} | {(module, MODULE_CODE)}
        reach = index.reached_from(roots)
        if fixed in reach and (switch in reach or (owner is not None and (switch[0], owner) in reach)):
            return True
    return False
