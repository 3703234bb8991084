"""What the scoring report compares new rows with, stored in the model artifact.

Computed once when the model is trained (``reference_profile``), from the encoded
train split and the held-out (valid) split's probabilities; counted the same way on
every block of new rows (``oov_counts``, ``numeric_bin_counts``,
``score_bin_counts``) so the report needs no training data. Numeric fields are
compared in the encoded space, which a monotone encoding leaves the bins of: a
log-bucketed counter by its bucket ids, a float field by the deciles of its
values on train.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from ctrflow.feature_engineering.feature_map import OOV_ID, FeatureMap

QUANTILES = [q / 10 for q in range(1, 10)]
_FLOOR = 1e-4  # a bin share below this counts as this in the PSI (no log of 0)


def oov_counts(encoded: pl.DataFrame, feature_map: FeatureMap) -> dict[str, int]:
    """Rows per categorical field whose value got the field's OOV id (unseen in
    train, or rarer there than ``min_count``)."""
    if not feature_map.categorical or encoded.height == 0:
        return {f.name: 0 for f in feature_map.categorical}
    counts = encoded.select(
        (pl.col(f.name) == f.offset + OOV_ID).sum().alias(f.name)
        for f in feature_map.categorical
    ).row(0)
    return {
        f.name: int(n) for f, n in zip(feature_map.categorical, counts, strict=True)
    }


def _numeric_values(encoded: pl.DataFrame, name: str) -> np.ndarray:
    return encoded.get_column(name).to_numpy()


def numeric_bin_counts(
    encoded: pl.DataFrame, feature_map: FeatureMap, reference: dict[str, Any]
) -> dict[str, list[int]]:
    """Rows per bin of each numeric field of ``reference["numeric"]``."""
    counts = {}
    for name, spec in reference.get("numeric", {}).items():
        if name not in encoded.columns:
            continue
        values = _numeric_values(encoded, name)
        if spec["kind"] == "ids":
            local = values.astype(np.int64) - feature_map.categorical_field(name).offset
            counts[name] = np.bincount(local, minlength=len(spec["proportions"]))
        else:
            bins = np.searchsorted(np.asarray(spec["edges"]), values, side="right")
            counts[name] = np.bincount(bins, minlength=len(spec["proportions"]))
        counts[name] = counts[name].tolist()
    return counts


def score_bin_counts(probabilities: np.ndarray, edges: list[float]) -> list[int]:
    """Probabilities per bin of ``edges`` (the reference's score deciles)."""
    bins = np.searchsorted(np.asarray(edges), probabilities, side="right")
    return np.bincount(bins, minlength=len(edges) + 1).tolist()


def psi(expected: list[float], actual_counts: list[int]) -> float | None:
    """Population stability index ``sum((a - e) * ln(a / e))`` of the actual
    counts' shares against the expected shares (each floored at 1e-4); None when
    there are no actual rows.

    Example::

        >>> psi([0.5, 0.5], [50, 50])
        0.0
        >>> round(psi([0.5, 0.5], [90, 10]), 4)
        0.8789
    """
    total = sum(actual_counts)
    if total == 0:
        return None
    e = np.maximum(np.asarray(expected, dtype=np.float64), _FLOOR)
    a = np.maximum(np.asarray(actual_counts, dtype=np.float64) / total, _FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def _shares(counts: np.ndarray) -> list[float]:
    total = counts.sum()
    return (counts / total).tolist() if total else [0.0] * len(counts)


def reference_profile(
    train_encoded: pl.DataFrame,
    feature_map: FeatureMap,
    held_out_probabilities: np.ndarray,
    held_out: str = "valid",
) -> dict[str, Any]:
    """The distributions the scoring report compares new rows with.

    Args:
        train_encoded: the encoded train split.
        feature_map: its encoding.
        held_out_probabilities: the model's probabilities on a split it was not
            fitted on (the valid split: training never reads test).
        held_out: that split's name, recorded.

    Returns:
        ``rows`` (train), ``oov_rate`` per categorical field, ``numeric`` per
        numeric field (``kind`` ``ids``: shares per bucket id; ``quantiles``:
        decile ``edges`` of the encoded values and the shares between them), and
        ``scores`` (``split``, ``rows``, ``mean``, decile ``edges``, ``proportions``).
    """
    rows = train_encoded.height
    oov = oov_counts(train_encoded, feature_map)
    numeric: dict[str, Any] = {}
    for field in feature_map.categorical:
        if field.source == "numeric":
            local = (
                _numeric_values(train_encoded, field.name).astype(np.int64)
                - field.offset
            )
            numeric[field.name] = {
                "kind": "ids",
                "proportions": _shares(np.bincount(local, minlength=field.size)),
            }
    for field in feature_map.numeric:
        values = _numeric_values(train_encoded, field.name).astype(np.float64)
        edges = np.unique(np.quantile(values, QUANTILES)) if rows else np.zeros(0)
        bins = np.searchsorted(edges, values, side="right")
        numeric[field.name] = {
            "kind": "quantiles",
            "edges": edges.tolist(),
            "proportions": _shares(np.bincount(bins, minlength=len(edges) + 1)),
        }
    scores = np.asarray(held_out_probabilities, dtype=np.float64)
    edges = np.quantile(scores, QUANTILES).tolist() if scores.size else []
    return {
        "rows": rows,
        "oov_rate": {name: (n / rows if rows else 0.0) for name, n in oov.items()},
        "numeric": numeric,
        "scores": {
            "split": held_out,
            "rows": int(scores.size),
            "mean": float(scores.mean()) if scores.size else None,
            "edges": edges,
            "proportions": _shares(
                np.asarray(score_bin_counts(scores, edges), dtype=np.float64)
            ),
        },
    }
