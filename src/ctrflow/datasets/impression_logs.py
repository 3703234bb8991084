"""Reads raw impression logs (Criteo TSV, CSV/TSV with header, Parquet, libsvm/libfm).

Text files are read as whole lines (decoded as UTF-8, gzip detected by its magic
bytes) and split into fields with polars string operations, so every row keeps its
line number and raw text. A line that does not split into the expected number of
fields is not an error: it goes to the read step's quarantine
(``RawLogs.rejected``) with its reason. Problems with the file as a whole (missing,
empty, header only, truncated gzip, non-UTF-8 bytes, duplicate header names) raise
``RawLogsError``, which is both the project's ``IngestionError`` and Kedro's
``DatasetError``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl
import pyarrow as pa
from kedro.io import AbstractDataset, DatasetError

from ctrflow.ingestion.errors import IngestionError
from ctrflow.ingestion.quarantine import QUARANTINE_SCHEMA, empty_quarantine

FileFormat = Literal["criteo_tsv", "csv", "tsv", "parquet", "libsvm"]
_FORMATS = ("criteo_tsv", "csv", "tsv", "parquet", "libsvm")
_SPLITS = ("train", "valid", "test")
_GZIP_MAGIC = b"\x1f\x8b"
_BOM = "\ufeff".encode()
_NEWLINE = ord("\n")
_CR = ord("\r")
_BLOCK_BYTES = 64 << 20  # text handled at a time
_SLICE_ROWS = 250_000  # lines split into fields at a time
_EXCERPT = 60
LINE_INFO_SCHEMA = {"line_number": pl.Int64(), "raw_text": pl.String()}


class RawLogsError(IngestionError, DatasetError):
    """A raw logs file cannot be read at all; the message names the file (and line)."""


@dataclass(frozen=True)
class RawLogs:
    """Raw rows as read, before any typing.

    Attributes:
        frames: one frame per part: ``{"all": ...}`` for one file, or
            ``{"train": ..., "valid": ..., "test": ...}`` for given splits. Text
            formats hold strings (an empty cell is null); files without header have
            columns ``column_1 .. column_n`` in file order.
        sources: the file each part was read from.
        first_line: line number of each part's first data row (2 after a header).
        checksums: sha256 of each file, for the run's data fingerprint.
        lines: per part, aligned with ``frames``: ``line_number`` (1-based, in the
            file; row number for Parquet) and ``raw_text`` (the line; null for
            Parquet).
        rejected: per part, the rows the read step quarantined (columns of
            ``ctrflow.ingestion.quarantine.QUARANTINE_SCHEMA``).
        rows_read: per part, the data rows in the file (lines after the header;
            a final line end does not start a row).
        joined_with: for tab-separated text, ``"\t"``: ``lines`` then holds no
            ``raw_text`` (null) for the rows of ``frames``, whose line is their
            fields joined with it (an empty cell is null); see ``raw_text``. Not
            keeping every line's text halves the memory of a large file.
    """

    frames: dict[str, pl.DataFrame]
    sources: dict[str, str]
    first_line: dict[str, int] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    file_format: str = "csv"
    lines: dict[str, pl.DataFrame] = field(default_factory=dict)
    rejected: dict[str, pl.DataFrame] = field(default_factory=dict)
    rows_read: dict[str, int] = field(default_factory=dict)
    joined_with: str | None = None

    def raw_text(self, part: str) -> pl.Series:
        """Every row's raw text (the line; null for Parquet), aligned with ``frames``."""
        text = self.line_info(part)["raw_text"]
        if self.joined_with is None or not self.frames[part].width:
            return text
        return (
            self.frames[part]
            .select(
                pl.coalesce(text, joined_fields(self.frames[part], self.joined_with))
            )
            .to_series()
            .alias("raw_text")
        )

    @property
    def has_header(self) -> bool:
        return self.file_format in ("csv", "tsv", "parquet")

    def line_info(self, part: str) -> pl.DataFrame:
        """``lines[part]``, or line numbers from ``first_line`` when not recorded."""
        if part in self.lines:
            return self.lines[part]
        height = self.frames[part].height
        start = self.first_line.get(part, 1)
        return pl.DataFrame(
            {
                "line_number": pl.int_range(start, start + height, eager=True),
                "raw_text": pl.repeat(None, height, dtype=pl.String, eager=True),
            },
            schema=LINE_INFO_SCHEMA,
        )


def joined_fields(frame: pl.DataFrame, separator: str) -> pl.Expr:
    """A row's fields joined back into its line (a null cell is an empty field)."""
    return pl.concat_str(
        [pl.col(c).cast(pl.String).fill_null("") for c in frame.columns],
        separator=separator,
    )


