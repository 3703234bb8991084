"""An encoded split too large for memory: Parquet shards read a window at a time.

Training visits the shards in a seeded random order, loads consecutive shards of
that order into a window of at most ``window_rows`` rows, shuffles the window's
rows and takes its batches; the next window is read in a background thread while
the current one trains (reading a Parquet shard releases the GIL), so the steps
do not wait for the disk. Memory holds two windows, whatever the split's size.

Why windows and not one global permutation: a permutation over a memory map
touches every page of the split in random order, and the touched pages count in
the process's resident memory (and thrash once the split exceeds the page cache);
a window is read sequentially, once per epoch. What it costs: rows of one shard
meet only rows of the shards in the same window within an epoch. Shards are
written in file order, so a split sorted by time mixes periods only as far as
the window spans several random shards. A split that fits in one window is
shuffled exactly as an in-memory split is (the same generator draws).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import torch

from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.training.data import TensorSet, to_tensors


class ShardedSplit:
    """An encoded split as Parquet shards, in windows of whole shards.

    Args:
        paths: the shards, in file order.
        feature_map: the encoding (which columns become which tensors).
        window_rows: the most rows of one window (a shard larger than this is a
            window of its own).

    Raises:
        ValueError: no shard, or ``window_rows`` < 1.
    """

    def __init__(
        self, paths: Sequence[Path], feature_map: FeatureMap, window_rows: int
    ) -> None:
        if not paths:
            raise ValueError("a sharded split needs at least one Parquet shard")
        if window_rows < 1:
            raise ValueError(f"window_rows must be >= 1, got {window_rows}")
        self.paths = [Path(p) for p in paths]
        self.feature_map = feature_map
        self.window_rows = window_rows
        # row counts from the footers: nothing is read
        self.shard_rows = [pq.ParquetFile(p).metadata.num_rows for p in self.paths]

    def __len__(self) -> int:
        return sum(self.shard_rows)

    def windows(self, order: Sequence[int] | None = None) -> list[list[int]]:
        """Shards (indices into ``paths``) grouped, in ``order`` (file order by
        default), into windows of at most ``window_rows`` rows."""
        order = range(len(self.paths)) if order is None else order
        groups: list[list[int]] = []
        rows = 0
        for index in order:
            if groups and rows + self.shard_rows[index] <= self.window_rows:
                groups[-1].append(index)
                rows += self.shard_rows[index]
            else:
                groups.append([index])
                rows = self.shard_rows[index]
        return groups

    def read(self, shards: Sequence[int]) -> TensorSet:
        """The shards' rows, in the order given, as tensors."""
        frames = [pl.read_parquet(self.paths[i]) for i in shards]
        return to_tensors(pl.concat(frames, rechunk=True), self.feature_map)

    def epoch(self, generator: torch.Generator) -> Iterator[TensorSet]:
        """The windows of one epoch, shards in a random order drawn from
        ``generator``, each read while the one before is being used. A split that
        fits in one window is read whole in file order, drawing nothing: the
        trainer's row shuffle then equals an in-memory split's."""
        if len(self) <= self.window_rows:
            return prefetched(self.read, [list(range(len(self.paths)))])
        order = torch.randperm(len(self.paths), generator=generator).tolist()
        return prefetched(self.read, self.windows(order))

    def in_order(self) -> Iterator[TensorSet]:
        """The windows in file order (validation, prediction), prefetched."""
        return prefetched(self.read, self.windows())


def prefetched(read, groups: list[list[int]]) -> Iterator[TensorSet]:
    """``read(group)`` for each group in turn, the next one read in a background
    thread while the caller uses the current one; a read's error is raised in the
    caller at that window."""
    if not groups:
        return
    result: dict[str, object] = {}

    def load(group: list[int]) -> None:
        try:
            result["window"] = read(group)
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller
            result["error"] = error

    thread = threading.Thread(target=load, args=(groups[0],), daemon=True)
    thread.start()
    for following in [*groups[1:], None]:
        thread.join()
        if "error" in result:
            raise result.pop("error")  # type: ignore[misc]
        window = result.pop("window")
        if following is not None:
            thread = threading.Thread(target=load, args=(following,), daemon=True)
            thread.start()
        yield window  # type: ignore[misc]
