"""Plotly figure of a feature ranking."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

_COLOURS = {True: "#1f77b4", False: "#b8b8b8"}
_BAR_HEIGHT_PX = 22


def plot_feature_scores(ranking: pl.DataFrame) -> go.Figure:
    """Horizontal bars of the scores, best on top, selected fields in colour.

    Hovering a bar shows the field's rank, cardinality, plain MI and correction.

    Args:
        ranking: a ranking with its ``selected`` column
            (:func:`ctrflow.ranking.mark_selected`).

    Returns:
        The figure.
    """
    ordered = ranking.sort("rank")
    figure = go.Figure()
    for selected in (True, False):
        part = ordered.filter(pl.col("selected") == selected)
        figure.add_trace(
            go.Bar(
                x=part["score"].to_list(),
                y=part["feature"].to_list(),
                orientation="h",
                name="selected" if selected else "not selected",
                marker_color=_COLOURS[selected],
                customdata=list(
                    zip(
                        part["rank"].to_list(),
                        part["cardinality"].to_list(),
                        part["mutual_information"].to_list(),
                        part["cardinality_correction"].to_list(),
                        strict=True,
                    )
                ),
                hovertemplate=(
                    "<b>%{y}</b> (rank %{customdata[0]})<br>"
                    "score %{x:.3g} nats<br>"
                    "cardinality %{customdata[1]:,}<br>"
                    "plain MI %{customdata[2]:.3g} - correction %{customdata[3]:.3g}"
                    "<extra>%{fullData.name}</extra>"
                ),
            )
        )
    figure.update_layout(
        title="Feature ranking: OutRank cardinality-aware mutual information",
        xaxis_title="score (nats): mutual information minus cardinality correction",
        yaxis={
            "categoryorder": "array",
            "categoryarray": ordered["feature"].to_list()[::-1],
        },
        barmode="overlay",
        height=max(400, 120 + _BAR_HEIGHT_PX * ordered.height),
        legend={
            "orientation": "h",
            "y": 1.02,
            "x": 1,
            "xanchor": "right",
            "yanchor": "bottom",
        },
    )
    return figure
