"""From the model name used in parameters to its class and config."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from torch import nn

from ctrflow.models.deepfm import DeepFM, DeepFMConfig
from ctrflow.models.layers import FieldSpec
from ctrflow.models.lr import LR, LRConfig
from ctrflow.strict import StrictParams

ModelName = Literal["LR", "DeepFM"]

MODELS: dict[str, type[nn.Module]] = {"LR": LR, "DeepFM": DeepFM}


class ModelsConfig(StrictParams):
    """Hyper-parameters of every registered model, one typed block each."""

    LR: LRConfig = Field(default_factory=LRConfig)
    DeepFM: DeepFMConfig = Field(default_factory=DeepFMConfig)


def build_model(name: str, spec: FieldSpec, config: StrictParams) -> nn.Module:
    """Instantiate a registered model.

    Raises:
        KeyError: ``name`` is not registered (the message lists the names).
    """
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}; registered models: {sorted(MODELS)}")
    return MODELS[name](spec, config)
