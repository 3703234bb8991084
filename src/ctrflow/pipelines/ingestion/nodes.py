"""Ingestion nodes: name and type the raw logs with the schema, quarantine bad
rows, add the derived features, split them."""

from __future__ import annotations

import logging

import polars as pl

from ctrflow.ingestion import (
    IngestionError,
    add_derived,
    carve_consuming,
    check_reject_fraction,
    check_row_accounting,
    count_reasons,
    empty_quarantine,
    name_columns,
    split_by_time_consuming,
    split_randomly_consuming,
    type_rows,
)
from ctrflow.ingestion.params import IngestionParams
from ctrflow.ingestion.raw_logs import RawLogs
from ctrflow.schema import DatasetSchema, where_to_set

logger = logging.getLogger(__name__)
_SPLITS = ("train", "valid", "test")
_LAYOUTS = {  # the raw_logs parts each split mode takes
    "random": [["all"]],
    "time": [["all"]],
    "given": [sorted(_SPLITS), ["test", "train"]],
}


def split_logs(
    raw_logs: RawLogs, schema: DatasetSchema, params: IngestionParams
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict, pl.DataFrame]:
    """Type every raw file with the schema, quarantine bad rows, add the derived
    features, split the rest.

    For every file, ``rows read = accepted + quarantined`` is checked and logged.
    The layouts: one file split randomly or by time (``split: random | time``);
    given ``train``, ``valid`` and ``test`` files, or ``train`` and ``test``
    with valid carved from train (``split: given``, ``valid_from_train``).

    Args:
        raw_logs: the raw files as read by ``ImpressionLogDataset``.
        schema: label, categorical, numeric, sequence, timestamp and derived
            columns.
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
    if params.split == "auto":  # recorded as what it resolved to
        resolved = "random" if parts == ["all"] else "given"
        logger.info("split: %s (auto: raw_logs gives %s)", resolved, parts)
        params = params.model_copy(update={"split": resolved})
    carved = _check_layout(parts, schema, params)
    raw_logs = name_columns(raw_logs, schema, params.column_order)
    typed, quarantines, accounting = {}, [], {}
    for part in parts:
        typed[part], quarantine, accounting[part] = _ingest_file(
            raw_logs, part, schema, params
        )
        quarantines.append(quarantine)

    # the typed table is split column by column and emptied (less memory)
    if params.split == "random":
        train, valid, test = split_randomly_consuming(
            typed.pop("all"), params.ratios, params.seed
        )
    elif params.split == "time":
        train, valid, test = split_by_time_consuming(
            typed.pop("all"), str(schema.timestamp), params.ratios
        )
    elif carved:
        carve = params.valid_from_train
        train, valid = carve_consuming(
            typed.pop("train"), carve.ratio, carve.order, params.seed, schema.timestamp
        )
        test = typed["test"]
        logger.info(
            "valid: %s rows carved from train (ratio %g, order %s)",
            f"{valid.height:,}",
            carve.ratio,
            carve.order,
        )
    else:
        train, valid, test = (typed[s] for s in _SPLITS)
    fingerprint = {
        "sources": raw_logs.sources,
        "sha256": raw_logs.checksums,
        "file_format": raw_logs.file_format,
        "rows": {"train": train.height, "valid": valid.height, "test": test.height},
        "ingestion": accounting,
        "schema": _recorded_schema(schema),
        "split": params.model_dump(exclude=None if carved else {"valid_from_train"}),
    }
    logger.info("split rows: %s", fingerprint["rows"])
    return train, valid, test, fingerprint, pl.concat(quarantines)


def _check_layout(
    parts: list[str], schema: DatasetSchema, params: IngestionParams
) -> bool:
    """Raise unless the raw logs' parts fit the split mode and a split by time has
    a timestamp; returns whether valid is carved from train."""
    layouts = _LAYOUTS[params.split]
    if parts not in layouts:
        needs = " or ".join(str(layout) for layout in layouts)
        raise IngestionError(
            f"ingestion.split is {params.split!r}, which needs raw_logs parts {needs}, "
            f"but the catalog entry 'raw_logs' gives {parts} "
            "(use 'filepath' for one file to split, 'filepaths' for given splits: "
            "train, valid and test, or train and test)"
        )
    carved = params.split == "given" and "valid" not in parts
    by_time = params.split == "time" or (
        carved and params.valid_from_train.order == "time"
    )
    if by_time and schema.timestamp is None:
        key = "split" if params.split == "time" else "valid_from_train.order"
        raise IngestionError(
            f"ingestion.{key} is 'time', which orders the rows by schema.timestamp, "
            "but the schema names no timestamp column: set schema.timestamp in "
            "conf/<env>/parameters.yml (or "
            + where_to_set(f"ingestion.{key}")
            + " to 'random')"
        )
    return carved


def _recorded_schema(schema: DatasetSchema) -> dict:
    """The schema for the fingerprint; ``timestamp`` and ``derived`` only when set
    (a fingerprint of the same data is the same as before they existed)."""
    recorded = schema.model_dump()
    for key in ("timestamp", "derived"):
        if not recorded[key]:
            del recorded[key]
    return recorded


def _ingest_file(
    raw_logs: RawLogs, part: str, schema: DatasetSchema, params: IngestionParams
) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """One file: type, quarantine, account for every row, check the share, derive.

    The file's raw columns are consumed: ``raw_logs.frames[part]`` is left empty
    and each column is freed once typed (the runner releases ``raw_logs`` after
    this node anyway), so the raw and the typed table are not both held whole.
    """
    source = raw_logs.sources[part]
    lines = raw_logs.line_info(part)
    rows_read = raw_logs.rows_read.get(part, raw_logs.frames[part].height)
    frame = raw_logs.frames[part]
    raw_logs.frames[part] = frame.clear()
    extra = [c for c in frame.columns if c not in schema.input_columns]
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
    accepted = add_derived(result.accepted, schema.derived)
    accounting = {
        "rows_read": rows_read,
        "accepted": result.accepted.height,
        "quarantined": quarantine.height,
        "quarantined_by_reason": reasons,
    }
    return accepted, quarantine, accounting
