"""The dirty demo copy: ingestion quarantines exactly the injected rows, keeps the rest."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from ctrflow.datasets import ImpressionLogDataset
from ctrflow.demo_data import (
    generate_demo_logs,
    write_criteo_tsv,
    write_dirty_criteo_tsv,
)
from ctrflow.ingestion.params import IngestionParams
from ctrflow.pipelines.ingestion.nodes import split_logs
from ctrflow.schema import DatasetSchema

DIRTY = (
    Path(__file__).resolve().parents[2]
    / "data/01_raw/demo_dirty/demo_logs_dirty.tsv.gz"
)


def _ingest(
    path: Path,
    schema: DatasetSchema,
    params: IngestionParams = IngestionParams(),
    block_rows: int = 700,
):
    """In blocks of 700 rows (not tests/ingestion's 3: these files hold thousands)."""
    raw = ImpressionLogDataset(
        filepath=str(path), file_format="criteo_tsv", block_rows=block_rows
    ).load()
    return split_logs(raw, schema, params)


def _expected(manifest: dict) -> set[tuple[int, str]]:
    return {(row["line"], row["expected_reason"]) for row in manifest["injected"]}


def test_dirty_copy_quarantines_exactly_the_injected_rows(tmp_path, demo_schema):
    logs = generate_demo_logs(3_000, seed=3)
    manifest = write_dirty_criteo_tsv(logs, tmp_path / "dirty.tsv.gz", seed=3)
    write_criteo_tsv(logs, tmp_path / "clean.tsv.gz")
    params = IngestionParams(max_reject_fraction=0.05)

    *dirty_tables, fingerprint, quarantine = _ingest(
        tmp_path / "dirty.tsv.gz", demo_schema, params
    )
    *clean_tables, _, clean_quarantine = _ingest(
        tmp_path / "clean.tsv.gz", demo_schema, params
    )

    assert manifest == json.loads((tmp_path / "dirty.manifest.json").read_text())
    assert manifest["rows"] == 3_000 + manifest["injected_rows"]
    assert set(zip(quarantine["line_number"], quarantine["reason"])) == _expected(
        manifest
    )
    assert clean_quarantine.height == 0
    for dirty, clean in zip(dirty_tables, clean_tables, strict=True):
        assert dirty.equals(clean)  # same rows, same split
    assert fingerprint["ingestion"]["all"]["accepted"] == 3_000


@pytest.mark.skipif(not DIRTY.is_file(), reason=f"{DIRTY} not generated")
def test_bundled_dirty_demo_matches_its_manifest(demo_schema):
    manifest = json.loads(DIRTY.with_name("demo_logs_dirty.manifest.json").read_text())
    *tables, fingerprint, quarantine = _ingest(DIRTY, demo_schema, block_rows=50_000)
    assert set(zip(quarantine["line_number"], quarantine["reason"])) == _expected(
        manifest
    )
    assert sum(table.height for table in tables) == manifest["clean_rows"] == 200_000
    assert fingerprint["ingestion"]["all"]["quarantined_by_reason"] == dict(
        sorted(
            manifest["expected_quarantine_by_reason"].items(),
            key=lambda item: (-item[1], item[0]),
        )
    )
    assert pl.Series(quarantine["source_file"]).unique().to_list() == [str(DIRTY)]
