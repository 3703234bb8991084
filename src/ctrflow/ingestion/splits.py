"""Splitting typed rows block by block: each row's part is decided by the row
alone (a seeded hash of its position) or by cuts in time found by a first pass,
so no split needs the whole table in memory.

``random_parts``: a row goes to part 0 when the hash of (seed, its position: its
index among the file's accepted rows) in [0, 1) is below ``fractions[0]``, to part 1 below ``fractions[0] + fractions[1]``,
...: stable per row whatever the block size, and the parts' sizes are binomial
around the fractions (not exact). ``time_cuts`` / ``time_parts``: the oldest
``round(rows * fractions[0])`` rows part 0, the next part 1, ..., ties in file
order, exactly as a stable sort of the whole table would cut it.
``split_consuming`` then filters a block by the parts (rows keep file order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

_AT_ONCE = 4  # columns filtered together (in parallel)
_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def unit_hash(positions: np.ndarray, seed: int) -> np.ndarray:
    """A number in [0, 1) per position: splitmix64 of (seed, position), so the
    same row of the same file always gets the same number."""
    key = np.uint64(_splitmix(seed & _MASK64))
    with np.errstate(over="ignore"):
        z = positions.astype(np.uint64) * np.uint64(_GOLDEN) + key
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def random_parts(
    positions: np.ndarray, fractions: list[float], seed: int
) -> np.ndarray:
    """Each row's part (int8): the first part whose cumulative fraction is above
    the row's ``unit_hash``; the rest the last part (``len(fractions)``).

    Example::

        >>> parts = random_parts(np.arange(1, 100_001), [0.8, 0.1], seed=1)
        >>> [round(float((parts == p).mean()), 2) for p in range(3)]
        [0.8, 0.1, 0.1]
    """
    draw = unit_hash(positions, seed)
    edges = np.cumsum(fractions)
    return np.searchsorted(edges, draw, side="right").astype(np.int8)


@dataclass(frozen=True)
class TimeCuts:
    """Where the parts of a split by time end: per part but the last, the
    ``(time key, accepted-row index)`` of its newest row (None: the part is
    empty). A row is after a cut when its key is larger, or equal with a larger
    index (ties in file order)."""

    cuts: tuple[tuple[int, int] | None, ...]


def time_keys(timestamps: pl.Series) -> np.ndarray:
    """Times as int64 keys (a missing time last)."""
    keys = timestamps.to_physical().cast(pl.Int64).fill_null(np.iinfo(np.int64).max)
    return keys.to_numpy()


def time_cuts(keys: np.ndarray, fractions: list[float]) -> TimeCuts:
    """The cuts of ``keys`` (every accepted row's time, in file order): the
    oldest ``round(rows * fractions[0])`` rows part 0, the next
    ``round(rows * fractions[1])`` part 1, ..., the rest the last part."""
    order = np.argsort(keys, kind="stable")
    cuts: list[tuple[int, int] | None] = []
    end = 0
    for fraction in fractions:
        end += round(len(keys) * fraction)
        if end == 0:
            cuts.append(None)
        else:
            index = int(order[min(end, len(keys)) - 1])
            cuts.append((int(keys[index]), index))
    return TimeCuts(tuple(cuts))


def time_parts(keys: np.ndarray, indices: np.ndarray, cuts: TimeCuts) -> np.ndarray:
    """Each row's part (int8) from its time key and accepted-row index: the
    number of cuts it is after."""
    parts = np.zeros(len(keys), dtype=np.int8)
    for cut in cuts.cuts:
        if cut is None:
            parts += 1
            continue
        key, index = cut
        parts += (keys > key) | ((keys == key) & (indices > index))
    return parts


def split_consuming(
    table: pl.DataFrame, part_of: np.ndarray, parts_count: int
) -> tuple[pl.DataFrame, ...]:
    """``parts_count`` tables: the rows whose ``part_of`` is 0, 1, ... (in file
    order).

    The columns are taken out of ``table`` a few at a time (``_AT_ONCE``, filtered
    together by polars' threads) and freed as soon as their parts exist, so
    while splitting only those columns are held twice. To keep ``table``, pass
    ``table.clone()`` (a shallow copy: the columns' memory is shared).
    """
    # one filter per part: rows keep their file order, and a filter streams
    # through a column of many chunks (a gather by index does not)
    masks = [pl.Series(part_of == part) for part in range(parts_count)]
    parts: list[list[pl.Series]] = [[] for _ in range(parts_count)]
    names = table.columns
    for start in range(0, len(names), _AT_ONCE):
        batch = pl.DataFrame(
            [table.drop_in_place(name) for name in names[start : start + _AT_ONCE]]
        )
        for part, mask in zip(parts, masks, strict=True):
            part.extend(batch.filter(mask))
        del batch
    return tuple(pl.DataFrame(part) for part in parts)


def _splitmix(value: int) -> int:
    """splitmix64 of one integer (Python ints: no overflow warnings)."""
    z = (value + _GOLDEN) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)
