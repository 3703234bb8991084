"""DeLong's AUC variance: by hand, against the O(m n) definition, against a
stratified bootstrap; the paired difference's sign, interval and p-value."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from ctrflow.evaluation.delong import delong_auc, delong_paired, midranks


def _psi_table(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """``psi(X_i, Y_j)`` for every positive i and negative j (1, 1/2 on ties, 0)."""
    positives = scores[labels == 1][:, None]
    negatives = scores[labels == 0][None, :]
    return (positives > negatives) + 0.5 * (positives == negatives)


def _brute_force_covariance(labels: np.ndarray, *scores: np.ndarray) -> np.ndarray:
    """DeLong's covariance straight from its definition, through m x n tables."""
    tables = [_psi_table(labels, s) for s in scores]
    v10 = np.stack([t.mean(axis=1) for t in tables])  # per positive
    v01 = np.stack([t.mean(axis=0) for t in tables])  # per negative
    return (
        np.atleast_2d(np.cov(v10)) / v10.shape[1]
        + np.atleast_2d(np.cov(v01)) / v01.shape[1]
    )


def _scored(seed: int, rows: int, signal: float, levels: int | None = None):
    """Labels with about a third positive, and scores = signal * label + noise."""
    rng = np.random.default_rng(seed)
    labels = (rng.random(rows) < 1 / 3).astype(np.int8)
    scores = signal * labels + rng.normal(size=rows)
    if levels is not None:  # a coarse grid: many ties across the classes
        scores = np.round(scores * levels) / levels
    return labels, scores


def test_midranks_average_the_ranks_of_ties():
    assert midranks(np.array([2.0, 2.0, 2.0, 1.0, 5.0])).tolist() == [3, 3, 3, 1, 5]


def test_hand_example():
    # positives 0.8, 0.6; negatives 0.7, 0.3, 0.2:
    # V10 = [1, 2/3], V01 = [1/2, 1, 1]; AUC = 5/6
    # S10 = var([1, 2/3]) = 1/18, S01 = var([1/2, 1, 1]) = 1/12
    # Var = S10 / 2 + S01 / 3 = 1/36 + 1/36 = 1/18
    labels = np.array([1, 1, 0, 0, 0])
    scores = np.array([0.8, 0.6, 0.7, 0.3, 0.2])
    interval = delong_auc(labels, scores, level=0.95)
    assert interval.auc == pytest.approx(5 / 6, abs=1e-12)
    assert interval.std_error**2 == pytest.approx(1 / 18, abs=1e-12)
    half = 1.959963984540054 * math.sqrt(1 / 18)
    assert interval.low == pytest.approx(5 / 6 - half, abs=1e-12)
    assert interval.high == 1.0  # 5/6 + 0.46 clipped
    assert interval.to_dict() == {
        "low": interval.low,
        "high": 1.0,
        "level": 0.95,
        "method": "DeLong",
    }


def test_hand_example_with_a_tie():
    # positives 0.5, 0.9; negatives 0.5, 0.1: V10 = [3/4, 1], V01 = [3/4, 1]
    # AUC = 7/8, S10 = S01 = var([3/4, 1]) = 1/32, Var = 1/64 + 1/64 = 1/32
    interval = delong_auc(np.array([1, 1, 0, 0]), np.array([0.5, 0.9, 0.5, 0.1]))
    assert interval.auc == pytest.approx(7 / 8, abs=1e-12)
    assert interval.std_error**2 == pytest.approx(1 / 32, abs=1e-12)


@pytest.mark.parametrize("levels", [None, 4])
def test_matches_the_definition_with_and_without_ties(levels):
    labels, scores = _scored(seed=3, rows=600, signal=0.8, levels=levels)
    _, other = _scored(seed=4, rows=600, signal=0.3, levels=levels)
    other = other + 0.5 * scores  # correlated with the first scorer
    covariance = _brute_force_covariance(labels, scores, other)

    single = delong_auc(labels, scores)
    assert single.auc == pytest.approx(skm.roc_auc_score(labels, scores), abs=1e-12)
    assert single.std_error**2 == pytest.approx(covariance[0, 0], rel=1e-10)

    paired = delong_paired(labels, scores, other)
    assert paired.difference == pytest.approx(
        skm.roc_auc_score(labels, scores) - skm.roc_auc_score(labels, other), abs=1e-12
    )
    expected = covariance[0, 0] + covariance[1, 1] - 2 * covariance[0, 1]
    assert paired.std_error**2 == pytest.approx(expected, rel=1e-10)


