"""Tables in memory or as scans, counted and sampled without loading them.

A stage's input is a ``pl.DataFrame`` (in memory) or a ``pl.LazyFrame`` (e.g.
``pl.scan_parquet`` over a split's shards). Statistics are aggregations run by
polars' streaming engine (``collect(engine="streaming")``), so memory is bounded
by its morsels, not by the table; what needs rows takes a seeded sample.

``seeded_sample`` draws without loading the table: each row's index is hashed with
the seed and the ``max_rows`` rows of smallest hash are kept (a top-k in the
streaming engine: memory is the sample), in table order. A row's hash depends only
on the seed and its index, so the same table and seed give the same sample, a
larger bound keeps every row of a smaller one, and every row is equally likely. The
hash is polars' own: stable within a polars version, not across versions.
"""

from __future__ import annotations

import polars as pl

Table = pl.DataFrame | pl.LazyFrame
STREAMING = "streaming"  # polars' engine for every aggregation over a table
_ROW = "__ctrflow_row"  # the row index while sampling (dropped after)


def collect(plan: pl.LazyFrame) -> pl.DataFrame:
    """``plan`` run by the streaming engine (an aggregation: a few rows)."""
    return plan.collect(engine=STREAMING)


def row_count(table: Table) -> int:
    """Rows of ``table``; a ``LazyFrame`` is counted in one streaming pass."""
    if isinstance(table, pl.DataFrame):
        return table.height
    return int(collect(table.select(pl.len())).item())


def seeded_sample(
    table: Table, max_rows: int, seed: int, rows: int | None = None
) -> pl.DataFrame:
    """At most ``max_rows`` rows of ``table``, drawn by a seeded hash of the row index.

    Args:
        table: in memory or a scan.
        max_rows: the sample's size (every row when the table has no more).
        seed: the hash's seed.
        rows: ``table``'s row count, when known (saves a pass over a scan).

    Returns:
        ``min(max_rows, rows)`` rows in table order: ``table`` itself when it is
        in memory and no larger than ``max_rows``, every row of a small scan.

    Example::

        >>> table = pl.DataFrame({"x": range(10)})
        >>> seeded_sample(table, 4, seed=0).height
        4
        >>> seeded_sample(table, 4, seed=0).equals(seeded_sample(table.lazy(), 4, seed=0))
        True
    """
    rows = row_count(table) if rows is None else rows
    if rows <= max_rows:
        return table if isinstance(table, pl.DataFrame) else collect(table)
    return collect(
        table.lazy()
        .with_row_index(_ROW)
        .bottom_k(max_rows, by=pl.col(_ROW).hash(seed))
        .sort(_ROW)
        .drop(_ROW)
    )
