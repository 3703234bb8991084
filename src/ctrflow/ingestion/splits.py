"""Splitting typed rows: seeded random, or by time (oldest first), by fractions.

Each split function assigns every row one part (``_assign``), then filters the
table column by column (``split_consuming``): rows keep their file order.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ctrflow.ingestion.params import SplitRatios

_AT_ONCE = 4  # columns filtered together (in parallel)


def split_randomly_consuming(
    table: pl.DataFrame, ratios: SplitRatios, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Shuffle with ``seed`` and cut by ``ratios``; every row lands in exactly one
    split (in file order), and ``table`` is left with no columns (see
    ``split_consuming``)."""
    order = np.random.default_rng(seed).permutation(table.height)
    fractions = [ratios.train, ratios.valid]
    return split_consuming(table, _assign(order, fractions), 3)  # type: ignore[return-value]


def split_by_time_consuming(
    table: pl.DataFrame, timestamp: str, ratios: SplitRatios
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The oldest ``ratios.train`` of the rows (by ``timestamp``) train, the next
    ``ratios.valid`` valid, the newest test; rows of equal time keep their file
    order (so at a boundary the earlier line goes to the older split). ``table``
    is left with no columns."""
    order = _time_order(table[timestamp])
    fractions = [ratios.train, ratios.valid]
    return split_consuming(table, _assign(order, fractions), 3)  # type: ignore[return-value]


def carve_consuming(
    table: pl.DataFrame,
    fraction: float,
    order: str,
    seed: int,
    timestamp: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(rest, carved)``: ``fraction`` of the rows carved out, seeded random
    (``order: random``) or the newest by ``timestamp`` (``order: time``).
    ``table`` is left with no columns."""
    if order == "time":
        if timestamp is None:
            raise ValueError("carving by time needs a timestamp column")
        rows = _time_order(table[timestamp])
    else:
        rows = np.random.default_rng(seed).permutation(table.height)
    return split_consuming(table, _assign(rows, [1.0 - fraction]), 2)  # type: ignore[return-value]


def split_consuming(
    table: pl.DataFrame, part_of: np.ndarray, parts_count: int
) -> tuple[pl.DataFrame, ...]:
    """``parts_count`` tables: the rows whose ``part_of`` is 0, 1, ... (in file
    order).

    The columns are taken out of ``table`` a few at a time (``_AT_ONCE``, filtered
    together by polars' threads) and freed as soon as their parts exist, so
    while splitting only those columns are held twice, not the whole table (for
    the ingestion node, whose typed table has no other user). To keep ``table``,
    pass ``table.clone()`` (a shallow copy: the columns' memory is shared).
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


def _assign(order: np.ndarray, fractions: list[float]) -> np.ndarray:
    """Each row's part: the first ``round(rows * fractions[0])`` rows of ``order``
    part 0, the next ``round(rows * fractions[1])`` part 1, ..., the rest the last
    part (``len(fractions)``)."""
    rows = len(order)
    part_of = np.full(rows, len(fractions), dtype=np.int8)
    start = 0
    for part, fraction in enumerate(fractions):
        count = round(rows * fraction)
        part_of[order[start : start + count]] = part
        start += count
    return part_of


def _time_order(timestamps: pl.Series) -> np.ndarray:
    """Row indices from oldest to newest (a stable sort: ties in file order;
    a missing time last)."""
    keys = timestamps.to_physical().cast(pl.Int64).fill_null(np.iinfo(np.int64).max)
    return np.argsort(keys.to_numpy(), kind="stable")