@dataclass(frozen=True)
class _Part:
    frame: pl.DataFrame
    lines: pl.DataFrame
    rejected: pl.DataFrame
    rows_read: int
    first_line: int


class ImpressionLogDataset(AbstractDataset[RawLogs, RawLogs]):
    """Loads impression logs as untyped polars frames; typing happens in ingestion.

    Text formats are read as strings so that a bad value is reported (and
    quarantined) with its line by the ingestion stage rather than guessed at here.
    Gzip-compressed files are read transparently. libsvm/libfm lines
    (``label idx:val idx:val ...``) become one column per token; a ``-1`` label is
    read as ``0``.

    Example catalog entries::

        raw_logs:
          type: ctrflow.datasets.ImpressionLogDataset
          filepath: data/01_raw/demo/demo_logs.tsv.gz
          file_format: criteo_tsv

        raw_logs:
          type: ctrflow.datasets.ImpressionLogDataset
          filepaths: {train: .../train.csv.gz, valid: .../valid.csv.gz, test: .../test.csv.gz}
          file_format: csv

    Args:
        filepath: one file, to be split by ingestion.
        filepaths: ``{train, valid, test}`` files, given splits.
        file_format: ``criteo_tsv``, ``csv``, ``tsv``, ``parquet`` or ``libsvm``.
        catalog_entry: the entry's name in the catalog, for messages.
        metadata: Kedro metadata (kedro-viz).
    """

    def __init__(
        self,
        filepath: str | None = None,
        filepaths: dict[str, str] | None = None,
        file_format: FileFormat = "csv",
        catalog_entry: str = "raw_logs",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        if (filepath is None) == (filepaths is None):
            raise DatasetError(
                "ImpressionLogDataset needs exactly one of 'filepath' or 'filepaths'"
            )
        if file_format not in _FORMATS:
            raise DatasetError(
                f"file_format {file_format!r} is not one of {list(_FORMATS)}"
            )
        if filepaths is not None and sorted(filepaths) != sorted(_SPLITS):
            raise DatasetError(
                f"'filepaths' must name exactly {list(_SPLITS)}, got {sorted(filepaths)}"
            )
        self._paths = (
            {"all": filepath} if filepath is not None else dict(filepaths or {})
        )
        self._file_format = file_format
        self._catalog_entry = catalog_entry
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"filepaths": self._paths, "file_format": self._file_format}

    def load(self) -> RawLogs:
        parts: dict[str, _Part] = {}
        checksums = {}
        for part, path in self._paths.items():
            if not Path(path).is_file():
                where = "" if part == "all" else f" (part {part!r})"
                raise RawLogsError(
                    f"raw logs file not found: {path}{where}. Check 'filepath' of the "
                    f"catalog entry {self._catalog_entry!r} (conf/<env>/catalog.yml); "
                    f"paths are relative to the project root ({Path.cwd()})."
                )
            parts[part] = _read(str(path), self._file_format)
            checksums[part] = _sha256(path)
        return RawLogs(
            frames={part: p.frame for part, p in parts.items()},
            sources={part: str(path) for part, path in self._paths.items()},
            first_line={part: p.first_line for part, p in parts.items()},
            checksums=checksums,
            file_format=self._file_format,
            lines={part: p.lines for part, p in parts.items()},
            rejected={part: p.rejected for part, p in parts.items()},
            rows_read={part: p.rows_read for part, p in parts.items()},
            joined_with="\t" if self._file_format in ("criteo_tsv", "tsv") else None,
        )

    def save(self, data: RawLogs) -> None:
        raise DatasetError(
            "ImpressionLogDataset is read-only: raw logs are never overwritten"
        )

    def _exists(self) -> bool:
        return all(Path(path).is_file() for path in self._paths.values())


def _read(path: str, file_format: str) -> _Part:
    if file_format == "parquet":
        return _read_parquet(path)
    if file_format == "libsvm":
        return _read_libsvm(path, _read_lines(path)[0])
    return _read_delimited(path, file_format)


def _read_parquet(path: str) -> _Part:
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise RawLogsError(f"{path}: cannot read as Parquet: {error}") from error
    lines = pl.DataFrame(
        {
            "line_number": pl.int_range(1, frame.height + 1, eager=True),
            "raw_text": pl.repeat(None, frame.height, dtype=pl.String, eager=True),
        },
        schema=LINE_INFO_SCHEMA,
    )
    return _Part(frame, lines, empty_quarantine(), frame.height, 1)


