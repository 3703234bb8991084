"""The logistic-regression baseline: its design matrix by hand, a fit that beats
chance on a separable set, the C grid, sampling and bounded iterations."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest
from sklearn.exceptions import ConvergenceWarning

from ctrflow.evaluation.baseline import (
    design_matrix,
    fit_baseline,
    predict_baseline,
)
from ctrflow.evaluation.metrics import roc_auc
from ctrflow.evaluation.params import BaselineParams
from ctrflow.feature_engineering.feature_map import (
    CategoricalField,
    FeatureMap,
    NumericField,
    SequenceField,
)

# C1: local ids 2..4 (values a, b, c) at offset 0, size 5; C2: offset 5, size 4
FEATURE_MAP = FeatureMap(
    label="clicked",
    categorical=[
        CategoricalField("C1", ["a", "b", "c"], offset=0),
        CategoricalField("C2", ["x", "y"], offset=5),
    ],
    numeric=[NumericField("I1", "standardize")],
    sequence=[SequenceField("history", vocabulary_of="C1", max_length=3)],
)


def test_design_matrix_by_hand():
    encoded = pl.DataFrame(
        {
            "clicked": [1, 0],
            "C1": pl.Series([2, 4], dtype=pl.Int32),
            "C2": pl.Series([6, 5], dtype=pl.Int32),
            "I1": pl.Series([0.5, -1.5], dtype=pl.Float32),
            # ids of C1 (offset 0); 0 is PAD
            "history": pl.Series([[2, 3, 3], [1, 0, 0]], dtype=pl.List(pl.Int32)),
        }
    )
    matrix = design_matrix(encoded, FEATURE_MAP).toarray()
    # 9 one-hot (C1: 0..4, C2: 5..8), 5 for the history's C1 ids, 1 numeric
    assert matrix.shape == (2, 15)
    np.testing.assert_array_equal(
        matrix[0], [0, 0, 1, 0, 0, 0, 1, 0, 0] + [0, 0, 1 / 3, 2 / 3, 0] + [0.5]
    )
    np.testing.assert_array_equal(
        matrix[1], [0, 0, 0, 0, 1, 1, 0, 0, 0] + [0, 1, 0, 0, 0] + [-1.5]
    )


def test_design_matrix_names_missing_columns_and_bad_ids():
    encoded = pl.DataFrame({"clicked": [1], "C1": [2], "C2": [9], "I1": [0.0]})
    with pytest.raises(KeyError, match="history"):
        design_matrix(encoded, FEATURE_MAP)
    no_sequence = FeatureMap(
        label="clicked",
        categorical=FEATURE_MAP.categorical,
        numeric=FEATURE_MAP.numeric,
    )
    with pytest.raises(ValueError, match=r"\[0, 9\)"):
        design_matrix(encoded, no_sequence)


def _separable_split(seed: int, rows: int) -> pl.DataFrame:
    """C1's value and I1 decide the click probability; C2 is noise."""
    rng = np.random.default_rng(seed)
    c1 = rng.integers(2, 5, rows)  # a, b, c
    i1 = rng.normal(size=rows)
    logit = np.array([0, 0, -2.5, 0.0, 2.5])[c1] + 1.5 * i1
    clicked = rng.random(rows) < 1 / (1 + np.exp(-logit))
    return pl.DataFrame(
        {
            "clicked": pl.Series(clicked, dtype=pl.Int8),
            "C1": pl.Series(c1, dtype=pl.Int32),
            "C2": pl.Series(rng.integers(5, 9, rows), dtype=pl.Int32),
            "I1": pl.Series(i1, dtype=pl.Float32),
            "history": pl.Series(
                rng.integers(0, 5, (rows, 3)).tolist(), dtype=pl.List(pl.Int32)
            ),
        }
    )


@pytest.fixture(scope="module")
def splits() -> dict[str, pl.DataFrame]:
    return {
        name: _separable_split(seed, rows)
        for name, seed, rows in (
            ("train", 0, 3000),
            ("valid", 1, 1000),
            ("test", 2, 1000),
        )
    }


