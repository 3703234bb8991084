"""Derived features (``schema.derived``) are drift-checked like every categorical
field (``DatasetSchema.categorical_fields``)."""

import polars as pl

from ctrflow.data_quality.drift import compute_drift
from ctrflow.data_quality.params import DriftParams
from ctrflow.ingestion.derived import add_derived
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(
    label="y", numeric=["price"], derived=[{"column": "price", "buckets": [10]}]
)


def _table(prices):
    labels = [int(p >= 10) for p in prices]  # the bucket predicts the label
    raw = pl.DataFrame({"y": pl.Series(labels, dtype=pl.Int8), "price": prices})
    return add_derived(raw, SCHEMA.derived)


def test_a_derived_field_gets_the_oov_drift_check():
    tables = {"train": _table([1.0, 2.0]), "valid": _table([30.0, 40.0])}
    drift = compute_drift(tables, SCHEMA, DriftParams())
    (entry,) = drift["categorical"]
    assert (entry["column"], entry["oov_rate"]) == ("price_bucket", 1.0)
