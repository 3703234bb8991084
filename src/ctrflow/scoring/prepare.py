"""New rows -> the model's encoded input, with the training's own preprocessing.

One code path for the batch pipeline and the online ``Scorer``: the schema stored
in the model artifact names and types the rows with ingestion's functions (same
checks, reasons and messages; the label is optional), the stored derived features
are added (``ctrflow.ingestion.derived.add_derived``), and the stored feature map
encodes them (``ctrflow.feature_engineering.encoding.encode_table``; a value
outside a field's vocabulary gets its OOV id and is counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from ctrflow.feature_engineering.encoding import encode_table
from ctrflow.ingestion import name_columns, type_rows
from ctrflow.ingestion.derived import add_derived
from ctrflow.ingestion.header import first_line_is_header
from ctrflow.ingestion.params import DEFAULT_MAX_FIELD_CHARS
from ctrflow.ingestion.raw_logs import RawLogs, numbered_lines
from ctrflow.schema import DatasetSchema
from ctrflow.scoring.errors import ScoringError
from ctrflow.scoring.reference import oov_counts

if TYPE_CHECKING:
    from ctrflow.training.artifact import ModelArtifact


@dataclass(frozen=True)
class PreparedRows:
    """One block of new rows, prepared.

    Attributes:
        encoded: the accepted rows encoded for ``predict_proba`` (the label column
            is null when the rows have none).
        passthrough: the key columns of the accepted rows as read, row-aligned
            with ``encoded``.
        quarantined: the rejected rows (``ctrflow.ingestion.QUARANTINE_SCHEMA``:
            source_file, line_number, column, reason, detail, raw_text).
        oov: per categorical field, the accepted rows whose value is outside its
            vocabulary (OOV id).
        labelled: whether the rows have the label column.
    """

    encoded: pl.DataFrame
    passthrough: pl.DataFrame
    quarantined: pl.DataFrame
    oov: dict[str, int]
    labelled: bool


def stored_schema(artifact: ModelArtifact) -> DatasetSchema:
    """The schema the model was trained on.

    Raises:
        ScoringError: the artifact holds none (a ``ctrflow.model/1`` file).
    """
    if artifact.schema is None:
        version = f" (version {artifact.version})" if artifact.version else ""
        raise ScoringError(
            f"the model{version} was saved without its training schema (model file "
            "format ctrflow.model/1, before scoring existed), so new rows cannot be "
            "typed as its training rows were: retrain it (kedro run --pipeline=train)"
        )
    return DatasetSchema.model_validate(artifact.schema)


def default_column_order(schema: DatasetSchema, width: int) -> list[str]:
    """Names of a headerless file's columns when ``column_order`` is not set: label,
    numeric, categorical, sequence, then the timestamp; without the label when the
    file has one column less (new logs without labels).

    Raises:
        ScoringError: the file has neither width.
    """
    timestamp = [schema.timestamp] if schema.timestamp else []
    features = [*schema.numeric, *schema.categorical, *schema.sequence, *timestamp]
    if width == len(features) + 1:
        return [schema.label, *features]
    if width == len(features):
        return features
    raise ScoringError(
        f"a file without header has {width} columns, but the model's schema has "
        f"{len(features)} input columns ({len(features) + 1} with the label "
        f"{schema.label!r}): {features}. Set score.column_order to its columns in "
        "file order (conf/<env>/parameters_score.yml), or give it a header line."
    )


def assumed_column_order(
    raw_logs: RawLogs, schema: DatasetSchema, column_order: list[str] | None
) -> list[str] | None:
    """The names a headerless file gets when ``column_order`` is not set
    (``default_column_order``: the model's schema order); None when
    ``column_order`` is set or every file has a header."""
    if column_order is not None:
        return None
    for part in raw_logs.frames:
        has = raw_logs.has_header(part)
        if has is None:
            has = first_line_is_header(
                raw_logs.first[part], raw_logs.sources[part], schema, None
            )
        if not has:
            return default_column_order(schema, raw_logs.frames[part].width)
    return None


def name_new_logs(
    raw_logs: RawLogs, schema: DatasetSchema, column_order: list[str] | None
) -> RawLogs:
    """The raw logs with their columns named, as ingestion names them
    (``ctrflow.ingestion.name_columns``); a headerless file is named by
    ``column_order``, else by ``default_column_order``."""
    order = column_order or assumed_column_order(raw_logs, schema, column_order)
    return name_columns(raw_logs, schema, order)


def prepare_rows(  # noqa: PLR0913 (the file's reading context, all keywords)
    frame: pl.DataFrame,
    artifact: ModelArtifact,
    source: str,
    *,
    lines: pl.DataFrame | None = None,
    key_columns: list[str] | tuple[str, ...] = (),
    sequence_separator: str = "^",
    max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
    parquet: bool = False,
    joined_with: str | None = None,
) -> PreparedRows:
    """Type, quarantine, derive and encode one block of new rows.

    Args:
        frame: the rows with named columns, as read (strings, or Parquet types);
            the label column may be absent, extra columns are ignored.
        artifact: the model (its stored schema and feature map).
        source: the file (or ``request``), for messages and the quarantine.
        lines: aligned with ``frame``: ``line_number`` and ``raw_text``; default:
            rows numbered from 1, no text.
        key_columns: columns copied to ``passthrough`` as read.
        sequence_separator: separator of the ids inside a sequence cell.
        max_field_chars: a longer value is quarantined.
        parquet: the rows come from Parquet (number columns must be numbers).
        joined_with: see ``ctrflow.ingestion.type_rows``.

    Returns:
        The prepared rows: ``encoded.height + quarantined.height == frame.height``.

    Raises:
        ScoringError: the artifact has no schema, or a key column is not in
            ``frame``.
        IngestionError: a schema column is not in ``frame`` (the message lists
            the columns it has).
    """
    schema = stored_schema(artifact)
    missing = [c for c in key_columns if c not in frame.columns]
    if missing:
        raise ScoringError(
            f"{source}: key column(s) {missing} are not in the file; it has "
            f"{frame.columns}. Fix score.key_columns (conf/<env>/parameters_score.yml)"
        )
    if lines is None:
        lines = numbered_lines(1, frame.height)
    labelled = schema.label in frame.columns
    # a frame of no columns keeps the height (row-aligned even without keys)
    keys = (
        frame.select(key_columns) if key_columns else pl.DataFrame(height=frame.height)
    )
    typed = type_rows(
        frame,
        schema,
        source,
        lines,
        sequence_separator=sequence_separator,
        max_field_chars=max_field_chars,
        parquet=parquet,
        joined_with=joined_with,
        label_optional=True,
    )
    if typed.quarantined.height:
        kept = ~lines.get_column("line_number").is_in(
            typed.quarantined.get_column("line_number").implode()
        )
        keys = keys.filter(kept)
    accepted = add_derived(typed.accepted, schema.derived)
    feature_map = artifact.feature_map
    if not labelled:
        accepted = accepted.with_columns(
            pl.lit(None, dtype=pl.Int8).alias(feature_map.label)
        )
    encoded = encode_table(accepted, feature_map)
    return PreparedRows(
        encoded=encoded,
        passthrough=keys,
        quarantined=typed.quarantined,
        oov=oov_counts(encoded, feature_map),
        labelled=labelled,
    )


def labels_of(prepared: PreparedRows, artifact: ModelArtifact) -> np.ndarray | None:
    """The accepted rows' labels (int8), or None when the rows have none."""
    if not prepared.labelled:
        return None
    return prepared.encoded.get_column(artifact.feature_map.label).to_numpy()
