"""Comma- and tab-separated text (``csv``, ``tsv`` with a header or without,
``criteo_tsv`` without) split into string columns with polars string operations.

A line that does not split into the expected number of fields is not an error:
it goes to the read step's quarantine with its reason (``empty_line``,
``wrong_field_count``, ``unparseable_line``). A bad header raises
``UnreadableLogsError``.
"""

from __future__ import annotations

import csv

import numpy as np
import polars as pl

from ctrflow.ingestion.errors import UnreadableLogsError, excerpt
from ctrflow.ingestion.header import check_header, is_number
from ctrflow.ingestion.quarantine import quarantine_lines
from ctrflow.ingestion.raw_logs import LINE_INFO_SCHEMA, FirstLine, RawPart
from ctrflow.ingestion.read.lines import read_lines

_SLICE_ROWS = 250_000  # lines split into fields at a time
_EXCERPT = 60


def read_delimited(path: str, file_format: str, header: bool | None = None) -> RawPart:
    """Read a ``csv``, ``tsv`` or ``criteo_tsv`` file into string columns.

    With a header the columns are named by it; without they are
    ``column_1 .. column_n``, n the number of fields of most lines. CSV honours
    ``"`` quoting (only lines holding a ``"`` go through Python's ``csv``
    parser). Tab-separated rows keep no text (their line is their fields joined
    by tabs: ``RawLogs.raw_text``); only quarantined lines keep theirs.

    Args:
        path: the file.
        file_format: ``csv``, ``tsv`` or ``criteo_tsv`` (never a header).
        header: True: the first line is the header; False: there is none; None
            (auto): undecided, the first line is returned aside
            (``RawPart.first``) for ingestion to decide with the schema
            (``ctrflow.ingestion.header``); a blank or unparseable first line
            cannot be a header, and the file is read as headerless.

    Raises:
        UnreadableLogsError: the file cannot be read as text (``read_lines``), or
            its header is empty, unparseable or names a column twice or not at
            all, or it has a header but no data rows, or only blank lines.
    """
    lines, blocks = read_lines(path)
    if file_format == "csv":
        blocks = []  # CSV keeps every line's text: its fields are split up front
    if file_format == "criteo_tsv":
        header = False
    separator = "comma" if file_format == "csv" else "tab"
    if file_format == "csv":
        lines = lines.with_columns(_split_fields(lines, file_format).alias("_fields"))
        count = pl.col("_fields").list.len()
        first_fields = lines["_fields"][0]
    else:  # tab-separated: count the tabs, split only the accepted lines (below)
        count = pl.col("raw_text").str.count_matches("\t", literal=True) + 1
        first_fields = pl.Series(lines["raw_text"][0].split("\t"))
    lines, names, first = _first_line(path, lines, first_fields, header)
    # blank: nothing but whitespace (the pattern stops at the first other character)
    lines = lines.with_columns(
        _count=count, _blank=pl.col("raw_text").str.contains(r"^\s*$")
    )
    header = names is not None if first is None else None
    if names is None:
        names = _numbered_columns(path, lines, first)
    width = len(names)
    is_last = pl.int_range(pl.len()) == pl.len() - 1
    blank = pl.col("_blank")
    unparseable = (
        pl.col("_fields").is_null() if "_fields" in lines.columns else pl.lit(False)
    )
    wrong_count = pl.col("_count") != width
    rejected = pl.concat(
        [
            quarantine_lines(
                path,
                lines.filter(blank),
                "empty_line",
                pl.lit("the line is blank"),
            ),
            quarantine_lines(
                path,
                lines.filter(~blank & unparseable),
                "unparseable_line",
                pl.lit("the line's quoting cannot be parsed as CSV"),
            ),
            quarantine_lines(
                path,
                lines.with_columns(_last=is_last & pl.col("_unterminated")).filter(
                    ~blank & ~unparseable & wrong_count
                ),
                "wrong_field_count",
                pl.format(
                    "{} {}-separated field(s), expected {}{}",
                    pl.col("_count"),
                    pl.lit(separator),
                    pl.lit(width),
                    pl.when(pl.col("_last"))
                    .then(
                        pl.lit(" (last line, no line end: the file may be truncated)")
                    )
                    .otherwise(pl.lit("")),
                ),
            ),
        ]
    ).sort("line_number")
    is_good = ~blank & ~unparseable & ~wrong_count
    first_line = 1 if header is False else 2
    if file_format == "csv":
        good = lines.filter(is_good)
        # in slices, so that only one slice's lists of fields exist at a time; one
        # expression per column, run in parallel; an empty cell is null
        frame = pl.concat(
            [
                _fields_to_columns(good.slice(start, _SLICE_ROWS), names)
                for start in range(0, max(good.height, 1), _SLICE_ROWS)
            ],
            rechunk=False,
        )
        return RawPart(
            source=path,
            frame=frame,
            lines=good.select(LINE_INFO_SCHEMA.keys()),
            rejected=rejected,
            rows_read=lines.height,
            first_line=first_line,
            header=header,
            first=first,
        )
    # tab-separated: the fields are split block by block and each block's text is
    # freed once split; the rows keep no text (a row's line is its fields joined
    # by tabs: ``RawLogs.raw_text``), only the quarantined lines keep theirs
    keep = np.zeros(sum(block.len() for block in blocks), dtype=bool)
    keep[len(keep) - lines.height :] = lines.select(is_good).to_series().to_numpy()
    good_lines = lines.filter(is_good).select(
        "line_number", pl.lit(None, dtype=pl.String).alias("raw_text")
    )
    rows_read = lines.height
    del lines
    rejected = rejected.with_columns(  # its own memory, not the blocks'
        pl.Series("raw_text", rejected["raw_text"].to_list(), dtype=pl.String)
    )
    pieces = _split_blocks(blocks, keep, names, good_lines)
    return RawPart(
        source=path,
        frame=pl.concat(pieces, rechunk=False),
        lines=good_lines,
        rejected=rejected,
        rows_read=rows_read,
        first_line=first_line,
        header=header,
        first=first,
    )


