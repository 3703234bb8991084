"""Drift against train (OOV rate, PSI, label rate) and the data-quality figure."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import polars as pl
import pytest
from kedro_datasets.plotly import JSONDataset

from ctrflow.data_quality.drift import (
    compute_drift,
    null_fractions,
    oov_rate,
    population_stability_index,
)
from ctrflow.data_quality.params import DataQualityParams, DriftParams
from ctrflow.data_quality.plots import data_quality_figure
from ctrflow.data_quality.validation import validate_tables
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label="label", numeric=["n"], categorical=["c"])


def _table(labels, c, n) -> pl.DataFrame:
    return pl.DataFrame(
        {"label": labels, "c": c, "n": n},
        schema={"label": pl.Int8, "c": pl.String, "n": pl.Float64},
    )


def test_oov_rate_counts_non_missing_values_unseen_in_train():
    train = pl.Series(["a", "b", None])
    assert oov_rate(train, pl.Series(["a", "x", "x", "y", None])) == (0.75, 2)
    assert oov_rate(train, pl.Series([None, None], dtype=pl.String)) == (0.0, 0)


def test_psi_is_zero_for_the_same_distribution_and_hand_computed_otherwise():
    train = pl.Series([0.0, 0.0, 1.0, 1.0])
    assert population_stability_index(train, train, bins=2) == 0.0
    # bins at train's median (0.5): train 50/50, other 25/75, no missing values
    other = pl.Series([0.0, 1.0, 1.0, 1.0])
    expected = (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.75 - 0.5) * math.log(0.75 / 0.5)
    assert population_stability_index(train, other, bins=2) == pytest.approx(expected)
    # missing values are a bin of their own
    with_nulls = pl.Series([0.0, 1.0, None, None])
    assert population_stability_index(train, with_nulls, bins=2) > 1.0


def test_compute_drift_flags_what_exceeds_its_threshold():
    tables = {
        "train": _table([0, 1, 0, 1], ["a", "a", "b", "b"], [0.0, 0.0, 1.0, 1.0]),
        "valid": _table([0, 1, 0, 1], ["a", "b", "a", "b"], [0.0, 0.0, 1.0, 1.0]),
        "test": _table([1, 1, 1, 0], ["z", "a", "b", "a"], [5.0, 5.0, 5.0, 5.0]),
    }
    drift = compute_drift(tables, SCHEMA, DriftParams())
    assert drift["label_rate"] == {"train": 0.5, "valid": 0.5, "test": 0.75}
    assert [
        (r["split"], r["oov_rate"], r["exceeded"]) for r in drift["categorical"]
    ] == [
        ("valid", 0.0, False),
        ("test", 0.25, True),
    ]
    assert [r["exceeded"] for r in drift["numeric"]] == [False, True]
    assert drift["warnings"] == [
        "test: 25.00% of column 'c''s values are unseen in train (1 distinct), "
        "above max_oov_rate 0.1",
        f"test: column 'n' has PSI {drift['numeric'][1]['psi']:.3f} against train, "
        "above max_psi 0.2",
        "test: label rate 0.7500 differs from train's 0.5000 by 0.2500, above "
        "max_label_rate_shift 0.02",
    ]
    overrides = DriftParams(oov_rate_overrides={"c": 0.5}, max_label_rate_shift=0.3)
    assert len(compute_drift(tables, SCHEMA, overrides)["warnings"]) == 1


def test_null_fractions():
    table = _table([0, 1], [None, "a"], [None, None])
    assert null_fractions({"train": table}) == {
        "train": {"label": 0.0, "c": 0.5, "n": 1.0}
    }


def test_report_carries_drift_and_the_figure_round_trips_as_plotly_json(tmp_path):
    tables = {
        "train": _table([0, 1] * 50, ["a", "b"] * 50, [float(i) for i in range(100)]),
        "valid": _table([0, 1] * 10, ["a", "c"] * 10, [float(i) for i in range(20)]),
        "test": _table([0, 1] * 10, ["a", "b"] * 10, [None] * 20),
    }
    report = validate_tables(tables, SCHEMA, DataQualityParams(min_rows=10))
    assert report["null_fractions"]["test"]["n"] == 1.0
    assert report["drift"]["categorical"][0]["oov_rate"] == 0.5

    figure = data_quality_figure(report)
    names = [trace.name for trace in figure.data]
    assert names[:3] == ["passed", "failed", "unexpected"]
    assert names.count("test") == 3  # null fractions, OOV rate, PSI
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles[4].endswith("(label rate: train 0.5000, valid 0.5000, test 0.5000)")
    dataset = JSONDataset(filepath=str(tmp_path / "dq.json"))
    dataset.save(figure)
    assert isinstance(dataset.load(), go.Figure)


def test_drift_overrides_must_be_fractions():
    with pytest.raises(ValueError, match=r"oov_rate_overrides must be within \[0, 1\]"):
        DriftParams(oov_rate_overrides={"c": 1.5})


def _psi_in_memory(train: pl.Series, other: pl.Series, bins: int) -> float:
    """The PSI as numpy computes it on the whole columns (what the aggregations
    must reproduce)."""
    reference = train.drop_nulls().cast(pl.Float64).to_numpy()
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))

    def shares(series: pl.Series) -> np.ndarray:
        values = series.drop_nulls().cast(pl.Float64).to_numpy()
        counts = np.bincount(
            np.searchsorted(edges, values, side="right"), minlength=edges.size + 1
        )
        counts = np.append(counts, series.null_count())
        return np.maximum(counts / series.len(), 1e-4)

    expected, actual = shares(train), shares(other)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def test_psi_from_aggregations_equals_numpy_on_the_whole_columns(demo_table):
    """Ties (counters), missing values and integer columns: train's quantiles and
    the bin counts as streaming aggregations give numpy's PSI."""
    train, other = demo_table.head(12_000), demo_table.tail(8_000)
    for column, bins in [("I1", 10), ("I5", 10), ("I11", 7), ("I13", 50)]:
        assert population_stability_index(
            train[column], other[column], bins
        ) == pytest.approx(
            _psi_in_memory(train[column], other[column], bins), rel=1e-12
        )
    counts = pl.Series(np.arange(1_000) % 9, dtype=pl.Int64)
    assert population_stability_index(counts, counts.tail(400), 4) == pytest.approx(
        _psi_in_memory(counts, counts.tail(400), 4), rel=1e-12
    )


