"""Reads raw impression logs (Criteo TSV, CSV/TSV with header, Parquet, libsvm/libfm)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl
from kedro.io import AbstractDataset, DatasetError

FileFormat = Literal["criteo_tsv", "csv", "tsv", "parquet", "libsvm"]
_FORMATS = ("criteo_tsv", "csv", "tsv", "parquet", "libsvm")
_SPLITS = ("train", "valid", "test")


@dataclass(frozen=True)
class RawLogs:
    """Raw rows as read, before any typing.

    Attributes:
        frames: one frame per part: ``{"all": ...}`` for one file, or
            ``{"train": ..., "valid": ..., "test": ...}`` for given splits. Text
            formats hold strings; files without header have columns
            ``column_1 .. column_n`` in file order.
        sources: the file each part was read from.
        first_line: line number of each part's first data row (2 after a header),
            so errors can point at ``file:line``.
        checksums: sha256 of each file, for the run's data fingerprint.
    """

    frames: dict[str, pl.DataFrame]
    sources: dict[str, str]
    first_line: dict[str, int] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    file_format: str = "csv"

    @property
    def has_header(self) -> bool:
        return self.file_format in ("csv", "tsv", "parquet")


class ImpressionLogDataset(AbstractDataset[RawLogs, RawLogs]):
    """Loads impression logs as untyped polars frames; typing happens in ingestion.

    Text formats are read as strings (``infer_schema=False``) so that a bad value is
    reported with its line by the ingestion stage rather than guessed at here.
    Gzip-compressed files (``.gz``) are read transparently. libsvm/libfm lines
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
    """

    def __init__(
        self,
        filepath: str | None = None,
        filepaths: dict[str, str] | None = None,
        file_format: FileFormat = "csv",
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
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"filepaths": self._paths, "file_format": self._file_format}

    def load(self) -> RawLogs:
        frames, checksums, first_line = {}, {}, {}
        for part, path in self._paths.items():
            if not Path(path).is_file():
                raise DatasetError(f"raw logs file not found: {path} (part {part!r})")
            frames[part] = _read(path, self._file_format)
            checksums[part] = _sha256(path)
            first_line[part] = 2 if self._file_format in ("csv", "tsv") else 1
        return RawLogs(
            frames=frames,
            sources={part: str(path) for part, path in self._paths.items()},
            first_line=first_line,
            checksums=checksums,
            file_format=self._file_format,
        )

    def save(self, data: RawLogs) -> None:
        raise DatasetError(
            "ImpressionLogDataset is read-only: raw logs are never overwritten"
        )

    def _exists(self) -> bool:
        return all(Path(path).is_file() for path in self._paths.values())


def _read(path: str, file_format: str) -> pl.DataFrame:
    try:
        if file_format == "parquet":
            return pl.read_parquet(path)
        if file_format == "libsvm":
            return _read_libsvm(path)
        frame = pl.read_csv(
            path,
            separator="," if file_format == "csv" else "\t",
            has_header=file_format != "criteo_tsv",
            infer_schema=False,
            quote_char='"' if file_format == "csv" else None,
        )
        if file_format == "criteo_tsv":  # polars' own default names vary by version
            frame.columns = [f"column_{i}" for i in range(1, frame.width + 1)]
        return frame
    except (pl.exceptions.PolarsError, OSError) as error:
        raise DatasetError(f"cannot read {path} as {file_format}: {error}") from error


def _read_libsvm(path: str) -> pl.DataFrame:
    lines = pl.read_csv(
        path,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        new_columns=["line"],
        infer_schema=False,
    )
    tokens = lines["line"].str.strip_chars().str.split(" ")
    width = int(tokens.list.len().max() or 0)
    columns = {"column_1": tokens.list.get(0).replace({"-1": "0", "+1": "1"})}
    for position in range(1, width):
        token = tokens.list.get(position, null_on_oob=True)
        columns[f"column_{position + 1}"] = token.str.split(":").list.get(
            0, null_on_oob=True
        )
    return pl.DataFrame(columns)


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


__all__ = ["ImpressionLogDataset", "RawLogs"]
