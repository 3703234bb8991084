"""Evaluation nodes: score the test set, fit the logistic-regression baseline,
summarise both (DeLong intervals, warnings), draw the reporting plots.

The trainer (torch), the baseline (scikit-learn) and the plots (plotly) are
imported inside the nodes (``PLC0415`` is ignored for ``pipelines/*/nodes.py``),
so registering the pipelines loads none of them.
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

from ctrflow.evaluation.delong import (
    AucDifference,
    AucInterval,
    delong_auc,
    delong_paired,
)
from ctrflow.evaluation.metrics import (
    calibration_table,
    log_loss,
    roc_auc,
    roc_curve,
    summarise_predictions,
)
from ctrflow.evaluation.params import EvaluationParams
from ctrflow.pipelines.hints import Figure, ModelArtifact

logger = logging.getLogger(__name__)

_PREDICTION_COLUMNS = ("label", "probability")
_PREDICTION_SCHEMA = {"label": pl.Int8, "probability": pl.Float32}
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
    model: ModelArtifact,
    test_encoded: pl.DataFrame | pl.LazyFrame,
    params: EvaluationParams,
) -> pl.DataFrame:
    """Click probability of every test row, beside its label.

    Args:
        model: the trained artifact (catalog ``model``).
        test_encoded: the encoded test split; its label column is the feature map's.
            A lazy scan of shards is scored block by block.
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
    labels = test_encoded.lazy().select(pl.col(label).cast(pl.Int8)).collect()
    if probabilities.shape != (labels.height,):
        raise ValueError(
            f"the model returned {probabilities.shape} probabilities "
            f"for {labels.height} test rows"
        )
    return pl.DataFrame(
        {
            "label": labels.get_column(label),
            "probability": pl.Series(probabilities, dtype=pl.Float32),
        }
    )


def fit_baseline_model(
    train_encoded: pl.DataFrame,
    valid_encoded: pl.DataFrame,
    test_encoded: pl.DataFrame,
    feature_map: dict,
    params: EvaluationParams,
) -> tuple[pl.DataFrame, dict]:
    """Fit the logistic-regression baseline on the encoded features, score the test set.

    Args:
        train_encoded: the encoded train split (the baseline's training rows).
        valid_encoded: the encoded validation split (picks ``C``; its class counts
            are recorded: early stopping relies on the same split).
        test_encoded: the encoded test split, scored.
        feature_map: the encoding (catalog ``feature_map``).
        params: ``baseline`` (grid, iterations, sample) and the confidence level.

    Returns:
        ``baseline_test_predictions``: ``label`` and ``probability`` per test row,
        in order (no rows when the baseline is disabled), and ``baseline_fit``:
        ``enabled``, ``valid_split`` (``rows``, ``positives``, ``negatives``) and,
        when enabled, ``model``, ``C``, ``grid``, ``valid_auc``, ``valid_auc_ci``,
        ``train_rows``, ``columns``, ``features`` and ``fit_seconds``.

    Raises:
        KeyError: a split lacks a column the feature map names.
        ValueError: the train or validation labels hold a single class.
    """
    from ctrflow.evaluation.baseline import (
        FEATURES,
        MODEL_NAME,
        fit_baseline,
        predict_baseline,
    )
    from ctrflow.feature_engineering.feature_map import FeatureMap

    encoding = FeatureMap.from_dict(feature_map)
    valid_labels = (
        valid_encoded.lazy().select(pl.col(encoding.label).cast(pl.Int64)).collect()
    ).get_column(encoding.label)
    positives = int(valid_labels.sum())
    record: dict[str, Any] = {
        "enabled": params.baseline.enabled,
        "valid_split": {
            "rows": valid_labels.len(),
            "positives": positives,
            "negatives": valid_labels.len() - positives,
        },
    }
    if not params.baseline.enabled:
        return pl.DataFrame(schema=_PREDICTION_SCHEMA), record
    fit = fit_baseline(
        train_encoded, valid_encoded, encoding, params.baseline, params.confidence_level
    )
    probabilities = predict_baseline(fit, test_encoded, encoding)
    logger.info(
        "baseline %s: C=%g of %s, valid AUC %.4f, %d train rows x %d columns, %.1fs",
        MODEL_NAME, fit.c, [g["C"] for g in fit.grid], fit.valid_auc.auc,
        fit.train_rows, fit.columns, fit.fit_seconds,
    )  # fmt: skip
    record.update(
        model=MODEL_NAME,
        C=fit.c,
        grid=fit.grid,
        valid_auc=fit.valid_auc.auc,
        valid_auc_ci=fit.valid_auc.to_dict(),
        train_rows=fit.train_rows,
        columns=fit.columns,
        features=FEATURES,
        fit_seconds=fit.fit_seconds,
    )
    labels = test_encoded.lazy().select(pl.col(encoding.label).cast(pl.Int8)).collect()
    predictions = pl.DataFrame(
        {
            "label": labels.get_column(encoding.label),
            "probability": pl.Series(probabilities, dtype=pl.Float32),
        }
    )
    return predictions, record


