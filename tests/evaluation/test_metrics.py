"""The vectorised metrics against scikit-learn, hand-computed values and properties."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from ctrflow.evaluation.metrics import (
    calibration_table,
    expected_calibration_error,
    log_loss,
    roc_auc,
    roc_curve,
    summarise_predictions,
)


def _tied_sample(
    seed: int, rows: int = 3000, levels: int = 40
) -> tuple[np.ndarray, np.ndarray]:
    """Labels that depend on the score, scores on a coarse grid (many ties)."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, levels + 1, size=rows) / levels
    labels = (rng.random(rows) < 0.05 + 0.4 * scores).astype(np.int8)
    return labels, scores


# --- against scikit-learn -----------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_roc_auc_matches_sklearn_with_ties(seed, dtype):
    labels, scores = _tied_sample(seed)
    scores = scores.astype(dtype)
    assert roc_auc(labels, scores) == pytest.approx(
        skm.roc_auc_score(labels, scores), abs=1e-12
    )


def test_roc_auc_matches_sklearn_on_continuous_scores():
    rng = np.random.default_rng(7)
    labels = (rng.random(5000) < 0.1).astype(bool)
    scores = rng.normal(size=5000) + labels
    assert roc_auc(labels, scores) == pytest.approx(
        skm.roc_auc_score(labels, scores), abs=1e-12
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_log_loss_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    probabilities = rng.uniform(1e-3, 1 - 1e-3, size=4000)
    labels = (rng.random(4000) < probabilities).astype(np.int64)
    assert log_loss(labels, probabilities) == pytest.approx(
        skm.log_loss(labels, probabilities), rel=1e-12
    )


def test_log_loss_clips_certain_mistakes():
    # a confident wrong prediction costs -ln(1e-7), not infinity
    assert log_loss(np.array([1]), np.array([0.0])) == pytest.approx(-np.log(1e-7))


@pytest.mark.parametrize("seed", [0, 3])
def test_roc_curve_matches_sklearn_with_ties(seed):
    labels, scores = _tied_sample(seed)
    fpr, tpr, thresholds = roc_curve(labels, scores, max_points=10_000)
    sk_fpr, sk_tpr, sk_thresholds = skm.roc_curve(labels, scores)
    np.testing.assert_allclose(fpr, sk_fpr, atol=1e-15)
    np.testing.assert_allclose(tpr, sk_tpr, atol=1e-15)
    np.testing.assert_array_equal(thresholds, sk_thresholds)


def test_roc_curve_matches_sklearn_on_continuous_scores():
    rng = np.random.default_rng(11)
    labels = (rng.random(2000) < 0.2).astype(np.int8)
    scores = rng.normal(size=2000) + labels
    fpr, tpr, _ = roc_curve(labels, scores, max_points=10_000)
    sk_fpr, sk_tpr, _ = skm.roc_curve(labels, scores)
    np.testing.assert_allclose(fpr, sk_fpr, atol=1e-15)
    np.testing.assert_allclose(tpr, sk_tpr, atol=1e-15)


def test_roc_curve_downsampling_keeps_endpoints_and_true_points():
    rng = np.random.default_rng(5)
    labels = (rng.random(20_000) < 0.3).astype(np.int8)
    scores = rng.normal(size=20_000) + labels
    full_fpr, full_tpr, full_thresholds = roc_curve(labels, scores, max_points=10**9)
    fpr, tpr, thresholds = roc_curve(labels, scores, max_points=50)

    assert 40 <= fpr.size <= 50
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.isinf(thresholds[0])
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    # every kept point is a point of the full curve, at its own threshold
    position = np.searchsorted(-full_thresholds, -thresholds)
    np.testing.assert_array_equal(full_fpr[position], fpr)
    np.testing.assert_array_equal(full_tpr[position], tpr)


def test_roc_curve_by_hand():
    fpr, tpr, thresholds = roc_curve(
        np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])
    )
    assert fpr.tolist() == [0.0, 0.0, 0.5, 0.5, 1.0]
    assert tpr.tolist() == [0.0, 0.5, 0.5, 1.0, 1.0]
    assert thresholds.tolist() == [np.inf, 0.8, 0.4, 0.35, 0.1]


# --- properties of the AUC -------------------------------------------------------------

_labelled_scores = st.integers(min_value=2, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 1), min_size=n, max_size=n).filter(
            lambda ys: 0 < sum(ys) < n
        ),
        st.lists(st.integers(0, 1000), min_size=n, max_size=n),
    )
)


