import json

import polars as pl
import pytest
from kedro.io import DatasetError, Version

from ctrflow.datasets import (
    PENDING,
    FinalJSONDataset,
    ShardBlock,
    ShardedParquetDataset,
)

TABLE = pl.DataFrame({"label": [0, 1, 1, 0, 1], "c": ["a", "b", None, "d", "e"]})


def test_a_frame_is_written_in_shards_and_loads_back_in_order(tmp_path):
    folder = tmp_path / "train"
    dataset = ShardedParquetDataset(str(folder), shard_rows=2)
    dataset.save(TABLE)
    assert sorted(p.name for p in folder.iterdir()) == [
        "_SUCCESS.json", "part-00000.parquet", "part-00001.parquet",
        "part-00002.parquet",
    ]  # fmt: skip
    manifest = json.loads((folder / "_SUCCESS.json").read_text())
    assert manifest["rows"] == 5
    assert [s["rows"] for s in manifest["shards"]] == [2, 2, 1]
    assert dataset.load().equals(TABLE)
    lazy = ShardedParquetDataset(str(folder), load_args={"lazy": True}).load()
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect().equals(TABLE)


def test_a_plan_is_streamed_into_full_shards(tmp_path):
    source = pl.DataFrame({"x": range(1_003)})
    ShardedParquetDataset(str(tmp_path / "source"), shard_rows=97).save(source)
    scan = ShardedParquetDataset(str(tmp_path / "source"), lazy=True).load()
    plan = scan.with_columns(doubled=pl.col("x") * 2)
    folder = tmp_path / "encoded"
    ShardedParquetDataset(str(folder), shard_rows=250).save(plan)
    manifest = json.loads((folder / "_SUCCESS.json").read_text())
    # every shard full but the last, whatever batches the engine gave
    assert [s["rows"] for s in manifest["shards"]] == [250, 250, 250, 250, 3]
    assert ShardedParquetDataset(str(folder)).load().equals(plan.collect())
    # a plan without rows keeps its columns and types
    ShardedParquetDataset(str(folder)).save(plan.filter(pl.col("x") < 0))
    empty = ShardedParquetDataset(str(folder)).load()
    assert empty.height == 0 and empty.schema == plan.collect_schema()


def test_blocks_are_committed_by_the_final_one_only(tmp_path):
    folder = tmp_path / "train"
    dataset = ShardedParquetDataset(str(folder))
    dataset.save(TABLE.head(1))
    dataset.save(ShardBlock(TABLE.slice(0, 2)))
    # mid-stream: the old table is still the one at the target, the new is aside
    assert dataset.load().equals(TABLE.head(1))
    dataset.save(ShardBlock(TABLE.slice(2, 3)))
    dataset.save(ShardBlock(TABLE.clear(), final=True))
    assert dataset.load().equals(TABLE)
    assert [p.name for p in tmp_path.iterdir()] == ["train"]  # no temp left


def test_a_stream_that_never_ends_is_never_committed(tmp_path):
    folder = tmp_path / "train"
    ShardedParquetDataset(str(folder)).save(TABLE.head(2))
    interrupted = ShardedParquetDataset(str(folder))
    interrupted.save(ShardBlock(TABLE))  # the run stops here
    assert ShardedParquetDataset(str(folder)).load().equals(TABLE.head(2))
    # the next run's save removes what the interrupted one left
    ShardedParquetDataset(str(folder)).save(TABLE)
    assert [p.name for p in tmp_path.iterdir()] == ["train"]


def test_an_empty_table_keeps_its_columns_and_types(tmp_path):
    dataset = ShardedParquetDataset(str(tmp_path / "valid"))
    dataset.save(ShardBlock(TABLE.clear(), final=True))
    loaded = dataset.load()
    assert loaded.height == 0
    assert loaded.schema == TABLE.schema


def test_a_folder_without_its_marker_is_not_loaded(tmp_path):
    folder = tmp_path / "train"
    dataset = ShardedParquetDataset(str(folder))
    with pytest.raises(DatasetError, match=r"train: does not exist.*rerun ingestion"):
        dataset.load()
    assert not dataset.exists()
    dataset.save(TABLE)
    (folder / "_SUCCESS.json").unlink()  # e.g. copied by hand, half-way
    with pytest.raises(DatasetError, match=r"train: has no _SUCCESS.json.*rerun"):
        dataset.load()


def test_a_single_parquet_file_of_an_older_run_is_replaced(tmp_path):
    path = tmp_path / "train.parquet"
    TABLE.write_parquet(path)
    dataset = ShardedParquetDataset(str(path))
    dataset.save(TABLE.head(3))
    assert path.is_dir()
    assert dataset.load().equals(TABLE.head(3))


def test_versioned_tables_each_keep_their_folder_and_the_newest_loads(tmp_path):
    folder = tmp_path / "quarantined_rows"
    first = ShardedParquetDataset(str(folder), version=Version(None, "2026-01-01"))
    first.save(ShardBlock(TABLE.head(1)))
    first.save(ShardBlock(TABLE.slice(1, 1), final=True))
    second = ShardedParquetDataset(str(folder), version=Version(None, "2026-01-02"))
    second.save(TABLE)
    assert (folder / "2026-01-01" / "quarantined_rows" / "_SUCCESS.json").is_file()
    assert (
        ShardedParquetDataset(str(folder), version=Version(None, None))
        .load()
        .equals(TABLE)
    )
    pinned = ShardedParquetDataset(str(folder), version=Version("2026-01-01", None))
    assert pinned.load().equals(TABLE.head(2))


def test_only_polars_frames_and_blocks_are_saved(tmp_path):
    with pytest.raises(
        DatasetError, match="saves a polars DataFrame, LazyFrame or a ShardBlock"
    ):
        ShardedParquetDataset(str(tmp_path / "t")).save({"a": [1]})
    with pytest.raises(DatasetError, match=r"load_args \['columns'\]"):
        ShardedParquetDataset(str(tmp_path / "t"), load_args={"columns": ["a"]})


def test_the_final_json_is_written_once_not_while_pending(tmp_path):
    path = tmp_path / "fingerprint.json"
    dataset = FinalJSONDataset(filepath=str(path))
    dataset.save(PENDING)
    assert not path.exists()
    dataset.save({"rows": 3})
    assert dataset.load() == {"rows": 3}
