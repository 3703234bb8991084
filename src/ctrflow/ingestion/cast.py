"""From raw string columns to the typed table every later stage relies on.

``type_rows`` is vectorised (polars expressions, no per-row Python): every check is
one expression over a whole column, and a row that fails any of them goes to the
quarantine with its first reason instead of stopping the run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ctrflow.ingestion.errors import IngestionError, excerpt
from ctrflow.ingestion.params import DEFAULT_MAX_FIELD_CHARS
from ctrflow.ingestion.quarantine import QUARANTINE_SCHEMA
from ctrflow.ingestion.raw_logs import joined_fields
from ctrflow.ingestion.timestamps import EXPECTED as TIMESTAMP_EXPECTED
from ctrflow.ingestion.timestamps import TIMESTAMP_TYPE, parse_timestamp
from ctrflow.schema import DatasetSchema

_EXCERPT = 40
# working columns beside the schema's (a prefix no dataset uses)
_LINE, _RAW, _REASON, _INDEX = (
    "__ctrflow_line",
    "__ctrflow_raw",
    "__ctrflow_reason",
    "__ctrflow_index",
)
_TYPED_AT_ONCE = 4  # columns typed together (in parallel)
_SMALL_ROWS = 65_536  # a frame this small is typed in one pass


@dataclass(frozen=True)
class TypedRows:
    """The outcome of typing one file.

    Attributes:
        accepted: the typed rows (exactly the schema's columns).
        quarantined: the rejected rows, columns of ``QUARANTINE_SCHEMA``.
    """

    accepted: pl.DataFrame
    quarantined: pl.DataFrame


def type_rows(
    frame: pl.DataFrame,
    schema: DatasetSchema,
    source: str,
    lines: pl.DataFrame,
    *,
    sequence_separator: str = "^",
    max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
    parquet: bool = False,
    joined_with: str | None = None,
    consume: bool = False,
    label_optional: bool = False,
) -> TypedRows:
    """Select the schema's columns, give them their types, quarantine bad rows.

    label -> Int8, numeric -> Float64, categorical -> String, sequence ->
    List(String), timestamp -> Datetime("ms", "UTC")
    (``ctrflow.ingestion.timestamps``); a blank cell is a missing value (not
    allowed for the label and the timestamp). A row is quarantined, with the first
    problem found in schema order, when a value is longer than
    ``max_field_chars``, the label is empty or not 0/1, a numeric value is not a
    number or not finite, or the timestamp is empty or not a time.

    Args:
        frame: the file's columns as read (strings, or Parquet types).
        schema: the dataset schema.
        source: the file, for messages and the quarantine.
        lines: aligned with ``frame``: ``line_number`` and ``raw_text`` (null for
            Parquet: the row's values are written as JSON instead).
        sequence_separator: separator of the ids inside a sequence cell.
        max_field_chars: longest value accepted.
        parquet: the frame was read from Parquet: label and numeric columns must
            have number types there (text numbers are an error, not quarantined).
        joined_with: where ``lines`` has no ``raw_text`` for a quarantined row, its
            line is the row's fields (all of ``frame``'s, in order) joined with this
            separator (``RawLogs.joined_with``); None: written as JSON.
        consume: take the columns out of ``frame`` as they are typed (it is left
            with none), so that a column is held twice only while it is typed.
        label_optional: a ``frame`` without the label column is typed without
            it (scoring new logs); a label that is there is checked as always.

    Returns:
        accepted and quarantined rows (the accepted ones have
        ``schema.input_columns``, less the label when it is optional and absent);
        their heights add up to ``frame.height``.

    Raises:
        IngestionError: a schema column is absent (the message lists the columns the
            file has), or a Parquet column has a type that cannot hold its values.
    """
    has_label = not label_optional or schema.label in frame.columns
    inputs = [c for c in schema.input_columns if has_label or c != schema.label]
    missing = [c for c in inputs if c not in frame.columns]
    if missing:
        hint = ""
        if frame.width == 1 and any(sep in frame.columns[0] for sep in ",;"):
            hint = (
                " Its header is one column holding ',' or ';': is the file "
                "comma-separated? Then set file_format: csv in the catalog entry "
                "'raw_logs'."
            )
        raise IngestionError(
            f"{source}: schema columns {missing} are not in the file; it has "
            f"{excerpt(str(frame.columns), 400)}. Fix the schema block "
            "(conf/<env>/parameters.yml), the file's header, or ingestion.column_order."
            + hint
        )
    if lines.height != frame.height:
        raise IngestionError(
            f"{source}: {frame.height} rows but {lines.height} line numbers (a bug)"
        )
    _check_dtypes(frame, schema, source, parquet, has_label)
    wanted = set(inputs)  # extra columns are not typed; file order kept
    all_columns = frame
    frame = frame.select([c for c in frame.columns if c in wanted])
    # one cheap pass flags the rows that may be bad (a superset of the bad ones);
    # the exact checks, reasons and words run on those rows only
    # the mask first, then the few suspect rows get their index: adding an index
    # column to the whole frame would rechunk (copy) every column of a frame read
    # in blocks
    suspect = frame.select(
        _suspect(frame, schema, max_field_chars, has_label)
    ).to_series()
    if suspect.any():
        quarantined, keep = _quarantined(
            frame, all_columns, suspect, schema, source=source, lines=lines,
            max_field_chars=max_field_chars, has_label=has_label,
            joined_with=joined_with,
        )  # fmt: skip
    else:  # nothing to check: the usual block, and every clean online request
        quarantined, keep = pl.DataFrame(schema=QUARANTINE_SCHEMA), None
    if consume:
        for name in all_columns.columns:
            all_columns.drop_in_place(name)
    del all_columns
    accepted = _typed(
        frame, schema, sequence_separator, keep, consume=consume, has_label=has_label
    )
    return TypedRows(accepted, quarantined)


def _quarantined(
    frame: pl.DataFrame,
    all_columns: pl.DataFrame,
    suspect: pl.Series,
    schema: DatasetSchema,
    *,
    source: str,
    lines: pl.DataFrame,
    max_field_chars: int,
    has_label: bool,
    joined_with: str | None,
) -> tuple[pl.DataFrame, np.ndarray | None]:
    """The rejected rows among the ``suspect`` ones (``QUARANTINE_SCHEMA``: the
    first problem in schema order, its column and words, the line) and the mask
    of the rows kept (None: all of them)."""
    candidates = frame.filter(suspect).with_columns(
        suspect.arg_true().cast(pl.UInt32).alias(_INDEX)
    )
    checks = _checks(frame, schema, max_field_chars, has_label)
    reason = pl.coalesce(
        [pl.when(bad).then(pl.lit(kind)) for _, kind, bad, _ in checks]
    )
    column = pl.coalesce([pl.when(bad).then(pl.lit(col)) for col, _, bad, _ in checks])
    detail = pl.coalesce([pl.when(test).then(text) for _, _, test, text in checks])
    flagged = candidates.with_columns(reason.alias(_REASON)).filter(
        pl.col(_REASON).is_not_null()
    )
    keep = None
    if flagged.height:
        rejected = flagged[_INDEX].to_numpy()
        keep = np.ones(frame.height, dtype=bool)
        keep[rejected] = False
        info = lines[rejected]
        if joined_with is not None and info["raw_text"].null_count():
            rows = all_columns[rejected]
            joined = rows.select(joined_fields(rows, joined_with))
            info = info.with_columns(pl.coalesce("raw_text", joined.to_series()))
    else:
        info = lines.clear()
    bad = pl.concat(
        [
            flagged.drop(_INDEX),
            info.select(
                pl.col("line_number").alias(_LINE), pl.col("raw_text").alias(_RAW)
            ),
        ],
        how="horizontal",
    )
    raw_text = pl.col(_RAW)
    if bad.height and bad[_RAW].null_count():  # Parquet: the row as JSON
        raw_text = pl.coalesce(raw_text, pl.struct(frame.columns).struct.json_encode())
    quarantined = bad.select(
        pl.lit(source).alias("source_file"),
        pl.col(_LINE).alias("line_number"),
        column.alias("column"),
        pl.col(_REASON).alias("reason"),
        detail.alias("detail"),
        raw_text.alias("raw_text"),
    ).cast(QUARANTINE_SCHEMA)
    return quarantined, keep


_NUMBER_TYPES = (pl.Float32, pl.Float64, pl.Null, pl.Boolean, pl.Decimal)


def _dtype(frame: pl.DataFrame, column: str) -> pl.DataType:
    """``column``'s type: one column's, not ``frame.schema`` (built whole on each
    access: a sixth of typing a one-row request of the demo's 40 columns)."""
    return frame.get_column(column).dtype


def _is_number(dtype: pl.DataType) -> bool:
    return dtype.is_integer() or isinstance(dtype, _NUMBER_TYPES)


def _check_dtypes(
    frame: pl.DataFrame,
    schema: DatasetSchema,
    source: str,
    parquet: bool,
    has_label: bool = True,
) -> None:
    """Non-string columns (Parquet) must have a type their role can use."""
    problems = []
    numbers = [*([schema.label] if has_label else []), *schema.numeric]
    for column in numbers:
        dtype = _dtype(frame, column)
        if dtype != pl.String and not _is_number(dtype):
            problems.append(f"{column!r} is {dtype}, expected a number type")
    for column in schema.categorical:
        dtype = _dtype(frame, column)
        if dtype.is_nested() or dtype.is_temporal():
            problems.append(f"{column!r} is {dtype}, expected text or integer ids")
    for column in schema.sequence:
        dtype = _dtype(frame, column)
        if dtype != pl.String and not isinstance(dtype, pl.List):
            problems.append(f"{column!r} is {dtype}, expected a list or text")
    if schema.timestamp is not None:
        dtype = _dtype(frame, schema.timestamp)
        if not (
            dtype in (pl.String, pl.Date)
            or isinstance(dtype, pl.Datetime)
            or _is_number(dtype)
        ):
            problems.append(
                f"{schema.timestamp!r} is {dtype}, expected a Datetime, a Date, "
                "epoch seconds or milliseconds, or ISO-8601 text"
            )
    if problems:
        raise IngestionError(
            f"{source}: column type(s) do not fit the schema: {'; '.join(problems)}. "
            "Write the file with these types (e.g. cast in the tool that writes it), "
            "or fix the schema block."
        )
    if parquet:
        text = [c for c in numbers if _dtype(frame, c) == pl.String]
        if text:
            raise IngestionError(
                f"{source}: Parquet column(s) {text} hold text (String), expected a "
                "number type; write them as integers or floats"
            )


def _number(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The value as Float64 (null where missing or not a number)."""
    if _dtype(frame, column) != pl.String:
        return pl.col(column).cast(pl.Float64)
    return _cell(frame, column).cast(pl.Float64, strict=False)


def _cell(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The value as stripped text, blank -> null (non-string columns cast to text)."""
    value = pl.col(column)
    if _dtype(frame, column) != pl.String:
        return value.cast(pl.String)
    return value.str.strip_chars().replace("", None)


def _suspect(
    frame: pl.DataFrame,
    schema: DatasetSchema,
    max_field_chars: int,
    has_label: bool = True,
) -> pl.Expr:
    """True for every row ``_checks`` may reject (and a few it will not): cheap
    tests on whole columns, so the exact checks only see these rows.

    A value's byte length bounds its length in characters; a text label or
    counter is suspect when it does not parse as a number (or as 0 / 1), which
    includes every blank, non-numeric, NaN and infinite cell.
    """
    tests = [
        pl.col(column).str.len_bytes() > max_field_chars
        for column in schema.input_columns
        if column in frame.columns and _dtype(frame, column) == pl.String
    ]
    if has_label:
        label = _number(frame, schema.label)
        tests.append(~label.is_in([0.0, 1.0]).fill_null(False))
    for column in schema.numeric:
        if _dtype(frame, column) == pl.String:
            text = pl.col(column).str.strip_chars()
            number = text.cast(pl.Float64, strict=False)
            tests.append(number.is_null() & (text.str.len_bytes() > 0))
        else:
            number = pl.col(column).cast(pl.Float64)
        tests.append(~number.is_finite())
    if schema.timestamp is not None:
        tests.append(_timestamp(frame, schema.timestamp).is_null())
    return pl.any_horizontal([test.fill_null(False) for test in tests])


def _holds(column: str, value: pl.Expr, expected: str) -> pl.Expr:
    shown = (
        pl.when(value.str.len_chars() > _EXCERPT)
        .then(pl.concat_str(value.str.slice(0, _EXCERPT), pl.lit("...")))
        .otherwise(value)
    )
    return pl.format(f"column '{column}' holds '{{}}', expected {expected}", shown)


def _checks(
    frame: pl.DataFrame,
    schema: DatasetSchema,
    max_field_chars: int,
    has_label: bool = True,
) -> list[tuple[str, str, pl.Expr, pl.Expr]]:
    """(column, reason, bad-row expression, detail expression), in priority order."""
    checks = []
    for column in schema.input_columns:
        if column in frame.columns and _dtype(frame, column) == pl.String:
            length = pl.col(column).str.len_chars()
            checks.append(
                (
                    column,
                    "value_too_long",
                    length > max_field_chars,
                    pl.format(
                        f"column '{column}' holds a value of {{}} characters, more "
                        f"than ingestion.max_field_chars = {max_field_chars}",
                        length,
                    ),
                )
            )
    if has_label:
        label = schema.label
        cell = _cell(frame, label)
        number = _number(frame, label)
        checks.append(
            (
                label,
                "missing_label",
                cell.is_null(),
                pl.lit(f"the label column '{label}' is empty"),
            )
        )
        checks.append(
            (
                label,
                "label_not_0_or_1",
                cell.is_not_null() & ~number.is_in([0.0, 1.0]).fill_null(False),
                _holds(label, cell, "0 or 1"),
            )
        )
    for column in schema.numeric:
        cell = _cell(frame, column)
        number = _number(frame, column)
        checks.append(
            (
                column,
                "not_a_number",
                cell.is_not_null() & number.is_null(),
                _holds(column, cell, "a number"),
            )
        )
        checks.append(
            (
                column,
                "not_finite",
                number.is_nan() | number.is_infinite(),
                _holds(column, cell, "a finite number"),
            )
        )
    if schema.timestamp is not None:
        column = schema.timestamp
        cell = _cell(frame, column)
        checks.append(
            (
                column,
                "missing_timestamp",
                cell.is_null(),
                pl.lit(f"the timestamp column '{column}' is empty"),
            )
        )
        checks.append(
            (
                column,
                "not_a_timestamp",
                cell.is_not_null() & _timestamp(frame, column).is_null(),
                _holds(column, cell, TIMESTAMP_EXPECTED),
            )
        )
    return checks


def _timestamp(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The value as a time (null where missing or not a time)."""
    return parse_timestamp(pl.col(column), _dtype(frame, column))


def _typed(
    rows: pl.DataFrame,
    schema: DatasetSchema,
    sequence_separator: str,
    keep: np.ndarray | None = None,
    *,
    consume: bool = False,
    has_label: bool = True,
) -> pl.DataFrame:
    """The typed columns of the rows ``keep`` marks (all when None), a few columns
    at a time; ``consume``: each is dropped from ``rows`` once typed."""

    def sequence(column: str) -> pl.Expr:
        if isinstance(_dtype(rows, column), pl.List):
            return pl.col(column).cast(pl.List(pl.String))
        return _cell(rows, column).str.split(sequence_separator)

    labels = [schema.label] if has_label else []
    typed = [
        *[(c, _number(rows, c).cast(pl.Int8)) for c in labels],
        *[(c, _cell(rows, c)) for c in schema.categorical],
        *[(c, _number(rows, c)) for c in schema.numeric],
        *[(c, sequence(c)) for c in schema.sequence],
        *[
            (c, _timestamp(rows, c).cast(TIMESTAMP_TYPE))
            for c in [schema.timestamp]
            if c is not None
        ],
    ]
    mask = None if keep is None else pl.Series(keep)
    columns: list[pl.Series] = []
    # a few columns at a time bounds the copies of a large block; a small frame
    # (an online request) is typed in one pass
    at_once = max(1, len(typed)) if rows.height <= _SMALL_ROWS else _TYPED_AT_ONCE
    for start in range(0, len(typed), at_once):
        batch = typed[start : start + at_once]
        names = [name for name, _ in batch]
        part = pl.DataFrame(
            [rows.drop_in_place(c) if consume else rows[c] for c in names]
        )
        if mask is not None:
            part = part.filter(mask)
        columns.extend(part.select(expr.alias(name) for name, expr in batch))
        del part
    return pl.DataFrame(columns)
