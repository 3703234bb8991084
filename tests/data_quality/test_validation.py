"""Great Expectations validation of small polars tables, and the gate on its report."""

from __future__ import annotations

import json

import polars as pl
import pytest

from ctrflow.data_quality.params import DataQualityParams, ValueRange
from ctrflow.data_quality.report import DataQualityError, require_passed
from ctrflow.data_quality.validation import validate_tables
from ctrflow.schema import DatasetSchema

PARAMS = DataQualityParams(
    min_rows=1000, max_null_fraction=0.5, positive_rate=ValueRange(min=0.05, max=0.6)
)


@pytest.fixture(scope="module")
def table(typed_demo_table) -> pl.DataFrame:
    """2,000 typed demo rows: label ~0.27 positive, counters 5-41% null, C19 45% null."""
    return typed_demo_table(2_000, seed=3)


@pytest.fixture(scope="module")
def clean_report(table, typed_demo_table, demo_schema) -> dict:
    # valid and test are other rows: rows of train seen again in valid would let
    # near-unique ids score their own labels (the leak check)
    return validate_tables(
        {
            "train": table,
            "valid": typed_demo_table(1_500, seed=4),
            "test": typed_demo_table(1_200, seed=5),
        },
        demo_schema,
        PARAMS,
    )


@pytest.fixture(scope="module")
def validate(demo_schema):
    """``validate(table, params=PARAMS, schema=the demo schema)``: the report of
    ``table`` as the only split."""

    def report(
        table: pl.DataFrame,
        params: DataQualityParams = PARAMS,
        schema: DatasetSchema = demo_schema,
    ) -> dict:
        return validate_tables({"train": table}, schema, params)

    return report


def _with_label(
    table: pl.DataFrame, first_rows: int, value: int | None
) -> pl.DataFrame:
    label = (
        pl.when(pl.int_range(pl.len()) < first_rows)
        .then(pl.lit(value))
        .otherwise(pl.col("label"))
    )
    return table.with_columns(label.cast(pl.Int8).alias("label"))


def _failed(report: dict, check: str) -> list[dict]:
    return [
        e
        for e in [*report["blocking_failures"], *report["warnings"]]
        if e["check"] == check
    ]


def test_clean_tables_pass(clean_report):
    assert clean_report["success"] is True
    assert clean_report["blocking_failures"] == []
    assert clean_report["warnings"] == []
    assert clean_report["row_counts"] == {"train": 2_000, "valid": 1_500, "test": 1_200}
    for split, split_report in clean_report["splits"].items():
        assert split_report["success"] is True
        assert split_report["row_count"] == clean_report["row_counts"][split]
        assert split_report["gx_result"]["success"] is True
        # 1 row count + 40 columns + 2 label + 1 positive rate + 39 null fractions
        # + the default expectation (the label's most common value is 0); valid
        # also has the leak check's entry of each of the 39 features
        leak_entries = 39 if split == "valid" else 0
        assert len(split_report["gx_result"]["results"]) == 84
        assert len(split_report["expectations"]) == 84 + leak_entries
    assert clean_report["probable_leaks"] == []
    assert clean_report["leaks"]["skipped"] is None


def test_report_entries_carry_what_was_checked_and_observed(clean_report, table):
    entries = {
        (e["check"], e["column"]): e
        for e in clean_report["splits"]["train"]["expectations"]
    }

    rate = entries[("positive_rate", "label")]
    assert rate["observed_value"] == pytest.approx(table["label"].mean())
    assert rate["kwargs"] == {"column": "label", "min_value": 0.05, "max_value": 0.6}
    assert rate["severity"] == "blocking"
    nulls = entries[("null_fraction", "C19")]
    assert nulls["unexpected_count"] == table["C19"].null_count()
    assert nulls["unexpected_percent"] == pytest.approx(
        100 * table["C19"].null_count() / 2_000
    )
    assert nulls["element_count"] == 2_000
    assert nulls["severity"] == "warning"
    assert entries[("row_count", None)]["observed_value"] == 2_000


def test_report_is_strict_json(clean_report):
    text = json.dumps(clean_report, allow_nan=False)
    assert json.loads(text) == clean_report


