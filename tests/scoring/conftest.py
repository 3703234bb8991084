"""A small model artifact with a stored schema and reference, for the scoring
library's tests (untrained weights: the tests compare code paths, not quality)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest
import torch

from ctrflow.feature_engineering.encoding import encode_table, fit_feature_map
from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.models import build_model, config_type
from ctrflow.schema import DatasetSchema
from ctrflow.scoring.reference import reference_profile
from ctrflow.training.artifact import ModelArtifact, predict_proba


def _artifact(
    table: pl.DataFrame, schema: DatasetSchema, selected: list[str]
) -> ModelArtifact:
    feature_map = fit_feature_map(table, selected, schema, FeatureEngineeringParams())
    torch.manual_seed(0)
    config = config_type("DeepFM")(hidden_units=[8], net_dropout=0.0)
    model = build_model("DeepFM", feature_map.field_spec, config).eval()
    artifact = ModelArtifact(
        model=model,
        model_name="DeepFM",
        model_config=config.model_dump(),
        feature_map=feature_map,
        training_params={},
        schema=schema.model_dump(mode="json"),
    )
    encoded = encode_table(table, feature_map)
    artifact.reference = reference_profile(
        encoded, feature_map, predict_proba(artifact, encoded, device="cpu")
    )
    return artifact


@pytest.fixture(scope="session")
def make_artifact() -> Callable[
    [pl.DataFrame, DatasetSchema, list[str]], ModelArtifact
]:
    """``make_artifact(typed_table, schema, selected)``: a DeepFM artifact whose
    feature map is fit on ``typed_table``, with its schema and reference stored."""
    return _artifact


@pytest.fixture(scope="session")
def demo_artifact(typed_demo_table, demo_schema) -> ModelArtifact:
    """A DeepFM artifact of 2,000 demo rows on C1..C4, I1, I2 (log-bucketed)."""
    return _artifact(
        typed_demo_table(2_000), demo_schema, ["C1", "C2", "C3", "C4", "I1", "I2"]
    )


@pytest.fixture(scope="session")
def demo_raw() -> Callable[[int], pl.DataFrame]:
    """``demo_raw(rows, seed=11)``: generated demo logs as a text file holds them
    (every column a string, missing = null), label included."""
    from ctrflow.demo_data import generate_demo_logs  # noqa: PLC0415

    def raw(rows: int, seed: int = 11) -> pl.DataFrame:
        return generate_demo_logs(rows, seed).with_columns(pl.all().cast(pl.String))

    return raw