def _first_line(
    path: str, lines: pl.DataFrame, fields: pl.Series | None, header: bool | None
) -> tuple[pl.DataFrame, list[str] | None, FirstLine | None]:
    """``(data lines, header names or None, first line kept aside or None)``;
    auto (``header`` None) reads a blank or unparseable first line as data."""
    text = lines["raw_text"][0]
    if header is None and (fields is None or not text.strip()):
        header = False  # a blank or unparseable line names no column
    if header is False:
        return lines, None, None
    if header is None:
        first = FirstLine(fields.to_list(), text)  # type: ignore[union-attr]
        if lines.height == 1 and not any(is_number(f.strip()) for f in first.fields):
            header = True  # one line and no number: a header without data rows
        else:
            return lines.slice(1), None, first
    if fields is None or not text.strip():
        raise UnreadableLogsError(f"{path}:1: the header line is empty or unparseable")
    names = [name.strip() for name in fields.to_list()]
    check_header(path, names)
    if lines.height == 1:
        raise UnreadableLogsError(
            f"{path}: has a header line but no data rows (header: "
            f"{excerpt(str(names), _EXCERPT)})"
        )
    return lines.slice(1), names, None


def _numbered_columns(
    path: str, lines: pl.DataFrame, first: FirstLine | None
) -> list[str]:
    """``column_1 .. column_n``, n the number of fields of most non-blank lines
    (of the first line kept aside when there is no other)."""
    counts = lines.filter(~pl.col("_blank"))["_count"]
    if counts.len():
        width = int(counts.mode().sort()[-1])
    elif first is not None:
        width = len(first.fields or [])
    else:
        raise UnreadableLogsError(f"{path}: the file holds only blank lines")
    return [f"column_{i}" for i in range(1, width + 1)]


def _split_fields(lines: pl.DataFrame, file_format: str) -> pl.Series:
    """Each line as a list of fields; CSV honours ``"`` quoting (null: unparseable)."""
    raw = lines["raw_text"]
    if file_format != "csv":
        return raw.str.split("\t")
    fields = raw.str.split(",")
    is_quoted = raw.str.contains('"', literal=True)
    if not is_quoted.any():
        return fields
    # only quoted lines go through Python's csv parser; the rest stay vectorised
    quoted = is_quoted.arg_true()
    parsed = [_parse_csv_line(line) for line in raw.gather(quoted).to_list()]
    index = pl.int_range(0, raw.len(), eager=True).cast(pl.Int64)
    plain = pl.DataFrame({"i": index, "f": fields}).filter(~is_quoted)
    fixed = pl.DataFrame(
        {"i": quoted.cast(pl.Int64), "f": pl.Series(parsed, dtype=pl.List(pl.String))}
    )
    return pl.concat([plain, fixed]).sort("i")["f"]


def _parse_csv_line(line: str) -> list[str] | None:
    try:
        rows = list(csv.reader([line], strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def _split_blocks(
    blocks: list[pl.Series], keep: np.ndarray, names: list[str], empty: pl.DataFrame
) -> list[pl.DataFrame]:
    """The ``keep`` lines of the text blocks as columns; each block is taken out of
    ``blocks`` and freed once split."""
    pieces = []
    position = 0
    while blocks:
        block = blocks.pop(0)
        mask = pl.Series(keep[position : position + block.len()])
        position += block.len()
        text = block.to_frame("raw_text").filter(mask)
        del block
        pieces.extend(
            _fields_to_columns(text.slice(start, _SLICE_ROWS), names)
            for start in range(0, text.height, _SLICE_ROWS)
        )
        del text
    if not pieces:
        pieces.append(_fields_to_columns(empty.clear(), names))
    return pieces


def _fields_to_columns(lines: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """One column per field of the lines' ``_fields`` (CSV) or tab-split
    ``raw_text``; one expression per column, run in parallel; an empty cell is
    null."""
    fields = (
        pl.col("_fields")
        if "_fields" in lines.columns
        else pl.col("raw_text").str.split("\t")
    )
    return lines.select(fields.alias("_fields")).select(
        pl.col("_fields")
        .list.get(i, null_on_oob=True)
        .cast(pl.String)
        .replace("", None)
        .alias(name)
        for i, name in enumerate(names)
    )
