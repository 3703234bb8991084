"""The project's own error for raw logs that cannot be ingested."""


class IngestionError(ValueError):
    """Raw logs cannot be ingested; the message names the file, line and column.

    Raised for file-level problems (missing, empty or truncated file, bad header,
    non-UTF-8 bytes, a schema column the file lacks, a Parquet column of the wrong
    type) and when more rows than ``ingestion.max_reject_fraction`` were quarantined.
    A bad *row* is never an error by itself: it goes to the quarantine.
    """
