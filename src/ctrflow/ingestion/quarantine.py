"""The quarantine: rows that could not be ingested, each with its reason.

One quarantine row per rejected input row (the first problem found, in file-column
order for the read step, then schema order), so that for every file
``rows read = rows accepted + rows quarantined``.

Reasons (``reason`` column; ``detail`` says it in words with the offending value):

=====================  ================================================================
``empty_line``         a blank line in the middle of a text file
``wrong_field_count``  the line splits into more or fewer fields than the header
                       (or, without header, than most lines of the file)
``unparseable_line``   a CSV line whose quoting cannot be parsed
``value_too_long``     a value longer than ``ingestion.max_field_chars`` characters
``missing_label``      the label cell is empty
``label_not_0_or_1``   the label is not 0 or 1 (``2``, ``-1``, ``yes``, ``NaN`` ...)
``not_a_number``       non-numeric text in a numeric column
``not_finite``         NaN or an infinity in a numeric column
``missing_timestamp``  the ``schema.timestamp`` cell is empty
``not_a_timestamp``    the timestamp is not epoch seconds / milliseconds or ISO-8601
=====================  ================================================================
"""

from __future__ import annotations

import polars as pl

from ctrflow.ingestion.errors import IngestionError
from ctrflow.schema import where_to_set

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "line_number": pl.Int64(),
    "column": pl.String(),
    "reason": pl.String(),
    "detail": pl.String(),
    "raw_text": pl.String(),
}
MAX_EXAMPLE_LINES = 5


def empty_quarantine() -> pl.DataFrame:
    """A quarantine with no rows (its columns and types)."""
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)


def quarantine_lines(
    source: str, lines: pl.DataFrame, reason: str, detail: pl.Expr
) -> pl.DataFrame:
    """Quarantine rows for whole lines (no column), one per row of ``lines``.

    Args:
        source: the file.
        lines: the lines, with ``line_number`` and ``raw_text``.
        reason: one reason for them all.
        detail: an expression over ``lines``: each line's problem in words.
    """
    # one chunk first: lines filtered out of a text read in blocks keep a chunk per
    # block, some empty, and polars 2.1's pl.format panics on such a column
    # ("assertion failed: i < self.len()"); the quarantined lines are few
    return (
        lines.rechunk()
        .select(
            pl.lit(source).alias("source_file"),
            "line_number",
            pl.lit(None, dtype=pl.String).alias("column"),
            pl.lit(reason).alias("reason"),
            detail.alias("detail"),
            "raw_text",
        )
        .cast(QUARANTINE_SCHEMA)
    )


def count_reasons(quarantine: pl.DataFrame) -> dict[str, int]:
    """Quarantined rows per reason, most frequent first."""
    counts = (
        quarantine.group_by("reason")
        .len()
        .sort(["len", "reason"], descending=[True, False])
    )
    return dict(zip(counts["reason"].to_list(), counts["len"].to_list(), strict=True))


def describe_reasons(quarantine: pl.DataFrame, top: int = 5) -> list[str]:
    """One line per reason (most frequent first): count, columns, example lines.

    Example::

        >>> q = pl.DataFrame({"source_file": ["f"] * 2, "line_number": [3, 9],
        ...     "column": ["n", "n"], "reason": ["not_a_number"] * 2,
        ...     "detail": ["column 'n' holds 'abc', expected a number"] * 2,
        ...     "raw_text": ["", ""]}, schema=QUARANTINE_SCHEMA)
        >>> describe_reasons(q)
        ["not_a_number: 2 row(s), column(s) ['n'], e.g. line 3: column 'n' holds 'abc', expected a number (lines 3, 9)"]
    """
    lines = []
    for reason, count in list(count_reasons(quarantine).items())[:top]:
        rows = quarantine.filter(pl.col("reason") == reason).sort("line_number")
        columns = sorted({c for c in rows["column"].to_list() if c is not None})
        where = f", column(s) {columns}" if columns else ""
        examples = ", ".join(
            str(n) for n in rows["line_number"].head(MAX_EXAMPLE_LINES).to_list()
        )
        more = ", ..." if rows.height > MAX_EXAMPLE_LINES else ""
        lines.append(
            f"{reason}: {count:,} row(s){where}, e.g. line {rows['line_number'][0]}: "
            f"{rows['detail'][0]} (lines {examples}{more})"
        )
    return lines


def check_reject_fraction(
    source: str, rows_read: int, quarantine: pl.DataFrame, max_reject_fraction: float
) -> None:
    """Stops the run when too many rows of one file were quarantined.

    Raises:
        IngestionError: ``len(quarantine) / rows_read`` is above
            ``max_reject_fraction``; the message lists the top reasons with counts
            and example line numbers.
    """
    rejected = quarantine.height
    if rows_read == 0 or rejected / rows_read <= max_reject_fraction:
        return
    lines = [
        f"{source}: {rejected:,} of {rows_read:,} rows ({rejected / rows_read:.2%}) "
        f"could not be ingested, more than ingestion.max_reject_fraction = "
        f"{max_reject_fraction:g}. Top reasons:",
        *(f"  - {line}" for line in describe_reasons(quarantine)),
        "Fix the file, check the catalog entry 'raw_logs' (file_format) and "
        "ingestion.column_order, or raise ingestion.max_reject_fraction to keep "
        f"going and quarantine these rows: {where_to_set('ingestion.max_reject_fraction')}.",
    ]
    raise IngestionError("\n".join(lines))


def check_row_accounting(
    source: str, rows_read: int, accepted: int, quarantined: int
) -> None:
    """``rows read = accepted + quarantined``, or an error: no row may vanish."""
    if rows_read != accepted + quarantined:
        raise IngestionError(
            f"{source}: {rows_read:,} rows read but {accepted:,} accepted + "
            f"{quarantined:,} quarantined = {accepted + quarantined:,}; rows were lost "
            "(a bug in ctrflow's ingestion: please report it with this file)"
        )
