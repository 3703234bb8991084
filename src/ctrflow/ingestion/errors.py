"""The project's own errors for raw logs that cannot be ingested."""

from __future__ import annotations


class IngestionError(ValueError):
    """Raw logs cannot be ingested; the message names the file, line and column.

    Raised for file-level problems (missing, empty or truncated file, bad header,
    non-UTF-8 bytes, a schema column the file lacks, a Parquet column of the wrong
    type) and when more rows than ``ingestion.max_reject_fraction`` were quarantined.
    A bad *row* is never an error by itself: it goes to the quarantine.
    """


class UnreadableLogsError(IngestionError):
    """A raw logs file cannot be read at all; the message names the file (and line).

    Raised by the readers (``ctrflow.ingestion.read``); the Kedro dataset re-raises
    it as ``ctrflow.datasets.RawLogsError``, which is also Kedro's ``DatasetError``.
    """


def excerpt(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters (then ``...``), for a message."""
    return value if len(value) <= limit else value[:limit] + "..."
