"""The scoring report: what was scored, and how the new rows compare with training.

Rows scored and quarantined (by reason); per categorical field the share of
values outside its vocabulary (OOV) beside the training share; per numeric field
the population stability index (PSI) against its training distribution; the
probabilities' deciles beside the held-out split's, with their PSI; AUC and log
loss when the rows have labels; and a warning for every figure above its
threshold (``ScoringParams``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ctrflow.evaluation.metrics import log_loss, roc_auc
from ctrflow.ingestion import count_reasons
from ctrflow.scoring.params import ScoringParams
from ctrflow.scoring.reference import QUANTILES, psi, score_bin_counts

if TYPE_CHECKING:
    from ctrflow.scoring.batch import ScoredLogs
    from ctrflow.training.artifact import ModelArtifact


def _label_metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, Any]:
    positives = int(labels.sum())
    metrics: dict[str, Any] = {"rows": int(labels.size), "positives": positives}
    if 0 < positives < labels.size:
        metrics["auc"] = roc_auc(labels, probabilities)
        metrics["logloss"] = log_loss(labels, probabilities)
    else:
        metrics["auc"] = metrics["logloss"] = None
    return metrics


def build_report(
    scored: ScoredLogs, artifact: ModelArtifact, params: ScoringParams
) -> dict[str, Any]:
    """The scoring report of one run (JSON-ready).

    Args:
        scored: what ``ctrflow.scoring.batch.score_logs`` returned.
        artifact: the model scored with (its version and stored reference).
        params: the warning thresholds.

    Returns:
        ``model_version``, ``model_name``, ``sources``, ``rows_in``,
        ``rows_scored``, ``rows_quarantined``, ``quarantined_by_reason``, ``oov``
        (per field: ``count``, ``rate``, ``training_rate``), ``psi`` (per numeric
        field), ``scores`` (``mean``, ``deciles``, ``reference``, ``psi``),
        ``labels`` (``auc``, ``logloss``, ``rows``, ``positives``; None without
        labels), ``thresholds`` and ``warnings`` (one line each).
    """
    reference = artifact.reference or {}
    probabilities = scored.predictions.get_column("probability").to_numpy()
    rows = int(probabilities.size)
    warnings: list[str] = []
    quarantined = scored.quarantined.height
    if scored.rows_in and quarantined / scored.rows_in > params.max_quarantine_rate:
        warnings.append(
            f"{quarantined:,} of {scored.rows_in:,} rows "
            f"({quarantined / scored.rows_in:.2%}) quarantined, more than "
            f"max_quarantine_rate = {params.max_quarantine_rate:g}: "
            f"{count_reasons(scored.quarantined)}"
        )
    training_oov = reference.get("oov_rate", {})
    oov = {}
    for name, count in scored.oov.items():
        rate = count / rows if rows else 0.0
        baseline = training_oov.get(name)
        oov[name] = {"count": count, "rate": rate, "training_rate": baseline}
        if rows and rate - (baseline or 0.0) > params.max_oov_rate:
            warnings.append(
                f"field {name!r}: {rate:.2%} of values unseen in training (OOV), "
                f"{(baseline or 0.0):.2%} in training; more than max_oov_rate = "
                f"{params.max_oov_rate:g} above it"
            )
    numeric = reference.get("numeric", {})
    psis = {
        name: psi(numeric[name]["proportions"], counts)
        for name, counts in scored.numeric_counts.items()
    }
    for name, value in psis.items():
        if value is not None and value > params.max_psi:
            warnings.append(
                f"numeric field {name!r}: PSI {value:.3f} against training, more "
                f"than max_psi = {params.max_psi:g}"
            )
    reference_scores = reference.get("scores")
    score_psi = None
    if reference_scores and reference_scores.get("edges") and rows:
        score_psi = psi(
            reference_scores["proportions"],
            score_bin_counts(probabilities, reference_scores["edges"]),
        )
        if score_psi is not None and score_psi > params.max_score_shift:
            warnings.append(
                f"probabilities: PSI {score_psi:.3f} against the "
                f"{reference_scores['split']} split's deciles, more than "
                f"max_score_shift = {params.max_score_shift:g}"
            )
    if not reference:
        warnings.append(
            "the model holds no training reference (OOV rates, numeric and score "
            "distributions): retrain it to compare new rows with training"
        )
    labels = (
        _label_metrics(scored.labels, probabilities)
        if scored.labels is not None and rows
        else None
    )
    return {
        "model_version": artifact.version,
        "model_name": artifact.model_name,
        "sources": scored.sources,
        "rows_in": scored.rows_in,
        "rows_scored": rows,
        "rows_quarantined": quarantined,
        "quarantined_by_reason": count_reasons(scored.quarantined),
        "blocks": scored.blocks,
        "block_rows": params.block_rows,
        "oov": oov,
        "psi": psis,
        "scores": {
            "mean": float(probabilities.mean()) if rows else None,
            "deciles": np.quantile(probabilities, QUANTILES).tolist() if rows else [],
            "reference": reference_scores,
            "psi": score_psi,
        },
        "labels": labels,
        "thresholds": {
            "max_oov_rate": params.max_oov_rate,
            "max_psi": params.max_psi,
            "max_score_shift": params.max_score_shift,
            "max_quarantine_rate": params.max_quarantine_rate,
        },
        "warnings": warnings,
    }
