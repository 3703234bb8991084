"""AUC confidence intervals by DeLong's method, fast (midranks, O(n log n)).

DeLong, DeLong & Clarke-Pearson (1988), "Comparing the areas under two or more
correlated ROC curves", Biometrics 44(3); the midrank algorithm of Sun & Xu (2014),
"Fast implementation of DeLong's algorithm", IEEE Signal Processing Letters 21(11).

With ``m`` positives ``X_i`` and ``n`` negatives ``Y_j``, ``psi(x, y) = 1`` if
``x > y``, ``1/2`` if tied, else ``0``; the AUC is the mean of ``psi`` over all
pairs. Its structural components are ``V10_i = mean_j psi(X_i, Y_j)`` (per
positive) and ``V01_j = mean_i psi(X_i, Y_j)`` (per negative), and

    Var(AUC) = S10 / m + S01 / n,

``S10``, ``S01`` their sample (co)variances across scorers (``ddof=1``). Midranks
give every component from three sorts: ``V10_i = (rank of X_i among all - rank of
X_i among the positives) / n``, so no ``m x n`` table is built. Intervals are
normal (Wald), the AUC's clipped to [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from ctrflow.evaluation.metrics import _check_labels, _check_scores, _check_two_classes


@dataclass(frozen=True)
class AucInterval:
    """An AUC with its DeLong standard error and confidence interval.

    Attributes:
        auc: the area under the ROC curve (ties count one half).
        std_error: DeLong's standard error of ``auc``.
        low: lower end of the interval, at least 0.
        high: upper end of the interval, at most 1.
        level: the interval's confidence level, e.g. 0.95.
    """

    auc: float
    std_error: float
    low: float
    high: float
    level: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def to_dict(self) -> dict[str, float | str]:
        """The ``auc_ci`` record of ``metrics.json``."""
        return {
            "low": self.low,
            "high": self.high,
            "level": self.level,
            "method": "DeLong",
        }


@dataclass(frozen=True)
class AucDifference:
    """Paired DeLong comparison of two scorers on the same rows: ``a - b``.

    Attributes:
        difference: ``AUC(a) - AUC(b)``.
        std_error: its standard error (accounts for the two scorers' correlation).
        low: lower end of the interval.
        high: upper end of the interval.
        p_value: two-sided p-value of ``AUC(a) == AUC(b)`` (1 when both scorers
            rank every pair alike, so the difference has no variance).
        level: the interval's confidence level.
    """

    difference: float
    std_error: float
    low: float
    high: float
    p_value: float
    level: float

    def to_dict(self) -> dict[str, float]:
        """The ``auc_vs_baseline`` record of ``metrics.json``."""
        return {
            "difference": self.difference,
            "low": self.low,
            "high": self.high,
            "p_value": self.p_value,
        }


def midranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks of ``values``, tied values sharing the mean of their ranks.

    Example::

        >>> midranks(np.array([0.3, 0.1, 0.3, 0.2])).tolist()
        [3.5, 1.0, 3.5, 2.0]
    """
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    # run boundaries of equal values: positions [start, end) share (start + 1 + end) / 2
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], ordered.size]
    run_ranks = (starts + 1 + ends) / 2.0
    ranks = np.empty(values.size, dtype=np.float64)
    ranks[order] = np.repeat(run_ranks, ends - starts)
    return ranks


