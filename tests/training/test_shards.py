"""Sharded splits: windows of whole chunks, every row once per epoch, seeded
chunk order, prefetching, and a split in one window read as in memory."""

from __future__ import annotations

import polars as pl
import pytest
import torch

from ctrflow.feature_engineering.feature_map import (
    CategoricalField,
    FeatureMap,
    NumericField,
)
from ctrflow.training.data import to_tensors
from ctrflow.training.shards import ShardedSplit, prefetched

FEATURE_MAP = FeatureMap(
    label="label",
    categorical=[CategoricalField("C1", [str(v) for v in range(50)], offset=0)],
    numeric=[NumericField("I1", "standardize")],
)
SHARD_ROWS = [300, 250, 400, 100, 350]


@pytest.fixture
def shards(tmp_path):
    start = 0
    for index, rows in enumerate(SHARD_ROWS):
        frame = pl.DataFrame(
            {
                "label": pl.Series([r % 2 for r in range(start, start + rows)], dtype=pl.Int8),
                "C1": pl.Series([r % 52 for r in range(start, start + rows)], dtype=pl.Int32),
                "I1": pl.Series([float(r) for r in range(start, start + rows)], dtype=pl.Float32),
            }
        )  # fmt: skip
        path = tmp_path / f"part-{index:05d}.parquet"
        frame.write_parquet(path)
        start += rows
    return pl.scan_parquet(tmp_path / "*.parquet")


ROWS = sum(SHARD_ROWS)  # 1,400 rows in 5 files of 100-400


def test_chunks_cut_the_rows_and_windows_hold_whole_chunks(shards):
    split = ShardedSplit(shards, FEATURE_MAP, window_rows=600, chunk_rows=250)
    assert len(split) == ROWS
    assert split.chunks == [(0, 250), (250, 250), (500, 250), (750, 250), (1000, 250),
                            (1250, 150)]  # fmt: skip
    assert split.windows() == [[0, 1], [2, 3], [4, 5]]
    # a chunk larger than the bound is a window of its own
    small = ShardedSplit(shards, FEATURE_MAP, window_rows=200, chunk_rows=250)
    assert small.windows() == [[0], [1], [2], [3], [4], [5]]


def test_an_epoch_yields_every_row_once_in_a_seeded_shard_order(shards):
    split = ShardedSplit(shards, FEATURE_MAP, window_rows=600, chunk_rows=130)

    def epoch_rows(generator):
        windows = list(split.epoch(generator))
        assert all(len(w) <= 600 for w in windows)
        return torch.cat([w.numerics[:, 0] for w in windows]).tolist()

    first = epoch_rows(torch.Generator().manual_seed(1))
    assert sorted(first) == [float(r) for r in range(ROWS)]
    assert first == epoch_rows(torch.Generator().manual_seed(1))
    generator = torch.Generator().manual_seed(1)
    orders = {tuple(epoch_rows(generator)) for _ in range(4)}
    assert len(orders) > 1  # each epoch draws its own shard order


def test_a_split_in_one_window_is_read_whole_in_file_order(shards):
    split = ShardedSplit(shards, FEATURE_MAP, window_rows=10_000, chunk_rows=300)
    generator = torch.Generator().manual_seed(5)
    state = generator.get_state()
    (window,) = list(split.epoch(generator))
    assert torch.equal(generator.get_state(), state)  # nothing drawn
    whole = to_tensors(shards.collect(), FEATURE_MAP)
    assert torch.equal(window.ids, whole.ids)
    assert torch.equal(window.numerics, whole.numerics)
    assert torch.equal(window.labels, whole.labels)


def test_in_order_reads_the_file_order(shards):
    split = ShardedSplit(shards, FEATURE_MAP, window_rows=500, chunk_rows=170)
    rows = torch.cat([w.numerics[:, 0] for w in split.in_order()]).tolist()
    assert rows == [float(r) for r in range(ROWS)]


def test_a_failed_read_is_raised_at_its_window():
    def read(group):
        if group == [2]:
            raise OSError("shard 2 is unreadable")
        return group

    windows = prefetched(read, [[0], [1], [2], [3]])
    assert next(windows) == [0]
    assert next(windows) == [1]
    with pytest.raises(OSError, match="shard 2 is unreadable"):
        next(windows)


def test_sizes_below_one_are_refused(shards):
    with pytest.raises(ValueError, match="must be >= 1, got 10 and 0"):
        ShardedSplit(shards, FEATURE_MAP, window_rows=10, chunk_rows=0)
