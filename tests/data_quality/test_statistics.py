"""Exact statistics of a split (in memory or streamed from shards), and GX results
on a sample made exact for the checks that are aggregations."""

from __future__ import annotations

import polars as pl
import pytest

from ctrflow.data_quality.data_docs import render_data_docs
from ctrflow.data_quality.params import DataQualityParams, ValueRange
from ctrflow.data_quality.report import summarise_report
from ctrflow.data_quality.statistics import EXACT_CHECKS, split_statistics
from ctrflow.data_quality.validation import validate_tables

# C19 (45% null) fails the null check; I1's bound and three labels of 2 fail too
PARAMS = DataQualityParams(
    min_rows=1_000,
    max_null_fraction=0.4,
    numeric_ranges={"I1": ValueRange(max=3.0), "I2": ValueRange(min=0.0)},
    positive_rate=ValueRange(min=0.05, max=0.6),
)
SAMPLED = PARAMS.model_copy(update={"max_validation_rows": 700, "seed": 5})
# what GX computes and the exact statistics replace on a sample
_NUMBERS = ("success", "element_count", "unexpected_count", "unexpected_percent")


@pytest.fixture(scope="module")
def table(typed_demo_table) -> pl.DataFrame:
    table = typed_demo_table(3_000, seed=21)
    label = pl.when(pl.int_range(pl.len()) < 3).then(2).otherwise(pl.col("label"))
    return table.with_columns(label.cast(table.schema["label"]).alias("label"))


def test_split_statistics_of_a_scan_equal_the_table_in_memory(
    table, demo_schema, tmp_path, scan_shards
):
    eager = split_statistics(table, demo_schema, PARAMS)
    streamed = split_statistics(scan_shards(table, tmp_path, 4), demo_schema, PARAMS)
    assert streamed["label_mean"] == pytest.approx(eager["label_mean"])
    assert {k: v for k, v in streamed.items() if k != "label_mean"} == {
        k: v for k, v in eager.items() if k != "label_mean"
    }
    assert eager["rows"] == 3_000
    assert eager["nulls"]["C19"] == table["C19"].null_count()
    assert eager["ranges"]["I5"] == [table["I5"].min(), table["I5"].max()]
    assert eager["label_unexpected"] == 3
    assert eager["out_of_range"] == {
        "I1": int((table["I1"] > 3.0).sum()),
        "I2": int((table["I2"] < 0.0).sum()),
    }
    assert eager["out_of_range"]["I1"] > 0


@pytest.fixture(scope="module")
def reports(table, demo_schema) -> tuple[dict, dict]:
    """The report of ``table`` as its only split: GX on every row, then GX on a
    seeded sample of 700 rows."""
    return (
        validate_tables({"train": table}, demo_schema, PARAMS),
        validate_tables({"train": table}, demo_schema, SAMPLED),
    )


def _by_expectation(report: dict, checks) -> dict:
    return {
        (e["check"], e["expectation"], e["column"]): e
        for e in report["splits"]["train"]["expectations"]
        if e["check"] in checks
    }


def test_on_a_sample_the_aggregation_checks_are_those_of_every_row(reports):
    full, sampled = reports
    assert full["splits"]["train"]["validation"]["sampled"] is False
    exact, on_sample = (_by_expectation(r, EXACT_CHECKS) for r in reports)
    assert exact.keys() == on_sample.keys()
    assert {e["check"] for e in exact.values()} == EXACT_CHECKS
    for key, entry in exact.items():
        assert {n: on_sample[key][n] for n in _NUMBERS} == pytest.approx(
            {n: entry[n] for n in _NUMBERS}
        ), key
        if entry["observed_value"] is not None:  # row count, positive rate
            assert on_sample[key]["observed_value"] == pytest.approx(
                entry["observed_value"]
            )
    failed = {key for key, entry in exact.items() if not entry["success"]}
    assert ("null_fraction", "expect_column_values_to_not_be_null", "C19") in failed
    assert ("label_values", "expect_column_values_to_be_in_set", "label") in failed
    assert ("numeric_range", "expect_column_values_to_be_between", "I1") in failed
    assert sampled["row_counts"] == full["row_counts"] == {"train": 3_000}
    assert sampled["null_fractions"] == full["null_fractions"]
    assert sampled["success"] is full["success"] is False
    assert len(sampled["blocking_failures"]) == len(full["blocking_failures"])
    # GX's own result (the Data Docs' source) carries the exact numbers too
    gx = sampled["splits"]["train"]["gx_result"]
    row_count = next(
        r for r in gx["results"]
        if r["expectation_config"]["type"] == "expect_table_row_count_to_be_between"
    )  # fmt: skip
    assert row_count["result"]["observed_value"] == 3_000
    outcomes = [r["success"] for r in gx["results"]]
    assert gx["statistics"]["unsuccessful_expectations"] == outcomes.count(False)


def test_the_report_and_the_data_docs_say_the_split_was_sampled(reports):
    full, sampled = reports
    validation = sampled["splits"]["train"]["validation"]
    assert validation == {
        "rows": 3_000,
        "validated_rows": 700,
        "sampled": True,
        "seed": 5,
        "note": "validated on a seeded sample of 700 of 3,000 rows (seed 5); row "
        "counts, nulls, value ranges, label checks and drift over all rows",
    }
    assert summarise_report(sampled).endswith(
        "; GX validated seeded samples (train 700 rows)"
    )
    assert "seeded sample" not in summarise_report(full)
    page = render_data_docs(sampled)
    assert "validated on a seeded sample of 700 of 3,000 rows" in page
    assert "seeded sample" not in render_data_docs(full)