def test_baseline_beats_chance_on_a_separable_set(splits):
    fit = fit_baseline(splits["train"], splits["valid"], FEATURE_MAP, BaselineParams())
    probabilities = predict_baseline(fit, splits["test"], FEATURE_MAP)
    test_auc = roc_auc(splits["test"]["clicked"].to_numpy(), probabilities)
    assert test_auc > 0.85
    assert fit.valid_auc.auc > 0.85 and fit.valid_auc.low > 0.8
    assert 0 < probabilities.min() and probabilities.max() < 1
    assert fit.train_rows == 3000 and fit.columns == 15


def test_the_c_with_the_best_validation_auc_is_kept(splits):
    c_values = [1e3, 1e-5, 1.0, 1e-2, 10.0]
    fit = fit_baseline(
        splits["train"],
        splits["valid"],
        FEATURE_MAP,
        BaselineParams(c_values=c_values),
    )
    tried = [g["C"] for g in fit.grid]
    assert tried == sorted(c_values)[: len(tried)]  # in increasing order
    aucs = [g["valid_auc"] for g in fit.grid]
    # each C improved on the last, but the one that stopped the search
    assert all(a < b for a, b in zip(aucs[:-2], aucs[1:-1], strict=True))
    if len(tried) < len(c_values):
        assert aucs[-1] <= max(aucs[:-1])
    best = max(fit.grid, key=lambda g: g["valid_auc"])
    assert fit.c == best["C"]
    assert fit.valid_auc.auc == pytest.approx(best["valid_auc"], abs=1e-12)


def test_a_large_train_split_is_sampled_the_same_way_each_time(splits):
    params = BaselineParams(max_train_rows=500, seed=3)
    first, again = (
        fit_baseline(splits["train"], splits["valid"], FEATURE_MAP, params)
        for _ in range(2)
    )
    assert first.train_rows == 500
    np.testing.assert_array_equal(first.model.coef_, again.model.coef_)


def test_a_fit_stopped_at_max_iter_is_recorded_not_warned(splits):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fit = fit_baseline(
            splits["train"],
            splits["valid"],
            FEATURE_MAP,
            BaselineParams(c_values=[100.0], max_iter=10),
        )
    assert fit.grid[0]["iterations"] == 10 and fit.grid[0]["converged"] is False


def test_a_single_class_train_split_is_refused(splits):
    clicks_only = splits["train"].with_columns(
        pl.lit(1, dtype=pl.Int8).alias("clicked")
    )
    with pytest.raises(ValueError, match="single class"):
        fit_baseline(clicks_only, splits["valid"], FEATURE_MAP, BaselineParams())


def _scan(frame: pl.DataFrame, folder, rows_per_shard: int) -> pl.LazyFrame:
    """``frame`` as Parquet shards, scanned lazily (the streaming path's input)."""
    folder.mkdir()
    for index, shard in enumerate(frame.iter_slices(rows_per_shard)):
        shard.write_parquet(folder / f"part-{index:05d}.parquet")
    return pl.scan_parquet(folder / "*.parquet")


def test_lazy_scans_of_shards_fit_and_score_as_the_tables_do(splits, tmp_path):
    scans = {name: _scan(frame, tmp_path / name, 700) for name, frame in splits.items()}
    eager = fit_baseline(
        splits["train"], splits["valid"], FEATURE_MAP, BaselineParams()
    )
    lazy = fit_baseline(scans["train"], scans["valid"], FEATURE_MAP, BaselineParams())
    assert lazy.c == eager.c and lazy.train_rows == eager.train_rows
    assert lazy.valid_auc.auc == eager.valid_auc.auc
    np.testing.assert_array_equal(
        predict_baseline(lazy, scans["test"], FEATURE_MAP, block_rows=300),
        predict_baseline(eager, splits["test"], FEATURE_MAP),
    )
