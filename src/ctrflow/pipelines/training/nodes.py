"""Training node: build the configured model and fit it with the shared trainer.

torch, the models and the trainer are imported inside the node (``PLC0415`` is
ignored for ``pipelines/*/nodes.py``), so registering the pipelines and
validating ``params:training`` load none of them.
"""

from __future__ import annotations

import logging

import polars as pl

from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.pipelines.hints import ModelArtifact
from ctrflow.schema import DatasetSchema
from ctrflow.training.batch_size import resolve_batch_size
from ctrflow.training.params import TrainingParams

logger = logging.getLogger(__name__)


def train_model(
    train_encoded: pl.DataFrame,
    valid_encoded: pl.DataFrame,
    feature_map: dict,
    params: TrainingParams,
    schema: DatasetSchema,
) -> tuple[ModelArtifact, dict]:
    """Train ``params.model`` with early stopping on validation AUC.

    ``batch_size: auto`` is resolved here, where the train row count is known
    (:func:`ctrflow.training.batch_size.auto_batch_size`), and logged.

    Args:
        train_encoded: the encoded train split.
        valid_encoded: the encoded valid split (early stopping, and the score
            distribution the scoring report compares new probabilities with).
        feature_map: the encoding (``FeatureMap.to_dict``).
        params: the trainer's parameters.
        schema: the dataset schema, stored in the artifact so that scoring types
            new rows as ingestion typed these.

    Returns:
        The model artifact (weights + feature map + parameters with the resolved
        batch size + schema + the scoring reference, so it scores new data alone)
        and the training history (with ``batch_size``, the value trained with).
    """
    import torch

    from ctrflow.models import build_model
    from ctrflow.scoring.reference import reference_profile
    from ctrflow.training.artifact import ModelArtifact, predict_proba
    from ctrflow.training.data import to_tensors
    from ctrflow.training.trainer import fit

    batch_size, reason = resolve_batch_size(params.batch_size, train_encoded.height)
    logger.info(
        "batch size %d (%s); set training.batch_size in "
        "conf/<env>/parameters_training.yml to override",
        batch_size, reason,
    )  # fmt: skip
    params = params.model_copy(update={"batch_size": batch_size})
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
    history["batch_size"] = batch_size
    artifact = ModelArtifact(
        model=model,
        model_name=params.model,
        model_config=config.model_dump(),
        feature_map=encoding,
        training_params=params.model_dump(mode="json"),
        schema=schema.model_dump(mode="json"),
    )
    held_out = predict_proba(
        artifact, valid_encoded, batch_size=params.batch_size, device=params.device
    )
    artifact.reference = reference_profile(train_encoded, encoding, held_out)
    return artifact, history
