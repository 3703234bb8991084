"""Counting and sampling a table in memory or a scan of its Parquet shards."""

from __future__ import annotations

import polars as pl

from ctrflow.sampling import row_count, seeded_sample


def _table(rows: int) -> pl.DataFrame:
    return pl.DataFrame({"i": range(rows), "x": [float(i % 7) for i in range(rows)]})


def test_row_count_of_a_table_and_a_scan(tmp_path, scan_shards):
    table = _table(1_003)
    assert row_count(table) == row_count(scan_shards(table, tmp_path)) == 1_003


def test_sample_is_the_same_rows_in_memory_and_streamed_and_stable_per_row(
    tmp_path, scan_shards
):
    table = _table(20_000)
    scan = scan_shards(table, tmp_path, shards=4)
    sample = seeded_sample(scan, 1_000, seed=3)
    assert sample.height == 1_000  # exactly the bound
    assert sample.equals(seeded_sample(table, 1_000, seed=3))
    assert sample.equals(seeded_sample(scan, 1_000, seed=3, rows=20_000))
    assert sample["i"].is_sorted()  # table order
    assert sample["i"].n_unique() == 1_000
    # a row's membership depends on the seed and its index only: a larger bound
    # keeps every row of a smaller one
    larger = set(seeded_sample(scan, 2_000, seed=3)["i"])
    assert set(sample["i"]) <= larger
    other_seed = set(seeded_sample(scan, 1_000, seed=4)["i"])
    assert len(other_seed & set(sample["i"])) < 200  # ~50 expected by chance
    # spread over the whole table, not its head: each quarter holds about 250
    quarters = sample.group_by(pl.col("i") // 5_000).len()["len"]
    assert quarters.min() > 180


def test_a_small_table_is_kept_whole(tmp_path, scan_shards):
    table = _table(50)
    assert seeded_sample(table, 50, seed=0) is table
    assert seeded_sample(scan_shards(table, tmp_path), 100, seed=0).equals(table)
