"""Derived features: hour, weekday and day of the event time (UTC), and buckets."""

from datetime import UTC, datetime

import polars as pl
import pytest

from ctrflow.ingestion.derived import add_derived
from ctrflow.schema import DerivedFeature


def test_hour_weekday_and_day_in_utc_and_a_missing_time_stays_missing():
    times = pl.Series(
        "t",
        [datetime(2024, 5, 5, 23, 30, tzinfo=UTC), None],  # a Sunday
        dtype=pl.Datetime("ms", "UTC"),
    )
    table = add_derived(
        pl.DataFrame([times]),
        [DerivedFeature(column="t", extract=["hour", "weekday", "day"])],
    )
    assert table.columns == ["t", "t_hour", "t_weekday", "t_day"]
    assert table.schema["t_hour"] == pl.String  # categorical, like every other
    assert table.select("t_hour", "t_weekday", "t_day").rows() == [
        ("23", "7", "5"),
        (None, None, None),
    ]
    # the same instant in another zone gives the UTC parts
    berlin = pl.DataFrame([times.dt.convert_time_zone("Europe/Berlin")])
    again = add_derived(berlin, [DerivedFeature(column="t", extract=["hour"])])
    assert again["t_hour"].to_list() == ["23", None]


def test_buckets_are_closed_on_the_left_and_nulls_stay_null():
    table = pl.DataFrame({"price": [-3.0, 0.0, 0.5, 1.0, 9.99, 10.0, 250.0, None]})
    bucketed = add_derived(table, [DerivedFeature(column="price", buckets=[0, 1, 10])])
    assert bucketed["price_bucket"].to_list() == [
        "[-inf, 0)",
        "[0, 1)",
        "[0, 1)",
        "[1, 10)",
        "[1, 10)",
        "[10, inf)",
        "[10, inf)",
        None,
    ]


def test_no_spec_leaves_the_table_and_a_missing_input_is_named():
    table = pl.DataFrame({"x": [1.0]})
    assert add_derived(table, []) is table
    with pytest.raises(KeyError, match=r"need column\(s\) \['price'\]"):
        add_derived(table, [DerivedFeature(column="price", buckets=[1])])