def test_drift_of_scans_equals_drift_of_the_tables(
    typed_demo_table, demo_schema, tmp_path, scan_shards
):
    shifted = typed_demo_table(3_000, seed=32).with_columns(pl.col("I3") * 3)
    tables = {
        "train": typed_demo_table(6_000, seed=31),
        "valid": shifted,
        "test": typed_demo_table(2_000, seed=33),
    }
    scans = {
        split: scan_shards(table, tmp_path / split, shards=3)
        for split, table in tables.items()
    }
    params = DriftParams(max_psi=0.05)
    eager = compute_drift(tables, demo_schema, params)
    streamed = compute_drift(scans, demo_schema, params)
    assert streamed["label_rate"] == eager["label_rate"]
    assert streamed["label"] == eager["label"]
    for kind, value in [("categorical", "oov_rate"), ("numeric", "psi")]:
        assert [{k: v for k, v in r.items() if k != value} for r in streamed[kind]] == [
            {k: v for k, v in r.items() if k != value} for r in eager[kind]
        ]
        assert [r[value] for r in streamed[kind]] == pytest.approx(
            [r[value] for r in eager[kind]], rel=1e-12
        )
    assert streamed["warnings"] == eager["warnings"]
    assert any("'I3' has PSI" in w for w in eager["warnings"])
    assert null_fractions(scans) == null_fractions(tables)
