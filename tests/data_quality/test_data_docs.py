"""GX Data Docs: one HTML page with every split's validation results."""

from __future__ import annotations

import copy
from html import unescape

import polars as pl
import pytest

from ctrflow.data_quality.data_docs import render_data_docs
from ctrflow.data_quality.params import DataQualityParams
from ctrflow.data_quality.validation import validate_tables
from ctrflow.schema import DatasetSchema


@pytest.fixture(scope="module")
def report(demo_schema, typed_demo_table) -> dict:
    table = typed_demo_table(1_200, seed=5)
    bad_label = table.with_columns(
        pl.when(pl.int_range(pl.len()) < 3)
        .then(2)
        .otherwise(pl.col("label"))
        .cast(pl.Int8)
        .alias("label")
    )
    return validate_tables(
        {"train": table, "valid": bad_label, "test": table.drop("C7")},
        demo_schema,
        DataQualityParams(),
    )


@pytest.fixture(scope="module")
def html(report) -> str:
    return render_data_docs(report)


def test_one_page_holds_every_split(html):
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert html.count("<html") == 1
    for split in ("train", "valid", "test"):
        assert f"Split: {split}" in html
        assert f"{split}: Overview" in html  # table of contents


def test_expectations_are_rendered_by_gx(html):
    # GX's renderers describe each expectation in words; the summary names their types
    for phrase in (
        "Must have greater than or equal to",  # row count
        "values must belong to this set",  # label in {0, 1}
        "values must never be null",  # null fraction
        "mean must be greater than or equal to",  # positive rate
        "is a required field",  # column present
    ):
        assert phrase in html
    for expectation in ("expect_column_values_to_be_in_set", "expect_column_to_exist"):
        assert expectation in html


def test_summary_lists_failures_with_severity(html):
    text = unescape(html)
    assert "ctrflow data quality: FAILED" in text
    assert "blocking</div></td><td" in text
    assert (
        "valid: expect_column_values_to_be_in_set on column 'label' (value_set=[0, 1])"
        in text
    )
    assert (
        "test: expect_column_to_exist on column 'C7' [columns_present]: column is missing"
        in text
    )


def test_our_summary_and_contents_escape_column_names():
    # GX's own column headers do not escape them (its .j2 templates don't autoescape)
    schema = DatasetSchema(label="label", categorical=["<b>site</b>"])
    table = pl.DataFrame({"label": pl.Series([0, 1] * 60, dtype=pl.Int8)})
    page = render_data_docs(
        validate_tables({"train": table}, schema, DataQualityParams(min_rows=1))
    )
    assert (
        "on column &#x27;&lt;b&gt;site&lt;/b&gt;&#x27; [columns_present]: column is missing"
        in page
    )
    assert "train: &lt;b&gt;site&lt;/b&gt;" in page  # table of contents


def test_rendering_does_not_change_the_report(report):
    before = copy.deepcopy(report)
    render_data_docs(report)
    assert report == before
