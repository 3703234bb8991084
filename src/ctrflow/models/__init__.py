"""CTR models: each maps a ``Batch`` (``ctrflow.models.batch``) to a ``ModelOutput``
holding its logits, one per row (and task).

Importing this package imports no torch: the names below come from the torch-free
registry; a model's module (and torch) loads when ``build_model`` builds it.
"""

from ctrflow.models.config import ModelConfig, register
from ctrflow.models.registry import (
    BARS_NAMES,
    MODEL_NAMES,
    MODELS,
    ModelName,
    ModelsConfig,
    build_model,
    config_type,
)
from ctrflow.schema import FieldSpec, SequenceSpec

__all__ = [
    "BARS_NAMES",
    "MODELS",
    "MODEL_NAMES",
    "FieldSpec",
    "ModelConfig",
    "ModelName",
    "ModelsConfig",
    "SequenceSpec",
    "build_model",
    "config_type",
    "register",
]
