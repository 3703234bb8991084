"""OutRank's cardinality-aware mutual information, vectorised.

OutRank 0.97.5 ranks features with ``mutual_info_estimator_numba(Y, X,
approximation_factor, cardinality_correction)`` (heuristic ``MI-numba-randomized``
when the correction is on, plain ``MI-numba`` when it is off). With ``n`` rows, the
``n_x`` rows holding value ``x`` of ``X`` and ``n_xc`` of them holding class ``c`` of
``Y`` (all logarithms natural)::

    H(Y)     = - sum_c (n_c / n) log(n_c / n)
    H(Y | X) = - (1 / n) sum_{x,c} n_xc log(n_xc / n_x)
    MI       = H(Y) - H(Y | X)

The correction replaces ``Y`` by a shifted copy that keeps X's value counts but
breaks any real link to ``X``: row ``i`` is paired with ``Y[(i + n_{x_i}) mod n]``,
the label ``n_{x_i}`` rows further down, cyclically. With ``H~`` the conditional
entropy of that shifted label given ``X``::

    correction = H(Y) - H~(Y | X)          (MI that X's value counts alone produce)
    score      = MI - correction = H~(Y | X) - H(Y | X)

A field with many rare values "explains" the label by over-fitting (plain MI is
high), but it explains the shifted label just as well, so its score is near 0.

OutRank loops over the distinct values of ``X`` and scans the whole column for each
(``O(n * distinct)``: about 11 s for 200k rows of a 100k-value field). Here both
conditional entropies come from one ``np.bincount`` of ``(x, y)`` pairs
(``O(n + distinct)``); the numbers equal OutRank's up to its float32 rounding.

Two OutRank details are reproduced on purpose, because the numbers must match:

- Its "diagonal entries" rule: when ``sum(X) == sum(Y)`` (it tests
  ``np.sum(X - Y) == 0``), the correction is switched off and the score is the plain
  MI. It is meant for ``X is Y`` but also fires on a coincidence of id sums.
- Values seen once are skipped; they contribute 0 to both conditional entropies
  anyway, so this changes nothing.

Only ``approximation_factor == 1.0`` (no sampling) is supported: below 1, OutRank
keeps the first ``int(factor * n / distinct)`` rows of each value (not random),
divides their class counts by the full-data value counts, multiplies the result by
the factor, and leaves the unused tail of its ``np.empty`` index buffer
uninitialised (garbage row indices) unless the per-value quota fills it exactly;
that is neither an estimate of the same quantity nor reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# A joint (x, y) count table larger than this many cells times the row count is
# counted by sorting the pair keys instead of by np.bincount.
_DENSE_TABLE_ROWS_FACTOR = 4


@dataclass(frozen=True)
class MutualInformation:
    """The parts of OutRank's score for one feature, in nats.

    Attributes:
        mutual_information: plug-in ``I(X; Y) = H(Y) - H(Y | X)``.
        cardinality_correction: ``H(Y) - H~(Y | X)`` for the shifted label, the
            term subtracted from the MI; ``0.0`` when the correction is off.
        score: ``mutual_information - cardinality_correction``.
    """

    mutual_information: float
    cardinality_correction: float
    score: float


def mutual_information(
    y: npt.ArrayLike,
    x: npt.ArrayLike,
    *,
    cardinality_correction: bool = True,
    approximation_factor: float = 1.0,
) -> MutualInformation:
    """OutRank's ``mutual_info_estimator_numba(Y, X, ...)``, vectorised.

    Same argument order as OutRank: ``y`` is the variable whose conditional entropy
    is measured, ``x`` the one whose values group the rows and set the shift. The
    ranking stage passes the label as ``y`` and the encoded feature as ``x``.

    Args:
        y: non-negative integer ids, one per row.
        x: non-negative integer ids, same length (need not be dense).
        cardinality_correction: subtract the MI against the shifted label
            (``MI-numba-randomized``); ``False`` gives plain MI (``MI-numba``).
        approximation_factor: must be ``1.0``; OutRank's sampling below 1 is not
            reproducible (see the module docstring).

    Returns:
        The MI, the correction and the score; ``score`` equals OutRank's return
        value.

    Raises:
        ValueError: empty, negative, non-integer or mismatched inputs, or an
            ``approximation_factor`` other than 1.

    Example::

        >>> label = [0, 1, 0, 1]
        >>> round(mutual_information(label, label, cardinality_correction=False).score, 4)
        0.6931
        >>> mutual_information(label, [5, 5, 5, 5]).score  # a constant field
        0.0
    """
    if approximation_factor != 1.0:
        raise ValueError(
            f"approximation_factor must be 1.0, got {approximation_factor}: OutRank's "
            "stratified sampling below 1 is not reproducible"
        )
    y_raw, x_raw = _check_ids(y, "y"), _check_ids(x, "x")
    if y_raw.shape != x_raw.shape:
        raise ValueError(f"y and x differ in length: {y_raw.size} != {x_raw.size}")
    rows = x_raw.size
    # OutRank's "diagonal entries" rule: np.sum(X - Y) == 0 turns the correction off
    correct = cardinality_correction and int(x_raw.sum(dtype=np.int64)) != int(
        y_raw.sum(dtype=np.int64)
    )
    x_ids, x_counts = _dense_ids(x_raw)
    y_ids, y_counts = _dense_ids(y_raw)

    y_entropy = _entropy(y_counts, rows)
    conditional = _conditional_entropy(x_ids, y_ids, x_counts, y_counts.size)
    mi = y_entropy - conditional
    if not correct:
        return MutualInformation(mi, 0.0, mi)

    # row i is paired with the label n_{x_i} rows further down, cyclically
    shifted = y_ids[(np.arange(rows) + x_counts[x_ids]) % rows]
    shifted_conditional = _conditional_entropy(x_ids, shifted, x_counts, y_counts.size)
    return MutualInformation(
        mutual_information=mi,
        cardinality_correction=y_entropy - shifted_conditional,
        score=shifted_conditional - conditional,
    )


def outrank_mutual_information(
    y: npt.ArrayLike,
    x: npt.ArrayLike,
    *,
    cardinality_correction: bool = True,
    approximation_factor: float = 1.0,
) -> float:
    """Call OutRank's own ``mutual_info_estimator_numba(Y, X, ...)``: the reference.

    ``O(n * distinct values of x)``: seconds for a field with 100k values.

    Args:
        y: non-negative integer ids (cast to int32), one per row.
        x: non-negative integer ids (cast to int32), same length.
        cardinality_correction: as in :func:`mutual_information`.
        approximation_factor: passed through as float32 (below 1, OutRank samples;
            see the module docstring).

    Returns:
        OutRank's score (a float32 value).
    """
    # Imported here: importing the OutRank module calls np.random.seed(123) and
    # loads its numba kernels.
    from outrank.algorithms.feature_ranking.ranking_mi_numba import (  # noqa: PLC0415
        mutual_info_estimator_numba,
    )

    y_ids, x_ids = _check_ids(y, "y"), _check_ids(x, "x")
    if y_ids.shape != x_ids.shape:
        raise ValueError(f"y and x differ in length: {y_ids.size} != {x_ids.size}")
    return float(
        mutual_info_estimator_numba(
            _as_int32(y_ids, "y"),
            _as_int32(x_ids, "x"),
            np.float32(approximation_factor),
            bool(cardinality_correction),
        )
    )


def outrank_estimate(
    y: npt.ArrayLike, x: npt.ArrayLike, *, cardinality_correction: bool = True
) -> MutualInformation:
    """:class:`MutualInformation` from OutRank itself (two calls: plain and corrected).

    Args:
        y: as in :func:`outrank_mutual_information`.
        x: as in :func:`outrank_mutual_information`.
        cardinality_correction: as in :func:`mutual_information`.

    Returns:
        The MI (OutRank without correction), the correction (their difference)
        and the score (OutRank with ``cardinality_correction``).
    """
    mi = outrank_mutual_information(y, x, cardinality_correction=False)
    if not cardinality_correction:
        return MutualInformation(mi, 0.0, mi)
    score = outrank_mutual_information(y, x, cardinality_correction=True)
    return MutualInformation(mi, mi - score, score)


def _check_ids(values: npt.ArrayLike, name: str) -> np.ndarray:
    """A 1-d, non-empty array of non-negative integers (no copy if already one)."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-d, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty")
    if array.dtype == np.bool_:
        array = array.astype(np.int32)
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integer ids, got dtype {array.dtype}")
    if array.min() < 0:
        raise ValueError(f"{name} holds negative ids (min {array.min()})")
    return array


