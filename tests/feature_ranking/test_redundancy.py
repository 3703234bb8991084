"""Field-vs-field redundancy, the mRMR order, and the estimator with a many-class Y."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from ctrflow.feature_ranking.mutual_information import (
    mutual_information,
    outrank_mutual_information,
)
from ctrflow.feature_ranking.redundancy import (
    REDUNDANCY_SCHEMA,
    add_redundancy,
    entropy,
    mrmr_order,
    normalised_redundancy,
    redundancy_matrix,
)

RTOL, ATOL = 1e-5, 1e-7


def _zipf(rng: np.random.Generator, rows: int, values: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, values + 1) ** 1.1
    return rng.choice(values, size=rows, p=weights / weights.sum())


@pytest.mark.parametrize(
    ("rows", "y_values", "x_values"),
    [(5_000, 3, 10), (20_000, 50, 300), (20_000, 2_000, 50), (30_000, 500, 20_000)],
)
@pytest.mark.parametrize("cardinality_correction", [True, False])
def test_many_class_y_equals_outrank(rows, y_values, x_values, cardinality_correction):
    """Field against field: Y is a field's ids, not a 0/1 label."""
    rng = np.random.default_rng(rows + y_values)
    x = _zipf(rng, rows, x_values)
    y = np.where(rng.random(rows) < 0.7, x % y_values, _zipf(rng, rows, y_values))
    ours = mutual_information(y, x, cardinality_correction=cardinality_correction)
    reference = outrank_mutual_information(
        y, x, cardinality_correction=cardinality_correction
    )
    np.testing.assert_allclose(ours.score, reference, rtol=RTOL, atol=ATOL)


def test_entropy_hand_computed():
    assert entropy(np.array([0, 0, 1, 1])) == pytest.approx(math.log(2))
    assert entropy(np.array([3, 3, 3])) == 0.0


def test_copy_and_function_are_fully_redundant():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 40, 20_000)
    assert normalised_redundancy(a, a) == 1.0
    # b = a // 4 is a function of a: a holds all of b's information
    assert normalised_redundancy(a // 4, a) == pytest.approx(1.0, abs=0.01)
    # the other way round a's information is only partly in b
    assert normalised_redundancy(a, a // 4) == pytest.approx(
        1 - math.log(4) / math.log(40), abs=0.02
    )


def test_independent_fields_are_not_redundant_whatever_the_cardinality():
    rng = np.random.default_rng(1)
    rows = 50_000
    small = rng.integers(0, 20, rows)
    near_unique = rng.integers(0, 10 * rows, rows)
    # plain MI says the near-unique field "explains" the other one
    plain = mutual_information(small, near_unique, cardinality_correction=False)
    assert plain.mutual_information / entropy(small) > 0.8
    assert normalised_redundancy(small, near_unique) < 0.01
    assert normalised_redundancy(near_unique, small) < 0.01


def test_constant_field_is_redundant_with_nothing():
    a = np.random.default_rng(4).integers(0, 7, 100)
    assert normalised_redundancy(np.zeros(100, dtype=np.int64), a) == 0.0


def test_matrix_diagonal_and_orientation():
    # rows in random order: the shifted-label correction assumes it (a periodic
    # column shifted by a constant count is still a function of itself)
    a = np.random.default_rng(3).integers(0, 30, 6_000)
    ids = {"a": a, "coarse": a // 10}
    matrix = redundancy_matrix(ids)
    assert np.all(np.diag(matrix) == 1.0)
    assert matrix[0, 1] == pytest.approx(1.0, abs=0.01)  # R(coarse | a)
    assert matrix[1, 0] < 0.5  # R(a | coarse)


def test_mrmr_without_redundancy_is_the_relevance_order():
    assert mrmr_order([0.3, 0.2, 0.1], np.eye(3)) == [0, 1, 2]


def test_mrmr_moves_a_copy_behind_weaker_independent_fields():
    matrix = np.eye(4)
    matrix[0, 1] = matrix[1, 0] = 0.95  # field 1 copies field 0
    assert mrmr_order([0.05, 0.045, 0.02, 0.001], matrix) == [0, 2, 1, 3]


def test_add_redundancy_columns_and_flags():
    rng = np.random.default_rng(2)
    rows = 20_000
    a = rng.integers(0, 50, rows)
    copy = np.where(rng.random(rows) < 0.05, rng.integers(0, 50, rows), a)
    other = rng.integers(0, 10, rows)
    ranking = pl.DataFrame(
        {
            "feature": ["a", "copy", "other", "unscored"],
            "cardinality": [50, 50, 10, 3],
            "score": [0.05, 0.04, 0.01, 0.0],
            "rank": [1, 2, 3, 4],
        }
    )
    result = add_redundancy(
        ranking, {"a": a, "copy": copy, "other": other}, threshold=0.5
    )
    assert result.columns == [*ranking.columns, *REDUNDANCY_SCHEMA]
    rows_by = result.rows_by_key("feature", named=True, unique=True)
    assert rows_by["copy"]["redundant"] is True
    assert rows_by["copy"]["redundant_with"] == "a"
    assert rows_by["copy"]["redundancy"] > 0.8
    assert rows_by["other"]["redundant"] is False
    assert rows_by["other"]["redundant_with"] is None
    assert rows_by["unscored"]["redundancy"] is None
    assert [rows_by[n]["mrmr_rank"] for n in ("a", "other", "copy", "unscored")] == [
        1,
        2,
        3,
        4,
    ]
