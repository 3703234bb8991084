import gzip

import polars as pl
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from ctrflow.datasets import ImpressionLogDataset
from ctrflow.ingestion import IngestionError
from ctrflow.ingestion.params import IngestionParams
from ctrflow.pipelines.ingestion import create_pipeline
from ctrflow.pipelines.ingestion.nodes import split_logs
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label="label", numeric=["n"], categorical=["c"])


def _criteo_file(tmp_path, rows=100):
    path = tmp_path / "logs.tsv.gz"
    lines = [f"{i % 2}\t{i}\tv{i % 7}" for i in range(rows)]
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(lines) + "\n")
    return str(path)


def test_pipeline_types_splits_and_fingerprints(tmp_path):
    catalog = DataCatalog(
        {
            "raw_logs": ImpressionLogDataset(
                filepath=_criteo_file(tmp_path), file_format="criteo_tsv"
            ),
            "params:schema": MemoryDataset(SCHEMA),
            "params:ingestion": MemoryDataset(IngestionParams()),
        }
    )
    SequentialRunner().run(create_pipeline(), catalog)
    train, valid, test = (
        catalog.load(f"{s}_table") for s in ("train", "valid", "test")
    )
    assert (train.height, valid.height, test.height) == (80, 10, 10)
    assert train.schema == {"label": pl.Int8, "c": pl.String, "n": pl.Float64}
    assert catalog.load("quarantined_rows").height == 0
    fingerprint = catalog.load("data_fingerprint")
    assert fingerprint["rows"] == {"train": 80, "valid": 10, "test": 10}
    assert len(fingerprint["sha256"]["all"]) == 64


def test_given_splits_are_kept_as_given(tmp_path):
    paths = {}
    for split, rows in (("train", 5), ("valid", 3), ("test", 2)):
        paths[split] = str(tmp_path / f"{split}.csv")
        lines = ["label,n,c"] + [f"1,{i},x" for i in range(rows)]
        (tmp_path / f"{split}.csv").write_text("\n".join(lines))
    raw = ImpressionLogDataset(filepaths=paths, file_format="csv").load()
    train, valid, test, _, quarantine = split_logs(
        raw, SCHEMA, IngestionParams(split="given")
    )
    assert (train.height, valid.height, test.height) == (5, 3, 2)
    assert quarantine.height == 0


def test_split_mode_must_match_the_files(tmp_path):
    raw = ImpressionLogDataset(
        filepath=_criteo_file(tmp_path), file_format="criteo_tsv"
    ).load()
    with pytest.raises(
        IngestionError, match="needs raw_logs parts .*'train'.* gives \\['all'\\]"
    ):
        split_logs(raw, SCHEMA, IngestionParams(split="given"))


