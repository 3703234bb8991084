"""One trainer for every model, tensor batching, and the saved model artifact."""

from __future__ import annotations

import numpy as np
import polars as pl

from ctrflow.training.artifact import ModelArtifact
from ctrflow.training.data import TensorSet, to_tensors
from ctrflow.training.loss import TrainingLoss
from ctrflow.training.trainer import (
    TrainingError,
    fit,
    predict_logits,
    resolve_device,
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


__all__ = [
    "ModelArtifact",
    "TensorSet",
    "TrainingError",
    "TrainingLoss",
    "fit",
    "predict_logits",
    "predict_proba",
    "resolve_device",
    "to_tensors",
]
