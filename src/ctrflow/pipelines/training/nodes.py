"""Training node: build the configured model and fit it with the shared trainer.

torch, the models and the trainer are imported inside the node (``PLC0415`` is
ignored for ``pipelines/*/nodes.py``), so registering the pipelines and
validating ``params:training`` load none of them.
"""

from __future__ import annotations

import logging
from pathlib import Path

import polars as pl

from ctrflow.evaluation.params import BaselineParams, EvaluationParams
from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.pipelines.hints import ModelArtifact
from ctrflow.sampling import row_count, seeded_sample
from ctrflow.schema import DatasetSchema
from ctrflow.training.batch_size import resolve_batch_size
from ctrflow.training.params import TrainingParams

logger = logging.getLogger(__name__)
REFERENCE_ROWS = 1_000_000
"""Rows of a lazy train split the scoring reference is profiled on."""


def train_model(  # noqa: PLR0917 (Kedro passes node inputs positionally)
    train_encoded: pl.DataFrame,
    valid_encoded: pl.DataFrame,
    feature_map: dict,
    params: TrainingParams,
    schema: DatasetSchema,
    evaluation: EvaluationParams,
) -> tuple[ModelArtifact, dict]:
    """Train ``params.model`` with early stopping on validation AUC.

    ``batch_size: auto`` and ``baseline_floor: auto`` are resolved here, where
    the train row count is known (:mod:`ctrflow.training.batch_size`,
    :mod:`ctrflow.training.baseline_floor`), and logged. The floor fits the
    evaluation's logistic-regression yardstick on the same splits (well under a
    second on the small data it applies to), writes it into a fresh copy of the
    model's first-order term and keeps that copy when it validates better than
    the trained model. With ``checkpoint_dir`` set, ``fit`` checkpoints each
    epoch to ``<checkpoint_dir>/<model>.ckpt`` and a rerun of the same run
    resumes there (:mod:`ctrflow.training.checkpoint`).

    Args:
        train_encoded: the encoded train split.
        valid_encoded: the encoded valid split (early stopping, and the score
            distribution the scoring report compares new probabilities with).
        feature_map: the encoding (``FeatureMap.to_dict``).
        params: the trainer's parameters.
        schema: the dataset schema, stored in the artifact so that scoring types
            new rows as ingestion typed these.
        evaluation: its ``baseline`` is the yardstick of the floor.

    Returns:
        The model artifact (weights + feature map + parameters with the resolved
        batch size + schema + the scoring reference, so it scores new data alone)
        and the training history (with ``batch_size``, the value trained with, and
        ``baseline_floor``: None when off, else ``C``, ``baseline_valid_auc``,
        ``model_valid_auc`` (the regression in the model) and ``applied``).
    """
    import torch

    from ctrflow.models import build_model
    from ctrflow.scoring.reference import reference_profile
    from ctrflow.training.artifact import ModelArtifact, predict_proba
    from ctrflow.training.baseline_floor import resolve_baseline_floor
    from ctrflow.training.trainer import fit, validation_auc

    train_rows = row_count(train_encoded)
    batch_size, reason = resolve_batch_size(params.batch_size, train_rows)
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
    floor, reason = resolve_baseline_floor(
        params.baseline_floor, train_rows, model, bool(encoding.sequence)
    )
    logger.info(
        "baseline floor: %s (%s); set training.baseline_floor in "
        "conf/<env>/parameters_training.yml to override",
        "on" if floor else "off", reason,
    )  # fmt: skip
    train_tensors, valid_tensors = (
        _split(train_encoded, encoding, params),
        _split(valid_encoded, encoding, params),
    )
    checkpoint = None
    if params.checkpoint_dir is not None:
        checkpoint = Path(params.checkpoint_dir) / f"{params.model}.ckpt"
    model, history = fit(model, train_tensors, valid_tensors, params, checkpoint)
    history["model"] = params.model
    history["batch_size"] = batch_size
    history["baseline_floor"] = None
    if floor:
        torch.manual_seed(params.seed)  # the fresh copy's other parts: as trained from
        regression = build_model(params.model, encoding.field_spec, config)
        history["baseline_floor"] = _load_baseline(
            regression, train_encoded, valid_encoded, encoding, evaluation.baseline
        )
        regression_auc = validation_auc(regression, valid_tensors, params)
        kept = regression_auc > history["best_valid_auc"]
        history["baseline_floor"].update(
            {"model_valid_auc": regression_auc, "applied": kept}
        )
        logger.log(
            logging.WARNING if kept else logging.INFO,
            "baseline floor: %s's best epoch %d reached valid AUC %.5f, the logistic "
            "regression in its first-order term %.5f: %s",
            params.model, history["best_epoch"], history["best_valid_auc"],
            regression_auc, "the regression is kept" if kept else "the trained model is kept",
        )  # fmt: skip
        if kept:
            model = regression.eval()
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
    # a lazy split's distributions from a sample of REFERENCE_ROWS (deciles and
    # shares: a million rows pin them to about 0.1%)
    profiled = seeded_sample(train_encoded, REFERENCE_ROWS, params.seed)
    artifact.reference = reference_profile(profiled, encoding, held_out)
    if isinstance(train_encoded, pl.LazyFrame):
        artifact.reference["rows"] = train_rows
    return artifact, history


def _split(encoded: pl.DataFrame | pl.LazyFrame, encoding: FeatureMap, params):
    """An encoded split as the trainer takes it: tensors of a table in memory, a
    ``ShardedSplit`` (read a window at a time) of a lazy scan."""
    from ctrflow.training.data import to_tensors
    from ctrflow.training.shards import ShardedSplit

    if isinstance(encoded, pl.LazyFrame):
        return ShardedSplit(encoded, encoding, params.window_rows, params.chunk_rows)
    return to_tensors(encoded, encoding)


def _load_baseline(
    model,
    train_encoded: pl.DataFrame,
    valid_encoded: pl.DataFrame,
    encoding: FeatureMap,
    params: BaselineParams,
) -> dict:
    """Fit the yardstick, write its coefficients into ``model``'s linear term;
    returns its ``C`` and validation AUC."""
    from ctrflow.evaluation.baseline import fit_baseline
    from ctrflow.training.baseline_floor import load_linear_weights

    fitted = fit_baseline(train_encoded, valid_encoded, encoding, params)
    # design-matrix columns: one per global id, then one per numeric field (no
    # sequence blocks: resolve_baseline_floor refuses sequences)
    coef = fitted.model.coef_[0]
    vocab = encoding.vocab_size
    load_linear_weights(
        model, coef[:vocab], coef[vocab:], float(fitted.model.intercept_[0])
    )
    return {"C": fitted.c, "baseline_valid_auc": fitted.valid_auc.auc}
