"""Pairs of fields scored for the information they carry together.

A pair ``(a, b)`` is one new field whose value is the combination of the two
values. Here the combination is exact: ``id_a * cardinality_b + id_b`` on the
ranking's dense ids (no hashing, so no collisions); feature engineering builds the
same combination from the value strings (:mod:`ctrflow.feature_engineering.interactions`).
The pair is scored against the label with the same cardinality-aware estimator as
single fields, and what it adds is::

    gain          = score(a:b) - score(a) - score(b)
    gain_over_max = score(a:b) - max(score(a), score(b))

``gain`` ranks the pairs. ``gain_over_max`` is also high for two fields that are
informative *independently* (their pair knows both), which a model sees without a
crossed field; ``gain`` is about 0 for them, positive only when the effect of one
field depends on the other (a synergy) and negative when the pair's many values
cost more (in correction) than they bring.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import polars as pl

from ctrflow.feature_engineering.interactions import interaction_name
from ctrflow.feature_ranking.mutual_information import mutual_information

INTERACTIONS_SCHEMA: dict[str, pl.DataType] = {
    "rank": pl.Int64(),
    "feature": pl.String(),
    "feature_a": pl.String(),
    "feature_b": pl.String(),
    "cardinality": pl.Int64(),
    "score": pl.Float64(),
    "score_a": pl.Float64(),
    "score_b": pl.Float64(),
    "gain": pl.Float64(),
    "gain_over_max": pl.Float64(),
}
"""Columns of the table :func:`score_interactions` returns."""


def pair_ids(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One id per observed combination of two dense id arrays (not dense itself).

    Example::

        >>> pair_ids(np.array([0, 1, 1]), np.array([2, 0, 2])).tolist()
        [2, 3, 5]
    """
    return a.astype(np.int64) * (int(b.max()) + 1) + b


def score_interactions(
    label: np.ndarray,
    ids: dict[str, np.ndarray],
    scores: dict[str, float],
    *,
    cardinality_correction: bool = True,
) -> pl.DataFrame:
    """Score every pair of the given fields, best gain first.

    Args:
        label: the label's class ids.
        ids: ``{name: dense ids}`` of the fields to pair, in rank order (the pair
            is named better-ranked field first).
        scores: each field's own score against the label.
        cardinality_correction: as in :func:`ctrflow.feature_ranking.mutual_information`.

    Returns:
        One row per pair, columns as :data:`INTERACTIONS_SCHEMA`, sorted by
        ``gain`` (ties keep pair order); ``rank`` 1 is the best.
    """
    rows = []
    for a, b in combinations(ids, 2):
        combined = pair_ids(ids[a], ids[b])
        result = mutual_information(
            label, combined, cardinality_correction=cardinality_correction
        )
        rows.append(
            (
                interaction_name(a, b),
                a,
                b,
                int(np.unique(combined).size),
                result.score,
                scores[a],
                scores[b],
                result.score - scores[a] - scores[b],
                result.score - max(scores[a], scores[b]),
            )
        )
    unranked = {k: v for k, v in INTERACTIONS_SCHEMA.items() if k != "rank"}
    table = pl.DataFrame(rows, schema=unranked, orient="row").sort(
        "gain", descending=True, maintain_order=True
    )
    return table.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"), pl.all()
    )


def select_interactions(
    interactions: pl.DataFrame, add_top_n: int, min_gain: float
) -> list[str]:
    """Names (``a:b``) of the best ``add_top_n`` pairs whose gain is at least ``min_gain``.

    Args:
        interactions: output of :func:`score_interactions`.
        add_top_n: the most pairs to return.
        min_gain: the smallest gain (nats) a pair needs.

    Returns:
        Pair names, best first.
    """
    return (
        interactions.sort("rank")
        .filter(pl.col("gain") >= min_gain)
        .head(add_top_n)["feature"]
        .to_list()
    )