def test_label_outside_0_1_blocks_and_the_gate_names_it(table, validate):
    report = validate(_with_label(table, first_rows=7, value=2))

    assert report["success"] is False
    (failure,) = report["blocking_failures"]
    assert (failure["split"], failure["expectation"], failure["column"]) == (
        "train",
        "expect_column_values_to_be_in_set",
        "label",
    )
    assert failure["unexpected_count"] == 7
    assert failure["unexpected_examples"] == [2]
    with pytest.raises(DataQualityError) as raised:
        require_passed(report)
    message = str(raised.value)
    assert "1 blocking expectation(s) failed" in message
    assert "train: expect_column_values_to_be_in_set on column 'label'" in message
    assert "7 of 2,000 rows unexpected (0.35%), e.g. [2]" in message


def test_null_label_blocks(table, validate):
    report = validate(_with_label(table, first_rows=3, value=None))
    (failure,) = report["blocking_failures"]
    assert (failure["expectation"], failure["column"], failure["unexpected_count"]) == (
        "expect_column_values_to_not_be_null",
        "label",
        3,
    )


def test_null_fraction_breach_is_a_warning_by_default(table, validate):
    nulled = table.with_columns(
        pl.when(pl.int_range(pl.len()) % 5 < 3)
        .then(None)
        .otherwise(pl.col("C1"))
        .alias("C1")
    )

    report = validate(nulled)

    assert report["success"] is True
    require_passed(report)  # does not raise
    (warning,) = report["warnings"]
    assert (warning["split"], warning["check"], warning["column"]) == (
        "train",
        "null_fraction",
        "C1",
    )
    assert warning["unexpected_count"] == 1_200
    assert warning["severity"] == "warning"


def test_null_fraction_override_and_blocking_severity(table, validate):
    nulled = table.with_columns(
        pl.when(pl.int_range(pl.len()) % 5 < 3)
        .then(None)
        .otherwise(pl.col("C1"))
        .alias("C1")
    )

    relaxed = validate(
        nulled, PARAMS.model_copy(update={"null_fraction_overrides": {"C1": 0.6}})
    )
    strict = validate(
        nulled,
        DataQualityParams(
            **{**PARAMS.model_dump(), "severity": {"null_fraction": "blocking"}}
        ),
    )

    assert relaxed["success"] is True and relaxed["warnings"] == []
    assert strict["success"] is False
    assert [(e["check"], e["column"]) for e in strict["blocking_failures"]] == [
        ("null_fraction", "C1")
    ]


def test_missing_column_blocks(table, validate):
    report = validate(table.drop("C3"))

    assert report["success"] is False
    assert [(e["expectation"], e["column"]) for e in report["blocking_failures"]] == [
        ("expect_column_to_exist", "C3")
    ]
    # the null check on the missing column cannot run: reported with GX's reason
    (warning,) = report["warnings"]
    assert warning["column"] == "C3"
    assert "C3" in warning["exception"]
    with pytest.raises(
        DataQualityError,
        match="expect_column_to_exist on column 'C3' .*column is missing",
    ):
        require_passed(report)


def test_too_few_rows_block(table, validate):
    report = validate(table.head(999))

    (failure,) = report["blocking_failures"]
    assert (failure["check"], failure["observed_value"]) == ("row_count", 999)
    with pytest.raises(
        DataQualityError,
        match=r"train: expect_table_row_count_to_be_between \(min_value=1000\) \[row_count\]: observed 999",
    ):
        require_passed(report)


def test_positive_rate_outside_its_bounds_blocks(table, validate):
    all_clicks = _with_label(table, first_rows=1_500, value=1)  # >= 75% positive

    report = validate(all_clicks)

    (failure,) = report["blocking_failures"]
    assert failure["check"] == "positive_rate"
    assert failure["observed_value"] == pytest.approx(all_clicks["label"].mean())
    assert failure["observed_value"] > 0.6


def test_numeric_range_violations_are_counted(table, validate):
    shifted = table.with_columns(
        pl.when(pl.int_range(pl.len()) < 4)
        .then(-1.0)
        .otherwise(pl.col("I5"))
        .alias("I5")
    )
    params = PARAMS.model_copy(
        update={
            "numeric_ranges": {"I5": ValueRange(min=0.0), "I6": ValueRange(min=0.0)}
        }
    )

    report = validate(shifted, params)

    assert report["success"] is True
    (warning,) = report["warnings"]
    assert (warning["check"], warning["column"]) == ("numeric_range", "I5")
    assert warning["unexpected_count"] == 4  # nulls are not range violations
    assert warning["unexpected_examples"] == [-1.0]


