"""Benchmark nodes: bind each namespace to its model, then rank the models that
have metrics of the current data.

plotly is imported inside the plotting node (``PLC0415`` is ignored for
``pipelines/*/nodes.py``), so registering the pipelines does not load it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import polars as pl

from ctrflow.pipelines.benchmark.params import SELECT_MODELS, BenchmarkParams
from ctrflow.pipelines.hints import Figure
from ctrflow.training.params import TrainingParams

logger = logging.getLogger(__name__)

# the BARS table's columns this stage reads
_BARS_COLUMNS = ("Model", "AUC", "Logloss")
LEADERBOARD_SCHEMA = {
    "model": pl.String,
    "auc": pl.Float64,
    "logloss": pl.Float64,
    "bars_auc": pl.Float64,
    "bars_logloss": pl.Float64,
    "auc_diff": pl.Float64,
    "epochs": pl.Int64,
    "best_epoch": pl.Int64,
    "train_seconds": pl.Float64,
    "train_samples_per_second": pl.Float64,
}


class BenchmarkError(ValueError):
    """No model has metrics the leaderboard can use."""


def model_binder(name: str) -> Callable[[TrainingParams], TrainingParams]:
    """A node function that picks ``name`` out of the shared training parameters.

    Args:
        name: a registered model name (the namespace's).

    Returns:
        ``(params: TrainingParams) -> TrainingParams``.
    """

    def select_model(params: TrainingParams) -> TrainingParams:
        """``params`` with ``model`` set to this namespace's model."""
        return params.model_copy(update={"model": name})

    return select_model


def build_leaderboard(
    params: BenchmarkParams,
    bars_leaderboard: pl.DataFrame | None,
    data_fingerprint: dict,
    *metrics: dict | None,
) -> pl.DataFrame:
    """One row per model with metrics of the current data: our test metrics beside
    the BARS reference, and cost.

    The benchmark reads every registered model's metrics, so a run of some models
    (``--tags``) ranks them with the others trained on the same data before.

    Args:
        params: the BARS names of our models.
        bars_leaderboard: the BARS table of this dataset (``Model``, ``AUC``,
            ``Logloss``, ...), or ``None`` where there is none (the demo).
        data_fingerprint: the current data's fingerprint (ingestion's); metrics
            recorded with another one (older data, other splits) are left out.
        metrics: each model's evaluation metrics (``compute_metrics``), ``None``
            for a model never run.

    Returns:
        Columns of ``LEADERBOARD_SCHEMA``: ``model``, ``auc``, ``logloss``,
        ``bars_auc``, ``bars_logloss``, ``auc_diff`` (ours - BARS), ``epochs``,
        ``best_epoch``, ``train_seconds``, ``train_samples_per_second``; best
        test AUC first. BARS columns are null for a model the table lacks.

    Raises:
        BenchmarkError: no model has metrics of the current data.
        KeyError: the BARS table lacks ``Model``, ``AUC`` or ``Logloss``.
    """
    current = [m for m in metrics if m is not None]
    stale = [m for m in current if m.get("data_fingerprint") != data_fingerprint]
    if stale:
        logger.info(
            "leaderboard: leaving out %s (metrics of other data; run them again)",
            ", ".join(_model(m) for m in stale),
        )
    current = [m for m in current if m.get("data_fingerprint") == data_fingerprint]
    if not current:
        raise BenchmarkError(
            f"no model has metrics of the current data ({len(stale)} of other "
            f"data); {SELECT_MODELS}"
        )
    bars = _bars_by_model(bars_leaderboard)
    rows = []
    for result in current:
        name = _model(result)
        bars_auc, bars_logloss = bars.get(
            params.bars_names.get(name, name), (None, None)
        )
        training = result.get("training", {})
        rows.append(
            {
                "model": name,
                "auc": result["auc"],
                "logloss": result["logloss"],
                "bars_auc": bars_auc,
                "bars_logloss": bars_logloss,
                "auc_diff": None if bars_auc is None else result["auc"] - bars_auc,
                "epochs": result.get("epochs"),
                "best_epoch": result.get("best_epoch"),
                "train_seconds": training.get("train_seconds"),
                "train_samples_per_second": training.get("train_samples_per_second"),
            }
        )
    board = pl.DataFrame(rows, schema=LEADERBOARD_SCHEMA, orient="row").sort(
        "auc", descending=True, nulls_last=True
    )
    for row in board.iter_rows(named=True):
        logger.info(
            "%-12s AUC %.5f  logloss %.5f  BARS AUC %s  %d epochs  %.1fs",
            row["model"], row["auc"], row["logloss"],
            "-" if row["bars_auc"] is None else f"{row['bars_auc']:.4f}",
            row["epochs"] or 0, row["train_seconds"] or math.nan,
        )  # fmt: skip
    return board


def plot_leaderboard(leaderboard: pl.DataFrame) -> Figure:
    """Test AUC and logloss per model, the BARS number beside each where known.

    Args:
        leaderboard: the output of ``build_leaderboard``.

    Returns:
        Two bar panels (AUC, logloss), ours and BARS grouped per model; the
        hover shows epochs, training seconds and samples/s.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    models = leaderboard.get_column("model").to_list()
    hover = [
        f"{row['epochs']} epochs (best {row['best_epoch']}), "
        f"{row['train_seconds']:.1f}s, {row['train_samples_per_second']:,.0f} samples/s"
        for row in leaderboard.iter_rows(named=True)
    ]
    figure = make_subplots(rows=1, cols=2, subplot_titles=("test AUC", "test logloss"))
    for column, col in (("auc", 1), ("logloss", 2)):
        figure.add_trace(
            go.Bar(
                x=models, y=leaderboard.get_column(column).to_list(), name="ctrflow",
                marker_color="#1f77b4", hovertext=hover, showlegend=col == 1,
            ),
            row=1, col=col,
        )  # fmt: skip
        bars = leaderboard.get_column(f"bars_{column}")
        if bars.is_not_null().any():
            figure.add_trace(
                go.Bar(
                    x=models, y=bars.to_list(), name="BARS",
                    marker_color="#ff7f0e", showlegend=col == 1,
                ),
                row=1, col=col,
            )  # fmt: skip
    aucs = leaderboard.get_column("auc").drop_nulls().drop_nans()
    if aucs.len():
        low = min(
            aucs.min(), leaderboard.get_column("bars_auc").drop_nulls().min() or 1
        )
        figure.update_yaxes(range=[max(0.0, low - 0.02), 1.0], row=1, col=1)
    figure.update_layout(
        title="Benchmark: test AUC and logloss per model", barmode="group",
        template="plotly_white",
    )  # fmt: skip
    return figure


def _model(metrics: dict) -> str:
    """The model a metrics record belongs to (the trainer's history names it)."""
    return str(metrics.get("training", {}).get("model"))


def _bars_by_model(
    bars_leaderboard: pl.DataFrame | None,
) -> dict[str, tuple[float, float]]:
    """BARS ``Model`` -> (AUC, Logloss); empty without a table."""
    if bars_leaderboard is None:
        return {}
    missing = [c for c in _BARS_COLUMNS if c not in bars_leaderboard.columns]
    if missing:
        raise KeyError(
            f"the BARS leaderboard lacks column(s) {missing}; "
            f"got {bars_leaderboard.columns}"
        )
    table = bars_leaderboard.select(
        pl.col("Model").cast(pl.String),
        pl.col("AUC").cast(pl.Float64),
        pl.col("Logloss").cast(pl.Float64),
    )
    return {model: (auc, logloss) for model, auc, logloss in table.iter_rows()}
