"""The Kedro dataset of raw impression logs: ``ctrflow.ingestion.read`` in a catalog.

Reading itself (formats, line numbers, the read step's quarantine) is
``ctrflow.ingestion.read``; this adapter checks the catalog entry, finds the
files and raises ``RawLogsError``, which is both the project's ``IngestionError``
and Kedro's ``DatasetError``, when one cannot be read at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset, DatasetError

from ctrflow.ingestion.errors import UnreadableLogsError
from ctrflow.ingestion.raw_logs import SPLITS, RawLogs, RawPart
from ctrflow.ingestion.read import FILE_FORMATS, FileFormat, read_part
from ctrflow.ingestion.read.formats import header_problem

_LAYOUTS = (sorted(SPLITS), ["test", "train"])  # given splits: all three, or no valid


class RawLogsError(UnreadableLogsError, DatasetError):
    """A raw logs file cannot be read at all; the message names the file (and line)."""


class ImpressionLogDataset(AbstractDataset[RawLogs, RawLogs]):
    """Loads impression logs as untyped polars frames; typing happens in ingestion.

    Text formats are read as strings so that a bad value is reported (and
    quarantined) with its line by the ingestion stage rather than guessed at here.
    Gzip-compressed files are read transparently. libsvm/libfm lines
    (``label idx:val idx:val ...``) become one column per token; a ``-1`` label is
    read as ``0``. Whether a ``csv`` / ``tsv`` file has a header is decided per
    file by ingestion, which knows the schema (``ctrflow.ingestion.header``),
    unless ``header`` says so.

    Example catalog entries::

        raw_logs:
          type: ctrflow.datasets.ImpressionLogDataset
          filepath: data/01_raw/demo/demo_logs.tsv.gz
          file_format: criteo_tsv

        raw_logs:
          type: ctrflow.datasets.ImpressionLogDataset
          filepaths: {train: .../train.csv.gz, valid: .../valid.csv.gz, test: .../test.csv.gz}
          file_format: csv
          header: {train: true, valid: false, test: false}   # optional

    Args:
        filepath: one file, to be split by ingestion.
        filepaths: given splits: ``{train, valid, test}`` files, or
            ``{train, test}`` (ingestion carves valid from train).
        file_format: ``criteo_tsv``, ``csv``, ``tsv``, ``parquet`` or ``libsvm``.
        header: ``csv`` / ``tsv`` only: whether the first line is a header, one
            bool for every file or ``{part: bool}`` (a part left out, and every
            file by default: decided by ingestion from the schema). Criteo TSV
            and libsvm have none (false), Parquet names its columns.
        block_rows: the most rows ingestion types and writes at a time
            (``RawLogs.blocks``); default ``DEFAULT_BLOCK_ROWS``, or the
            environment's ``CTRFLOW_BLOCK_ROWS``.
        catalog_entry: the entry's name in the catalog, for messages.
        metadata: Kedro metadata (kedro-viz).
    """

    def __init__(
        self,
        filepath: str | None = None,
        filepaths: dict[str, str] | None = None,
        file_format: FileFormat = "csv",
        *,
        header: bool | dict[str, bool] | None = None,
        block_rows: int | None = None,
        catalog_entry: str = "raw_logs",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        if (filepath is None) == (filepaths is None):
            raise DatasetError(
                "ImpressionLogDataset needs exactly one of 'filepath' or 'filepaths'"
            )
        if file_format not in FILE_FORMATS:
            raise DatasetError(
                f"file_format {file_format!r} is not one of {list(FILE_FORMATS)}"
            )
        if filepaths is not None and sorted(filepaths) not in _LAYOUTS:
            raise DatasetError(
                f"'filepaths' of the catalog entry {catalog_entry!r} must name "
                f"{list(SPLITS)}, or ['train', 'test'] (valid is then carved from "
                f"train: ingestion.valid_from_train), got {sorted(filepaths)}"
            )
        self._paths = (
            {"all": filepath} if filepath is not None else dict(filepaths or {})
        )
        self._file_format = file_format
        self._headers = _headers(header, list(self._paths), file_format, catalog_entry)
        if block_rows is not None and block_rows < 1:
            raise DatasetError(
                f"'block_rows' of the catalog entry {catalog_entry!r} must be a "
                f"positive number of rows, got {block_rows}"
            )
        self._block_rows = block_rows
        self._catalog_entry = catalog_entry
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {
            "filepaths": self._paths,
            "file_format": self._file_format,
            "header": self._headers,
            "block_rows": self._block_rows,
        }

    def load(self) -> RawLogs:
        parts = {}
        for part, path in self._paths.items():
            if not Path(path).is_file():
                where = "" if part == "all" else f" (part {part!r})"
                raise RawLogsError(
                    f"raw logs file not found: {path}{where}. Check 'filepath' of the "
                    f"catalog entry {self._catalog_entry!r} (conf/<env>/catalog.yml); "
                    f"paths are relative to the project root ({Path.cwd()})."
                )
            parts[part] = _read_part(
                str(path), self._file_format, self._headers.get(part)
            )
        return RawLogs.from_parts(parts, self._file_format, self._block_rows)

    def save(self, data: RawLogs) -> None:
        raise DatasetError(
            "ImpressionLogDataset is read-only: raw logs are never overwritten"
        )

    def _exists(self) -> bool:
        return all(Path(path).is_file() for path in self._paths.values())


def _headers(
    header: bool | dict[str, bool] | None,
    parts: list[str],
    file_format: str,
    catalog_entry: str,
) -> dict[str, bool]:
    """``header`` as ``{part: bool}`` (a part left out: decided by ingestion)."""
    if header is None:
        return {}
    if isinstance(header, bool):
        header = dict.fromkeys(parts, header)
    if not isinstance(header, dict) or not all(
        isinstance(v, bool) for v in header.values()
    ):
        raise DatasetError(
            f"'header' of the catalog entry {catalog_entry!r} must be true, false or "
            f"{{part: true/false}} (parts: {parts}), got {header!r}"
        )
    unknown = sorted(set(header) - set(parts))
    if unknown:
        raise DatasetError(
            f"'header' of the catalog entry {catalog_entry!r} names part(s) "
            f"{unknown}, which 'filepaths' does not; its parts: {parts}"
        )
    for value in header.values():
        problem = header_problem(file_format, value)
        if problem:
            raise DatasetError(
                f"'header' of the catalog entry {catalog_entry!r}: {problem}"
            )
    return dict(header)


def _read_part(path: str, file_format: str, header: bool | None) -> RawPart:
    """``read_part``, its error raised as ``RawLogsError`` (a Kedro ``DatasetError``,
    which Kedro passes on unwrapped) with the same message and cause."""
    try:
        return read_part(path, file_format, header)
    except UnreadableLogsError as error:
        raise RawLogsError(str(error)) from error.__cause__


__all__ = ["ImpressionLogDataset", "RawLogsError"]
