"""CTR models: each maps a batch (ids, numerics) to one logit per row."""

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import FieldSpec
from ctrflow.models.registry import MODELS, ModelName, ModelsConfig, build_model

__all__ = [
    "MODELS",
    "FieldSpec",
    "ModelConfig",
    "ModelName",
    "ModelsConfig",
    "build_model",
]