def _stratified_bootstrap_aucs(
    labels: np.ndarray, scores: np.ndarray, replicates: int, seed: int
) -> np.ndarray:
    """AUC of each bootstrap replicate, positives and negatives resampled apart
    (DeLong's variance holds their counts fixed). ``scores`` is ``(k, N)``:
    the replicates resample the same rows for every scorer (paired)."""
    rng = np.random.default_rng(seed)
    positives, negatives = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    m, n = positives.size, negatives.size
    rows = np.concatenate(
        [
            rng.choice(positives, (replicates, m)),
            rng.choice(negatives, (replicates, n)),
        ],
        axis=1,
    )
    aucs = []
    for scorer in scores:
        drawn = scorer[rows]  # replicates x (m + n), positives first
        # continuous scores: a positive never ties a negative, so ordinal ranks
        # give the Mann-Whitney sum (ties within a class do not change it)
        ranks = drawn.argsort(axis=1).argsort(axis=1) + 1
        aucs.append((ranks[:, :m].sum(axis=1) - m * (m + 1) / 2) / (m * n))
    return np.stack(aucs)


# Bootstrap replicates: the bootstrap's standard deviation has a relative standard
# error of about 1 / sqrt(2 (B - 1)) = 1.6 % at B = 2000 (a near-normal statistic),
# and its variance differs from DeLong's by O(1/m) (under 1 % here); four of those
# standard errors plus that bias bound the agreement.
REPLICATES = 2000
TOLERANCE = 4 / math.sqrt(2 * (REPLICATES - 1)) + 0.01


def test_standard_error_agrees_with_a_bootstrap():
    labels, scores = _scored(seed=11, rows=1500, signal=1.0)
    boot = _stratified_bootstrap_aucs(labels, scores[None, :], REPLICATES, seed=12)
    assert delong_auc(labels, scores).std_error == pytest.approx(
        boot[0].std(ddof=1), rel=TOLERANCE
    )


def test_paired_standard_error_agrees_with_a_bootstrap():
    labels, strong = _scored(seed=21, rows=1500, signal=1.2)
    rng = np.random.default_rng(22)
    weak = strong + rng.normal(scale=1.0, size=strong.size)  # same rows, noisier
    boot = _stratified_bootstrap_aucs(
        labels, np.stack([strong, weak]), REPLICATES, seed=23
    )
    paired = delong_paired(labels, strong, weak)
    assert paired.std_error == pytest.approx(
        (boot[0] - boot[1]).std(ddof=1), rel=TOLERANCE
    )
    # the scorers are correlated: the paired error is well below the unpaired one
    unpaired = math.hypot(
        delong_auc(labels, strong).std_error, delong_auc(labels, weak).std_error
    )
    assert paired.std_error < 0.8 * unpaired


def test_paired_difference_sign_interval_and_p_value():
    labels, strong = _scored(seed=31, rows=3000, signal=1.2)
    rng = np.random.default_rng(32)
    weak = strong + rng.normal(scale=1.5, size=strong.size)

    better = delong_paired(labels, strong, weak)
    assert better.difference > 0 and better.low > 0 and better.p_value < 1e-6
    assert better.low < better.difference < better.high

    worse = delong_paired(labels, weak, strong)
    assert worse.difference == pytest.approx(-better.difference, abs=1e-12)
    assert worse.high < 0
    assert worse.p_value == pytest.approx(better.p_value)

    itself = delong_paired(labels, strong, strong)
    assert itself.difference == 0 and itself.std_error == 0 and itself.p_value == 1


def test_close_scorers_have_an_interval_that_includes_zero():
    labels, scores = _scored(seed=41, rows=400, signal=1.0)
    rng = np.random.default_rng(42)
    near = scores + rng.normal(scale=0.05, size=scores.size)  # a slight reshuffle
    comparison = delong_paired(labels, scores, near)
    assert comparison.low < 0 < comparison.high
    assert comparison.p_value > 0.05


def test_a_higher_level_widens_the_interval():
    labels, scores = _scored(seed=51, rows=500, signal=1.0)
    assert (
        delong_auc(labels, scores, 0.99).half_width
        > delong_auc(labels, scores, 0.95).half_width
    )


def test_few_positives_give_a_wide_interval():
    # the case: 20 positives, AUC about 0.75: about ± 0.1
    rng = np.random.default_rng(61)
    labels = np.r_[np.ones(20, np.int8), np.zeros(780, np.int8)]
    scores = 0.95 * labels + rng.normal(size=labels.size)
    assert 0.06 < delong_auc(labels, scores).half_width < 0.15


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="single class"):
        delong_auc(np.ones(4), np.arange(4.0))
    with pytest.raises(ValueError, match="confidence level"):
        delong_auc(np.array([0, 1]), np.array([0.1, 0.9]), level=1.0)
    with pytest.raises(ValueError, match="shape"):
        delong_paired(np.array([0, 1]), np.array([0.1, 0.9]), np.zeros(3))
