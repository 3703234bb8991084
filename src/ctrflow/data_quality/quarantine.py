"""The report's summary of the rows ingestion quarantined, from a table or a scan."""

from __future__ import annotations

from typing import Any

import polars as pl

from ctrflow.sampling import Table, collect


def quarantine_summary(quarantined_rows: Table) -> dict[str, Any]:
    """Quarantined rows in all, per reason (most frequent first, as
    ``ctrflow.ingestion.quarantine.count_reasons``) and per source file (by name).

    Args:
        quarantined_rows: ingestion's ``quarantined_rows`` (``reason`` and
            ``source_file`` columns), in memory or a scan (streaming group-bys).

    Returns:
        ``{"rows": int, "by_reason": {reason: int}, "by_source": {file: int}}``.

    Example::

        >>> rows = pl.DataFrame({"reason": ["a", "b", "b"], "source_file": ["f", "g", "f"]})
        >>> quarantine_summary(rows.lazy())
        {'rows': 3, 'by_reason': {'b': 2, 'a': 1}, 'by_source': {'f': 2, 'g': 1}}
    """
    rows = quarantined_rows.lazy()
    by_reason = collect(
        rows.group_by("reason").len().sort(["len", "reason"], descending=[True, False])
    )
    by_source = collect(rows.group_by("source_file").agg(pl.len()).sort("source_file"))
    return {
        "rows": int(by_reason["len"].sum()),
        "by_reason": dict(zip(by_reason["reason"], by_reason["len"], strict=True)),
        "by_source": dict(zip(by_source["source_file"], by_source["len"], strict=True)),
    }