def _structural_components(
    labels: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """AUCs ``(k,)``, V10 ``(k, m)`` and V01 ``(k, n)`` of ``k`` scorers' rows ``(k, N)``."""
    positives, negatives = scores[:, labels], scores[:, ~labels]
    m, n = positives.shape[1], negatives.shape[1]
    v10 = np.empty((scores.shape[0], m))
    v01 = np.empty((scores.shape[0], n))
    for row in range(scores.shape[0]):  # one per scorer (1 or 2), not per data row
        all_ranks = midranks(np.concatenate([positives[row], negatives[row]]))
        # negatives below X_i (ties one half) = its rank among all - among positives
        v10[row] = (all_ranks[:m] - midranks(positives[row])) / n
        # positives above Y_j = m - (positives below or half-tied with Y_j)
        v01[row] = 1.0 - (all_ranks[m:] - midranks(negatives[row])) / m
    return v10.mean(axis=1), v10, v01


def _covariance(v10: np.ndarray, v01: np.ndarray) -> np.ndarray:
    """DeLong's ``k x k`` covariance of the AUCs: ``S10 / m + S01 / n``."""
    m, n = v10.shape[1], v01.shape[1]
    s10 = np.atleast_2d(np.cov(v10)) if m > 1 else np.zeros((v10.shape[0],) * 2)
    s01 = np.atleast_2d(np.cov(v01)) if n > 1 else np.zeros((v01.shape[0],) * 2)
    return s10 / m + s01 / n


def _z(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"the confidence level must lie in (0, 1), got {level}")
    return NormalDist().inv_cdf(0.5 + level / 2)


def _prepared(labels: np.ndarray, *scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    labels = _check_labels(labels)
    _check_two_classes(labels, "AUC")
    stacked = np.stack(
        [
            _check_scores(s, labels.size, f"scores {i}").astype(np.float64)
            for i, s in enumerate(scores)
        ]
    )
    return labels, stacked


def delong_auc(
    labels: np.ndarray, scores: np.ndarray, level: float = 0.95
) -> AucInterval:
    """AUC of ``scores`` with DeLong's confidence interval.

    Args:
        labels: 0/1 array.
        scores: predicted scores, same length; only their order matters.
        level: confidence level of the interval.

    Returns:
        An ``AucInterval``: ``auc ± z * std_error``, clipped to [0, 1].

    Raises:
        ValueError: a single class, bad labels or scores, a level outside (0, 1).

    Example::

        >>> ci = delong_auc(np.array([1, 1, 0, 0, 0]), np.array([.8, .6, .7, .3, .2]))
        >>> round(ci.auc, 4), round(ci.std_error**2, 6)  # 5/6 and 1/18 by hand
        (0.8333, 0.055556)
    """
    labels, stacked = _prepared(labels, scores)
    aucs, v10, v01 = _structural_components(labels, stacked)
    std_error = math.sqrt(max(float(_covariance(v10, v01)[0, 0]), 0.0))
    auc, half = float(aucs[0]), _z(level) * std_error
    return AucInterval(
        auc=auc,
        std_error=std_error,
        low=max(0.0, auc - half),
        high=min(1.0, auc + half),
        level=level,
    )


def delong_paired(
    labels: np.ndarray,
    scores_a: np.ndarray,
    scores_b: np.ndarray,
    level: float = 0.95,
) -> AucDifference:
    """Paired DeLong test of ``AUC(a) - AUC(b)``, both scorers on the same rows.

    Args:
        labels: 0/1 array.
        scores_a: the first scorer's scores, same length.
        scores_b: the second scorer's scores, same length.
        level: confidence level of the interval.

    Returns:
        An ``AucDifference``; ``Var = Var(a) + Var(b) - 2 Cov(a, b)``.

    Raises:
        ValueError: a single class, bad labels or scores, a level outside (0, 1).

    Example::

        >>> labels = np.array([1, 1, 0, 0, 0])
        >>> diff = delong_paired(labels, np.array([.8, .6, .7, .3, .2]), -labels)
        >>> round(diff.difference, 4)  # 5/6 - 0 (b ranks every negative first)
        0.8333
    """
    labels, stacked = _prepared(labels, scores_a, scores_b)
    aucs, v10, v01 = _structural_components(labels, stacked)
    cov = _covariance(v10, v01)
    variance = max(float(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]), 0.0)
    difference, std_error = float(aucs[0] - aucs[1]), math.sqrt(variance)
    if std_error > 0:
        p_value = math.erfc(abs(difference) / std_error / math.sqrt(2))
    else:
        p_value = 1.0 if difference == 0 else 0.0
    half = _z(level) * std_error
    return AucDifference(
        difference=difference,
        std_error=std_error,
        low=difference - half,
        high=difference + half,
        p_value=p_value,
        level=level,
    )
