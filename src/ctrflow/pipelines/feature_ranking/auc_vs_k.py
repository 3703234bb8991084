"""Evidence for a selection: validation AUC of a quick model on the top-k fields.

For each k, a small model (a registry name, e.g. ``LR``) is trained with the shared
trainer (:func:`ctrflow.training.fit`) on the k best fields, encoded as feature
engineering encodes them, on a seeded row sample. The curve shows where more
fields stop helping, and what each costs in training time.
"""

from __future__ import annotations

import logging
import time

import polars as pl
import torch

from ctrflow.feature_engineering.encoding import encode_table, fit_feature_map
from ctrflow.feature_engineering.feature_map import CategoricalField, FeatureMap
from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.feature_ranking.params import AucVsKParams
from ctrflow.feature_ranking.ranking import sample_rows
from ctrflow.feature_ranking.selection import choose_top_k
from ctrflow.models import build_model
from ctrflow.schema import DatasetSchema
from ctrflow.training.batch_size import resolve_batch_size
from ctrflow.training.data import to_tensors
from ctrflow.training.params import TrainingParams
from ctrflow.training.trainer import fit

logger = logging.getLogger(__name__)

AUC_VS_K_SCHEMA: dict[str, pl.DataType] = {
    "k": pl.Int64(),
    "fields": pl.List(pl.String()),
    "valid_auc": pl.Float64(),
    "train_seconds": pl.Float64(),
    "epochs": pl.Int64(),
    "chosen": pl.Boolean(),
}
"""Columns of the table :func:`auc_vs_k` returns."""


def k_values(requested: list[int], available: int, chosen: int | None) -> list[int]:
    """The k to try: the requested ones that fit, the chosen k (a fixed
    ``top_k``; ``None`` for ``auto``) and all candidate fields.

    Example::

        >>> k_values([1, 4, 64], available=10, chosen=6)
        [1, 4, 6, 10]
        >>> k_values([1, 4, 64], available=10, chosen=None)
        [1, 4, 10]
    """
    wanted = {k for k in requested if k <= available} | {available}
    if chosen is not None:
        wanted.add(chosen)
    return sorted(k for k in wanted if k >= 1)


def auc_vs_k(
    train: pl.DataFrame | pl.LazyFrame,
    valid: pl.DataFrame | pl.LazyFrame,
    order: list[str],
    *,
    chosen_k: int | None,
    tolerance: float = 0.0,
    schema: DatasetSchema,
    encoding: FeatureEngineeringParams,
    training: TrainingParams,
    params: AucVsKParams,
) -> pl.DataFrame:
    """Train ``params.model`` on the top-k fields of ``order`` for each k.

    The encoding (vocabularies as in feature engineering) is fit once on the train
    sample for all fields of ``order``; each k then takes the first k fields with
    their ids renumbered into a smaller id space.

    Args:
        train: typed train table or scan (sampled to ``params.train_rows`` by
            :func:`ctrflow.feature_ranking.ranking.sample_rows`).
        valid: typed validation table or scan (sampled to ``params.valid_rows``).
        order: candidate fields, best first
            (:func:`ctrflow.feature_ranking.selection.candidate_fields`).
        chosen_k: how many candidates a fixed ``top_k`` keeps (marked in the
            table); ``None`` (``top_k: auto``) marks the k
            :func:`ctrflow.feature_ranking.selection.choose_top_k` picks.
        tolerance: ``selection.top_k_tolerance``, for ``auto``.
        schema: the dataset schema.
        encoding: feature-engineering parameters (``min_count``, numeric transform).
        training: the trainer's parameters; the model's hyper-parameters come
            from ``training.models``; epochs, batch size (``auto``: from the
            train sample's rows), learning rate, embedding regularizer and seed
            come from ``params``; the progress bar is off.
        params: the curve's settings.

    Returns:
        One row per k, columns as :data:`AUC_VS_K_SCHEMA`; empty when
        ``order`` is.
    """
    if not order:
        return pl.DataFrame(schema=AUC_VS_K_SCHEMA)
    train = sample_rows(train, params.train_rows, params.seed)
    valid = sample_rows(valid, params.valid_rows, params.seed)
    full_map = fit_feature_map(train, order, schema, encoding)
    train_encoded, valid_encoded = (
        encode_table(train, full_map),
        encode_table(valid, full_map),
    )
    batch_size, reason = resolve_batch_size(params.batch_size, train.height)
    logger.info("AUC-vs-k quick model: batch size %d (%s)", batch_size, reason)
    trainer = training.model_copy(
        update={
            "model": params.model,
            "max_epochs": params.max_epochs,
            "batch_size": batch_size,
            "learning_rate": params.learning_rate,
            "embedding_regularizer": params.embedding_regularizer,
            "seed": params.seed,
            "progress_bar": False,
        }
    )
    config = getattr(training.models, params.model)
    rows = []
    for k in k_values(params.k, len(order), chosen_k):
        feature_map = _subset(full_map, order[:k])
        start = time.perf_counter()
        torch.manual_seed(params.seed)
        model = build_model(params.model, feature_map.field_spec, config)
        _, history = fit(
            model,
            to_tensors(_renumber(train_encoded, full_map, feature_map), feature_map),
            to_tensors(_renumber(valid_encoded, full_map, feature_map), feature_map),
            trainer,
        )
        rows.append(
            {
                "k": k,
                "fields": order[:k],
                "valid_auc": history["best_valid_auc"],
                "train_seconds": time.perf_counter() - start,
                "epochs": len(history["epochs"]),
            }
        )
    if chosen_k is None:
        chosen_k = choose_top_k([(r["k"], r["valid_auc"]) for r in rows], tolerance)
    for row in rows:
        row["chosen"] = row["k"] == chosen_k
    return pl.DataFrame(rows, schema=AUC_VS_K_SCHEMA)


def _subset(feature_map: FeatureMap, names: list[str]) -> FeatureMap:
    """The feature map of some of its fields, offsets laid end to end again."""
    wanted = set(names)
    fields, offset = [], 0
    for field in feature_map.categorical:
        if field.name in wanted:
            fields.append(
                CategoricalField(
                    field.name, field.vocabulary, offset, field.source, field.parents
                )
            )
            offset += field.size
    numeric = [f for f in feature_map.numeric if f.name in wanted]
    return FeatureMap(label=feature_map.label, categorical=fields, numeric=numeric)


def _renumber(
    encoded: pl.DataFrame, full: FeatureMap, subset: FeatureMap
) -> pl.DataFrame:
    """Columns of ``subset`` from a table encoded with ``full``, ids shifted."""
    old = {f.name: f.offset for f in full.categorical}
    return encoded.select(
        pl.col(full.label),
        *[
            (pl.col(f.name) - old[f.name] + f.offset).cast(pl.Int32)
            for f in subset.categorical
        ],
        *[pl.col(f.name) for f in subset.numeric],
    )
