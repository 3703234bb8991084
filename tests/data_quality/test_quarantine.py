"""The report's quarantine summary, from a table or a scan of its shards."""

from __future__ import annotations

import polars as pl

from ctrflow.data_quality.quarantine import quarantine_summary
from ctrflow.ingestion.quarantine import count_reasons


def test_summary_of_a_scan_equals_the_table_and_orders_reasons_as_ingestion(
    tmp_path, scan_shards
):
    rows = pl.DataFrame(
        {
            "source_file": ["b.tsv", "a.tsv", "a.tsv", "c.tsv", "a.tsv"],
            "reason": ["x_reason", "b_reason", "a_reason", "b_reason", "x_reason"],
        }
    )
    summary = quarantine_summary(rows)
    assert summary == {
        "rows": 5,
        "by_reason": {"b_reason": 2, "x_reason": 2, "a_reason": 1},
        "by_source": {"a.tsv": 3, "b.tsv": 1, "c.tsv": 1},
    }
    assert list(summary["by_reason"].items()) == list(count_reasons(rows).items())
    assert quarantine_summary(scan_shards(rows, tmp_path, shards=2)) == summary
