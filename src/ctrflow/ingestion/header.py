"""Naming the columns of every raw file: the header decided per file.

A ``csv`` or ``tsv`` file read with ``header`` auto (the catalog default) keeps its
first line aside (``RawLogs.first``); with the schema in hand it is a header when
it names a schema column (or is exactly ``ingestion.column_order``), and the first
data row when it holds a number and names none. A file without header is named,
in file order, by ``ingestion.column_order``, else by the header of its headed
sibling files (the other parts of the same ``raw_logs``), else (Criteo TSV,
libsvm only) label, numeric, categorical, sequence. ``column_order`` is never
ignored silently: set while every file has a header, it must equal each header.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import polars as pl

from ctrflow.ingestion.errors import IngestionError, UnreadableLogsError, excerpt
from ctrflow.ingestion.quarantine import QUARANTINE_SCHEMA
from ctrflow.ingestion.raw_logs import LINE_INFO_SCHEMA, FirstLine, RawLogs
from ctrflow.schema import DatasetSchema, where_to_set

_EXCERPT = 200
_DEFAULT_ORDER_FORMATS = ("criteo_tsv", "libsvm")
_SEPARATOR = {"csv": "comma", "tsv": "tab", "criteo_tsv": "tab"}


def check_header(path: str, names: list[str]) -> None:
    """Raise ``UnreadableLogsError`` when a header names a column twice or has an
    empty name."""
    duplicates = sorted(name for name, n in Counter(names).items() if n > 1)
    if duplicates:
        raise UnreadableLogsError(
            f"{path}:1: the header names column(s) {duplicates} more than once; "
            f"header: {excerpt(str(names), _EXCERPT)}"
        )
    if "" in names:
        raise UnreadableLogsError(
            f"{path}:1: the header has an empty column name at position "
            f"{names.index('') + 1}; header: {excerpt(str(names), _EXCERPT)}"
        )


def first_line_is_header(
    first: FirstLine, source: str, schema: DatasetSchema, column_order: list[str] | None
) -> bool:
    """Whether a file's first line (read with ``header`` auto) is its header.

    Raises:
        IngestionError: the line names no schema column and holds no number: a
            header of other names (or data the catalog should call headerless).
    """
    names = [name.strip() for name in first.fields or []]
    if names == column_order or set(names) & set(schema.input_columns):
        return True
    if len(names) == 1 and any(sep in names[0] for sep in ",;"):
        return True  # a comma-separated header read as tab-separated: typing says so
    if any(is_number(name) for name in names):
        return False
    raise IngestionError(
        f"{source}:1: the first line {excerpt(str(names), _EXCERPT)} names none of "
        f"the schema's columns {schema.input_columns} and holds no number, so it "
        "looks like a header with other names. Name the columns in the schema "
        "block (conf/<env>/parameters.yml) as the file does; or, if the line is "
        "data, set header: false for this file in the catalog entry 'raw_logs' "
        "(e.g. header: {train: true, test: false}) and name its columns with "
        "ingestion.column_order."
    )


def name_columns(
    raw_logs: RawLogs, schema: DatasetSchema, column_order: list[str] | None
) -> RawLogs:
    """The raw logs with every part's columns named and every header decided.

    An undecided first line that is data becomes the part's first row (line 1;
    quarantined as ``wrong_field_count`` when it has another number of fields), so
    ``rows_read`` and ``first_line`` count it. The frames of ``raw_logs`` are
    consumed (each left empty): the returned raw logs hold their columns.

    Args:
        raw_logs: as read by ``ImpressionLogDataset`` (or another raw-logs dataset).
        schema: the dataset schema (its ``input_columns`` identify a header).
        column_order: ``ingestion.column_order``.

    Raises:
        IngestionError: a file without header has nothing to name its columns, or
            another number of fields than the names; a header names a column twice,
            has no data rows or another number of fields than most lines;
            ``column_order`` is set, unused and differs from a header.
    """
    decided = {
        part: raw_logs.has_header(part)
        if raw_logs.has_header(part) is not None
        else first_line_is_header(
            raw_logs.first[part], raw_logs.sources[part], schema, column_order
        )
        for part in raw_logs.frames
    }
    headers = {
        part: _header_names(raw_logs, part) for part, has in decided.items() if has
    }
    headerless = [part for part, has in decided.items() if not has]
    if column_order is not None and not headerless:
        _check_unused_column_order(raw_logs, headers, column_order)
    frames, lines, rejected, rows_read, first_line = (
        dict(raw_logs.frames),
        {part: raw_logs.line_info(part) for part in raw_logs.frames},
        dict(raw_logs.rejected),
        {p: raw_logs.rows_read.get(p, f.height) for p, f in raw_logs.frames.items()},
        dict(raw_logs.first_line),
    )
    for part in raw_logs.frames:
        source = raw_logs.sources[part]
        frame = raw_logs.frames[part]
        if part in headers:
            names = headers[part]
            if raw_logs.has_header(part) is None:  # decided here
                _check_decided_header(source, names, frame, rows_read[part])
        else:
            names, named_by = _headerless_names(
                raw_logs, part, schema, column_order, headers
            )
            _check_width(source, names, named_by, frame, raw_logs.file_format)
        if frame.columns != names:
            frames[part] = frame.rename(dict(zip(frame.columns, names, strict=True)))
        if part in raw_logs.first and part not in headers:  # the line is data
            row, info, bad = _first_row(raw_logs, part, names)
            frames[part] = pl.concat([row, frames[part]], rechunk=False)
            lines[part] = pl.concat([info, lines[part]], rechunk=False)
            if bad is not None:
                rejected[part] = pl.concat([bad, rejected[part]])
            rows_read[part] += 1
            first_line[part] = 1
        raw_logs.frames[part] = frame.clear()
    return replace(
        raw_logs,
        frames=frames,
        lines=lines,
        rejected=rejected,
        rows_read=rows_read,
        first_line=first_line,
        header=decided,
        first={},
    )


def is_number(text: str) -> bool:
    """Whether ``text`` reads as a number (a header's names do not)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _header_names(raw_logs: RawLogs, part: str) -> list[str]:
    if raw_logs.has_header(part) is None:
        return [name.strip() for name in raw_logs.first[part].fields or []]
    return raw_logs.frames[part].columns


def _check_decided_header(
    source: str, names: list[str], frame: pl.DataFrame, rows_read: int
) -> None:
    check_header(source, names)
    if rows_read == 0:
        raise IngestionError(
            f"{source}: has a header line but no data rows (header: "
            f"{excerpt(str(names), _EXCERPT)})"
        )
    if len(names) != frame.width:
        raise IngestionError(
            f"{source}:1: the header names {len(names)} column(s) but most lines "
            f"have {frame.width} field(s); header: {excerpt(str(names), _EXCERPT)}"
        )


def _check_unused_column_order(
    raw_logs: RawLogs, headers: dict[str, list[str]], column_order: list[str]
) -> None:
    """``column_order`` names the columns of files without header; every file has
    one here, so it must say what their headers say."""
    for part, names in headers.items():
        if names != column_order:
            source = raw_logs.sources[part]
            what = "columns" if raw_logs.file_format == "parquet" else "header"
            raise IngestionError(
                f"{source}: ingestion.column_order {column_order} names the columns "
                f"of files without header, but every file of 'raw_logs' names its "
                f"own, and this file's {what} is {excerpt(str(names), _EXCERPT)}. "
                "Remove it (" + where_to_set("ingestion.column_order") + " to null)"
                ", or, if the file's first line is data, set header: false for it "
                "in the catalog entry 'raw_logs'."
            )


def _headerless_names(
    raw_logs: RawLogs,
    part: str,
    schema: DatasetSchema,
    column_order: list[str] | None,
    headers: dict[str, list[str]],
) -> tuple[list[str], str]:
    """``(names, what names them)``: column_order, else the one header of the
    headed siblings, else (Criteo TSV, libsvm) the default order."""
    if column_order is not None:
        return column_order, "ingestion.column_order"
    source = raw_logs.sources[part]
    distinct = {tuple(names): part for part, names in headers.items()}
    if len(distinct) == 1:
        names, sibling = next(iter(distinct.items()))
        return list(names), f"the header of {raw_logs.sources[sibling]}"
    if len(distinct) > 1:
        raise IngestionError(
            f"{source} has no header and its sibling files' headers differ "
            f"({', '.join(raw_logs.sources[p] for p in distinct.values())}), so "
            "they cannot name its columns: "
            + where_to_set("ingestion.column_order")
            + " (its columns in file order)"
        )
    if raw_logs.file_format in _DEFAULT_ORDER_FORMATS:
        default = [schema.label, *schema.numeric, *schema.categorical, *schema.sequence]
        return default, "the schema (or ingestion.column_order)"
    if part in raw_logs.first:
        first = raw_logs.first[part].fields or []
        why = (
            f"its first line {excerpt(str(first), _EXCERPT)} looks like data, not a "
            f"header naming the schema's columns {schema.input_columns}, so it has "
            "no header"
        )
    else:
        why = "the catalog entry 'raw_logs' says it has no header (header: false)"
    raise IngestionError(
        f"{source}: {why}, and nothing names its columns (no file of 'raw_logs' "
        "has a header). "
        + where_to_set("ingestion.column_order")
        + " to its columns in file order, e.g. column_order: "
        f"{[schema.label, *schema.numeric, *schema.categorical, *schema.sequence]}"
        "; or give the file (or a sibling file) a header line."
    )


def _check_width(
    source: str, names: list[str], named_by: str, frame: pl.DataFrame, file_format: str
) -> None:
    if len(names) == frame.width:
        return
    hint = ""
    if frame.width == 1 and frame.height and file_format != "csv":
        first = str(frame.row(0)[0])
        if "," in first or ";" in first:
            hint = (
                f"; its lines hold ',' or ';' (first: {excerpt(first, 40)!r}): is it "
                "comma-separated? Then set file_format: csv in the catalog entry "
                "'raw_logs'"
            )
    separator = _SEPARATOR.get(file_format, "")
    raise IngestionError(
        f"{source}: most of its lines have {frame.width} {separator}-separated "
        f"field(s) but {named_by} names {len(names)}: {names}{hint}"
    )


def _first_row(
    raw_logs: RawLogs, part: str, names: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
    """The first line as data: its one-row frame (no row when it has another
    number of fields), its line info and, then, its quarantine row."""
    first = raw_logs.first[part]
    fields = first.fields or []
    source = raw_logs.sources[part]
    if len(fields) == len(names):
        row = pl.DataFrame(
            {name: [value or None] for name, value in zip(names, fields, strict=True)},
            schema=dict.fromkeys(names, pl.String),
        )
        info = pl.DataFrame(
            {"line_number": [1], "raw_text": [first.raw_text]}, schema=LINE_INFO_SCHEMA
        )
        return row, info, None
    separator = _SEPARATOR.get(raw_logs.file_format, "")
    bad = pl.DataFrame(
        {
            "source_file": [source],
            "line_number": [1],
            "column": [None],
            "reason": ["wrong_field_count"],
            "detail": [
                f"{len(fields)} {separator}-separated field(s), expected {len(names)}"
            ],
            "raw_text": [first.raw_text],
        },
        schema=QUARANTINE_SCHEMA,
    )
    empty = (
        raw_logs.frames[part]
        .clear()
        .rename(dict(zip(raw_logs.frames[part].columns, names, strict=True)))
    )
    return empty, pl.DataFrame(schema=LINE_INFO_SCHEMA), bad
