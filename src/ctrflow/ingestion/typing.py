"""From raw string columns to the typed table every later stage relies on."""

from __future__ import annotations

import polars as pl

from ctrflow.params import DatasetSchema


class IngestionError(ValueError):
    """Raw logs do not fit the schema; the message names file, line and column."""


def name_columns(
    frame: pl.DataFrame,
    source: str,
    column_order: list[str] | None,
    schema: DatasetSchema,
) -> pl.DataFrame:
    """Give a file without header (``column_1 .. column_n``) the schema's names.

    Args:
        frame: columns as read.
        source: the file, for messages.
        column_order: names in file order; default label, numeric, categorical, sequence.
        schema: the dataset schema.
    """
    if not all(c.startswith("column_") for c in frame.columns):
        return frame
    names = column_order or [
        schema.label,
        *schema.numeric,
        *schema.categorical,
        *schema.sequence,
    ]
    if len(names) != frame.width:
        raise IngestionError(
            f"{source}: has {frame.width} tab/space-separated columns but the schema "
            f"(or ingestion.column_order) names {len(names)}: {names}"
        )
    return frame.rename(dict(zip(frame.columns, names, strict=True)))


def _first_failure(raw: pl.Series, typed: pl.Series) -> int | None:
    failed = (
        raw.is_not_null() & (raw.cast(pl.String).str.strip_chars() != "")
    ) & typed.is_null()
    index = failed.arg_true()
    return int(index[0]) if len(index) else None


def _fail(
    source: str, line: int, column: str, value: object, *, expected: str, count: int
) -> IngestionError:
    return IngestionError(
        f"{source}:{line}: column {column!r} holds {value!r}, expected {expected} "
        f"({count} such value(s) in this file)"
    )


def type_table(
    frame: pl.DataFrame,
    schema: DatasetSchema,
    source: str,
    first_line: int,
    sequence_separator: str = "^",
) -> pl.DataFrame:
    """Select the schema's columns and give them their types.

    label -> Int8, numeric -> Float64, categorical -> String, sequence -> List(String);
    an empty string is a missing value.

    Raises:
        IngestionError: a schema column is absent (the message lists the columns the
            file has) or a value cannot be read as its type (file:line, column, value).
    """
    missing = [c for c in schema.columns if c not in frame.columns]
    if missing:
        raise IngestionError(
            f"{source}: schema columns {missing} are not in the file; it has {frame.columns}"
        )

    def blank_to_null(column: str) -> pl.Expr:
        value = pl.col(column)
        if frame.schema[column] == pl.String:
            value = (
                pl.when(value.str.strip_chars() == "")
                .then(None)
                .otherwise(value.str.strip_chars())
            )
        return value

    typed = frame.select(
        blank_to_null(schema.label).cast(pl.Int8, strict=False).alias(schema.label),
        *[blank_to_null(c).cast(pl.String).alias(c) for c in schema.categorical],
        *[
            blank_to_null(c).cast(pl.Float64, strict=False).alias(c)
            for c in schema.numeric
        ],
        *[
            blank_to_null(c).cast(pl.String).str.split(sequence_separator).alias(c)
            for c in schema.sequence
        ],
    )
    checks = [(schema.label, "an integer label")] + [
        (c, "a number") for c in schema.numeric
    ]
    for column, expected in checks:
        raw, parsed = frame.get_column(column), typed.get_column(column)
        row = _first_failure(raw, parsed)
        if row is not None:
            failures = int(((raw.is_not_null()) & parsed.is_null()).sum())
            raise _fail(
                source,
                first_line + row,
                column,
                raw[row],
                expected=expected,
                count=failures,
            )
    missing_labels = typed.get_column(schema.label).is_null()
    if missing_labels.any():
        row = int(missing_labels.arg_true()[0])
        raise IngestionError(
            f"{source}:{first_line + row}: the label column {schema.label!r} is empty "
            f"({int(missing_labels.sum())} row(s) without label in this file)"
        )
    return typed
