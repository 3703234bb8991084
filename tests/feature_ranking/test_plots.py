"""The ranking bar chart."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from ctrflow.feature_ranking.plots import plot_auc_vs_k, plot_feature_scores


def _ranking() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "feature": ["a", "b", "c"],
            "kind": ["categorical", "numeric", "categorical"],
            "cardinality": [10, 33, 150_000],
            "mutual_information": [0.05, 0.02, 0.6],
            "cardinality_correction": [0.001, 0.0005, 0.5995],
            "score": [0.049, 0.0195, 0.0005],
            "rank": [1, 2, 3],
            "selected": [True, True, False],
        }
    )


def test_two_colours_best_on_top_cardinality_in_hover():
    figure = plot_feature_scores(_ranking())

    assert isinstance(figure, go.Figure)
    selected, rest = figure.data
    assert (selected.name, rest.name) == ("selected", "not selected")
    assert selected.orientation == rest.orientation == "h"
    assert selected.marker.color != rest.marker.color
    assert list(selected.y) == ["a", "b"]
    assert list(selected.x) == [0.049, 0.0195]
    assert list(rest.y) == ["c"]
    # plotly draws the first category at the bottom: best last = on top
    assert list(figure.layout.yaxis.categoryarray) == ["c", "b", "a"]
    assert "cardinality %{customdata[1]:,}" in selected.hovertemplate
    assert [tuple(row) for row in rest.customdata] == [(3, 150_000, 0.6, 0.5995)]


def test_round_trips_through_json():
    """The catalog stores it with plotly.JSONDataset."""
    figure = plot_feature_scores(_ranking())
    assert pio.from_json(figure.to_json()).data[0].y == ("a", "b")


def test_hover_names_the_field_a_redundant_one_duplicates():
    ranking = _ranking().with_columns(
        redundant_with=pl.Series([None, "a", None], dtype=pl.String)
    )
    selected, rest = plot_feature_scores(ranking).data
    assert "%{customdata[4]}" in selected.hovertemplate
    assert [row[4] for row in selected.customdata] == ["", "<br>redundant with a"]


def test_auc_vs_k_plot_has_two_axes():
    curve = pl.DataFrame(
        {
            "k": [1, 2],
            "fields": [["a"], ["a", "b"]],
            "valid_auc": [0.7, 0.75],
            "train_seconds": [0.5, 0.6],
            "epochs": [2, 2],
            "chosen": [False, True],
        }
    )
    figure = plot_auc_vs_k(curve, "LR")
    assert figure.data[1].yaxis == "y2"
    assert list(figure.data[0].customdata) == ["a", "a, b"]
