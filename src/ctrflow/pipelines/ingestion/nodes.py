"""Ingestion nodes: type the raw logs with the schema, split them, fingerprint them."""

from __future__ import annotations

import logging

import polars as pl

from ctrflow.datasets import RawLogs
from ctrflow.ingestion import IngestionError, name_columns, split_randomly, type_table
from ctrflow.params import DatasetSchema, IngestionParams

logger = logging.getLogger(__name__)
_SPLITS = ("train", "valid", "test")


def split_logs(
    raw_logs: RawLogs, schema: DatasetSchema, params: IngestionParams
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict]:
    """Type every raw file with the schema, then split (seeded) or take the given splits.

    Args:
        raw_logs: the raw files as read by ``ImpressionLogDataset``.
        schema: label, categorical, numeric and sequence columns.
        params: split mode, ratios, seed, column names for headerless files.

    Returns:
        train, valid and test tables, and the data fingerprint (file checksums,
        rows per split, schema).

    Raises:
        IngestionError: the files do not match the split mode or the schema.
    """
    parts = sorted(raw_logs.frames)
    expected = ["all"] if params.split == "random" else sorted(_SPLITS)
    if parts != expected:
        raise IngestionError(
            f"ingestion.split is {params.split!r}, which needs raw_logs parts {expected}, "
            f"but the catalog entry 'raw_logs' gives {parts} "
            "(use 'filepath' for one file to split, 'filepaths' for given splits)"
        )
    typed = {}
    for part in parts:
        source = raw_logs.sources[part]
        frame = name_columns(raw_logs.frames[part], source, params.column_order, schema)
        extra = [c for c in frame.columns if c not in schema.columns]
        if extra:
            logger.info(
                "%s: ignoring %d column(s) not in the schema: %s",
                source,
                len(extra),
                extra,
            )
        typed[part] = type_table(
            frame,
            schema,
            source,
            raw_logs.first_line.get(part, 1),
            params.sequence_separator,
        )
        logger.info(
            "%s: %d rows read, %d typed", source, frame.height, typed[part].height
        )

    if params.split == "random":
        train, valid, test = split_randomly(typed["all"], params.ratios, params.seed)
    else:
        train, valid, test = (typed[s] for s in _SPLITS)
    fingerprint = {
        "sources": raw_logs.sources,
        "sha256": raw_logs.checksums,
        "file_format": raw_logs.file_format,
        "rows": {"train": train.height, "valid": valid.height, "test": test.height},
        "schema": schema.model_dump(),
        "split": params.model_dump(),
    }
    logger.info("split rows: %s", fingerprint["rows"])
    return train, valid, test, fingerprint
