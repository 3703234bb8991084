"""Reading (``ctrflow.ingestion.read``), naming (``header``), typing,
quarantining, deriving and splitting raw impression logs (polars and numpy; no
Kedro)."""

from ctrflow.ingestion.cast import TypedRows, type_rows
from ctrflow.ingestion.derived import add_derived
from ctrflow.ingestion.errors import IngestionError, UnreadableLogsError
from ctrflow.ingestion.header import name_columns
from ctrflow.ingestion.quarantine import (
    QUARANTINE_SCHEMA,
    check_reject_fraction,
    check_row_accounting,
    count_reasons,
    describe_reasons,
    empty_quarantine,
)
from ctrflow.ingestion.raw_logs import RawLogs, RawPart
from ctrflow.ingestion.splits import (
    carve_consuming,
    split_by_time_consuming,
    split_randomly_consuming,
)

__all__ = [
    "QUARANTINE_SCHEMA",
    "IngestionError",
    "RawLogs",
    "RawPart",
    "TypedRows",
    "UnreadableLogsError",
    "add_derived",
    "carve_consuming",
    "check_reject_fraction",
    "check_row_accounting",
    "count_reasons",
    "describe_reasons",
    "empty_quarantine",
    "name_columns",
    "split_by_time_consuming",
    "split_randomly_consuming",
    "type_rows",
]
