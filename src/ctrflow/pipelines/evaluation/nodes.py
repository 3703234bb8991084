"""Evaluation nodes: score the test set, summarise it, draw the reporting plots.

The trainer (torch) and the plots (plotly) are imported inside the nodes
(``PLC0415`` is ignored for ``pipelines/*/nodes.py``), so registering the
pipelines loads neither.
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import PurePath
from typing import Any

import numpy as np
import polars as pl
from pydantic import BaseModel

from ctrflow.evaluation.metrics import (
    calibration_table,
    roc_auc,
    roc_curve,
    summarise_predictions,
)
from ctrflow.evaluation.params import EvaluationParams
from ctrflow.pipelines.hints import Figure, ModelArtifact

logger = logging.getLogger(__name__)

_PREDICTION_COLUMNS = ("label", "probability")
# distribution names whose versions go beside the metrics
_PACKAGES = (
    "kedro",
    "kedro-datasets",
    "torch",
    "polars",
    "numpy",
    "great_expectations",
    "outrank",
    "plotly",
    "scikit-learn",
)


def score_test_set(
    model: ModelArtifact, test_encoded: pl.DataFrame, params: EvaluationParams
) -> pl.DataFrame:
    """Click probability of every test row, beside its label.

    Args:
        model: the trained artifact (catalog ``model``).
        test_encoded: the encoded test split; its label column is the feature map's.
        params: batch size and device of the forward passes.

    Returns:
        ``label`` (Int8) and ``probability`` (Float32), one row per test row, in order.

    Raises:
        KeyError: ``test_encoded`` lacks a column the feature map names.
        ValueError: the model returned a probability count other than the row count.
    """
    from ctrflow.training.artifact import predict_proba

    probabilities = predict_proba(
        model, test_encoded, batch_size=params.batch_size, device=params.device
    )
    label = model.feature_map.label
    if probabilities.shape != (test_encoded.height,):
        raise ValueError(
            f"the model returned {probabilities.shape} probabilities "
            f"for {test_encoded.height} test rows"
        )
    return pl.DataFrame(
        {
            "label": test_encoded.get_column(label).cast(pl.Int8),
            "probability": pl.Series(probabilities, dtype=pl.Float32),
        }
    )


def compute_metrics(
    test_predictions: pl.DataFrame,
    training_history: dict,
    data_fingerprint: dict,
    parameters: dict,
    params: EvaluationParams,
) -> dict:
    """Test-set metrics, recorded with everything needed to reproduce them.

    Args:
        test_predictions: ``label`` and ``probability`` per test row.
        training_history: the trainer's history (``epochs`` list, ``best_epoch``, …).
        data_fingerprint: the ingestion stage's fingerprint, passed through.
        parameters: the run's whole parameter tree (Kedro's ``parameters``).
        params: the number of calibration bins.

    Returns:
        A JSON-safe dict: ``auc``, ``logloss``, ``predicted_mean``,
        ``observed_rate``, ``calibration_ratio``, ``ece``, ``rows``, ``positives``,
        ``epochs``, ``best_epoch``, ``training`` (the history's other scalars:
        model, device, seconds, …), ``parameters``, ``data_fingerprint``,
        ``versions`` and ``evaluated_at`` (UTC, ISO 8601).

    Raises:
        KeyError: ``test_predictions`` lacks ``label`` or ``probability``.
        ValueError: the test labels hold a single class.
    """
    labels, probabilities = _prediction_arrays(test_predictions)
    summary = summarise_predictions(labels, probabilities, params.calibration_bins)
    logger.info(
        "test set: %d rows, AUC %.5f, logloss %.5f, calibration ratio %.3f, ECE %.4f",
        summary["rows"], summary["auc"], summary["logloss"],
        summary["calibration_ratio"], summary["ece"],
    )  # fmt: skip
    epochs = training_history.get("epochs", [])
    return {
        **summary,
        "epochs": len(epochs),
        "best_epoch": training_history.get("best_epoch"),
        "training": _json_safe(
            {key: value for key, value in training_history.items() if key != "epochs"}
        ),
        "parameters": _json_safe(parameters),
        "data_fingerprint": _json_safe(data_fingerprint),
        "versions": _package_versions(),
        "evaluated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def plot_roc(test_predictions: pl.DataFrame, params: EvaluationParams) -> Figure:
    """ROC curve of the test set, at most ``params.roc_points`` points."""
    from ctrflow.evaluation.plots import roc_figure

    labels, probabilities = _prediction_arrays(test_predictions)
    fpr, tpr, _ = roc_curve(labels, probabilities, params.roc_points)
    return roc_figure(fpr, tpr, roc_auc(labels, probabilities))


def plot_calibration(
    test_predictions: pl.DataFrame, params: EvaluationParams
) -> Figure:
    """Reliability diagram of the test set over ``params.calibration_bins`` bins."""
    from ctrflow.evaluation.plots import calibration_figure

    labels, probabilities = _prediction_arrays(test_predictions)
    return calibration_figure(
        calibration_table(labels, probabilities, params.calibration_bins)
    )


def plot_learning_curve(training_history: dict) -> Figure:
    """Training loss, validation logloss and AUC per epoch, best epoch marked.

    Raises:
        KeyError: the history has no ``epochs`` list, or a record lacks a key.
    """
    from ctrflow.evaluation.plots import learning_curve_figure

    if "epochs" not in training_history:
        raise KeyError(
            f"training_history has no 'epochs' list (keys: {sorted(training_history)})"
        )
    return learning_curve_figure(
        training_history["epochs"], best_epoch=training_history.get("best_epoch")
    )


def _prediction_arrays(test_predictions: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The label and probability columns as numpy arrays (zero-copy where possible)."""
    missing = [c for c in _PREDICTION_COLUMNS if c not in test_predictions.columns]
    if missing:
        raise KeyError(
            f"test_predictions lacks column(s) {missing}; "
            f"expected {list(_PREDICTION_COLUMNS)}, got {test_predictions.columns}"
        )
    return (
        test_predictions.get_column("label").to_numpy(),
        test_predictions.get_column("probability").to_numpy(),
    )


def _json_safe(value: Any) -> Any:  # noqa: PLR0911
    """A copy of ``value`` that ``json.dumps`` writes as strict JSON.

    Pydantic models are dumped (``mode="json"``), mappings get string keys,
    sequences become lists, numpy scalars and arrays become Python values,
    non-finite floats and anything else become strings.
    """
    if isinstance(value, BaseModel):
        return _json_safe(value.model_dump(mode="json"))
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [_json_safe(item) for item in items]
    if isinstance(value, np.generic):
        return _json_safe(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, PurePath):
        return value.as_posix()
    return str(value)


def _package_versions() -> dict[str, str | None]:
    """Installed versions of the packages that shape the results, and Python's."""
    versions: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    versions["python"] = sys.version.split()[0]
    return versions