def test_each_split_is_reported_separately(table, demo_schema):
    tables = {
        "train": table,
        "valid": _with_label(table, first_rows=2, value=5),
        "test": table.head(10),
    }

    report = validate_tables(tables, demo_schema, PARAMS)

    assert {s: r["success"] for s, r in report["splits"].items()} == {
        "train": True,
        "valid": False,
        "test": False,
    }
    assert [(e["split"], e["check"]) for e in report["blocking_failures"]] == [
        ("valid", "label_values"),
        ("test", "row_count"),
    ]
    message_lines = (
        pytest.raises(DataQualityError, require_passed, report)
        .value.args[0]
        .splitlines()
    )
    assert message_lines[1].startswith("  - valid: expect_column_values_to_be_in_set")
    assert message_lines[2].startswith("  - test: expect_table_row_count_to_be_between")


def test_sequence_columns_are_checked_for_nulls(validate):
    schema = DatasetSchema(label="label", categorical=["item"], sequence=["history"])
    table = pl.DataFrame(
        {
            "label": pl.Series([0, 1] * 600, dtype=pl.Int8),
            "item": ["a", "b", "c"] * 400,
            "history": [["a", "b"], None, ["c"], None] * 300,
        }
    )
    report = validate(
        table,
        DataQualityParams(min_rows=10, max_null_fraction=0.4, expectations=[]),
        schema,
    )

    (warning,) = report["warnings"]
    assert (warning["column"], warning["unexpected_count"]) == ("history", 600)


def test_input_tables_are_not_changed(table, validate):
    before = table.clone()
    validate(table)
    assert table.equals(before)


def test_display_ad_click_rates_pass_the_default_checks():
    """0.95% positives in train, 0.24% in test (real display-ad logs): the base
    positive-rate floor (0.01%) and label-rate shift (0.02) let them pass."""

    def split(rows: int, positives: int) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "label": [1] * positives + [0] * (rows - positives),
                "c": [f"v{i % 7}" for i in range(rows)],
                "n": [float(i % 11) for i in range(rows)],
            },
            schema={"label": pl.Int8, "c": pl.String, "n": pl.Float64},
        )

    schema = DatasetSchema(label="label", categorical=["c"], numeric=["n"])
    tables = {
        "train": split(20_000, 190),
        "valid": split(5_000, 10),
        "test": split(5_000, 12),
    }
    report = validate_tables(tables, schema, DataQualityParams())
    assert report["success"] is True
    assert report["drift"]["label"] and not any(
        record["exceeded"] for record in report["drift"]["label"]
    )
    rates = {
        entry["split"]: entry["observed_value"]
        for split_report in report["splits"].values()
        for entry in split_report["expectations"]
        if entry["check"] == "positive_rate" and entry["success"]
    }
    assert rates == {"train": 0.0095, "valid": 0.002, "test": 0.0024}


def test_a_report_of_scans_equals_the_report_of_the_tables(
    typed_demo_table, demo_schema, clean_report, tmp_path, scan_shards
):
    """Splits streamed from Parquet shards, each under ``max_validation_rows``: GX
    sees every row, and every number of the report is that of the tables."""
    tables = {  # the splits of clean_report
        "train": typed_demo_table(2_000, seed=3),
        "valid": typed_demo_table(1_500, seed=4),
        "test": typed_demo_table(1_200, seed=5),
    }
    scans = {
        split: scan_shards(split_table, tmp_path / split, shards=3)
        for split, split_table in tables.items()
    }
    streamed = validate_tables(scans, demo_schema, PARAMS)
    for key in ("success", "row_counts", "null_fractions", "value_ranges"):
        assert streamed[key] == clean_report[key], key
    for split, split_report in clean_report["splits"].items():
        assert streamed["splits"][split]["expectations"] == split_report["expectations"]
        assert streamed["splits"][split]["validation"]["sampled"] is False
    assert streamed["drift"]["label_rate"] == clean_report["drift"]["label_rate"]
    assert streamed["drift"]["warnings"] == clean_report["drift"]["warnings"]
    assert streamed["leaks"]["columns"] == clean_report["leaks"]["columns"]
