"""A text file's bytes as a table of lines: gzip detected, UTF-8 checked.

The lines are cut from the bytes at the ``\\n`` positions (numpy) and handed to
polars as Arrow string arrays over those bytes: no Python string per line.
Problems with the file as a whole (empty, truncated or corrupt gzip, non-UTF-8
bytes) raise ``UnreadableLogsError`` naming the file (and line and byte).
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from ctrflow.ingestion.errors import UnreadableLogsError
from ctrflow.ingestion.raw_logs import LINE_INFO_SCHEMA

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = "\ufeff".encode()
_NEWLINE = ord("\n")
_CR = ord("\r")
_BLOCK_BYTES = 64 << 20  # text handled at a time


def read_lines(path: str) -> tuple[pl.DataFrame, list[pl.Series]]:
    """Every line of a text file: ``line_number``, ``raw_text`` (no line end).

    The text is built in blocks of about ``_BLOCK_BYTES``, each with its own memory;
    they are returned too (their concatenation is ``raw_text``), so that a reader
    can free the text block by block. A leading BOM and CRLF line ends are
    dropped; a final line end does not start a line.

    Returns:
        the lines, with a constant ``_unterminated`` column (the last line has no
        line end: the file may have been cut short), and the text blocks.

    Raises:
        UnreadableLogsError: truncated or corrupt gzip data, bytes that are not
            UTF-8 (naming line and byte), or nothing but whitespace.
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


def _read_bytes(path: str) -> bytes:
    """The file's bytes, decompressed when they start with the gzip magic."""
    data = Path(path).read_bytes()
    if data[:2] != _GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except EOFError as error:
        raise UnreadableLogsError(
            f"{path}: the gzip data ends early ({error}); the file is truncated, "
            "e.g. by an interrupted download or copy. Fetch it again."
        ) from error
    except (gzip.BadGzipFile, zlib.error) as error:
        raise UnreadableLogsError(f"{path}: corrupt gzip data: {error}") from error


def _check_utf8_blocks(path: str, data: bytes, offsets: np.ndarray, start: int) -> None:
    """Decode ``data`` in blocks cut at line ends (no copy of the whole text);
    raise when a block is not UTF-8 or when all of it is whitespace."""
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
            _raise_not_utf8(path, data)  # raises, naming line and byte
            raise
        blank = blank and text.isspace()
        del text
    if blank:
        raise UnreadableLogsError(f"{path}: the file is empty (no data rows)")


def _raise_not_utf8(path: str, data: bytes) -> None:
    """Raise ``UnreadableLogsError`` naming line and byte of the first byte of
    ``data`` that is not UTF-8 (none: return)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        bad = data[error.start : error.start + 1]
        raise UnreadableLogsError(
            f"{path}:{line}: byte {bad!r} at byte offset {error.start:,} (byte "
            f"{error.start - line_start + 1} of line {line}) is not UTF-8 text. "
            "Re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)."
        ) from error
