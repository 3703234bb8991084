"""Plotly figure of a feature ranking."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

_COLOURS = {True: "#1f77b4", False: "#b8b8b8"}
_BAR_HEIGHT_PX = 22


def plot_feature_scores(ranking: pl.DataFrame) -> go.Figure:
    """Horizontal bars of the scores, best on top, selected fields in colour.

    Hovering a bar shows the field's rank, cardinality, plain MI and correction,
    and its ``decision`` (or, without one, the field it duplicates when the
    ranking flags it redundant).

    Args:
        ranking: a ranking with its ``selected`` column
            (:func:`ctrflow.feature_ranking.selection.select_features`).

    Returns:
        The figure.
    """
    ordered = ranking.sort("rank")
    decided = "decision" in ordered.columns
    redundancy = decided or "redundant_with" in ordered.columns
    figure = go.Figure()
    for selected in (True, False):
        part = ordered.filter(pl.col("selected") == selected)
        if decided:
            note = [f"<br>{d}" if d else "" for d in part["decision"]]
        elif redundancy:
            note = [
                f"<br>redundant with {n}" if n else "" for n in part["redundant_with"]
            ]
        else:
            note = [""] * part.height
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
                        *([note] if redundancy else []),
                        strict=True,
                    )
                ),
                hovertemplate=(
                    "<b>%{y}</b> (rank %{customdata[0]})<br>"
                    "score %{x:.3g} nats<br>"
                    "cardinality %{customdata[1]:,}<br>"
                    "plain MI %{customdata[2]:.3g} - correction %{customdata[3]:.3g}"
                    + ("%{customdata[4]}" if redundancy else "")
                    + "<extra>%{fullData.name}</extra>"
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


def plot_auc_vs_k(curve: pl.DataFrame, model: str) -> go.Figure:
    """Validation AUC (left axis) and training seconds (right axis) against k.

    The k the selection chose is marked with a vertical line; an empty ``curve``
    (the step turned off) gives a figure that says so.

    Args:
        curve: output of :func:`ctrflow.feature_ranking.auc_vs_k`.
        model: the model's registry name, for the title.

    Returns:
        The figure: traces ``"validation AUC"`` and ``"training seconds"``.
    """
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    if curve.is_empty():
        figure.update_layout(
            title="AUC against the number of fields: not computed "
            "(feature_ranking.auc_vs_k.enabled is false, or no field to rank)"
        )
        return figure
    hover = [", ".join(fields) for fields in curve["fields"].to_list()]
    figure.add_trace(
        go.Scatter(
            x=curve["k"].to_list(),
            y=curve["valid_auc"].to_list(),
            mode="lines+markers",
            name="validation AUC",
            customdata=hover,
            hovertemplate="k = %{x}: AUC %{y:.4f}<br>%{customdata}<extra></extra>",
        ),
        secondary_y=False,
    )
    figure.add_trace(
        go.Scatter(
            x=curve["k"].to_list(),
            y=curve["train_seconds"].to_list(),
            mode="lines+markers",
            name="training seconds",
            line={"dash": "dot", "color": "#b8b8b8"},
            hovertemplate="k = %{x}: %{y:.2f} s<extra></extra>",
        ),
        secondary_y=True,
    )
    for k in curve.filter("chosen")["k"].to_list():
        figure.add_vline(
            x=k,
            line_dash="dash",
            line_color="#d62728",
            annotation_text=f"chosen k = {k}",
        )
    figure.update_layout(
        title=f"{model} on the top-k fields: validation AUC and training time",
        xaxis_title="k (best fields by score)",
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right",
                "yanchor": "bottom"},
    )  # fmt: skip
    figure.update_yaxes(title_text="validation AUC", secondary_y=False)
    figure.update_yaxes(title_text="training seconds", secondary_y=True)
    return figure