def _as_int32(ids: np.ndarray, name: str) -> np.ndarray:
    if ids.max() > np.iinfo(np.int32).max:
        raise ValueError(f"{name} holds ids beyond int32 (max {ids.max()})")
    # OutRank's numba signatures need writable arrays (polars gives read-only views)
    return np.require(ids, dtype=np.int32, requirements=["C", "W"])


def _dense_ids(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ids renumbered 0..k-1 in value order, and the row count of each."""
    if ids.max() < _DENSE_TABLE_ROWS_FACTOR * ids.size:
        counts = np.bincount(ids)
        present = counts > 0
        new_id = np.cumsum(present) - 1
        return new_id[ids], counts[present]
    _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    return inverse, counts


def _entropy(counts: np.ndarray, rows: int) -> float:
    p = counts / rows
    return float(-np.sum(p * np.log(p)))


def _conditional_entropy(
    x_ids: np.ndarray, y_ids: np.ndarray, x_counts: np.ndarray, y_classes: int
) -> float:
    """``H(Y | X) = -(1/n) sum n_xc log(n_xc / n_x)`` from dense ids."""
    keys = x_ids.astype(np.int64) * y_classes + y_ids
    cells = x_counts.size * y_classes
    if cells <= _DENSE_TABLE_ROWS_FACTOR * keys.size:
        joint = np.bincount(keys, minlength=cells)
        occupied = np.flatnonzero(joint)
        joint = joint[occupied]
    else:  # many x values times many classes: count the pairs by sorting
        occupied, joint = np.unique(keys, return_counts=True)
    group_size = x_counts[occupied // y_classes]
    return float(-np.sum(joint * np.log(joint / group_size)) / keys.size)
