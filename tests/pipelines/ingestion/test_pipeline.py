import gzip
import json

import numpy as np
import polars as pl
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from ctrflow.datasets import (
    FinalJSONDataset,
    ImpressionLogDataset,
    ShardedParquetDataset,
)
from ctrflow.ingestion import IngestionError, type_rows
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


def _within_binomial(count: int, rows: int, fraction: float) -> bool:
    """Within 5 standard deviations of a binomial count (p < 1e-6 to fail)."""
    return abs(count - rows * fraction) <= 5 * np.sqrt(rows * fraction * (1 - fraction))


def _catalog(tmp_path, raw_logs: ImpressionLogDataset, params: IngestionParams):
    out = tmp_path / "out"
    return DataCatalog(
        {
            "raw_logs": raw_logs,
            "params:schema": MemoryDataset(SCHEMA),
            "params:ingestion": MemoryDataset(params),
            **{
                f"{s}_table": ShardedParquetDataset(str(out / s))
                for s in ("train", "valid", "test")
            },
            "quarantined_rows": ShardedParquetDataset(str(out / "quarantined_rows")),
            "data_fingerprint": FinalJSONDataset(filepath=str(out / "fp.json")),
        }
    )


def test_pipeline_types_splits_and_fingerprints(tmp_path):
    raw = ImpressionLogDataset(
        filepath=_criteo_file(tmp_path, rows=1000),
        file_format="criteo_tsv",
        block_rows=300,
    )
    catalog = _catalog(tmp_path, raw, IngestionParams())
    SequentialRunner().run(create_pipeline(), catalog)
    train, valid, test = (
        catalog.load(f"{s}_table") for s in ("train", "valid", "test")
    )
    # every row in exactly one split; the sizes binomial around the ratios
    rows = pl.concat([train, valid, test])["n"].sort()
    assert rows.to_list() == [float(i) for i in range(1000)]
    for table, fraction in ((train, 0.8), (valid, 0.1), (test, 0.1)):
        assert _within_binomial(table.height, 1000, fraction)
    assert train.schema == {"label": pl.Int8, "c": pl.String, "n": pl.Float64}
    assert catalog.load("quarantined_rows").height == 0
    fingerprint = catalog.load("data_fingerprint")
    assert fingerprint["rows"] == {
        "train": train.height, "valid": valid.height, "test": test.height
    }  # fmt: skip
    assert len(fingerprint["sha256"]["all"]) == 64
    # one shard per block of 300 rows: 4 blocks
    manifest = json.loads((tmp_path / "out" / "train" / "_SUCCESS.json").read_text())
    assert len(manifest["shards"]) == 4
    assert all(shard["rows"] <= 300 for shard in manifest["shards"])


def test_a_stopped_run_commits_no_table_and_no_fingerprint(tmp_path):
    good = ImpressionLogDataset(
        filepath=_criteo_file(tmp_path, rows=50), file_format="criteo_tsv"
    )
    catalog = _catalog(tmp_path, good, IngestionParams())
    SequentialRunner().run(create_pipeline(), catalog)
    before = catalog.load("train_table")
    # the next run's file turns bad after its first blocks: the run stops
    bad = tmp_path / "bad.tsv"
    bad.write_text("".join(f"1\t{i}\tx\n" for i in range(20)) + "1\tbad\tx\n" * 5)
    raw = ImpressionLogDataset(
        filepath=str(bad), file_format="criteo_tsv", block_rows=4
    )
    catalog = _catalog(tmp_path, raw, IngestionParams())
    with pytest.raises(IngestionError, match=r"bad.tsv: 5 of 25 rows \(20.00%\)"):
        SequentialRunner().run(create_pipeline(), catalog)
    assert catalog.load("train_table").equals(before)
    assert catalog.load("data_fingerprint")["rows"]["train"] == before.height
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name[0] != ".") == [
        "fp.json", "quarantined_rows", "test", "train", "valid"
    ]  # fmt: skip


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
    # valid: a seeded hash of each train row, about a quarter of them
    assert train_t.height + valid_t.height == 40
    assert _within_binomial(valid_t.height, 40, 0.25)
    assert test_t.height == 2
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
    assert fingerprint["rows"] == {
        "train": train_t.height, "valid": valid_t.height, "test": 2
    }  # fmt: skip


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


def _mixed_file(tmp_path, rows: int) -> str:
    """Criteo TSV with a bad line every 97 rows (quarantined between the good);
    ``n`` is epoch seconds out of order, with ties."""
    lines = [
        f"{i % 2}\tbad\tv"
        if i % 97 == 5
        else f"{i % 2}\t{1_700_000_000 + (i * 7919) % 500}\tv{i % 7}"
        for i in range(rows)
    ]
    path = tmp_path / "mixed.tsv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.mark.parametrize("split", ["random", "time"])
def test_every_rows_split_is_the_same_whatever_the_block_size(tmp_path, split):
    path = _mixed_file(tmp_path, 1000)
    schema = SCHEMA
    if split == "time":
        schema = DatasetSchema(label="label", categorical=["c"], timestamp="n")
    params = IngestionParams(
        split=split, max_reject_fraction=0.05, column_order=["label", "n", "c"]
    )
    results = []
    for block_rows in (7, 1000, 10**6):
        raw = ImpressionLogDataset(
            filepath=path, file_format="criteo_tsv", block_rows=block_rows
        ).load()
        results.append(split_logs(raw, schema, params))
    for train, valid, test, fingerprint, quarantine in results[1:]:
        assert train.equals(results[0][0])
        assert valid.equals(results[0][1])
        assert test.equals(results[0][2])
        assert quarantine.equals(results[0][4])
        assert fingerprint == results[0][3]
    assert results[0][4]["line_number"].to_list() == list(range(6, 1001, 97))


def test_no_block_larger_than_block_rows_is_typed_and_each_becomes_a_shard(
    tmp_path, monkeypatch
):
    from ctrflow.pipelines.ingestion import nodes  # noqa: PLC0415

    typed_heights = []

    def counting_type_rows(frame, *args, **kwargs):
        typed_heights.append(frame.height)
        return type_rows(frame, *args, **kwargs)

    monkeypatch.setattr(nodes, "type_rows", counting_type_rows)
    raw = ImpressionLogDataset(
        filepath=_mixed_file(tmp_path, 2_500), file_format="criteo_tsv", block_rows=200
    )
    catalog = _catalog(tmp_path, raw, IngestionParams(max_reject_fraction=0.05))
    SequentialRunner().run(create_pipeline(), catalog)
    assert typed_heights == [200] * 12 + [100]  # 2,500 rows: 13 blocks
    for name in ("train", "valid", "test", "quarantined_rows"):
        manifest = json.loads((tmp_path / "out" / name / "_SUCCESS.json").read_text())
        shards = [shard["rows"] for shard in manifest["shards"]]
        assert max(shards) <= 200
    train_shards = json.loads((tmp_path / "out/train/_SUCCESS.json").read_text())
    assert len(train_shards["shards"]) == 13  # one per block
