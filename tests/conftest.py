"""Shared fixtures: small generated demo data and a throw-away copy of the project."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from ctrflow.demo_data import generate_demo_logs, write_criteo_tsv
from ctrflow.ingestion import type_table
from ctrflow.schema import DatasetSchema

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEMO_SCHEMA = DatasetSchema(
    label="label",
    numeric=[f"I{i}" for i in range(1, 14)],
    categorical=[f"C{i}" for i in range(1, 27)],
)


def shared_data_dir() -> Path:
    """``$CTRFLOW_SHARED_DATA`` or ``../shared/data`` beside the project."""
    return Path(
        os.environ.get("CTRFLOW_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data")
    )


def typed_demo_table(rows: int, seed: int = 7) -> pl.DataFrame:
    """Generated demo logs typed as ingestion types them (numeric Float64, ids String)."""
    raw = generate_demo_logs(rows, seed).with_columns(pl.all().cast(pl.String))
    return type_table(raw, DEMO_SCHEMA, source="generated", first_line=1)


@pytest.fixture(scope="session")
def demo_table() -> pl.DataFrame:
    """20,000 typed demo rows."""
    return typed_demo_table(20_000)


def make_project_copy(destination: Path, demo_rows: int | None) -> Path:
    """Copy pyproject + conf into ``destination``; write ``demo_rows`` generated demo logs."""
    shutil.copy(PROJECT_ROOT / "pyproject.toml", destination / "pyproject.toml")
    shutil.copytree(PROJECT_ROOT / "conf", destination / "conf")
    (destination / "conf" / "local").mkdir(exist_ok=True)
    (
        destination / "src"
    ).mkdir()  # Kedro wants the source dir; ctrflow itself is installed
    shutil.copy(PROJECT_ROOT / ".telemetry", destination / ".telemetry")
    if demo_rows:
        write_criteo_tsv(
            generate_demo_logs(demo_rows, seed=7),
            destination / "data" / "01_raw" / "demo" / "demo_logs.tsv.gz",
        )
    return destination


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A project copy whose demo data is 6,000 generated rows."""
    return make_project_copy(tmp_path, demo_rows=6_000)