def _read_bytes(path: str) -> bytes:
    data = Path(path).read_bytes()
    if data[:2] != _GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except EOFError as error:
        raise RawLogsError(
            f"{path}: the gzip data ends early ({error}); the file is truncated, "
            "e.g. by an interrupted download or copy. Fetch it again."
        ) from error
    except (gzip.BadGzipFile, zlib.error) as error:
        raise RawLogsError(f"{path}: corrupt gzip data: {error}") from error


def _read_lines(path: str) -> tuple[pl.DataFrame, list[pl.Series]]:
    """Every line of a text file: ``line_number``, ``raw_text`` (no line end).

    The lines are cut from the bytes at the ``\\n`` positions (numpy) and handed to
    polars as Arrow string arrays over those bytes: no Python string per line. The
    text is built in blocks of about ``_BLOCK_BYTES``, each with its own memory;
    they are returned too (their concatenation is ``raw_text``), so that a reader
    can free the text block by block.
    """
    data = _read_bytes(path)
    start = len(_BOM) if data.startswith(_BOM) else 0
    has_cr = False
    ends_parts = []
    for offset in range(0, len(data), _BLOCK_BYTES):
        block = np.frombuffer(
            data,
            dtype=np.uint8,
            offset=offset,
            count=min(_BLOCK_BYTES, len(data) - offset),
        )
        ends_parts.append(np.flatnonzero(block == _NEWLINE) + offset)
        has_cr = has_cr or bool((block == _CR).any())
        del block
    ends = np.concatenate(ends_parts) if ends_parts else np.empty(0, np.int64)
    del ends_parts
    ends = ends[ends >= start]
    unterminated = not data.endswith(b"\n")
    offsets = np.empty(len(ends) + 1, dtype=np.int64)
    offsets[0] = start
    offsets[1:] = ends + 1
    _check_utf8_blocks(path, data, offsets, start)
    blocks = []
    first = 0
    while first < len(ends):
        # the lines in the next _BLOCK_BYTES bytes (at least one)
        last = int(np.searchsorted(offsets, offsets[first] + _BLOCK_BYTES, "right"))
        last = min(max(last - 1, first + 1), len(ends))
        begin = int(offsets[first])
        chunk = data[begin : int(offsets[last])]  # a copy: its own memory
        text = pl.from_arrow(
            pa.Array.from_buffers(
                pa.large_utf8(),
                last - first,
                [
                    None,
                    pa.py_buffer(offsets[first : last + 1] - begin),
                    pa.py_buffer(chunk),
                ],
            )
        ).str.head(-1)  # each string still ends with its "\n"
        del chunk
        if has_cr:  # CRLF line ends
            text = text.str.strip_suffix("\r")
        blocks.append(text.alias("raw_text"))
        first = last
    if unterminated:
        text = pl.Series("raw_text", [data[offsets[-1] :].decode("utf-8")])
        blocks.append(text.str.strip_suffix("\r") if has_cr else text)
    del data
    raw = pl.concat(blocks, rechunk=False).alias("raw_text")
    return pl.DataFrame(
        {"line_number": pl.int_range(1, raw.len() + 1, eager=True), "raw_text": raw},
        schema=LINE_INFO_SCHEMA,
    ).with_columns(
        # a file whose last line has no line end may have been cut short
        pl.lit(unterminated).alias("_unterminated")
    ), blocks


def _check_utf8_blocks(path: str, data: bytes, offsets: np.ndarray, start: int) -> None:
    """``_check_utf8`` in blocks cut at line ends (no copy of the whole text)."""
    targets = np.arange(start, len(data), _BLOCK_BYTES)
    cuts = np.unique(
        np.concatenate(
            [
                [start],
                offsets[np.searchsorted(offsets, targets).clip(max=len(offsets) - 1)],
                [len(data)],
            ]
        )
    )
    blank = True
    for begin, end in zip(cuts[:-1], cuts[1:], strict=True):
        try:
            text = data[int(begin) : int(end)].decode("utf-8")
        except UnicodeDecodeError:
            _check_utf8(path, data)  # raises, naming line and byte
            raise
        blank = blank and text.isspace()
        del text
    if blank:
        raise RawLogsError(f"{path}: the file is empty (no data rows)")


