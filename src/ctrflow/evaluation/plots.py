"""Plotly figures of a trained model's quality: ROC, reliability diagram, learning curve.

Builders take arrays or plain records (no catalog, no files) and return a
``go.Figure``; the evaluation stage saves them with ``plotly.JSONDataset`` so
kedro-viz previews them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ctrflow.evaluation.metrics import CalibrationTable

_DIAGONAL = {"color": "grey", "dash": "dash", "width": 1}
_HISTORY_KEYS = ("epoch", "train_loss", "valid_auc", "valid_logloss")


def roc_figure(fpr: np.ndarray, tpr: np.ndarray, auc: float) -> go.Figure:
    """ROC curve on the unit square, with the chance diagonal.

    Args:
        fpr: false positive rates, increasing from 0 to 1 (``metrics.roc_curve``).
        tpr: true positive rates, same length.
        auc: area under the curve, shown in the legend and the title.

    Returns:
        Traces ``"ROC (AUC = …)"`` and ``"chance"``.

    Example::

        >>> fig = roc_figure(np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.8, 1.0]), 0.65)
        >>> [trace.name for trace in fig.data]
        ['ROC (AUC = 0.6500)', 'chance']
    """
    fpr, tpr = np.asarray(fpr, dtype=np.float64), np.asarray(tpr, dtype=np.float64)
    if fpr.shape != tpr.shape:
        raise ValueError(f"fpr and tpr differ in shape: {fpr.shape} vs {tpr.shape}")
    figure = go.Figure(
        [
            go.Scatter(
                x=fpr,
                y=tpr,
                mode="lines",
                name=f"ROC (AUC = {auc:.4f})",
                hovertemplate="FPR %{x:.3f}<br>TPR %{y:.3f}<extra></extra>",
            ),
            go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line=_DIAGONAL),
        ]
    )
    figure.update_layout(
        title=f"ROC curve on the test set (AUC = {auc:.4f})",
        xaxis={"title": "False positive rate", "range": [0, 1], "constrain": "domain"},
        yaxis={"title": "True positive rate", "range": [0, 1], "scaleanchor": "x"},
        legend={"x": 0.98, "y": 0.02, "xanchor": "right", "yanchor": "bottom"},
        template="plotly_white",
    )
    return figure


def calibration_figure(table: CalibrationTable) -> go.Figure:
    """Reliability diagram: observed click rate against mean prediction, per bin.

    Top panel: one marker per non-empty bin at (mean predicted, observed rate) and
    the diagonal of perfect calibration; bottom panel: rows per bin (log scale, as
    CTR predictions crowd the low bins).

    Args:
        table: from ``metrics.calibration_table``.

    Returns:
        Traces ``"model"``, ``"perfectly calibrated"`` and ``"rows"``.

    Example::

        >>> from ctrflow.evaluation.metrics import calibration_table
        >>> table = calibration_table(np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.7, 0.9]), 2)
        >>> [trace.name for trace in calibration_figure(table).data]
        ['model', 'perfectly calibrated', 'rows']
    """
    filled = table.count > 0
    centres = (table.lower + table.upper) / 2
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.72, 0.28],
        vertical_spacing=0.06,
    )
    figure.add_trace(
        go.Scatter(
            x=table.mean_predicted[filled],
            y=table.observed_rate[filled],
            mode="lines+markers",
            name="model",
            customdata=np.column_stack(
                [table.lower[filled], table.upper[filled], table.count[filled]]
            ),
            hovertemplate=(
                "bin [%{customdata[0]:.2f}, %{customdata[1]:.2f})<br>"
                "mean predicted %{x:.4f}<br>observed rate %{y:.4f}<br>"
                "rows %{customdata[2]:,}<extra></extra>"
            ),
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="perfectly calibrated",
            line=_DIAGONAL,
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            x=centres,
            y=table.count,
            width=table.upper - table.lower,
            name="rows",
            marker={"line": {"width": 1, "color": "white"}},
            hovertemplate="bin centre %{x:.2f}<br>rows %{y:,}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    ece = table.expected_calibration_error
    figure.update_layout(
        title=f"Calibration on the test set (ECE = {ece:.4f})",
        template="plotly_white",
        bargap=0,
    )
    figure.update_xaxes(range=[0, 1], row=1, col=1)
    figure.update_xaxes(title="Predicted click probability", range=[0, 1], row=2, col=1)
    figure.update_yaxes(title="Observed click rate", range=[0, 1], row=1, col=1)
    figure.update_yaxes(title="Rows (log)", type="log", row=2, col=1)
    return figure


def learning_curve_figure(
    history: Sequence[Mapping[str, Any]], best_epoch: int | None = None
) -> go.Figure:
    """Loss and validation AUC per epoch, side by side.

    Args:
        history: the trainer's per-epoch records, each with ``epoch``,
            ``train_loss``, ``valid_auc`` and ``valid_logloss`` (other keys ignored).
        best_epoch: the epoch whose weights were kept, marked by a dotted line.

    Returns:
        Traces ``"train loss"``, ``"valid logloss"`` (left panel) and
        ``"valid AUC"`` (right panel).

    Raises:
        ValueError: ``history`` is empty.
        KeyError: a record lacks one of the keys above.

    Example::

        >>> fig = learning_curve_figure(
        ...     [{"epoch": 1, "train_loss": 0.5, "valid_auc": 0.7, "valid_logloss": 0.45}]
        ... )
        >>> [trace.name for trace in fig.data]
        ['train loss', 'valid logloss', 'valid AUC']
    """
    if not history:
        raise ValueError("the training history holds no epoch")
    for index, record in enumerate(history):
        absent = [key for key in _HISTORY_KEYS if key not in record]
        if absent:
            raise KeyError(
                f"training history record {index} lacks {absent}; "
                f"each epoch needs {list(_HISTORY_KEYS)}"
            )
    columns = {key: [record[key] for record in history] for key in _HISTORY_KEYS}
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Loss (binary cross-entropy)", "Validation AUC"),
        horizontal_spacing=0.12,
    )
    for key, name in (("train_loss", "train loss"), ("valid_logloss", "valid logloss")):
        figure.add_trace(
            go.Scatter(
                x=columns["epoch"], y=columns[key], mode="lines+markers", name=name
            ),
            row=1,
            col=1,
        )
    figure.add_trace(
        go.Scatter(
            x=columns["epoch"],
            y=columns["valid_auc"],
            mode="lines+markers",
            name="valid AUC",
        ),
        row=1,
        col=2,
    )
    if best_epoch is not None:
        for col in (1, 2):
            figure.add_vline(
                x=best_epoch, line={"color": "grey", "dash": "dot"}, row=1, col=col
            )
    figure.update_xaxes(title="Epoch", dtick=1)
    figure.update_yaxes(title="Log loss", row=1, col=1)
    figure.update_yaxes(title="AUC", row=1, col=2)
    title = "Learning curve"
    if best_epoch is not None:
        title += f" (best epoch {best_epoch}, dotted)"
    figure.update_layout(title=title, template="plotly_white")
    return figure
