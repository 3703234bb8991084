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


class RawLogsError(UnreadableLogsError, DatasetError):
    """A raw logs file cannot be read at all; the message names the file (and line)."""


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
        if file_format not in FILE_FORMATS:
            raise DatasetError(
                f"file_format {file_format!r} is not one of {list(FILE_FORMATS)}"
            )
        if filepaths is not None and sorted(filepaths) != sorted(SPLITS):
            raise DatasetError(
                f"'filepaths' must name exactly {list(SPLITS)}, got {sorted(filepaths)}"
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
        parts = {}
        for part, path in self._paths.items():
            if not Path(path).is_file():
                where = "" if part == "all" else f" (part {part!r})"
                raise RawLogsError(
                    f"raw logs file not found: {path}{where}. Check 'filepath' of the "
                    f"catalog entry {self._catalog_entry!r} (conf/<env>/catalog.yml); "
                    f"paths are relative to the project root ({Path.cwd()})."
                )
            parts[part] = _read_part(str(path), self._file_format)
        return RawLogs.from_parts(parts, self._file_format)

    def save(self, data: RawLogs) -> None:
        raise DatasetError(
            "ImpressionLogDataset is read-only: raw logs are never overwritten"
        )

    def _exists(self) -> bool:
        return all(Path(path).is_file() for path in self._paths.values())


def _read_part(path: str, file_format: str) -> RawPart:
    """``read_part``, its error raised as ``RawLogsError`` (a Kedro ``DatasetError``,
    which Kedro passes on unwrapped) with the same message and cause."""
    try:
        return read_part(path, file_format)
    except UnreadableLogsError as error:
        raise RawLogsError(str(error)) from error.__cause__


__all__ = ["ImpressionLogDataset", "RawLogsError"]