def _check_utf8(path: str, data: bytes) -> None:
    """Raise ``RawLogsError`` naming line and byte when ``data`` is not UTF-8 text,
    or when it holds nothing but whitespace."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        bad = data[error.start : error.start + 1]
        raise RawLogsError(
            f"{path}:{line}: byte {bad!r} at byte offset {error.start:,} (byte "
            f"{error.start - line_start + 1} of line {line}) is not UTF-8 text. "
            "Re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)."
        ) from error
    text = text.removeprefix("\ufeff")
    # isspace() stops at the first other character (strip() would copy the text)
    if not text or text.isspace():
        raise RawLogsError(f"{path}: the file is empty (no data rows)")


def _quarantine(
    path: str, rows: pl.DataFrame, reason: str, detail: pl.Expr
) -> pl.DataFrame:
    return rows.select(
        pl.lit(path).alias("source_file"),
        "line_number",
        pl.lit(None, dtype=pl.String).alias("column"),
        pl.lit(reason).alias("reason"),
        detail.alias("detail"),
        "raw_text",
    ).cast(QUARANTINE_SCHEMA)


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


def _read_delimited(path: str, file_format: str) -> _Part:
    lines, blocks = _read_lines(path)
    if file_format == "csv":
        blocks = []  # CSV keeps every line's text: its fields are split up front
    has_header = file_format != "criteo_tsv"
    separator = "comma" if file_format == "csv" else "tab"
    if file_format == "csv":
        lines = lines.with_columns(_split_fields(lines, file_format).alias("_fields"))
        count = pl.col("_fields").list.len()
        header = lines["_fields"][0]
    else:  # tab-separated: count the tabs, split only the accepted lines (below)
        count = pl.col("raw_text").str.count_matches("\t", literal=True) + 1
        header = pl.Series(lines["raw_text"][0].split("\t"))
    if has_header:
        if header is None or not lines["raw_text"][0].strip():
            raise RawLogsError(f"{path}:1: the header line is empty or unparseable")
        names = [name.strip() for name in header.to_list()]
        _check_header(path, names)
        lines = lines.slice(1)
        if lines.height == 0:
            raise RawLogsError(
                f"{path}: has a header line but no data rows (header: "
                f"{_excerpt(str(names))})"
            )
    # blank: nothing but whitespace (the pattern stops at the first other character)
    lines = lines.with_columns(
        _count=count, _blank=pl.col("raw_text").str.contains(r"^\s*$")
    )
    if not has_header:
        counts_of_data = lines.filter(~pl.col("_blank"))["_count"]
        if counts_of_data.len() == 0:
            raise RawLogsError(f"{path}: the file holds only blank lines")
        width = int(counts_of_data.mode().sort()[-1])
        names = [f"column_{i}" for i in range(1, width + 1)]
    width = len(names)
    is_last = pl.int_range(pl.len()) == pl.len() - 1
    blank = pl.col("_blank")
    unparseable = (
        pl.col("_fields").is_null() if "_fields" in lines.columns else pl.lit(False)
    )
    wrong_count = pl.col("_count") != width
    rejected = pl.concat(
        [
            _quarantine(
                path,
                lines.filter(blank),
                "empty_line",
                pl.lit("the line is blank"),
            ),
            _quarantine(
                path,
                lines.filter(~blank & unparseable),
                "unparseable_line",
                pl.lit("the line's quoting cannot be parsed as CSV"),
            ),
            _quarantine(
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
        return _Part(
            frame,
            good.select(LINE_INFO_SCHEMA.keys()),
            rejected,
            lines.height,
            2 if has_header else 1,
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
    return _Part(
        pl.concat(pieces, rechunk=False),
        good_lines,
        rejected,
        rows_read,
        2 if has_header else 1,
    )


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


def _check_header(path: str, names: list[str]) -> None:
    duplicates = sorted(name for name, n in Counter(names).items() if n > 1)
    if duplicates:
        raise RawLogsError(
            f"{path}:1: the header names column(s) {duplicates} more than once; "
            f"header: {names}"
        )
    if "" in names:
        raise RawLogsError(
            f"{path}:1: the header has an empty column name at position "
            f"{names.index('') + 1}; header: {names}"
        )


def _read_libsvm(path: str, lines: pl.DataFrame) -> _Part:
    blank = lines["raw_text"].str.strip_chars() == ""
    rejected = _quarantine(
        path, lines.filter(blank), "empty_line", pl.lit("the line is blank")
    )
    good = lines.filter(~blank)
    tokens = good["raw_text"].str.strip_chars().str.split(" ")
    width = int(tokens.list.len().max() or 0)
    columns = {"column_1": tokens.list.get(0).replace({"-1": "0", "+1": "1"})}
    for position in range(1, width):
        token = tokens.list.get(position, null_on_oob=True)
        columns[f"column_{position + 1}"] = token.str.split(":").list.get(
            0, null_on_oob=True
        )
    return _Part(
        pl.DataFrame(columns),
        good.select(LINE_INFO_SCHEMA.keys()),
        rejected,
        lines.height,
        1,
    )


def _excerpt(value: str) -> str:
    return value if len(value) <= _EXCERPT else value[:_EXCERPT] + "..."


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


__all__ = ["ImpressionLogDataset", "RawLogs", "RawLogsError"]
