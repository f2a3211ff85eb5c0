"""The rule registry."""

from __future__ import annotations

from typing import Dict, List, Type

from slimlint.rules.base import Rule
from slimlint.rules.sl101_missing_update_ops import MissingUpdateOps
from slimlint.rules.sl102_minimize_instead_of_create_train_op import MinimizeInsteadOfCreateTrainOp
from slimlint.rules.sl103_update_ops_collected_too_early import UpdateOpsCollectedTooEarly
from slimlint.rules.sl104_update_ops_not_wired import UpdateOpsNotWired
from slimlint.rules.sl105_update_ops_on_loss import UpdateOpsOnLoss
from slimlint.rules.sl106_unscoped_update_ops import UnscopedUpdateOps
from slimlint.rules.sl201_training_mode_in_eval import TrainingModeInEval
from slimlint.rules.sl202_layers_bn_without_training import LayersBatchNormWithoutTraining
from slimlint.rules.sl203_keras_bn_in_session import KerasBatchNormInSession
from slimlint.rules.sl204_create_train_op_without_update_ops import CreateTrainOpWithoutUpdateOps
from slimlint.rules.sl205_saver_drops_moving_statistics import SaverDropsMovingStatistics
from slimlint.rules.sl206_estimator_constant_training import EstimatorConstantTraining
from slimlint.rules.sl207_mode_placeholder_not_passed import ModePlaceholderNotPassed
from slimlint.rules.sl208_dropout_in_eval import DropoutInEval
from slimlint.rules.sl209_mode_argument_ignored import ModeArgumentIgnored
from slimlint.rules.sl900_syntax_error import SyntaxError_
from slimlint.rules.sl901_unused_noqa import UnusedNoqa

ALL_RULES: List[Type[Rule]] = [
    MissingUpdateOps,
    MinimizeInsteadOfCreateTrainOp,
    UpdateOpsCollectedTooEarly,
    UpdateOpsNotWired,
    UpdateOpsOnLoss,
    UnscopedUpdateOps,
    TrainingModeInEval,
    LayersBatchNormWithoutTraining,
    KerasBatchNormInSession,
    CreateTrainOpWithoutUpdateOps,
    SaverDropsMovingStatistics,
    EstimatorConstantTraining,
    ModePlaceholderNotPassed,
    DropoutInEval,
    ModeArgumentIgnored,
    SyntaxError_,
    UnusedNoqa,
]
BY_CODE: Dict[str, Type[Rule]] = {r.code: r for r in ALL_RULES}
SYNTAX_ERROR = SyntaxError_
UNUSED_NOQA = UnusedNoqa
