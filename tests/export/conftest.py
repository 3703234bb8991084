"""Demo-shaped feature maps, encoded tables and models for the export tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl
import pytest
import torch

from ctrflow.feature_engineering.feature_map import (
    FIRST_VALUE_ID,
    CategoricalField,
    FeatureMap,
    NumericField,
    SequenceField,
)
from ctrflow.models import ModelsConfig, build_model
from ctrflow.training.artifact import ModelArtifact
from ctrflow.training.data import to_tensors


def _feature_map(sequence: bool = False) -> FeatureMap:
    """The demo's shape, smaller: 26 categorical fields of 5-30 values, 13
    numerics; with ``sequence``, a 6-step history over ``C1``'s vocabulary."""
    rng = np.random.default_rng(0)
    fields, offset = [], 0
    for index in range(26):
        size = int(rng.integers(5, 31))
        fields.append(
            CategoricalField(f"C{index + 1}", [f"v{k}" for k in range(size)], offset)
        )
        offset += size + FIRST_VALUE_ID
    numeric = [NumericField(f"I{k + 1}", "log1p", 0.5, 1.5) for k in range(13)]
    sequences = [SequenceField("history", "C1", 6)] if sequence else []
    return FeatureMap("label", fields, numeric, sequences)


def _encoded(feature_map: FeatureMap, rows: int, seed: int = 1) -> pl.DataFrame:
    """A random encoded table as ``encode_table`` writes it (OOV ids and padded
    sequences included)."""
    rng = np.random.default_rng(seed)
    columns = {feature_map.label: pl.Series(rng.integers(0, 2, rows), dtype=pl.Int8)}
    for f in feature_map.categorical:
        values = rng.integers(f.offset + 1, f.offset + f.size, rows)
        columns[f.name] = pl.Series(values, dtype=pl.Int32)
    for f in feature_map.numeric:
        columns[f.name] = pl.Series(rng.standard_normal(rows), dtype=pl.Float32)
    for s in feature_map.sequence:
        target = feature_map.categorical_field(s.vocabulary_of)
        steps = rng.integers(
            target.offset + 1, target.offset + target.size, (rows, s.max_length)
        )
        lengths = rng.integers(0, s.max_length + 1, rows)
        steps[np.arange(s.max_length) >= lengths[:, None]] = target.offset
        columns[s.name] = pl.Series(steps.tolist(), dtype=pl.List(pl.Int32))
    return pl.DataFrame(columns)


@pytest.fixture(scope="session")
def demo_feature_map() -> Callable[..., FeatureMap]:
    """``demo_feature_map(sequence=False)``: 26 categorical fields, 13 numerics."""
    return _feature_map


@pytest.fixture(scope="session")
def random_encoded() -> Callable[..., pl.DataFrame]:
    """``random_encoded(feature_map, rows, seed=1)``: a random encoded table."""
    return _encoded


@pytest.fixture(scope="session")
def make_artifact(small_models) -> Callable[..., ModelArtifact]:
    """``make_artifact(name, sequence=False)``: the model's small test config on
    ``demo_feature_map``, embeddings at trained scale (N(0, 0.05^2)) and, for a
    model with batch-norm, its running statistics moved by training-mode forward
    passes; in eval mode."""

    def make(name: str, sequence: bool = False) -> ModelArtifact:
        feature_map = _feature_map(sequence)
        torch.manual_seed(0)
        defaults = getattr(ModelsConfig(), name)
        config = type(defaults).model_validate(
            {**defaults.model_dump(), **small_models[name]}
        )
        model = build_model(name, feature_map.field_spec, config)
        with torch.no_grad():
            for parameter_name, parameter in model.named_parameters():
                if "embedding" in parameter_name or "numeric_vectors" in parameter_name:
                    parameter.normal_(0.0, 0.05)
            model.train()
            model(to_tensors(_encoded(feature_map, 256, seed=9), feature_map))
        model.eval()
        return ModelArtifact(model, name, config.model_dump(), feature_map, {})

    return make
