"""A trained model packed with what it needs to score new rows on its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from torch import nn

from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.models import build_model, config_type
from ctrflow.training.data import to_tensors
from ctrflow.training.trainer import predict_logits, resolve_device


@dataclass
class ModelArtifact:
    """The unit the catalog versions under ``model``.

    Attributes:
        model: the trained module (on CPU once loaded).
        model_name: registry name, e.g. ``"DeepFM"``.
        model_config: the model's hyper-parameters (its typed block, dumped).
        feature_map: vocabularies, offsets and numeric transforms of the encoding.
        training_params: the trainer parameters it was trained with.
    """

    model: nn.Module
    model_name: str
    model_config: dict[str, Any]
    feature_map: FeatureMap
    training_params: dict[str, Any]

    def to_state(self) -> dict[str, Any]:
        return {
            "format": "ctrflow.model/1",
            "model_name": self.model_name,
            "model_config": self.model_config,
            "feature_map": self.feature_map.to_dict(),
            "training_params": self.training_params,
            "state_dict": {
                k: v.detach().cpu() for k, v in self.model.state_dict().items()
            },
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ModelArtifact:
        feature_map = FeatureMap.from_dict(state["feature_map"])
        config = config_type(state["model_name"])(**state["model_config"])
        model = build_model(state["model_name"], feature_map.field_spec, config)
        model.load_state_dict(state["state_dict"])
        model.eval()
        return cls(
            model=model,
            model_name=state["model_name"],
            model_config=state["model_config"],
            feature_map=feature_map,
            training_params=state["training_params"],
        )


def predict_proba(
    artifact: ModelArtifact,
    encoded: pl.DataFrame,
    batch_size: int = 65536,
    device: str = "auto",
) -> np.ndarray:
    """Click probabilities (float32, one per row, in order) for an encoded table."""
    data = to_tensors(encoded, artifact.feature_map)
    target = resolve_device(device)
    logits = predict_logits(artifact.model.to(target), data, batch_size, target)
    return (1.0 / (1.0 + np.exp(-logits.astype(np.float64)))).astype(np.float32)
