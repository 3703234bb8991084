"""The AUC-vs-k evidence: candidate order, k values, a quick model per k, the plot."""

from __future__ import annotations

import plotly.io as pio
import polars as pl
import pytest

from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.feature_ranking.params import (
    AucVsKParams,
    FeatureRankingParams,
)
from ctrflow.feature_ranking.plots import plot_auc_vs_k
from ctrflow.feature_ranking.ranking import rank_features
from ctrflow.pipelines.feature_ranking.auc_vs_k import (
    AUC_VS_K_SCHEMA,
    auc_vs_k,
    k_values,
)
from ctrflow.training.params import TrainingParams

QUICK = AucVsKParams(
    k=[1, 3], train_rows=8_000, valid_rows=4_000, max_epochs=1, batch_size=512
)


def test_k_values_keep_the_chosen_k_and_all_fields():
    assert k_values([1, 2, 50], available=10, chosen=4) == [1, 2, 4, 10]
    assert k_values([], available=3, chosen=0) == [3]
    assert k_values([1, 2, 50], available=10, chosen=None) == [1, 2, 10]  # auto


@pytest.fixture(scope="module")
def curve(demo_table, demo_schema) -> pl.DataFrame:
    train, valid = demo_table[:14_000], demo_table[14_000:]
    order = rank_features(train, demo_schema, FeatureRankingParams())
    order = order.filter(pl.col("cardinality") > 1)["feature"].to_list()[:8]
    return auc_vs_k(
        train,
        valid,
        order,
        chosen_k=5,
        schema=demo_schema,
        encoding=FeatureEngineeringParams(),
        training=TrainingParams(progress_bar=False),
        params=QUICK,
    )


def test_one_row_per_k_with_auc_and_seconds(curve):
    assert curve.schema == pl.Schema(AUC_VS_K_SCHEMA)
    assert curve["k"].to_list() == [1, 3, 5, 8]
    assert curve["chosen"].to_list() == [False, False, True, False]
    assert curve["fields"].list.len().to_list() == [1, 3, 5, 8]
    assert (curve["train_seconds"] > 0).all()
    assert (curve["epochs"] == 1).all()
    aucs = curve["valid_auc"].to_list()
    assert 0.55 < aucs[0] < aucs[-1] < 1.0  # more good fields help


def test_same_seed_same_curve(demo_table, curve, demo_schema):
    train, valid = demo_table[:14_000], demo_table[14_000:]
    again = auc_vs_k(
        train,
        valid,
        curve["fields"][-1].to_list(),
        chosen_k=5,
        schema=demo_schema,
        encoding=FeatureEngineeringParams(),
        training=TrainingParams(progress_bar=False),
        params=QUICK.model_copy(update={"k": [1]}),
    )
    assert again["valid_auc"][0] == curve["valid_auc"][0]


def test_auto_marks_the_smallest_k_within_the_tolerance(demo_table, demo_schema):
    train, valid = demo_table[:14_000], demo_table[14_000:]
    order = rank_features(train, demo_schema, FeatureRankingParams())
    order = order.filter(pl.col("cardinality") > 1)["feature"].to_list()[:6]
    curve = auc_vs_k(
        train,
        valid,
        order,
        chosen_k=None,
        tolerance=0.01,
        schema=demo_schema,
        encoding=FeatureEngineeringParams(),
        training=TrainingParams(progress_bar=False),
        params=QUICK.model_copy(update={"batch_size": "auto"}),
    )
    points = curve.select("k", "valid_auc").rows()
    best = max(auc for _, auc in points)
    expected = min(k for k, auc in points if auc >= best - 0.01)
    assert curve["k"].to_list() == [1, 3, 6]  # no fixed k: the list and all
    assert curve.filter("chosen")["k"].to_list() == [expected]


def test_plot_marks_the_chosen_k_and_round_trips(curve):
    figure = plot_auc_vs_k(curve, "LR")
    auc, seconds = figure.data
    assert (auc.name, seconds.name) == ("validation AUC", "training seconds")
    assert list(auc.x) == [1, 3, 5, 8]
    assert [shape.x0 for shape in figure.layout.shapes] == [5]
    assert pio.from_json(figure.to_json()).data[0].name == "validation AUC"


def test_plot_of_an_empty_curve_says_it_was_not_computed():
    figure = plot_auc_vs_k(pl.DataFrame(schema=AUC_VS_K_SCHEMA), "LR")
    assert not figure.data
    assert "not computed" in figure.layout.title.text


def test_k_must_be_positive():
    with pytest.raises(ValueError, match="k values must be at least 1"):
        AucVsKParams(k=[0, 2])
