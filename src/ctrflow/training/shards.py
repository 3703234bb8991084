"""An encoded split too large for memory, read a window at a time.

The split is a ``LazyFrame`` (a scan of the encoded Parquet shards), cut into
chunks of ``chunk_rows`` consecutive rows (read by a slice of the scan: polars
reads only the row groups a slice covers). Training visits the chunks in a seeded
random order, loads consecutive chunks of that order into a window of at most
``window_rows`` rows, shuffles the window's
rows and takes its batches; the next window is read in a background thread while
the current one trains (reading a Parquet shard releases the GIL), so the steps
do not wait for the disk. Memory holds two windows, whatever the split's size.

Why windows and not one global permutation: a permutation over a memory map
touches every page of the split in random order, and the touched pages count in
the process's resident memory (and thrash once the split exceeds the page cache);
a window is read in chunks, once per epoch. What it costs: rows of one chunk meet
only rows of the chunks in the same window within an epoch. Chunks are runs of
consecutive rows, so a split sorted by time mixes periods as far as a window
spans random chunks (a 2M-row window of 50k-row chunks draws 40 chunks from
anywhere in the split). A split that fits in one window is shuffled exactly as
an in-memory split is (the same generator draws).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import polars as pl
import torch

from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.training.data import TensorSet, to_tensors


class ShardedSplit:
    """An encoded split read in windows of whole chunks.

    Args:
        table: the encoded split, lazily (``pl.scan_parquet`` of its shards).
        feature_map: the encoding (which columns become which tensors).
        window_rows: the most rows of one window (at least one chunk).
        chunk_rows: rows of a chunk, the unit of the shuffle's order (the last
            chunk holds the rest).

    Raises:
        ValueError: ``window_rows`` or ``chunk_rows`` < 1.
    """

    def __init__(
        self,
        table: pl.LazyFrame,
        feature_map: FeatureMap,
        window_rows: int,
        chunk_rows: int,
    ) -> None:
        if window_rows < 1 or chunk_rows < 1:
            raise ValueError(
                f"window_rows and chunk_rows must be >= 1, got {window_rows} and "
                f"{chunk_rows}"
            )
        self.table = table
        self.feature_map = feature_map
        self.window_rows = window_rows
        rows = int(table.select(pl.len()).collect(engine="streaming").item())
        self.chunks = [
            (start, min(chunk_rows, rows - start))
            for start in range(0, rows, chunk_rows)
        ]
        self.shard_rows = [length for _, length in self.chunks]

    def __len__(self) -> int:
        return sum(self.shard_rows)

    def positives(self) -> int:
        """Rows whose label is 1 (one streaming pass over the label column)."""
        label = pl.col(self.feature_map.label)
        counted = self.table.select(label.cast(pl.Int64).sum()).collect(
            engine="streaming"
        )
        return int(counted.item() or 0)

    def windows(self, order: Sequence[int] | None = None) -> list[list[int]]:
        """Chunks (indices into ``chunks``) grouped, in ``order`` (file order by
        default), into windows of at most ``window_rows`` rows (a chunk larger
        than that is a window of its own)."""
        order = range(len(self.chunks)) if order is None else order
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

    def read(self, chunks: Sequence[int]) -> TensorSet:
        """The chunks' rows, in the order given, as tensors."""
        frames = [self.table.slice(*self.chunks[i]).collect() for i in chunks]
        return to_tensors(pl.concat(frames, rechunk=True), self.feature_map)

    def epoch(self, generator: torch.Generator) -> Iterator[TensorSet]:
        """The windows of one epoch, chunks in a random order drawn from
        ``generator``, each read while the one before is being used. A split that
        fits in one window is read whole in file order, drawing nothing: the
        trainer's row shuffle then equals an in-memory split's."""
        if len(self) <= self.window_rows:
            return prefetched(self.read, [list(range(len(self.chunks)))])
        order = torch.randperm(len(self.chunks), generator=generator).tolist()
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
