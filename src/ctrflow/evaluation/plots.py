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


def roc_figure(
    fpr: np.ndarray,
    tpr: np.ndarray,
    auc: float,
    baseline: tuple[np.ndarray, np.ndarray, float] | None = None,
) -> go.Figure:
    """ROC curve on the unit square, with the chance diagonal and the baseline's.

    Args:
        fpr: false positive rates, increasing from 0 to 1 (``metrics.roc_curve``).
        tpr: true positive rates, same length.
        auc: area under the curve, shown in the legend and the title.
        baseline: the logistic-regression baseline's ``(fpr, tpr, auc)``, drawn
            dashed beside the model's; ``None`` draws the model alone.

    Returns:
        Traces ``"ROC (AUC = …)"``, ``"baseline LR (AUC = …)"`` (with a baseline)
        and ``"chance"``.

    Raises:
        ValueError: an ``fpr`` and its ``tpr`` differ in shape.

    Example::

        >>> fig = roc_figure(np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.8, 1.0]), 0.65)
        >>> [trace.name for trace in fig.data]
        ['ROC (AUC = 0.6500)', 'chance']
        >>> line = np.array([0.0, 1.0])
        >>> [t.name for t in roc_figure(line, line, 0.5, baseline=(line, line, 0.5)).data]
        ['ROC (AUC = 0.5000)', 'baseline LR (AUC = 0.5000)', 'chance']
    """
    curves = [(fpr, tpr, f"ROC (AUC = {auc:.4f})", None)]
    title = f"ROC curve on the test set (AUC = {auc:.4f}"
    if baseline is not None:
        baseline_fpr, baseline_tpr, baseline_auc = baseline
        curves.append(
            (baseline_fpr, baseline_tpr, f"baseline LR (AUC = {baseline_auc:.4f})",
             {"dash": "dash"})
        )  # fmt: skip
        title += f"; baseline LR {baseline_auc:.4f}"
    traces = []
    for curve_fpr, curve_tpr, name, line in curves:
        x = np.asarray(curve_fpr, dtype=np.float64)
        y = np.asarray(curve_tpr, dtype=np.float64)
        if x.shape != y.shape:
            raise ValueError(f"fpr and tpr differ in shape: {x.shape} vs {y.shape}")
        traces.append(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name=name,
                line=line,
                hovertemplate="FPR %{x:.3f}<br>TPR %{y:.3f}<extra></extra>",
            )
        )
    traces.append(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line=_DIAGONAL)
    )
    figure = go.Figure(traces)
    figure.update_layout(
        title=title + ")",
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
    history: Sequence[Mapping[str, Any]],
    best_epoch: int | None = None,
    baseline_valid_auc: float | None = None,
) -> go.Figure:
    """Loss and validation AUC per epoch, side by side.

    Args:
        history: the trainer's per-epoch records, each with ``epoch``,
            ``train_loss``, ``valid_auc`` and ``valid_logloss`` (other keys ignored).
        best_epoch: the epoch whose weights were kept, marked by a dotted line.
        baseline_valid_auc: the logistic-regression baseline's validation AUC,
            a dashed reference line on the AUC panel the model should rise above.

    Returns:
        Traces ``"train loss"``, ``"valid logloss"`` (left panel),
        ``"valid AUC"`` and, with a baseline, ``"baseline LR valid AUC"``
        (right panel).

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
    if baseline_valid_auc is not None:
        epochs = columns["epoch"]
        figure.add_trace(
            go.Scatter(
                x=[min(epochs), max(epochs)],
                y=[baseline_valid_auc] * 2,
                mode="lines",
                name="baseline LR valid AUC",
                line={"color": "grey", "dash": "dash"},
                hovertemplate="baseline LR valid AUC %{y:.4f}<extra></extra>",
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
