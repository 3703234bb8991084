"""The data-quality nodes, the pipeline run by Kedro's runner, and its parameters file."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import yaml
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from kedro.validation import ParameterValidationError, ParameterValidator, TypeExtractor

from ctrflow.data_quality.params import DataQualityParams
from ctrflow.data_quality.report import (
    DataQualityError,
    require_passed,
    summarise_report,
)
from ctrflow.data_quality.suite import build_expectation_suite
from ctrflow.ingestion.quarantine import empty_quarantine
from ctrflow.pipelines.data_quality import create_pipeline
from ctrflow.pipelines.data_quality.nodes import (
    check_data_quality_params,
    plot_data_quality,
    render_data_docs,
    validate_splits,
)
from ctrflow.schema import DatasetSchema

_CONF = Path(__file__).resolve().parents[3] / "conf" / "base"
_OUTPUTS = ["data_quality_report", "data_quality_docs", "data_quality_plot"]
PARAMS = DataQualityParams(min_rows=500)


@pytest.fixture(scope="module")
def splits(typed_demo_table) -> dict[str, pl.DataFrame]:
    table = typed_demo_table(3_000, seed=11)
    return {
        "train": table.head(2_000),
        "valid": table.slice(2_000, 500),
        "test": table.tail(500),
    }


@pytest.fixture(scope="module")
def bad_test(splits) -> pl.DataFrame:
    """The test split with 4 labels of 2."""
    label = pl.when(pl.int_range(pl.len()) < 4).then(2).otherwise(pl.col("label"))
    return splits["test"].with_columns(label.cast(pl.Int8).alias("label"))


def _catalog(
    splits: dict[str, pl.DataFrame],
    schema: DatasetSchema,
    params: DataQualityParams = PARAMS,
) -> DataCatalog:
    return DataCatalog(
        {
            **{
                f"{split}_table": MemoryDataset(table)
                for split, table in splits.items()
            },
            "params:schema": MemoryDataset(schema),
            "params:data_quality": MemoryDataset(params),
            "quarantined_rows": MemoryDataset(empty_quarantine()),
        }
    )


def test_report_counts_the_quarantine_by_reason_and_file(splits, demo_schema):
    quarantine = pl.concat(
        [
            empty_quarantine(),
            pl.DataFrame(
                {
                    "source_file": ["a.tsv", "a.tsv", "b.tsv"],
                    "line_number": [3, 9, 4],
                    "column": ["label", None, "I1"],
                    "reason": [
                        "label_not_0_or_1",
                        "wrong_field_count",
                        "label_not_0_or_1",
                    ],
                    "detail": ["2", "39 fields", "yes"],
                    "raw_text": ["x", "y", "z"],
                }
            ),
        ],
        how="vertical_relaxed",
    )
    report = validate_splits(
        splits["train"],
        splits["valid"],
        splits["test"],
        demo_schema,
        PARAMS,
        quarantine,
    )
    assert report["quarantine"] == {
        "rows": 3,
        "by_reason": {"label_not_0_or_1": 2, "wrong_field_count": 1},
        "by_source": {"a.tsv": 2, "b.tsv": 1},
    }
    assert (
        "3 row(s) quarantined in ingestion (label_not_0_or_1 2, wrong_field_count 1)"
        in (summarise_report(report))
    )


def test_validate_splits_node(splits, demo_schema):
    report = validate_splits(
        splits["train"], splits["valid"], splits["test"], demo_schema, PARAMS
    )

    assert report["success"] is True
    assert report["row_counts"] == {"train": 2_000, "valid": 500, "test": 500}
    require_passed(report)


def test_validate_splits_takes_scans_of_shards_and_samples_what_is_large(
    splits, bad_test, demo_schema, tmp_path, scan_shards
):
    """LazyFrame splits (as ingestion's shards load): the blocking failure in
    test is found over every row although GX sees a 300-row sample of train."""
    tables = {**splits, "test": bad_test}
    scans = {
        split: scan_shards(table, tmp_path / split, shards=3)
        for split, table in tables.items()
    }
    params = PARAMS.model_copy(update={"max_validation_rows": 300})
    quarantine = scan_shards(empty_quarantine(), tmp_path / "quarantine", shards=1)
    report = validate_splits(
        scans["train"], scans["valid"], scans["test"], demo_schema, params, quarantine
    )
    assert report["row_counts"] == {"train": 2_000, "valid": 500, "test": 500}
    assert [
        (e["split"], e["column"], e["unexpected_count"])
        for e in report["blocking_failures"]
    ] == [("test", "label", 4)]
    assert {
        split: split_report["validation"]["validated_rows"]
        for split, split_report in report["splits"].items()
    } == {"train": 300, "valid": 300, "test": 300}
    assert report["quarantine"] == {"rows": 0, "by_reason": {}, "by_source": {}}


def test_validate_splits_does_not_raise_on_blocking_failure(
    splits, bad_test, demo_schema
):
    report = validate_splits(
        splits["train"], splits["valid"], bad_test, demo_schema, PARAMS
    )

    assert report["success"] is False
    assert [
        (e["split"], e["column"], e["unexpected_count"])
        for e in report["blocking_failures"]
    ] == [("test", "label", 4)]


def test_validate_splits_names_an_unknown_parameter_column(splits, demo_schema):
    params = DataQualityParams(numeric_ranges={"I99": {"min": 0}})
    with pytest.raises(ValueError, match="I99"):
        validate_splits(
            splits["train"], splits["valid"], splits["test"], demo_schema, params
        )


def test_render_data_docs_node(splits, demo_schema):
    report = validate_splits(
        splits["train"], splits["valid"], splits["test"], demo_schema, PARAMS
    )
    html = render_data_docs(report)
    assert "expect_column_values_to_be_in_set" in html
    assert "Split: test" in html


def test_pipeline_run(splits, demo_schema):
    catalog = _catalog(splits, demo_schema)

    outputs = SequentialRunner().run(create_pipeline(), catalog)

    # Kedro 1.7's runner returns the pipeline's free outputs as datasets; the
    # report is consumed by the docs node (and released from memory)
    assert set(outputs) == {"data_quality_docs", "data_quality_plot"}
    html = outputs["data_quality_docs"].load()
    assert "ctrflow data quality: passed" in html
    assert "expect_column_values_to_be_in_set" in html


def test_pipeline_run_does_not_stop_on_blocking_failure(splits, bad_test, demo_schema):
    outputs = SequentialRunner().run(
        create_pipeline(), _catalog({**splits, "test": bad_test}, demo_schema)
    )

    assert "ctrflow data quality: FAILED" in outputs["data_quality_docs"].load()


def test_validation_slice_saves_the_failed_report_for_the_gate(
    splits, bad_test, demo_schema
):
    pipeline = create_pipeline().to_nodes("data_quality.validate_splits_node")

    outputs = SequentialRunner().run(
        pipeline, _catalog({**splits, "test": bad_test}, demo_schema)
    )

    report = outputs["data_quality_report"].load()
    assert report["success"] is False
    with pytest.raises(
        DataQualityError,
        match=r"test: expect_column_values_to_be_in_set on column 'label'.*4 of 500 rows",
    ):
        require_passed(report)


def test_outputs_round_trip_through_the_project_catalog(
    tmp_path, splits, bad_test, demo_schema
):
    entries = yaml.safe_load((_CONF / "catalog.yml").read_text())
    config = {
        name: {
            **entries[name],
            "filepath": str(tmp_path / Path(entries[name]["filepath"]).name),
        }
        for name in _OUTPUTS
    }
    catalog = DataCatalog.from_config(config)
    report = validate_splits(
        splits["train"], splits["valid"], bad_test, demo_schema, PARAMS
    )

    catalog.save("data_quality_report", report)
    catalog.save("data_quality_docs", render_data_docs(report))
    catalog.save("data_quality_plot", plot_data_quality(report))

    assert catalog.load("data_quality_report") == json.loads(json.dumps(report))
    with pytest.raises(DataQualityError, match="label_values"):
        require_passed(catalog.load("data_quality_report"))
    assert catalog.load("data_quality_docs").lstrip().startswith("<!DOCTYPE html>")
    assert catalog.load("data_quality_plot").layout.title.text == "Data quality: FAILED"


def test_parameters_file_and_node_types():
    """Kedro instantiates params:data_quality as DataQualityParams; the file is valid."""
    pipeline = create_pipeline()
    assert TypeExtractor({"data_quality": pipeline}).extract_types_from_pipelines() == {
        "schema": DatasetSchema,
        "data_quality": DataQualityParams,
    }
    raw = {
        **yaml.safe_load((_CONF / "parameters.yml").read_text()),
        **yaml.safe_load((_CONF / "parameters_data_quality.yml").read_text()),
    }
    validated = ParameterValidator({"data_quality": pipeline}).validate_raw_params(raw)
    params = validated["data_quality"]
    assert isinstance(params, DataQualityParams)
    assert params.severity == DataQualityParams().severity
    build_expectation_suite(validated["schema"], params)  # the columns it names exist

    raw["data_quality"]["max_null_fractions"] = 0.3
    with pytest.raises(ParameterValidationError, match="max_null_fractions"):
        ParameterValidator({"data_quality": pipeline}).validate_raw_params(raw)


def test_base_parameters_name_no_column_of_a_dataset():
    """conf/base's checks fit any schema: a data set whose columns share no name
    with the demo's (not even the label's) builds the suite."""
    raw = yaml.safe_load((_CONF / "parameters_data_quality.yml").read_text())
    params = DataQualityParams(**raw["data_quality"])
    other = DatasetSchema(label="clicked", categorical=["site"], numeric=["price"])
    suite = build_expectation_suite(other, params)
    custom = [e for e in suite.expectations if e.meta["check"] == "custom"]
    assert [e.column for e in custom] == ["clicked"]  # `schema.label`


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"min_vlaue": 0}, r"\('min_vlaue': did you mean 'min_value'\?\)"),
        ({"min_value": "zero"}, r"min_value: value is not a valid float"),
    ],
)
def test_the_first_node_checks_each_expectation_against_gx(kwargs, message):
    # the parameters accept it (only the type's name is checked without GX) ...
    params = DataQualityParams(
        expectations=[
            {"expectation": "expect_column_to_exist", "column": "C1"},
            {"expectation": "expect_column_values_to_be_between", "column": "I1",
             "kwargs": kwargs},
        ]
    )  # fmt: skip
    # ... and the stage's first node names the expectation and what is wrong
    with pytest.raises(
        ValueError,
        match=r"data_quality.expectations\[1\] \(expect_column_values_to_be_between\)"
        ".*" + message,
    ):
        check_data_quality_params(params)
    first = create_pipeline().nodes[0]
    assert first.name == "data_quality.check_data_quality_params_node"
    assert first.inputs == ["params:data_quality"]


def test_a_bad_expectation_stops_the_stage_before_validation(splits, demo_schema):
    params = DataQualityParams(
        min_rows=500,
        expectations=[{"expectation": "expect_column_to_exist", "kwargs": {"col": 1}}],
    )
    catalog = _catalog(splits, demo_schema, params)
    with pytest.raises(
        ValueError, match=r"expectations\[0\] \(expect_column_to_exist\)"
    ):
        SequentialRunner().run(create_pipeline(), catalog)
    assert not catalog.exists("data_quality_report")
