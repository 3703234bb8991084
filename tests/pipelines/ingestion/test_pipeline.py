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
