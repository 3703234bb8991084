"""Every kind of bad input, each from its own small file: quarantine or our own error.

Each case either quarantines the bad rows with a reason (``rows read = accepted +
quarantined``) or raises ``IngestionError`` (``RawLogsError`` when the file cannot be
read at all) naming the file, line and column. The messages asserted here are the
ones copied into docs/data_quality.md.
"""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import polars as pl
import pytest
import yaml
from kedro.io import DataCatalog, DatasetError
from kedro.validation import ParameterValidationError, ParameterValidator
from pydantic import ValidationError

from ctrflow.datasets import ImpressionLogDataset, RawLogsError
from ctrflow.evaluation.params import EvaluationParams
from ctrflow.feature_engineering.encoding import encode_table, fit_feature_map
from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.ingestion import IngestionError, UnreadableLogsError
from ctrflow.ingestion.params import IngestionParams
from ctrflow.pipelines.ingestion import create_pipeline
from ctrflow.pipelines.ingestion.nodes import split_logs
from ctrflow.pipelines.training.nodes import train_model
from ctrflow.schema import DatasetSchema
from ctrflow.training.params import TrainingParams
from ctrflow.training.trainer import TrainingError

SCHEMA = DatasetSchema(label="label", numeric=["n"], categorical=["c"])
KEEP_GOING = IngestionParams(max_reject_fraction=1.0)
GOOD_TSV = ["1\t3\tx", "0\t4\ty", "1\t5\tz", "0\t6\tw"]


def _write(path: Path, content: str | bytes, gz: bool = False) -> str:
    data = content.encode() if isinstance(content, str) else content
    path.write_bytes(gzip.compress(data) if gz else data)
    return str(path)


def _ingest(
    path: str,
    file_format: str = "criteo_tsv",
    params: IngestionParams = KEEP_GOING,
    schema: DatasetSchema = SCHEMA,
) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """(accepted rows, quarantine, fingerprint) of one file."""
    raw = ImpressionLogDataset(filepath=path, file_format=file_format).load()
    train, valid, test, fingerprint, quarantine = split_logs(raw, schema, params)
    accepted = pl.concat([train, valid, test])
    accounting = fingerprint["ingestion"]["all"]
    assert accounting["rows_read"] == accepted.height + quarantine.height
    assert accounting["quarantined"] == quarantine.height
    return accepted, quarantine, fingerprint


def _tsv(tmp_path: Path, *lines: str, end: str = "\n") -> str:
    return _write(tmp_path / "logs.tsv", "\n".join(lines) + end)


def _reasons(quarantine: pl.DataFrame) -> list[tuple]:
    return quarantine.select("line_number", "column", "reason").rows()


# --- file-level problems: an error naming the file ----------------------------------


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(tmp_path, content):
    path = _write(tmp_path / "empty.tsv", content)
    with pytest.raises(RawLogsError, match=r"empty.tsv: the file is empty"):
        _ingest(path)


def test_header_only(tmp_path):
    path = _write(tmp_path / "head.tsv", "label\tn\tc\n")
    with pytest.raises(
        RawLogsError,
        match=r"head.tsv: has a header line but no data rows \(header: \['label', 'n', 'c'\]\)",
    ):
        _ingest(path, "tsv")


