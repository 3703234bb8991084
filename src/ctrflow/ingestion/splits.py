"""Seeded random train/valid/test split."""

from __future__ import annotations

import numpy as np
import polars as pl

from ctrflow.params import SplitRatios


def split_randomly(
    table: pl.DataFrame, ratios: SplitRatios, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Shuffle with ``seed`` and cut by ``ratios``; every row lands in exactly one split."""
    rows = table.height
    order = np.random.default_rng(seed).permutation(rows)
    n_train = round(rows * ratios.train)
    n_valid = round(rows * ratios.valid)
    parts = np.split(order, [n_train, n_train + n_valid])
    return tuple(table[np.sort(part)] for part in parts)  # type: ignore[return-value]
