"""Typing and splitting raw impression logs (pure polars, no I/O)."""

from ctrflow.ingestion.splits import split_randomly
from ctrflow.ingestion.typing import IngestionError, name_columns, type_table

__all__ = ["IngestionError", "name_columns", "split_randomly", "type_table"]
