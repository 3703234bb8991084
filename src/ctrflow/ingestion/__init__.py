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
from ctrflow.ingestion.raw_logs import RawBlock, RawLogs, RawPart
from ctrflow.ingestion.splits import (
    TimeCuts,
    random_parts,
    split_consuming,
    time_cuts,
    time_keys,
    time_parts,
)

__all__ = [
    "QUARANTINE_SCHEMA",
    "IngestionError",
    "RawBlock",
    "RawLogs",
    "RawPart",
    "TimeCuts",
    "TypedRows",
    "UnreadableLogsError",
    "add_derived",
    "check_reject_fraction",
    "check_row_accounting",
    "count_reasons",
    "describe_reasons",
    "empty_quarantine",
    "name_columns",
    "random_parts",
    "split_consuming",
    "time_cuts",
    "time_keys",
    "time_parts",
    "type_rows",
]
