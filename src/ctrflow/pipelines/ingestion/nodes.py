"""Ingestion nodes: name and type the raw logs with the schema, quarantine bad
rows, add the derived features, split them, block by block."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl

from ctrflow.datasets.final_json import PENDING
from ctrflow.datasets.sharded_parquet import ShardBlock
from ctrflow.ingestion import (
    IngestionError,
    TimeCuts,
    add_derived,
    check_reject_fraction,
    check_row_accounting,
    count_reasons,
    empty_quarantine,
    name_columns,
    random_parts,
    split_consuming,
    time_cuts,
    time_keys,
    time_parts,
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
# what the node yields per block: train, valid, test, fingerprint, quarantine
Step = tuple[ShardBlock, ShardBlock, ShardBlock, Any, ShardBlock]


def ingest_logs(
    raw_logs: RawLogs, schema: DatasetSchema, params: IngestionParams
) -> Iterator[Step]:
    """Type every raw file with the schema block by block, quarantine bad rows,
    add the derived features, split the rest (a generator node).

    For every file, ``rows read = accepted + quarantined`` is checked and logged.
    The layouts: one file split randomly or by time (``split: random | time``);
    given ``train``, ``valid`` and ``test`` files, or ``train`` and ``test``
    with valid carved from train (``split: given``, ``valid_from_train``). A
    random split (and carving) decides each row by a seeded hash of its index
    among the file's accepted rows (``ctrflow.ingestion.splits``), so its parts'
    sizes are near the ratios, not exact, and a row's split does not depend on
    the block size; a split by time first reads the accepted rows' times (a first pass).

    Args:
        raw_logs: the raw files as read by ``ImpressionLogDataset``; each part is
            typed in blocks of ``raw_logs.block_rows``.
        schema: label, categorical, numeric, sequence, timestamp and derived
            columns.
        params: split mode, ratios, seed, column names for headerless files, the
            largest share of quarantined rows per file.

    Yields:
        per block: train, valid and test rows and the quarantined rows
        (``ctrflow.ingestion.QUARANTINE_SCHEMA``) as ``ShardBlock``s, and
        ``PENDING`` for the fingerprint; then one final step: empty final
        blocks (which commit the tables) and the data fingerprint (file
        checksums, rows read, accepted, quarantined per reason, rows per split,
        schema).

    Raises:
        IngestionError: the files do not match the split mode or the schema, or
            more than ``params.max_reject_fraction`` of a file's rows is quarantined
            (raised before the final step: no table is committed).
    """
    parts = sorted(raw_logs.frames)
    if params.split == "auto":  # recorded as what it resolved to
        resolved = "random" if parts == ["all"] else "given"
        logger.info("split: %s (auto: raw_logs gives %s)", resolved, parts)
        params = params.model_copy(update={"split": resolved})
    carved = _check_layout(parts, schema, params)
    raw_logs = name_columns(raw_logs, schema, params.column_order)
    cuts = _time_cuts(raw_logs, schema, params, carved)
    rows = dict.fromkeys(_SPLITS, 0)
    accounting: dict[str, dict] = {}
    empty = None
    for part in parts:
        index = 0  # of the file's next accepted row
        blocks = _typed_blocks(raw_logs, part, schema, params, accounting)
        for accepted, quarantine in blocks:
            empty = accepted.clear()
            count = accepted.height
            tables = _split_block(
                accepted, np.arange(index, index + count), part, cuts, schema,
                params, carved,
            )  # fmt: skip
            index += count
            for split, table in zip(_SPLITS, tables, strict=True):
                rows[split] += table.height
            yield (*(ShardBlock(t) for t in tables), PENDING, ShardBlock(quarantine))
    if carved:
        carve = params.valid_from_train
        logger.info(
            "valid: %s rows carved from train (ratio %g, order %s)",
            f"{rows['valid']:,}",
            carve.ratio,
            carve.order,
        )
    fingerprint = {
        "sources": raw_logs.sources,
        "sha256": raw_logs.checksums,
        "file_format": raw_logs.file_format,
        "rows": rows,
        "ingestion": accounting,
        "schema": _recorded_schema(schema),
        "split": params.model_dump(exclude=None if carved else {"valid_from_train"}),
    }
    logger.info("split rows: %s", fingerprint["rows"])
    final = ShardBlock(empty if empty is not None else pl.DataFrame(), final=True)
    yield final, final, final, fingerprint, ShardBlock(empty_quarantine(), final=True)


def split_logs(
    raw_logs: RawLogs, schema: DatasetSchema, params: IngestionParams
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict, pl.DataFrame]:
    """``ingest_logs`` gathered in memory: each table as one frame (for callers
    outside a Kedro run: notebooks, tests); the same code path.

    Returns:
        train, valid and test tables, the data fingerprint and the quarantined
        rows.

    Raises:
        IngestionError: as ``ingest_logs``.
    """
    blocks: list[list[pl.DataFrame]] = [[], [], [], []]
    fingerprint: dict = {}
    for *tables, step_fingerprint, quarantine in ingest_logs(raw_logs, schema, params):
        for gathered, block in zip(blocks, [*tables, quarantine], strict=True):
            gathered.append(block.frame)
        if step_fingerprint is not PENDING:
            fingerprint = step_fingerprint
    train, valid, test, quarantined = (pl.concat(frames) for frames in blocks)
    return train, valid, test, fingerprint, quarantined


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


def _time_cuts(
    raw_logs: RawLogs, schema: DatasetSchema, params: IngestionParams, carved: bool
) -> TimeCuts | None:
    """A split by time (or valid carved from train by time): a first pass over
    the file's blocks reads every accepted row's time (8 bytes a row) and finds
    the cuts; it also runs the file's checks, so a bad file stops the run before
    any block is written. None: the split needs no cuts."""
    if params.split == "time":
        part = "all"
        fractions = [params.ratios.train, params.ratios.valid]
    elif carved and params.valid_from_train.order == "time":
        part = "train"
        fractions = [1.0 - params.valid_from_train.ratio]
    else:
        return None
    timestamp = str(schema.timestamp)
    keys = [
        time_keys(accepted[timestamp])
        for accepted, _ in _typed_blocks(raw_logs, part, schema, params, {}, False)
    ]
    return time_cuts(np.concatenate(keys), fractions)


def _split_block(  # noqa: PLR0913, PLR0917 - one block's rows and where they go
    accepted: pl.DataFrame,
    indices: np.ndarray,
    part: str,
    cuts: TimeCuts | None,
    schema: DatasetSchema,
    params: IngestionParams,
    carved: bool,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """One block of accepted rows as its train, valid and test rows (the block's
    columns are consumed); ``indices``: the rows' index among the file's
    accepted rows (what the random split hashes: the same rows get the same
    split, whatever the block size or the quarantined lines between them)."""
    if params.split == "given" and not (carved and part == "train"):
        return tuple(  # type: ignore[return-value]
            accepted if split == part else accepted.clear() for split in _SPLITS
        )
    if cuts is not None:
        part_of = time_parts(time_keys(accepted[str(schema.timestamp)]), indices, cuts)
    elif carved:
        part_of = random_parts(
            indices, [1.0 - params.valid_from_train.ratio], params.seed
        )
    else:
        ratios = params.ratios
        part_of = random_parts(indices, [ratios.train, ratios.valid], params.seed)
    if carved:
        train, valid = split_consuming(accepted, part_of, 2)
        return train, valid, valid.clear()
    return split_consuming(accepted, part_of, 3)  # type: ignore[return-value]


def _typed_blocks(  # noqa: PLR0917 - the node's inputs and what it records
    raw_logs: RawLogs,
    part: str,
    schema: DatasetSchema,
    params: IngestionParams,
    accounting: dict[str, dict],
    log: bool = True,
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """One file, block by block: type, quarantine, derive; after its last block,
    account for every row and check the share quarantined.

    Yields:
        per block: the accepted rows with their derived columns and the block's
        quarantined rows (the read step's and the
        typing's, by line).

    Raises:
        IngestionError: ``rows read != accepted + quarantined``, or too large a
            share of the file is quarantined (after its last block).
    """
    source = raw_logs.sources[part]
    rows_read = raw_logs.rows_read.get(part, raw_logs.frames[part].height)
    extra = [c for c in raw_logs.frames[part].columns if c not in schema.input_columns]
    if extra and log:
        logger.warning(
            "%s: dropping %d column(s) not in the schema: %s", source, len(extra), extra
        )
    accepted_rows = 0
    # the file's quarantined rows, for the reasons of a stop (few, unless it stops)
    quarantines = []
    for block in raw_logs.blocks(part):
        lines = block.lines
        result = type_rows(
            block.frame,
            schema,
            source,
            lines,
            sequence_separator=params.sequence_separator,
            max_field_chars=params.max_field_chars,
            parquet=raw_logs.file_format == "parquet",
            joined_with=raw_logs.joined_with,
            consume=True,
        )
        quarantine = pl.concat([block.rejected, result.quarantined]).sort("line_number")
        accepted_rows += result.accepted.height
        quarantines.append(quarantine)
        yield add_derived(result.accepted, schema.derived), quarantine
    quarantine = pl.concat(quarantines)
    check_row_accounting(source, rows_read, accepted_rows, quarantine.height)
    reasons = count_reasons(quarantine)
    if log:
        logger.info(
            "%s: %s rows read = %s accepted + %s quarantined%s",
            source,
            f"{rows_read:,}",
            f"{accepted_rows:,}",
            f"{quarantine.height:,}",
            f" {reasons}" if reasons else "",
        )
    check_reject_fraction(source, rows_read, quarantine, params.max_reject_fraction)
    accounting[part] = {
        "rows_read": rows_read,
        "accepted": accepted_rows,
        "quarantined": quarantine.height,
        "quarantined_by_reason": reasons,
    }
