"""Derived features (``schema.derived``) are drift-checked like every categorical
field (``DatasetSchema.categorical_fields``)."""

from ctrflow.data_quality.drift import compute_drift
from ctrflow.data_quality.params import DriftParams


def test_a_derived_field_gets_the_oov_drift_check(price_bucket_table):
    schema, table = price_bucket_table
    tables = {"train": table([1.0, 2.0]), "valid": table([30.0, 40.0])}
    drift = compute_drift(tables, schema, DriftParams())
    (entry,) = drift["categorical"]
    assert (entry["column"], entry["oov_rate"]) == ("price_bucket", 1.0)