def compute_metrics(  # noqa: PLR0917 (Kedro passes node inputs positionally)
    test_predictions: pl.DataFrame,
    baseline_test_predictions: pl.DataFrame,
    baseline_fit: dict,
    training_history: dict,
    data_fingerprint: dict,
    parameters: dict,
    params: EvaluationParams,
) -> dict:
    """Test-set metrics beside the baseline's, recorded with everything needed to
    reproduce them, and warnings where the numbers cannot be trusted.

    Args:
        test_predictions: ``label`` and ``probability`` per test row.
        baseline_test_predictions: the baseline's, same rows (none when disabled).
        baseline_fit: the baseline's record (``fit_baseline_model``).
        training_history: the trainer's history (``epochs`` list, ``best_epoch``, …).
        data_fingerprint: the ingestion stage's fingerprint, passed through.
        parameters: the run's whole parameter tree (Kedro's ``parameters``).
        params: calibration bins, confidence level, trust thresholds.

    Returns:
        A JSON-safe dict: ``auc``, ``auc_ci`` (DeLong: ``low``, ``high``,
        ``level``, ``method``), ``logloss``, ``predicted_mean``,
        ``observed_rate``, ``calibration_ratio``, ``ece``, ``rows``,
        ``positives``, ``negatives``, ``baseline`` (``model``, ``auc``,
        ``auc_ci``, ``logloss``, ``fit_seconds``, ``C``, ``valid_auc``; ``None``
        when disabled), ``auc_vs_baseline`` (paired DeLong, model minus baseline:
        ``difference``, ``low``, ``high``, ``p_value``; ``None`` when disabled),
        ``warnings`` (human-readable, also logged), ``epochs``, ``best_epoch``,
        ``training`` (the history's other scalars: model, device, seconds, …),
        ``parameters``, ``data_fingerprint``, ``versions`` and ``evaluated_at``
        (UTC, ISO 8601).

    Raises:
        KeyError: a predictions frame lacks ``label`` or ``probability``.
        ValueError: the test labels hold a single class, or the baseline's
            predictions are not of the same test rows.
    """
    labels, probabilities = _prediction_arrays(test_predictions)
    summary = summarise_predictions(labels, probabilities, params.calibration_bins)
    interval = delong_auc(labels, probabilities, params.confidence_level)
    problems = _test_split_problems(summary, interval, params)
    line = (
        f"test AUC {_auc_with_interval(interval, summary, params)}, "
        f"logloss {summary['logloss']:.5f}, calibration ratio "
        f"{summary['calibration_ratio']:.3f}, ECE {summary['ece']:.4f}"
    )
    found = [f"{line}: {'; '.join(problems)}"] if problems else []
    if not problems:
        logger.info("%s (%d rows)", line, summary["rows"])
    found += _validation_split_problems(baseline_fit["valid_split"], params)
    floor = training_history.get("baseline_floor") or {}
    if floor.get("applied"):
        found.append(
            f"the trained {training_history.get('model', 'model')} did not beat the "
            f"logistic regression on validation (AUC "
            f"{training_history['best_valid_auc']:.4f} vs {floor['model_valid_auc']:.4f}): "
            "the model kept is the regression written into its first-order term, its "
            "other parts untrained (training.baseline_floor)"
        )
    baseline, comparison = None, None
    if baseline_fit["enabled"]:
        baseline_labels, baseline_probabilities = _prediction_arrays(
            baseline_test_predictions
        )
        if not np.array_equal(baseline_labels, labels):
            raise ValueError(
                f"the baseline's test predictions ({baseline_labels.size} rows) are "
                f"not of the model's test rows ({labels.size}); run the evaluation "
                "pipeline again so both score the same test_encoded"
            )
        baseline_interval = delong_auc(
            labels, baseline_probabilities, params.confidence_level
        )
        comparison = delong_paired(
            labels, probabilities, baseline_probabilities, params.confidence_level
        )
        baseline = {
            "model": baseline_fit["model"],
            "auc": baseline_interval.auc,
            "auc_ci": baseline_interval.to_dict(),
            "logloss": log_loss(labels, baseline_probabilities),
            "fit_seconds": baseline_fit["fit_seconds"],
            "C": baseline_fit["C"],
            "valid_auc": baseline_fit["valid_auc"],
        }
        verdict = _baseline_verdict(interval, baseline_interval, comparison, baseline)
        if verdict.startswith("the model beats"):
            logger.info("%s", verdict)
        else:
            found.append(verdict)
    for warning in found:
        logger.warning("%s", warning)
    epochs = training_history.get("epochs", [])
    return {
        **summary,
        "auc_ci": interval.to_dict(),
        "baseline": baseline,
        "auc_vs_baseline": None if comparison is None else comparison.to_dict(),
        "warnings": found,
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


def plot_roc(
    test_predictions: pl.DataFrame,
    baseline_test_predictions: pl.DataFrame,
    params: EvaluationParams,
) -> Figure:
    """ROC curves of the model and the baseline (when it has predictions) on the
    test set, at most ``params.roc_points`` points each."""
    from ctrflow.evaluation.plots import roc_figure

    labels, probabilities = _prediction_arrays(test_predictions)
    fpr, tpr, _ = roc_curve(labels, probabilities, params.roc_points)
    baseline = None
    if baseline_test_predictions.height:
        baseline_labels, baseline_probabilities = _prediction_arrays(
            baseline_test_predictions
        )
        baseline_fpr, baseline_tpr, _ = roc_curve(
            baseline_labels, baseline_probabilities, params.roc_points
        )
        baseline_auc = roc_auc(baseline_labels, baseline_probabilities)
        baseline = (baseline_fpr, baseline_tpr, baseline_auc)
    return roc_figure(fpr, tpr, roc_auc(labels, probabilities), baseline=baseline)


def plot_calibration(
    test_predictions: pl.DataFrame, params: EvaluationParams
) -> Figure:
    """Reliability diagram of the test set over ``params.calibration_bins`` bins."""
    from ctrflow.evaluation.plots import calibration_figure

    labels, probabilities = _prediction_arrays(test_predictions)
    return calibration_figure(
        calibration_table(labels, probabilities, params.calibration_bins)
    )


def plot_learning_curve(training_history: dict, baseline_fit: dict) -> Figure:
    """Training loss, validation logloss and AUC per epoch, best epoch marked, the
    baseline's validation AUC as a reference line (when it was fitted).

    Raises:
        KeyError: the history has no ``epochs`` list, or a record lacks a key.
    """
    from ctrflow.evaluation.plots import learning_curve_figure

    if "epochs" not in training_history:
        raise KeyError(
            f"training_history has no 'epochs' list (keys: {sorted(training_history)})"
        )
    return learning_curve_figure(
        training_history["epochs"],
        best_epoch=training_history.get("best_epoch"),
        baseline_valid_auc=baseline_fit.get("valid_auc"),
    )


def _decimals(half_width: float) -> int:
    """Decimals that show an interval of ± ``half_width`` to its first digit."""
    if half_width <= 0:
        return 4
    return min(5, max(2, -math.floor(math.log10(half_width))))


def _auc_with_interval(
    interval: AucInterval, counts: Mapping[str, int], params: EvaluationParams
) -> str:
    """``0.7465 (95% CI 0.65–0.84, 20 positives: too few to trust, …)``."""
    places = _decimals(interval.half_width)
    parts = []
    for key, minimum in (
        ("positives", params.min_positives),
        ("negatives", params.min_negatives),
    ):
        few = ": too few to trust" if counts[key] < minimum else ""
        parts.append(f"{counts[key]:,} {key}{few}")
    return (
        f"{interval.auc:.4f} ({interval.level:.0%} CI {interval.low:.{places}f}–"
        f"{interval.high:.{places}f}, {', '.join(parts)})"
    )


def _class_count_problems(
    counts: Mapping[str, int], params: EvaluationParams
) -> list[str]:
    return [
        f"fewer {key} than evaluation.min_{key} = {minimum}"
        for key, minimum in (
            ("positives", params.min_positives),
            ("negatives", params.min_negatives),
        )
        if counts[key] < minimum
    ]


def _test_split_problems(
    summary: Mapping[str, Any], interval: AucInterval, params: EvaluationParams
) -> list[str]:
    """Why the test AUC cannot be trusted: too few of a class, too wide an interval."""
    problems = _class_count_problems(summary, params)
    if interval.half_width > params.max_auc_ci_half_width:
        problems.append(
            f"the interval (± {interval.half_width:.3f}) is wider than "
            f"evaluation.max_auc_ci_half_width = {params.max_auc_ci_half_width}"
        )
    if problems:
        problems.append("a larger test split (ingestion's split fractions) narrows it")
    return problems


def _validation_split_problems(
    valid_split: Mapping[str, int], params: EvaluationParams
) -> list[str]:
    """A warning when the validation split is too small for early stopping's AUC."""
    problems = _class_count_problems(valid_split, params)
    if not problems:
        return []
    return [
        f"validation split: {valid_split['positives']:,} positives, "
        f"{valid_split['negatives']:,} negatives: too few to trust its AUC, which "
        f"early stopping and the baseline's choice of C rely on ({'; '.join(problems)})"
    ]


def _baseline_verdict(
    model: AucInterval,
    baseline_interval: AucInterval,
    comparison: AucDifference,
    baseline: Mapping[str, Any],
) -> str:
    """ "the model beats / does not beat / is worse than the baseline: …"."""
    if comparison.low > 0:
        verdict = "the model beats"
    elif comparison.high < 0:
        verdict = "the model is worse than"
    else:
        verdict = "the model does not beat"
    places = _decimals((comparison.high - comparison.low) / 2)
    return (
        f"{verdict} the {baseline['model']} baseline (C={baseline['C']:g}, fitted in "
        f"{baseline['fit_seconds']:.1f}s): test AUC {model.auc:.4f} vs "
        f"{baseline_interval.auc:.4f}, difference {comparison.difference:+.{places}f} "
        f"({comparison.level:.0%} CI {comparison.low:+.{places}f} to "
        f"{comparison.high:+.{places}f}, paired DeLong p = {comparison.p_value:.2g})"
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
