"""The expectation suite built from the schema and DataQualityParams (no validation run)."""

from __future__ import annotations

import pytest

from ctrflow.data_quality.params import DataQualityParams, ValueRange
from ctrflow.data_quality.suite import build_expectation_suite
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label="y", categorical=["site", "app"], numeric=["count"])


def _by_check(expectations, check):
    return [e for e in expectations if e.meta["check"] == check]


def test_every_family_is_present_with_its_severity():
    expectations = build_expectation_suite(SCHEMA, DataQualityParams()).expectations

    types = {
        check: [e.expectation_type for e in _by_check(expectations, check)]
        for check in ("row_count", "columns_present", "label_values", "positive_rate")
    }
    assert types == {
        "row_count": ["expect_table_row_count_to_be_between"],
        "columns_present": ["expect_column_to_exist"] * 4,
        "label_values": [
            "expect_column_values_to_not_be_null",
            "expect_column_values_to_be_in_set",
        ],
        "positive_rate": ["expect_column_mean_to_be_between"],
    }
    assert [
        e.column for e in _by_check(expectations, "columns_present")
    ] == SCHEMA.columns
    assert [
        e.column for e in _by_check(expectations, "null_fraction")
    ] == SCHEMA.features
    assert _by_check(expectations, "numeric_range") == []
    # the default expectation names the label as schema.label: here column y
    assert [
        (e.expectation_type, e.column) for e in _by_check(expectations, "custom")
    ] == [("expect_column_most_common_value_to_be_in_set", "y")]
    for expectation in expectations:
        if expectation.meta["check"] == "custom":
            continue  # its severity is its own (warning)
        severity = DataQualityParams().severity[expectation.meta["check"]]
        assert expectation.meta["severity"] == severity
        assert (
            expectation.severity
            == {"blocking": "critical", "warning": "warning"}[severity]
        )


def test_thresholds_come_from_the_parameters():
    params = DataQualityParams(
        min_rows=50,
        max_null_fraction=0.45,
        null_fraction_overrides={"app": 0.9},
        numeric_ranges={"count": ValueRange(min=0)},
        positive_rate=ValueRange(min=0.1, max=0.4),
        severity={"null_fraction": "blocking"},
    )
    expectations = build_expectation_suite(SCHEMA, params).expectations

    assert _by_check(expectations, "row_count")[0].min_value == 50
    assert _by_check(expectations, "label_values")[1].value_set == [0, 1]
    rate = _by_check(expectations, "positive_rate")[0]
    assert (rate.min_value, rate.max_value) == (0.1, 0.4)
    nulls = {e.column: e for e in _by_check(expectations, "null_fraction")}
    assert {column: e.mostly for column, e in nulls.items()} == {
        "site": 0.55,  # not 0.5499999999999999
        "app": 0.1,
        "count": 0.55,
    }
    assert {e.meta["severity"] for e in nulls.values()} == {"blocking"}
    (value_range,) = _by_check(expectations, "numeric_range")
    assert (value_range.column, value_range.min_value, value_range.max_value) == (
        "count",
        0,
        None,
    )


def test_open_positive_rate_drops_the_check():
    params = DataQualityParams(positive_rate=ValueRange())
    assert (
        _by_check(build_expectation_suite(SCHEMA, params).expectations, "positive_rate")
        == []
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            DataQualityParams(null_fraction_overrides={"sight": 0.9}),
            r"null_fraction_overrides names \['sight'\]",
        ),
        (DataQualityParams(null_fraction_overrides={"y": 0.9}), r"not feature columns"),
        (
            DataQualityParams(numeric_ranges={"site": ValueRange(min=0)}),
            r"numeric_ranges names \['site'\]",
        ),
    ],
)
def test_unknown_columns_in_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        build_expectation_suite(SCHEMA, params)


def test_an_expectation_on_a_missing_column_says_which_file_to_edit():
    """The default check names the label `schema.label`; a literal `label` in a data
    set whose label is y is named, with the file to edit."""
    params = DataQualityParams(
        expectations=[
            {
                "expectation": "expect_column_most_common_value_to_be_in_set",
                "column": "label",
                "kwargs": {"value_set": [0]},
            }
        ]
    )
    with pytest.raises(
        ValueError,
        match=r"data_quality.expectations name column\(s\) \['label'\], .*; set "
        r"data_quality.expectations in conf/<env>/parameters_data_quality.yml "
        r"\(<env>: the environment you run with --env, local by default\) "
        r"\('schema.label' names the label column",
    ):
        build_expectation_suite(SCHEMA, params)


@pytest.mark.parametrize(
    "bad",
    [
        {"positive_rate": {"min": 0.5, "max": 0.1}},
        {"positive_rate": {"max": 1.5}},
        {"null_fraction_overrides": {"site": -0.1}},
        {"severity": {"nul_fraction": "warning"}},
        {"severity": {"null_fraction": "fatal"}},
        {"min_row": 10},
    ],
)
def test_bad_parameters_are_rejected(bad):
    with pytest.raises(ValueError):
        DataQualityParams(**bad)
