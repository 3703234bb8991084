"""Seeded random train/valid/test split."""

from __future__ import annotations

import numpy as np
import polars as pl

from ctrflow.ingestion.params import SplitRatios

_PARTS = 3
_AT_ONCE = 4  # columns filtered together (in parallel)


def split_randomly_consuming(
    table: pl.DataFrame, ratios: SplitRatios, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Shuffle with ``seed`` and cut by ``ratios``; every row lands in exactly one
    split (in file order), and ``table`` is left with no columns.

    The columns are taken out of ``table`` a few at a time (``_AT_ONCE``, filtered
    together by polars' threads) and freed as soon as their three parts exist, so
    while splitting only those columns are held twice, not the whole table (for
    the ingestion node, whose typed table has no other user). To keep ``table``,
    pass ``table.clone()`` (a shallow copy: the columns' memory is shared).
    """
    rows = table.height
    order = np.random.default_rng(seed).permutation(rows)
    n_train = round(rows * ratios.train)
    n_valid = round(rows * ratios.valid)
    # each row's split, then one filter per split: rows keep their file order, and
    # a filter streams through a column of many chunks (a gather by index does not)
    split_of = np.empty(rows, dtype=np.int8)
    split_of[order[:n_train]] = 0
    split_of[order[n_train : n_train + n_valid]] = 1
    split_of[order[n_train + n_valid :]] = 2
    masks = [pl.Series(split_of == part) for part in range(_PARTS)]
    parts: list[list[pl.Series]] = [[] for _ in range(_PARTS)]
    names = table.columns
    for start in range(0, len(names), _AT_ONCE):
        batch = pl.DataFrame(
            [table.drop_in_place(name) for name in names[start : start + _AT_ONCE]]
        )
        for part, mask in zip(parts, masks, strict=True):
            part.extend(batch.filter(mask))
        del batch
    return tuple(pl.DataFrame(part) for part in parts)  # type: ignore[return-value]