def test_bad_value_is_quarantined_and_too_many_stop_the_run(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("1\t3\tx\n0\toops\ty\n1\t4\tz\n")
    raw = ImpressionLogDataset(filepath=str(path), file_format="criteo_tsv").load()
    with pytest.raises(
        IngestionError,
        match=r"(?s)bad.tsv: 1 of 3 rows \(33.33%\).*not_a_number: 1 row\(s\), column\(s\) "
        r"\['n'\], e.g. line 2: column 'n' holds 'oops'",
    ):
        split_logs(raw, SCHEMA, IngestionParams())
    params = IngestionParams(
        max_reject_fraction=0.5, ratios={"train": 0.5, "valid": 0.25, "test": 0.25}
    )
    # split_logs consumes the raw frames (frees each column once typed): load again
    raw = ImpressionLogDataset(filepath=str(path), file_format="criteo_tsv").load()
    *tables, fingerprint, quarantine = split_logs(raw, SCHEMA, params)
    assert sum(t.height for t in tables) == 2
    assert quarantine.rows() == [
        (
            str(path),
            2,
            "n",
            "not_a_number",
            "column 'n' holds 'oops', expected a number",
            "0\toops\ty",
        )
    ]
    assert fingerprint["ingestion"]["all"] == {
        "rows_read": 3, "accepted": 2, "quarantined": 1,
        "quarantined_by_reason": {"not_a_number": 1},
    }  # fmt: skip


def test_train_and_test_files_only_valid_is_carved_from_train(tmp_path):
    # libFM / libsvm data sets come as train and test files
    train = tmp_path / "train.libfm"
    train.write_text(
        "".join(f"{(-1, 1)[i % 2]} {i % 5}:1 {10 + i % 3}:1\n" for i in range(40))
    )
    test = tmp_path / "test.libfm"
    test.write_text("1 2:1 11:1\n-1 4:1 12:1\nbad\n\n")
    schema = DatasetSchema(label="label", categorical=["user", "item"])
    raw = ImpressionLogDataset(
        filepaths={"train": str(train), "test": str(test)}, file_format="libsvm"
    ).load()
    params = IngestionParams(
        split="given", valid_from_train={"ratio": 0.25}, max_reject_fraction=0.5
    )
    train_t, valid_t, test_t, fingerprint, quarantine = split_logs(raw, schema, params)
    assert (train_t.height, valid_t.height, test_t.height) == (30, 10, 2)
    assert test_t.rows() == [(1, "2", "11"), (0, "4", "12")]
    # every file's rows are accounted for; the fingerprint says how valid was made
    assert fingerprint["ingestion"]["train"]["rows_read"] == 40
    assert fingerprint["ingestion"]["test"] == {
        "rows_read": 4, "accepted": 2, "quarantined": 2,
        "quarantined_by_reason": {"empty_line": 1, "label_not_0_or_1": 1},
    }  # fmt: skip
    assert quarantine.height == 2
    assert fingerprint["split"]["valid_from_train"] == {
        "ratio": 0.25,
        "order": "random",
    }
    assert fingerprint["rows"] == {"train": 30, "valid": 10, "test": 2}


def test_time_split_with_derived_features_in_every_table(tmp_path):
    # ISO times, out of order; the oldest 80% train
    path = tmp_path / "logs.csv"
    lines = ["label,price,click_time"] + [
        f"{i % 2},{i},2024-05-{1 + (i * 7) % 10:02d}T{i % 24:02d}:00:00Z"
        for i in range(10)
    ]
    path.write_text("\n".join(lines) + "\n")
    schema = DatasetSchema(
        label="label",
        numeric=["price"],
        timestamp="click_time",
        derived=[
            {"column": "click_time", "extract": ["hour", "weekday", "day"]},
            {"column": "price", "buckets": [5]},
        ],
    )
    params = IngestionParams(
        split="time", ratios={"train": 0.8, "valid": 0.1, "test": 0.1}
    )
    raw = ImpressionLogDataset(filepath=str(path), file_format="csv").load()
    train, valid, test, fingerprint, _ = split_logs(raw, schema, params)
    assert train["click_time"].max() < valid["click_time"].min()
    assert valid["click_time"].max() < test["click_time"].min()
    assert test["click_time_day"].to_list() == ["10"]  # the newest: 2024-05-10
    for table in (train, valid, test):
        assert table.columns == [
            "label", "price", "click_time", "click_time_hour", "click_time_weekday",
            "click_time_day", "price_bucket",
        ]  # fmt: skip
    assert fingerprint["schema"]["timestamp"] == "click_time"


def test_split_by_time_needs_a_timestamp(tmp_path):
    raw = ImpressionLogDataset(
        filepath=_criteo_file(tmp_path), file_format="criteo_tsv"
    ).load()
    with pytest.raises(
        IngestionError,
        match=r"ingestion.split is 'time', which orders the rows by schema.timestamp, "
        r"but the schema names no timestamp column: set schema.timestamp",
    ):
        split_logs(raw, SCHEMA, IngestionParams(split="time"))


def test_the_fingerprint_of_a_layout_without_the_new_keys_is_unchanged(tmp_path):
    raw = ImpressionLogDataset(
        filepath=_criteo_file(tmp_path), file_format="criteo_tsv"
    ).load()
    fingerprint = split_logs(raw, SCHEMA, IngestionParams())[3]
    assert "timestamp" not in fingerprint["schema"]
    assert "derived" not in fingerprint["schema"]
    assert "valid_from_train" not in fingerprint["split"]
