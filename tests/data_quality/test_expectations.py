"""Expectations an analyst writes in parameters: checked at start-up, run with the suite."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest
from kedro.validation import ParameterValidationError, ParameterValidator
from pydantic import ValidationError

from ctrflow.data_quality.expectations import (
    check_expectation,
    expectation_classes,
    known_expectation_types,
)
from ctrflow.data_quality.params import DataQualityParams, ExpectationSpec
from ctrflow.data_quality.report import DataQualityError, require_passed
from ctrflow.data_quality.suite import build_expectation_suite
from ctrflow.data_quality.validation import validate_tables
from ctrflow.pipelines.data_quality import create_pipeline
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label="label", numeric=["n"], categorical=["c"])


def _table(n_values: list[float]) -> pl.DataFrame:
    rows = len(n_values)
    return pl.DataFrame(
        {
            "label": [i % 2 for i in range(rows)],
            "c": [f"v{i % 3}" for i in range(rows)],
            "n": n_values,
        },
        schema={"label": pl.Int8, "c": pl.String, "n": pl.Float64},
    )


def test_every_gx_expectation_type_is_known_by_its_snake_case_name():
    classes = expectation_classes()
    assert "expect_column_values_to_be_between" in classes
    assert len(classes) > 40


@pytest.mark.parametrize(
    "spec, message",
    [
        (
            {"expectation": "expect_column_values_to_be_betwen", "column": "n"},
            r"unknown expectation type 'expect_column_values_to_be_betwen'; did you "
            r"mean 'expect_column_values_to_be_between'.* Valid types .*"
            r"expect_column_values_to_be_in_set",
        ),
        (
            {"expectation": "expect_column_values_to_not_be_null", "column": "n",
             "severity": "fatal"},
            r"severity\n  Input should be 'blocking' or 'warning'",
        ),
    ],
)  # fmt: skip
def test_a_bad_spec_fails_validation_naming_what_is_wrong(spec, message):
    with pytest.raises(ValidationError, match=message):
        DataQualityParams(expectations=[spec])


@pytest.mark.parametrize(
    "expectation, column, kwargs, message",
    [
        (
            "expect_column_values_to_be_between", "n", {"min_vlaue": 0},
            r"expect_column_values_to_be_between does not take \['min_vlaue'\] "
            r"\('min_vlaue': did you mean 'min_value'\?\); it takes: column, mostly",
        ),
        (
            "expect_column_values_to_be_between", "n", {"min_value": "zero"},
            r"min_value: value is not a valid float",
        ),
        (
            "expect_table_row_count_to_be_between", "n", {"min_value": 1},
            r"does not take \['column'\]",
        ),
    ],
)  # fmt: skip
def test_a_bad_argument_fails_the_full_check(expectation, column, kwargs, message):
    # the parameters check the type's name only (no GX import); the data-quality
    # stage's first node runs this full check
    DataQualityParams(
        expectations=[{"expectation": expectation, "column": column, "kwargs": kwargs}]
    )
    with pytest.raises(ValueError, match=message):
        check_expectation(expectation, column, kwargs)


def test_known_types_are_read_without_importing_gx():
    code = (
        "import sys; from ctrflow.data_quality.expectations import "
        "known_expectation_types as k; from ctrflow.data_quality.params import "
        "DataQualityParams; DataQualityParams(); "
        "print(len(k()), 'great_expectations' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[1] == "False"
    assert set(expectation_classes()) <= known_expectation_types()
    assert int(out[0]) == len(known_expectation_types())


def test_a_misspelled_expectation_stops_kedro_before_any_node():
    raw = {
        "schema": SCHEMA.model_dump(),
        "data_quality": {
            "expectations": [{"expectation": "expect_colum_to_exist", "column": "n"}]
        },
    }
    with pytest.raises(
        ParameterValidationError, match="did you mean 'expect_column_to_exist'"
    ):
        ParameterValidator({"dq": create_pipeline()}).validate_raw_params(raw)


def test_check_expectation_builds_the_gx_object():
    expectation = check_expectation(
        "expect_column_values_to_be_between", "n", {"min_value": 0}
    )
    assert expectation.column == "n" and expectation.min_value == 0


def test_custom_expectations_join_the_suite_with_their_severity():
    params = DataQualityParams(
        min_rows=1,
        expectations=[
            ExpectationSpec(
                expectation="expect_column_values_to_be_between",
                column="n",
                kwargs={"min_value": 0},
                severity="blocking",
            ),
            ExpectationSpec(
                expectation="expect_column_max_to_be_between",
                column="n",
                kwargs={"max_value": 5},
            ),
        ],
    )
    suite = build_expectation_suite(SCHEMA, params)
    custom = [e for e in suite.expectations if e.meta["check"] == "custom"]
    assert [(e.expectation_type, e.meta["severity"]) for e in custom] == [
        ("expect_column_values_to_be_between", "blocking"),
        ("expect_column_max_to_be_between", "warning"),
    ]
    tables = {"train": _table([1.0, -2.0, 3.0, 9.0]), "valid": _table([1.0, 2.0])}
    report = validate_tables(tables, SCHEMA, params)
    assert [
        (e["split"], e["check"], e["unexpected_count"])
        for e in report["blocking_failures"]
    ] == [("train", "custom", 1)]
    assert [(e["split"], e["expectation"]) for e in report["warnings"]] == [
        ("train", "expect_column_max_to_be_between")
    ]
    with pytest.raises(
        DataQualityError,
        match=r"train: expect_column_values_to_be_between on column 'n' \(min_value=0.0\) "
        r"\[custom\]: 1 of 4 rows unexpected",
    ):
        require_passed(report)


def test_a_custom_expectation_on_a_column_outside_the_schema():
    params = DataQualityParams(
        expectations=[{"expectation": "expect_column_to_exist", "column": "nn"}]
    )
    with pytest.raises(
        ValueError,
        match=r"data_quality.expectations name column\(s\) \['nn'\], which are not in "
        r"the schema \(columns: \['label', 'c', 'n'\]\)",
    ):
        build_expectation_suite(SCHEMA, params)


def test_an_expectation_naming_the_label_by_name_says_which_file_to_change():
    schema = DatasetSchema(label="clicked", categorical=["c"])
    params = DataQualityParams(
        expectations=[{"expectation": "expect_column_to_exist", "column": "label"}]
    )
    with pytest.raises(ValueError) as error:
        build_expectation_suite(schema, params)
    assert str(error.value).startswith(
        "data_quality.expectations name column(s) ['label'], which are not in the "
        "schema (columns: ['clicked', 'c']); set data_quality.expectations in "
        "conf/<env>/parameters_data_quality.yml"
    )
    assert "'schema.label' names the label column" in str(error.value)
