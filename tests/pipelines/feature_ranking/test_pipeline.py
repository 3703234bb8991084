"""The feature-ranking node, and the pipeline run by Kedro's runner."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
import yaml
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from kedro.validation import ParameterValidationError, ParameterValidator, TypeExtractor

from ctrflow.demo_data import CATEGORICAL, LABEL, NUMERIC, PLANTED, generate_demo_logs
from ctrflow.params import DatasetSchema, FeatureRankingParams, SelectionParams
from ctrflow.pipelines.feature_ranking import create_pipeline
from ctrflow.pipelines.feature_ranking.nodes import rank_features
from ctrflow.quality import DataQualityError

_CONF = Path(__file__).resolve().parents[3] / "conf" / "base"
_OUTPUTS = ["feature_ranking", "selected_features", "feature_ranking_plot"]


@pytest.fixture(scope="module")
def train_table() -> pl.DataFrame:
    logs = generate_demo_logs(rows=20_000, seed=1)
    return logs.with_columns(
        pl.col(LABEL).cast(pl.Int8),
        pl.col(NUMERIC).cast(pl.Float64),
        pl.col(CATEGORICAL).cast(pl.String),
    )


@pytest.fixture
def schema() -> DatasetSchema:
    return DatasetSchema(label=LABEL, categorical=CATEGORICAL, numeric=NUMERIC)


@pytest.fixture
def passed_report() -> dict:
    return {"success": True, "blocking_failures": [], "warnings": []}


@pytest.fixture
def failed_report() -> dict:
    failure = {
        "split": "train",
        "expectation": "expect_column_values_to_be_in_set",
        "check": "label_values",
        "column": "label",
        "kwargs": {"column": "label", "value_set": [0, 1]},
        "severity": "blocking",
        "success": False,
        "observed_value": None,
        "element_count": 20_000,
        "unexpected_count": 3,
        "unexpected_percent": 0.015,
        "unexpected_examples": [2],
        "exception": None,
    }
    return {"success": False, "blocking_failures": [failure], "warnings": []}


def _catalog(train_table, report, schema, params) -> DataCatalog:
    return DataCatalog(
        {
            "train_table": MemoryDataset(train_table),
            "data_quality_report": MemoryDataset(report),
            "params:schema": MemoryDataset(schema),
            "params:feature_ranking": MemoryDataset(params),
        }
    )


def test_rank_features_node(train_table, passed_report, schema):
    params = FeatureRankingParams(selection=SelectionParams(top_k=5))

    ranking, selected, figure = rank_features(
        train_table, passed_report, schema, params
    )

    assert ranking.height == len(schema.features)
    assert ranking["selected"].sum() == 5
    assert selected == ranking.filter("selected").sort("rank")["feature"].to_list()
    assert PLANTED["constant"][0] not in selected
    assert isinstance(figure, go.Figure)


def test_node_does_not_change_its_inputs(train_table, passed_report, schema):
    before = train_table.clone()
    rank_features(train_table, passed_report, schema, FeatureRankingParams())
    assert train_table.equals(before)


def test_failed_data_quality_stops_the_node(train_table, failed_report, schema):
    with pytest.raises(DataQualityError, match="expect_column_values_to_be_in_set"):
        rank_features(train_table, failed_report, schema, FeatureRankingParams())


def test_unknown_always_keep_field_is_named(train_table, passed_report, schema):
    params = FeatureRankingParams(selection=SelectionParams(always_keep=["C99"]))
    with pytest.raises(ValueError, match="C99"):
        rank_features(train_table, passed_report, schema, params)


def test_pipeline_run(train_table, passed_report, schema):
    catalog = _catalog(train_table, passed_report, schema, FeatureRankingParams())

    SequentialRunner().run(create_pipeline(), catalog)

    ranking = catalog.load("feature_ranking")
    selected = catalog.load("selected_features")
    figure = catalog.load("feature_ranking_plot")
    assert ranking.columns[-1] == "selected"
    assert ranking["rank"].to_list() == list(range(1, 40))
    assert selected == [f for f in ranking["feature"] if f not in PLANTED["constant"]]
    assert isinstance(figure, go.Figure)


def test_pipeline_run_stops_on_failed_data_quality(train_table, failed_report, schema):
    catalog = _catalog(train_table, failed_report, schema, FeatureRankingParams())

    with pytest.raises(DataQualityError, match="label_values"):
        SequentialRunner().run(create_pipeline(), catalog)

    assert not catalog.exists("feature_ranking")


def test_outputs_round_trip_through_the_project_catalog(
    tmp_path, train_table, passed_report, schema
):
    entries = yaml.safe_load((_CONF / "catalog.yml").read_text())
    config = {
        name: {
            **entries[name],
            "filepath": str(tmp_path / Path(entries[name]["filepath"]).name),
        }
        for name in _OUTPUTS
    }
    catalog = DataCatalog.from_config(config)
    outputs = rank_features(train_table, passed_report, schema, FeatureRankingParams())

    for name, value in zip(_OUTPUTS, outputs, strict=True):
        catalog.save(name, value)

    ranking = catalog.load("feature_ranking")
    assert ranking["feature"].to_list() == outputs[0]["feature"].to_list()
    assert ranking["selected"].to_list() == outputs[0]["selected"].to_list()
    assert catalog.load("selected_features") == outputs[1]
    assert len(catalog.load("feature_ranking_plot").data) == 2


def test_parameters_file_and_node_types():
    """Kedro instantiates params:feature_ranking as FeatureRankingParams."""
    pipeline = create_pipeline()
    assert TypeExtractor(
        {"feature_ranking": pipeline}
    ).extract_types_from_pipelines() == {
        "schema": DatasetSchema,
        "feature_ranking": FeatureRankingParams,
    }
    raw = {
        **yaml.safe_load((_CONF / "parameters.yml").read_text()),
        **yaml.safe_load((_CONF / "parameters_feature_ranking.yml").read_text()),
    }
    validated = ParameterValidator({"feature_ranking": pipeline}).validate_raw_params(
        raw
    )
    assert validated["feature_ranking"] == FeatureRankingParams()

    raw["feature_ranking"]["selection"]["top_n"] = 5
    with pytest.raises(ParameterValidationError, match="top_n"):
        ParameterValidator({"feature_ranking": pipeline}).validate_raw_params(raw)
