"""Parquet: the file's columns with their own types; a row's line is its number."""

from __future__ import annotations

import polars as pl

from ctrflow.ingestion.errors import UnreadableLogsError
from ctrflow.ingestion.quarantine import empty_quarantine
from ctrflow.ingestion.raw_logs import RawPart, numbered_lines


def read_parquet(path: str) -> RawPart:
    """Read a Parquet file as it is (no row is quarantined here).

    Raises:
        UnreadableLogsError: the file cannot be read as Parquet.
    """
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise UnreadableLogsError(f"{path}: cannot read as Parquet: {error}") from error
    return RawPart(
        source=path,
        frame=frame,
        lines=numbered_lines(1, frame.height),
        rejected=empty_quarantine(),
        rows_read=frame.height,
        first_line=1,
    )
