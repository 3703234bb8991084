"""Ingestion nodes: type the raw logs with the schema, quarantine bad rows, split them."""

from __future__ import annotations

import logging

import polars as pl

from ctrflow.ingestion import (
    IngestionError,
    check_reject_fraction,
    check_row_accounting,
    count_reasons,
    empty_quarantine,
    name_columns,
    split_randomly_consuming,
    type_rows,
)
from ctrflow.ingestion.params import IngestionParams
from ctrflow.ingestion.raw_logs import RawLogs
from ctrflow.schema import DatasetSchema

logger = logging.getLogger(__name__)
_SPLITS = ("train", "valid", "test")


def split_logs(
    raw_logs: RawLogs, schema: DatasetSchema, params: IngestionParams
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict, pl.DataFrame]:
    """Type every raw file with the schema, quarantine bad rows, split the rest.

    For every file, ``rows read = accepted + quarantined`` is checked and logged.

    Args:
        raw_logs: the raw files as read by ``ImpressionLogDataset``.
        schema: label, categorical, numeric and sequence columns.
        params: split mode, ratios, seed, column names for headerless files, the
            largest share of quarantined rows per file.

    Returns:
        train, valid and test tables; the data fingerprint (file checksums, rows
        read, accepted, quarantined per reason, rows per split, schema); and the
        quarantined rows (``ctrflow.ingestion.QUARANTINE_SCHEMA``).

    Raises:
        IngestionError: the files do not match the split mode or the schema, or
            more than ``params.max_reject_fraction`` of a file's rows is quarantined.
    """
    parts = sorted(raw_logs.frames)
    expected = ["all"] if params.split == "random" else sorted(_SPLITS)
    if parts != expected:
        raise IngestionError(
            f"ingestion.split is {params.split!r}, which needs raw_logs parts {expected}, "
            f"but the catalog entry 'raw_logs' gives {parts} "
            "(use 'filepath' for one file to split, 'filepaths' for given splits)"
        )
    typed, quarantines, accounting = {}, [], {}
    for part in parts:
        typed[part], quarantine, accounting[part] = _ingest_file(
            raw_logs, part, schema, params
        )
        quarantines.append(quarantine)

    if params.split == "random":
        # the typed table is split column by column and emptied (less memory)
        train, valid, test = split_randomly_consuming(
            typed.pop("all"), params.ratios, params.seed
        )
    else:
        train, valid, test = (typed[s] for s in _SPLITS)
    fingerprint = {
        "sources": raw_logs.sources,
        "sha256": raw_logs.checksums,
        "file_format": raw_logs.file_format,
        "rows": {"train": train.height, "valid": valid.height, "test": test.height},
        "ingestion": accounting,
        "schema": schema.model_dump(),
        "split": params.model_dump(),
    }
    logger.info("split rows: %s", fingerprint["rows"])
    return train, valid, test, fingerprint, pl.concat(quarantines)


def _ingest_file(
    raw_logs: RawLogs, part: str, schema: DatasetSchema, params: IngestionParams
) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """One file: name, type, quarantine, account for every row, check the share.

    The file's raw columns are consumed: ``raw_logs.frames[part]`` is left empty
    and each column is freed once typed (the runner releases ``raw_logs`` after
    this node anyway), so the raw and the typed table are not both held whole.
    """
    source = raw_logs.sources[part]
    lines = raw_logs.line_info(part)
    rows_read = raw_logs.rows_read.get(part, raw_logs.frames[part].height)
    frame = name_columns(raw_logs.frames[part], source, params.column_order, schema)
    raw_logs.frames[part] = raw_logs.frames[part].clear()
    extra = [c for c in frame.columns if c not in schema.columns]
    if extra:
        logger.warning(
            "%s: dropping %d column(s) not in the schema: %s", source, len(extra), extra
        )
    result = type_rows(
        frame,
        schema,
        source,
        lines,
        sequence_separator=params.sequence_separator,
        max_field_chars=params.max_field_chars,
        parquet=raw_logs.file_format == "parquet",
        joined_with=raw_logs.joined_with,
        consume=True,
    )
    quarantine = pl.concat(
        [raw_logs.rejected.get(part, empty_quarantine()), result.quarantined]
    ).sort("line_number")
    check_row_accounting(source, rows_read, result.accepted.height, quarantine.height)
    reasons = count_reasons(quarantine)
    logger.info(
        "%s: %s rows read = %s accepted + %s quarantined%s",
        source,
        f"{rows_read:,}",
        f"{result.accepted.height:,}",
        f"{quarantine.height:,}",
        f" {reasons}" if reasons else "",
    )
    check_reject_fraction(source, rows_read, quarantine, params.max_reject_fraction)
    accounting = {
        "rows_read": rows_read,
        "accepted": result.accepted.height,
        "quarantined": quarantine.height,
        "quarantined_by_reason": reasons,
    }
    return result.accepted, quarantine, accounting