def test_truncated_gzip(tmp_path):
    whole = gzip.compress(("\n".join(GOOD_TSV * 500) + "\n").encode())
    path = _write(tmp_path / "cut.tsv.gz", whole[: len(whole) // 2])
    with pytest.raises(
        RawLogsError, match=r"cut.tsv.gz: the gzip data ends early .* truncated"
    ):
        _ingest(path)


def test_non_utf8_bytes_name_line_and_byte_offset(tmp_path):
    path = _write(tmp_path / "latin.tsv", b"1\t3\tx\n0\t4\tcaf\xe9\n")
    with pytest.raises(
        RawLogsError,
        match=r"latin.tsv:2: byte b'\\xe9' at byte offset 13 \(byte 8 of line 2\) "
        r"is not UTF-8",
    ):
        _ingest(path)


def test_missing_file_names_the_catalog_entry_and_path(tmp_path):
    catalog = DataCatalog.from_config(
        {
            "raw_logs": {
                "type": "ctrflow.datasets.ImpressionLogDataset",
                "filepath": str(tmp_path / "nope.tsv.gz"),
                "file_format": "criteo_tsv",
            }
        }
    )
    with pytest.raises(
        DatasetError,
        match=r"raw_logs: raw logs file not found: .*nope.tsv.gz\. Check 'filepath' "
        r"of the catalog entry 'raw_logs'",
    ) as error:
        catalog.load("raw_logs")  # Kedro's catalog prefixes the entry's name
    assert isinstance(error.value.__cause__, RawLogsError)


def test_required_column_missing_lists_the_columns_the_file_has(tmp_path):
    path = _write(tmp_path / "f.tsv", "label\tc\n1\tx\n")
    with pytest.raises(
        IngestionError,
        match=r"f.tsv: schema columns \['n'\] are not in the file; it has "
        r"\['label', 'c'\]",
    ):
        _ingest(path, "tsv")


def test_schema_names_a_column_the_headerless_file_lacks(tmp_path):
    path = _tsv(tmp_path, *GOOD_TSV)
    schema = DatasetSchema(label="label", numeric=["n", "m"], categorical=["c"])
    with pytest.raises(
        IngestionError,
        match=r"logs.tsv: most of its lines have 3 tab-separated field\(s\) but the "
        r"schema \(or ingestion.column_order\) names 4: \['label', 'n', 'm', 'c'\]",
    ):
        _ingest(path, schema=schema)


def test_duplicate_column_names(tmp_path):
    path = _write(tmp_path / "f.csv", "label,n,c,n\n1,2,x,3\n")
    with pytest.raises(
        UnreadableLogsError,  # found by ingestion: the line names schema columns
        match=r"f.csv:1: the header names column\(s\) \['n'\] more than once",
    ):
        _ingest(path, "csv")


def test_csv_read_as_tsv_says_it_looks_comma_separated(tmp_path):
    path = _write(tmp_path / "f.csv", "label,n,c\n1,2,x\n0,3,y\n")
    with pytest.raises(
        IngestionError,
        match=r"f.csv: schema columns .* it has \['label,n,c'\].*is the file "
        r"comma-separated\? Then set file_format: csv",
    ):
        _ingest(path, "tsv")
    with pytest.raises(
        IngestionError, match=r"is it comma-separated\? Then set file_format: csv"
    ):
        _ingest(path, "criteo_tsv")


def test_parquet_column_of_the_wrong_dtype(tmp_path):
    path = tmp_path / "f.parquet"
    pl.DataFrame({"label": [1, 0], "n": ["1.5", "2"], "c": [[1], [2]]}).write_parquet(
        path
    )
    with pytest.raises(
        IngestionError,
        match=r"f.parquet: column type\(s\) do not fit the schema: 'c' is "
        r"List\(Int64\), expected text or integer ids",
    ):
        _ingest(str(path), "parquet")
    pl.DataFrame({"label": [1, 0], "n": ["1.5", "2"], "c": ["a", "b"]}).write_parquet(
        path
    )
    with pytest.raises(
        IngestionError, match=r"Parquet column\(s\) \['n'\] hold text \(String\)"
    ):
        _ingest(str(path), "parquet")


def test_parquet_bad_values_are_quarantined_with_the_row_as_json(tmp_path):
    path = tmp_path / "f.parquet"
    pl.DataFrame(
        {"label": [1, 2, 0], "n": [1.0, 2.0, float("nan")], "c": ["a", "b", "c"]}
    ).write_parquet(path)
    accepted, quarantine, _ = _ingest(str(path), "parquet")
    assert accepted.height == 1
    assert _reasons(quarantine) == [
        (2, "label", "label_not_0_or_1"),
        (3, "n", "not_finite"),
    ]
    assert quarantine["raw_text"][0] == '{"label":2,"n":2.0,"c":"b"}'


def test_split_ratios_must_sum_to_one():
    with pytest.raises(ValidationError, match=r"split ratios must sum to 1, got "):
        IngestionParams(ratios={"train": 0.8, "valid": 0.1, "test": 0.2})
    raw = {"ingestion": {"ratios": {"train": 0.8, "valid": 0.1, "test": 0.2}}}
    with pytest.raises(ParameterValidationError, match="must sum to 1"):
        ParameterValidator({"ingestion": create_pipeline()}).validate_raw_params(
            {**raw, "schema": SCHEMA.model_dump()}
        )


def test_too_many_bad_rows_stop_the_run_with_the_top_reasons(tmp_path):
    path = _tsv(tmp_path, *GOOD_TSV, "2\t1\tx", "1\tabc\ty", "1\tdef\tz", "1\t2")
    with pytest.raises(IngestionError) as error:
        _ingest(path, params=IngestionParams(max_reject_fraction=0.2))
    assert str(error.value).splitlines()[:4] == [
        f"{path}: 4 of 8 rows (50.00%) could not be ingested, more than "
        "ingestion.max_reject_fraction = 0.2. Top reasons:",
        "  - not_a_number: 2 row(s), column(s) ['n'], e.g. line 6: column 'n' holds "
        "'abc', expected a number (lines 6, 7)",
        "  - label_not_0_or_1: 1 row(s), column(s) ['label'], e.g. line 5: column "
        "'label' holds '2', expected 0 or 1 (lines 5)",
        "  - wrong_field_count: 1 row(s), e.g. line 8: 2 tab-separated field(s), "
        "expected 3 (lines 8)",
    ]


# --- row-level problems: quarantined with their reason -------------------------------


def test_wrong_number_of_fields(tmp_path):
    path = _tsv(tmp_path, *GOOD_TSV, "1\t2", "1\t2\tx\textra", "")
    accepted, quarantine, _ = _ingest(path)
    assert accepted.height == 4
    assert _reasons(quarantine) == [
        (5, None, "wrong_field_count"),
        (6, None, "wrong_field_count"),
        (7, None, "empty_line"),
    ]
    assert quarantine["detail"].to_list()[:2] == [
        "2 tab-separated field(s), expected 3",
        "4 tab-separated field(s), expected 3",
    ]
    assert quarantine["raw_text"][1] == "1\t2\tx\textra"
    assert quarantine["source_file"].unique().to_list() == [path]


def test_truncated_last_line(tmp_path):
    path = _tsv(tmp_path, *GOOD_TSV, "1\t7", end="")
    accepted, quarantine, _ = _ingest(path)
    assert accepted.height == 4
    assert quarantine["detail"].to_list() == [
        "2 tab-separated field(s), expected 3 (last line, no line end: the file "
        "may be truncated)"
    ]


@pytest.mark.parametrize("value", ["abc", "1,5", "12x", "--1"])
def test_non_numeric_text_in_a_numeric_column(tmp_path, value):
    accepted, quarantine, _ = _ingest(_tsv(tmp_path, *GOOD_TSV, f"1\t{value}\tq"))
    assert accepted.height == 4
    assert _reasons(quarantine) == [(5, "n", "not_a_number")]
    assert quarantine["detail"][0] == f"column 'n' holds '{value}', expected a number"


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e999"])
def test_nan_or_inf_in_a_numeric_column(tmp_path, value):
    accepted, quarantine, _ = _ingest(_tsv(tmp_path, *GOOD_TSV, f"1\t{value}\tq"))
    assert accepted["n"].is_finite().all() and accepted.height == 4
    assert _reasons(quarantine) == [(5, "n", "not_finite")]
    assert (
        quarantine["detail"][0]
        == f"column 'n' holds '{value}', expected a finite number"
    )


@pytest.mark.parametrize(
    "label, reason, detail",
    [
        ("2", "label_not_0_or_1", "column 'label' holds '2', expected 0 or 1"),
        ("-1", "label_not_0_or_1", "column 'label' holds '-1', expected 0 or 1"),
        ("yes", "label_not_0_or_1", "column 'label' holds 'yes', expected 0 or 1"),
        ("", "missing_label", "the label column 'label' is empty"),
    ],
)
def test_bad_label(tmp_path, label, reason, detail):
    accepted, quarantine, _ = _ingest(_tsv(tmp_path, *GOOD_TSV, f"{label}\t1\tq"))
    assert sorted(accepted["label"].unique().to_list()) == [0, 1]
    assert _reasons(quarantine) == [(5, "label", reason)]
    assert quarantine["detail"][0] == detail


def test_extra_unknown_column_is_dropped_with_a_warning(tmp_path, caplog):
    path = _write(tmp_path / "f.csv", "label,n,c,browser\n1,2,x,ff\n0,3,y,ch\n")
    with caplog.at_level(logging.WARNING):
        accepted, quarantine, _ = _ingest(path, "csv")
    assert accepted.columns == ["label", "c", "n"] and quarantine.height == 0
    assert "dropping 1 column(s) not in the schema: ['browser']" in caplog.text


def test_extra_columns_named_like_our_working_columns(tmp_path):
    path = _write(
        tmp_path / "f.csv", "label,n,c,line_number,raw_text\n1,2,x,a,b\n3,2,x,a,b\n"
    )
    accepted, quarantine, _ = _ingest(path, "csv")
    assert accepted.columns == ["label", "c", "n"] and accepted.height == 1
    assert _reasons(quarantine) == [(3, "label", "label_not_0_or_1")]


def test_a_one_megabyte_line(tmp_path):
    huge = "x" * 1_000_000
    path = _tsv(tmp_path, *GOOD_TSV, f"1\t2\t{huge}", f"1\t{huge}")
    accepted, quarantine, _ = _ingest(path)
    assert accepted.height == 4
    assert _reasons(quarantine) == [
        (5, "c", "value_too_long"),
        (6, None, "wrong_field_count"),
    ]
    assert quarantine["detail"][0] == (
        "column 'c' holds a value of 1000000 characters, more than "
        "ingestion.max_field_chars = 65536"
    )
    assert len(quarantine["raw_text"][0]) == 1_000_004  # the whole line is kept


def test_csv_quoting_and_crlf(tmp_path):
    path = _write(
        tmp_path / "f.csv",
        'label,n,c\r\n1,2,"a,b"\r\n0,"3",y\r\n1,4,"unclosed\r\n1,"x",z\r\n',
    )
    accepted, quarantine, _ = _ingest(path, "csv")
    assert sorted(accepted["c"].to_list()) == ["a,b", "y"]
    assert _reasons(quarantine) == [
        (4, None, "unparseable_line"),
        (5, "n", "not_a_number"),
    ]


def test_a_train_split_with_a_single_label_class_stops_training(tmp_path):
    lines = [f"{int(i >= 80)}\t{i}\tv{i % 5}" for i in range(100)]  # train: all 0
    accepted, _, _ = _ingest(
        _tsv(tmp_path, *lines), params=IngestionParams(split="random")
    )
    table = accepted.sort("n")
    train, valid = table.head(60), table.tail(40)
    feature_map = fit_feature_map(train, ["c", "n"], SCHEMA, FeatureEngineeringParams())
    with pytest.raises(
        TrainingError,
        match=r"the train split has 60 rows and 0 positives: training "
        r"needs both classes",
    ):
        train_model(
            encode_table(train, feature_map),
            encode_table(valid, feature_map),
            feature_map.to_dict(),
            TrainingParams(device="cpu", progress_bar=False, max_epochs=1),
            SCHEMA,
            EvaluationParams(),
        )


def test_base_parameters_file_is_valid():
    conf = Path(__file__).resolve().parents[2] / "conf" / "base"
    raw = {
        **yaml.safe_load((conf / "parameters.yml").read_text()),
        **yaml.safe_load((conf / "parameters_ingestion.yml").read_text()),
    }
    params = ParameterValidator({"i": create_pipeline()}).validate_raw_params(raw)
    assert params["ingestion"].max_reject_fraction == 0.01
