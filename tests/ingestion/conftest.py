"""Shared fixtures of the ingestion tests: small raw logs files."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

from ctrflow.ingestion.raw_logs import BLOCK_ROWS_ENV


@pytest.fixture(autouse=True)
def _small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test file here is ingested in blocks of 3 rows: cut into several."""
    monkeypatch.setenv(BLOCK_ROWS_ENV, "3")


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., str]:
    """``write_file(name, content, gz=False)``: a file in ``tmp_path`` holding the
    text (UTF-8) or bytes, gzip-compressed when ``gz``; returns its path."""

    def write(name: str, content: str | bytes, gz: bool = False) -> str:
        data = content.encode() if isinstance(content, str) else content
        path = tmp_path / name
        path.write_bytes(gzip.compress(data) if gz else data)
        return str(path)

    return write
