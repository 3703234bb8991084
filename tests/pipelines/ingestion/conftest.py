"""The ingestion pipeline's tests ingest in blocks of 3 rows (as tests/ingestion)."""

import pytest

from ctrflow.ingestion.raw_logs import BLOCK_ROWS_ENV


@pytest.fixture(autouse=True)
def _small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BLOCK_ROWS_ENV, "3")
