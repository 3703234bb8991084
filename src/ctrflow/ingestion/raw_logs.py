"""Raw logs as read, before any typing: one ``RawPart`` per file, ``RawLogs`` for all.

Every row keeps where it came from: its line number in the file and its raw text
(``LINE_INFO_SCHEMA``), so that a row quarantined later is reported with both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl

from ctrflow.ingestion.quarantine import empty_quarantine

SPLITS = ("train", "valid", "test")
DEFAULT_BLOCK_ROWS = 1_000_000
BLOCK_ROWS_ENV = "CTRFLOW_BLOCK_ROWS"  # overrides the default (the tests set it small)
LINE_INFO_SCHEMA = {"line_number": pl.Int64(), "raw_text": pl.String()}
# readers of tab-separated text keep no ``raw_text`` for the rows they accept
_JOINED_WITH = {"criteo_tsv": "\t", "tsv": "\t"}


def numbered_lines(first_line: int, height: int) -> pl.DataFrame:
    """Line info for ``height`` rows numbered from ``first_line``, without text."""
    return pl.DataFrame(
        {
            "line_number": pl.int_range(first_line, first_line + height, eager=True),
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


def default_block_rows() -> int:
    """``DEFAULT_BLOCK_ROWS``, or the environment's ``CTRFLOW_BLOCK_ROWS``.

    Raises:
        ValueError: ``CTRFLOW_BLOCK_ROWS`` is not a positive integer.
    """
    value = os.environ.get(BLOCK_ROWS_ENV)
    if value is None:
        return DEFAULT_BLOCK_ROWS
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError(
            f"the environment variable {BLOCK_ROWS_ENV}={value!r} must be a positive "
            "integer (rows ingested per block); unset it for the default "
            f"{DEFAULT_BLOCK_ROWS:,}"
        )
    return int(value)


@dataclass(frozen=True)
class RawBlock:
    """Consecutive rows of one file (``RawLogs.blocks``).

    Attributes:
        frame: the rows (a slice of the part's frame).
        lines: their line info (``LINE_INFO_SCHEMA``), aligned with ``frame``.
        rejected: the read step's quarantined lines among the block's lines (those
            after the previous block's last row, up to this block's last; the last
            block takes the rest), sorted by line.
    """

    frame: pl.DataFrame
    lines: pl.DataFrame
    rejected: pl.DataFrame


@dataclass(frozen=True)
class FirstLine:
    """The first line of a text file read with ``header`` undecided (auto): it is
    kept out of the part's rows until ingestion, which knows the schema, decides
    whether it names the columns or is the first data row.

    Attributes:
        fields: its fields (None: CSV quoting that cannot be parsed).
        raw_text: the line.
    """

    fields: list[str] | None
    raw_text: str


@dataclass(frozen=True)
class RawPart:
    """One file as read.

    Attributes:
        source: the file.
        frame: its rows (see ``RawLogs.frames``).
        lines: aligned with ``frame`` (see ``RawLogs.lines``).
        rejected: the rows the read step quarantined.
        rows_read: the data rows in the file.
        first_line: line number of the first data row.
        checksum: the file's sha256 (set by ``read_part`` once the file is read).
        header: True: the columns are named by the file's header; False: the file
            has none (``column_1 .. column_n``); None: undecided, ``first`` holds
            the first line, which is not among the rows (see ``RawLogs.header``).
        first: the first line when ``header`` is None.
    """

    source: str
    frame: pl.DataFrame
    lines: pl.DataFrame
    rejected: pl.DataFrame
    rows_read: int
    first_line: int
    checksum: str = ""
    header: bool | None = True
    first: FirstLine | None = None


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
        header: per part, whether its columns are named by a header (True),
            ``column_1 .. column_n`` of a file without (False), or undecided
            (None: ``first[part]`` is its first line, not among the rows yet;
            ``ctrflow.ingestion.header.name_columns`` decides). A part absent
            here is named by a header unless its columns are ``column_*``.
        first: per undecided part, its first line.
        block_rows: the most rows of one block of ``blocks`` (default
            ``default_block_rows()``).
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
    header: dict[str, bool | None] = field(default_factory=dict)
    first: dict[str, FirstLine] = field(default_factory=dict)
    block_rows: int = field(default_factory=default_block_rows)

    @classmethod
    def from_parts(
        cls,
        parts: dict[str, RawPart],
        file_format: str,
        block_rows: int | None = None,
    ) -> RawLogs:
        """The raw logs of files read with ``ctrflow.ingestion.read.read_part``."""
        return cls(
            frames={name: p.frame for name, p in parts.items()},
            sources={name: p.source for name, p in parts.items()},
            first_line={name: p.first_line for name, p in parts.items()},
            checksums={name: p.checksum for name, p in parts.items()},
            file_format=file_format,
            lines={name: p.lines for name, p in parts.items()},
            rejected={name: p.rejected for name, p in parts.items()},
            rows_read={name: p.rows_read for name, p in parts.items()},
            joined_with=_JOINED_WITH.get(file_format),
            header={name: p.header for name, p in parts.items()},
            first={name: p.first for name, p in parts.items() if p.first},
            block_rows=block_rows or default_block_rows(),
        )

    def blocks(self, part: str) -> Iterator[RawBlock]:
        """The part's rows in blocks of at most ``block_rows``, in file order (at
        least one block, maybe empty); every read-step quarantined line comes with
        exactly one block."""
        frame = self.frames[part]
        lines = self.line_info(part)
        rejected = self.rejected.get(part, empty_quarantine()).sort("line_number")
        starts = range(0, max(frame.height, 1), self.block_rows)
        taken = 0  # rejected lines handed out so far
        for index, start in enumerate(starts):
            block_lines = lines.slice(start, self.block_rows)
            if index == len(starts) - 1 or not block_lines.height:
                upto = rejected.height
            else:
                last_line = block_lines["line_number"][-1]
                upto = int(rejected["line_number"].search_sorted(last_line, "right"))
            yield RawBlock(
                frame=frame.slice(start, self.block_rows),
                lines=block_lines,
                rejected=rejected.slice(taken, upto - taken),
            )
            taken = max(taken, upto)

    def has_header(self, part: str) -> bool | None:
        """``header[part]``; for a part not recorded there (raw logs built by
        another dataset), whether its columns are not ``column_1 .. column_n``."""
        if part in self.header:
            return self.header[part]
        columns = self.frames[part].columns
        return not (columns and all(c.startswith("column_") for c in columns))

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

    def line_info(self, part: str) -> pl.DataFrame:
        """``lines[part]``, or line numbers from ``first_line`` when not recorded."""
        if part in self.lines:
            return self.lines[part]
        return numbered_lines(self.first_line.get(part, 1), self.frames[part].height)
