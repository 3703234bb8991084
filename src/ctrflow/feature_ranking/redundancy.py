"""Redundancy between fields, and a minimum-redundancy / maximum-relevance order.

Each field is scored alone against the label, so a near-copy of a good field ranks
as high as the original. Here the same cardinality-aware estimator is applied
field against field: field ``b``'s dense ids play the label (``Y``, many classes)
and field ``a``'s ids group the rows (``X``). The normalised redundancy of ``b``
given ``a`` is::

    R(b | a) = clip(score(Y=b, X=a) / H(b), 0, 1)

``score`` is OutRank's corrected MI (:func:`ctrflow.feature_ranking.mutual_information`),
``H(b)`` the plug-in entropy of ``b``: the share of ``b``'s information that ``a``
holds, ``1`` for an exact copy (or any function of ``a``), about ``0`` for an
independent field *whatever either cardinality*. Plain MI would not do: a
near-unique field ``a`` "explains" every other field, and the correction removes
that, as it does for the label.

The ordering (:func:`mrmr_order`) is greedy: start from the most relevant field,
then repeatedly take the candidate with the largest
``relevance(f) * (1 - max_{s chosen} R(f | s))``. A field independent of the
chosen ones keeps its relevance, so without redundancy the order is the relevance
order; a near-copy of a chosen field drops to the end of the informative fields.
This is not OutRank's ``3MR`` heuristic (its 0.97.5 implementation is broken), nor
Peng's ``MID`` difference (which subtracts field-field MI of a few nats from
field-label MI of a few hundredths and so reorders everything by redundancy noise).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ctrflow.feature_ranking.mutual_information import mutual_information

REDUNDANCY_SCHEMA: dict[str, pl.DataType] = {
    "redundancy": pl.Float64(),
    "redundant_with": pl.String(),
    "redundant": pl.Boolean(),
    "mrmr_rank": pl.Int64(),
}
"""Columns :func:`add_redundancy` appends to a ranking."""


def entropy(ids: np.ndarray) -> float:
    """Plug-in entropy (nats) of non-negative integer ids.

    Example::

        >>> round(entropy(np.array([0, 1, 0, 1])), 4)
        0.6931
    """
    counts = np.bincount(ids)
    p = counts[counts > 0] / ids.size
    return float(-np.sum(p * np.log(p)))


def normalised_redundancy(b: np.ndarray, a: np.ndarray) -> float:
    """``R(b | a)``: the share of ``b``'s entropy that ``a`` holds, cardinality-corrected.

    Args:
        b: dense ids of the field playing the label.
        a: dense ids of the field grouping the rows, same length.

    Returns:
        A value in ``[0, 1]``; ``0`` when ``b`` is constant.

    Example::

        >>> a = np.arange(1000) % 10
        >>> normalised_redundancy(a, a)
        1.0
        >>> normalised_redundancy(np.zeros(1000, dtype=int), a)
        0.0
    """
    h = entropy(b)
    if h == 0.0:
        return 0.0
    return float(np.clip(mutual_information(b, a).score / h, 0.0, 1.0))


def redundancy_matrix(ids: dict[str, np.ndarray]) -> np.ndarray:
    """``R[i, j] = R(field j | field i)`` for every ordered pair; the diagonal is 1.

    Args:
        ids: ``{name: dense ids}``, all the same length.

    Returns:
        A ``len(ids) x len(ids)`` float array in ``[0, 1]``.
    """
    names = list(ids)
    matrix = np.eye(len(names))
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i != j:
                matrix[i, j] = normalised_redundancy(ids[b], ids[a])
    return matrix


def mrmr_order(relevance: list[float], matrix: np.ndarray) -> list[int]:
    """Greedy min-redundancy / max-relevance order of fields (indices).

    Args:
        relevance: each field's score against the label.
        matrix: :func:`redundancy_matrix` of the same fields, same order.

    Returns:
        Field indices, first chosen first. Ties keep the input order.

    Example::

        >>> m = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.0], [0.0, 0.0, 1.0]])
        >>> mrmr_order([0.05, 0.04, 0.01], m)  # field 1 copies field 0
        [0, 2, 1]
    """
    remaining = list(range(len(relevance)))
    order: list[int] = []
    penalty = np.zeros(len(relevance))  # max redundancy with the chosen fields
    while remaining:
        gains = [relevance[f] * (1.0 - penalty[f]) for f in remaining]
        best = remaining.pop(int(np.argmax(gains)))
        order.append(best)
        penalty = np.maximum(penalty, matrix[best])
    return order


def add_redundancy(
    ranking: pl.DataFrame, ids: dict[str, np.ndarray], threshold: float
) -> pl.DataFrame:
    """The ranking with redundancy flags and the mRMR order.

    Only the fields in ``ids`` (the best ones) are compared. For each, the
    ``redundancy`` column holds its largest ``R(field | a)`` over better-ranked
    fields ``a``, ``redundant_with`` that ``a`` and ``redundant`` whether it
    reaches ``threshold``. ``mrmr_rank`` orders the compared fields by
    :func:`mrmr_order`, then the others in rank order.

    Args:
        ranking: output of :func:`ctrflow.feature_ranking.rank_features`.
        ids: ``{name: dense ids}`` of the fields to compare (ranked fields).
        threshold: the flagging threshold in ``(0, 1]``.

    Returns:
        A new table, columns of ``ranking`` then :data:`REDUNDANCY_SCHEMA`; the
        uncompared fields get null ``redundancy`` / ``redundant_with`` and
        ``redundant = false``.
    """
    ordered = ranking.sort("rank")
    pool = [name for name in ordered["feature"] if name in ids]
    matrix = redundancy_matrix({name: ids[name] for name in pool})
    score = dict(zip(ordered["feature"], ordered["score"], strict=True))

    redundancy: dict[str, float] = {}
    partner: dict[str, str] = {}
    for j, name in enumerate(pool[1:], start=1):
        best = int(np.argmax(matrix[:j, j]))  # better-ranked fields only
        redundancy[name], partner[name] = float(matrix[best, j]), pool[best]
    if pool:
        redundancy[pool[0]] = 0.0

    order = [pool[i] for i in mrmr_order([score[n] for n in pool], matrix)]
    order += [name for name in ordered["feature"] if name not in ids]
    mrmr_rank = {name: rank for rank, name in enumerate(order, start=1)}
    features = ordered["feature"].to_list()
    flagged = [redundancy.get(name, 0.0) >= threshold for name in features]
    return ordered.with_columns(
        pl.Series(
            "redundancy", [redundancy.get(n) for n in features], dtype=pl.Float64
        ),
        pl.Series(
            "redundant_with",
            [
                partner[n] if flag else None
                for n, flag in zip(features, flagged, strict=True)
            ],
            dtype=pl.String,
        ),
        pl.Series("redundant", flagged, dtype=pl.Boolean),
        pl.Series("mrmr_rank", [mrmr_rank[n] for n in features], dtype=pl.Int64),
    )
