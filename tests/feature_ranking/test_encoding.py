"""Polars columns to dense int32 ids."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ctrflow.feature_ranking.encoding import (
    encode_categorical,
    encode_label,
    encode_numeric,
)


def _is_dense(ids: np.ndarray) -> bool:
    return ids.dtype == np.int32 and np.array_equal(
        np.unique(ids), np.arange(ids.max() + 1)
    )


class TestEncodeCategorical:
    def test_one_id_per_value_in_sorted_order_null_last(self):
        ids = encode_categorical(pl.Series(["b", None, "a", "b", None, "c"]))
        assert ids.tolist() == [1, 3, 0, 1, 3, 2]
        assert ids.dtype == np.int32

    def test_without_nulls_ids_are_dense(self):
        ids = encode_categorical(pl.Series(["x", "y", "x"]))
        assert ids.tolist() == [0, 1, 0]

    def test_all_null_is_one_value(self):
        assert encode_categorical(
            pl.Series([None, None], dtype=pl.String)
        ).tolist() == [0, 0]

    def test_high_cardinality_long_strings(self):
        values = pl.Series([f"{i * 2654435761 % 2**32:08x}" for i in range(50_000)])
        ids = encode_categorical(values)
        assert _is_dense(ids)
        assert ids.max() + 1 == values.n_unique()

    def test_non_string_column_is_cast(self):
        assert encode_categorical(pl.Series([3, 1, None, 3])).tolist() == [1, 0, 2, 1]


class TestEncodeNumeric:
    def test_few_distinct_values_keep_one_id_each(self):
        ids = encode_numeric(pl.Series([0.0, 5.0, None, 9.0, 5.0]), bins=4)
        assert ids.tolist() == [0, 1, 3, 2, 1]

    def test_nan_is_missing_like_null(self):
        ids = encode_numeric(pl.Series([1.0, float("nan"), None, 2.0]), bins=4)
        assert ids.tolist() == [0, 2, 2, 1]

    def test_quantile_bins_have_equal_mass(self):
        values = pl.Series(np.random.default_rng(0).normal(size=10_000))
        ids = encode_numeric(values, bins=8)
        assert _is_dense(ids)
        assert ids.max() + 1 == 8
        np.testing.assert_allclose(np.bincount(ids), 10_000 / 8, rtol=0.01)

    def test_bins_are_ordered_intervals(self):
        values = np.random.default_rng(1).lognormal(size=5_000)
        ids = encode_numeric(pl.Series(values), bins=16)
        order = np.argsort(values)
        assert np.all(np.diff(ids[order]) >= 0)  # larger value, same or higher bin

    def test_ties_merge_bins_and_missing_is_its_own(self):
        # a counter that is 0 on 60% of rows: the low quantiles coincide
        rng = np.random.default_rng(2)
        values = np.where(rng.random(10_000) < 0.6, 0.0, rng.exponential(10, 10_000))
        column = pl.Series(values).scatter([0, 1, 2], None)
        ids = encode_numeric(column, bins=32)
        assert _is_dense(ids)
        assert ids.max() + 1 < 32
        assert set(ids[:3]) == {ids.max()}
        assert np.sum(ids == ids.max()) == 3
        assert np.unique(ids[3:][values[3:] == 0.0]).size == 1  # zeros share a bin

    def test_integer_column(self):
        ids = encode_numeric(
            pl.Series([1, 2, 3, 4, 5, 6, 7, 8], dtype=pl.Int64), bins=2
        )
        assert ids.tolist() == [0, 0, 0, 1, 1, 1, 1, 1]

    def test_all_missing_is_one_value(self):
        assert encode_numeric(
            pl.Series([None, None], dtype=pl.Float64), 4
        ).tolist() == [0, 0]

    def test_rejects_strings_and_too_few_bins(self):
        with pytest.raises(ValueError, match="not numeric"):
            encode_numeric(pl.Series(["1"]), bins=4)
        with pytest.raises(ValueError, match="at least 2"):
            encode_numeric(pl.Series([1.0]), bins=1)


class TestEncodeLabel:
    def test_values_kept_as_int32(self):
        ids = encode_label(pl.Series("label", [0, 1, 1], dtype=pl.Int8))
        assert ids.tolist() == [0, 1, 1]
        assert ids.dtype == np.int32

    @pytest.mark.parametrize(
        ("column", "message"),
        [
            (pl.Series("label", [0, None], dtype=pl.Int8), "1 null"),
            (pl.Series("label", [-1, 1], dtype=pl.Int8), "negative"),
            (pl.Series("label", [0.0, 1.0]), "must be integer"),
        ],
    )
    def test_rejects(self, column, message):
        with pytest.raises(ValueError, match=message):
            encode_label(column)