@settings(max_examples=150, deadline=None)
@given(_labelled_scores)
def test_auc_is_invariant_to_increasing_transforms(sample):
    labels, grid = np.array(sample[0]), np.array(sample[1], dtype=np.float64)
    auc = roc_auc(labels, grid / 1000)
    for transformed in (
        3 * grid - 7,
        grid**3,
        np.arctan(grid),
        1 / (1 + np.exp(-(grid - 500) / 50)),
    ):
        assert roc_auc(labels, transformed) == pytest.approx(auc, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(_labelled_scores)
def test_auc_of_reversed_scores_is_its_complement(sample):
    labels, probabilities = np.array(sample[0]), np.array(sample[1]) / 1000
    assert roc_auc(labels, 1 - probabilities) == pytest.approx(
        1 - roc_auc(labels, probabilities), abs=1e-12
    )
    assert 0.0 <= roc_auc(labels, probabilities) <= 1.0


def test_auc_of_perfect_constant_and_hand_examples():
    labels = np.array([0, 0, 1, 1])
    assert roc_auc(labels, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert roc_auc(labels, np.full(4, 0.3)) == 0.5  # every pair tied: half credit
    # pairs (pos, neg): (.35,.1) win, (.35,.4) loss, (.8,.1) win, (.8,.4) win -> 3/4
    assert roc_auc(labels, np.array([0.1, 0.4, 0.35, 0.8])) == 0.75


# --- calibration -------------------------------------------------------------------------


def test_expected_calibration_error_by_hand():
    labels = np.array([0, 1, 0, 1])
    probabilities = np.array([0.1, 0.2, 0.7, 0.9])
    # bin [0, .5): mean predicted .15, observed .5 -> gap .35, 2 rows
    # bin [.5, 1]: mean predicted .8, observed .5 -> gap .3, 2 rows
    assert expected_calibration_error(labels, probabilities, bins=2) == pytest.approx(
        (2 * 0.35 + 2 * 0.3) / 4
    )


def test_calibration_table_by_hand_with_edges_and_empty_bins():
    labels = np.array([0, 1, 1, 0, 1])
    probabilities = np.array([0.0, 0.25, 0.5, 0.5, 1.0])
    table = calibration_table(labels, probabilities, bins=4)
    np.testing.assert_allclose(table.lower, [0, 0.25, 0.5, 0.75])
    np.testing.assert_allclose(table.upper, [0.25, 0.5, 0.75, 1.0])
    # bins are [lower, upper): 0.25 and 0.5 open the next bin; 1.0 closes the last
    assert table.count.tolist() == [1, 1, 2, 1]
    np.testing.assert_allclose(table.mean_predicted, [0.0, 0.25, 0.5, 1.0])
    np.testing.assert_allclose(table.observed_rate, [0.0, 1.0, 0.5, 1.0])
    # gaps 0, .75, 0, 0 -> ECE .75 / 5
    assert table.expected_calibration_error == pytest.approx(0.15)

    sparse = calibration_table(np.array([0, 1]), np.array([0.05, 0.15]), bins=10)
    assert sparse.count.tolist() == [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert (
        np.isnan(sparse.mean_predicted[2:]).all()
        and np.isnan(sparse.observed_rate[2:]).all()
    )
    assert sparse.to_dict()["observed_rate"][:3] == [0.0, 1.0, None]


def test_calibration_table_counts_match_numpy_histogram():
    rng = np.random.default_rng(3)
    probabilities = rng.random(10_000) ** 3
    labels = (rng.random(10_000) < probabilities).astype(np.int8)
    table = calibration_table(labels, probabilities, bins=20)
    expected, _ = np.histogram(probabilities, bins=20, range=(0.0, 1.0))
    np.testing.assert_array_equal(table.count, expected)
    positives, _ = np.histogram(probabilities[labels == 1], bins=20, range=(0.0, 1.0))
    filled = expected > 0
    np.testing.assert_allclose(
        table.observed_rate[filled], positives[filled] / expected[filled]
    )


def test_calibration_table_rejects_values_outside_the_unit_interval():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        calibration_table(np.array([0, 1]), np.array([0.5, 1.5]))


# --- summary and failures ------------------------------------------------------------------


def test_summarise_predictions_by_hand():
    labels = np.array([0, 1, 0, 1])
    probabilities = np.array([0.1, 0.2, 0.7, 0.9])
    summary = summarise_predictions(labels, probabilities, bins=2)
    assert summary == pytest.approx(
        {
            "auc": 0.75,
            "logloss": skm.log_loss(labels, probabilities),
            "predicted_mean": 0.475,
            "observed_rate": 0.5,
            "calibration_ratio": 0.95,
            "ece": 0.325,
            "rows": 4,
            "positives": 2,
            "negatives": 2,
        }
    )
    assert isinstance(summary["rows"], int) and isinstance(summary["auc"], float)


@pytest.mark.parametrize(
    "metric",
    [
        roc_auc,
        lambda y, p: roc_curve(y, p, 10),
        summarise_predictions,
    ],
    ids=["roc_auc", "roc_curve", "summarise_predictions"],
)
@pytest.mark.parametrize("label", [0, 1])
def test_single_class_raises(metric, label):
    with pytest.raises(ValueError, match="single class"):
        metric(np.full(5, label), np.linspace(0.1, 0.9, 5))


@pytest.mark.parametrize(
    ("labels", "scores", "message"),
    [
        (np.array([0, 1, 2]), np.array([0.1, 0.2, 0.3]), "0 or 1"),
        (np.array([0, 1, 1]), np.array([0.1, np.nan, 0.3]), "NaN"),
        (np.array([0, 1, 1]), np.array([0.1, 0.2]), "shape"),
        (np.array([], dtype=int), np.array([]), "non-empty"),
    ],
)
def test_bad_inputs_raise(labels, scores, message):
    with pytest.raises(ValueError, match=message):
        roc_auc(labels, scores)


def test_a_million_rows_take_well_under_a_second_each():
    # guards against a per-row Python loop creeping in (measured ~0.05 s each)
    rng = np.random.default_rng(0)
    probabilities = rng.random(1_000_000).astype(np.float32)
    labels = (rng.random(1_000_000) < probabilities).astype(np.int8)
    start = time.perf_counter()
    summarise_predictions(labels, probabilities, bins=10)
    roc_curve(labels, probabilities, max_points=500)
    assert time.perf_counter() - start < 5.0
