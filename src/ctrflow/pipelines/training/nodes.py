"""Training node: build the configured model and fit it with the shared trainer.

torch, the models and the trainer are imported inside the node (``PLC0415`` is
ignored for ``pipelines/*/nodes.py``), so registering the pipelines and
validating ``params:training`` load none of them.
"""

from __future__ import annotations

import polars as pl

from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.pipelines.hints import ModelArtifact
from ctrflow.training.params import TrainingParams


def train_model(
    train_encoded: pl.DataFrame,
    valid_encoded: pl.DataFrame,
    feature_map: dict,
    params: TrainingParams,
) -> tuple[ModelArtifact, dict]:
    """Train ``params.model`` with early stopping on validation AUC.

    Returns:
        The model artifact (weights + feature map + parameters, so it scores new
        data alone) and the training history.
    """
    import torch

    from ctrflow.models import build_model
    from ctrflow.training.artifact import ModelArtifact
    from ctrflow.training.data import to_tensors
    from ctrflow.training.trainer import fit

    encoding = FeatureMap.from_dict(feature_map)
    config = getattr(params.models, params.model)
    torch.manual_seed(params.seed)
    model = build_model(params.model, encoding.field_spec, config)
    model, history = fit(
        model,
        to_tensors(train_encoded, encoding),
        to_tensors(valid_encoded, encoding),
        params,
    )
    history["model"] = params.model
    artifact = ModelArtifact(
        model=model,
        model_name=params.model,
        model_config=config.model_dump(),
        feature_map=encoding,
        training_params=params.model_dump(mode="json"),
    )
    return artifact, history
