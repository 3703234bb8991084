"""Reading (``ctrflow.ingestion.read``), typing, quarantining and splitting raw
impression logs (polars and numpy; no Kedro)."""

from ctrflow.ingestion.cast import TypedRows, name_columns, type_rows
from ctrflow.ingestion.errors import IngestionError, UnreadableLogsError
from ctrflow.ingestion.quarantine import (
    QUARANTINE_SCHEMA,
    check_reject_fraction,
    check_row_accounting,
    count_reasons,
    describe_reasons,
    empty_quarantine,
)
from ctrflow.ingestion.raw_logs import RawLogs, RawPart
from ctrflow.ingestion.splits import split_randomly_consuming

__all__ = [
    "QUARANTINE_SCHEMA",
    "IngestionError",
    "RawLogs",
    "RawPart",
    "TypedRows",
    "UnreadableLogsError",
    "check_reject_fraction",
    "check_row_accounting",
    "count_reasons",
    "describe_reasons",
    "empty_quarantine",
    "name_columns",
    "split_randomly_consuming",
    "type_rows",
]
