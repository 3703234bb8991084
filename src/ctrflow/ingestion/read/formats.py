"""The file formats of raw logs and the reader of each."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Literal

from ctrflow.ingestion.raw_logs import RawPart
from ctrflow.ingestion.read.delimited import read_delimited
from ctrflow.ingestion.read.libsvm import read_libsvm
from ctrflow.ingestion.read.parquet import read_parquet

FileFormat = Literal["criteo_tsv", "csv", "tsv", "parquet", "libsvm"]
FILE_FORMATS = ("criteo_tsv", "csv", "tsv", "parquet", "libsvm")
# the formats whose files may or may not have a header line, and those without
WITH_OR_WITHOUT_HEADER = ("csv", "tsv")
WITHOUT_HEADER = ("criteo_tsv", "libsvm")


def read_part(path: str, file_format: str, header: bool | None = None) -> RawPart:
    """Read one raw logs file of one of ``FILE_FORMATS``, with its sha256.

    Args:
        path: the file.
        file_format: one of ``FILE_FORMATS``.
        header: for ``csv`` and ``tsv``: True (the first line is the header),
            False (none) or None (auto: ingestion decides with the schema,
            ``ctrflow.ingestion.header``). Criteo TSV and libsvm never have a
            header (None or False), Parquet names its columns (None).

    Raises:
        ValueError: ``header`` does not fit the format (``header_problem``).
        UnreadableLogsError: the file cannot be read at all (the message names
            the file, and the line where there is one).
    """
    problem = header_problem(file_format, header)
    if problem:
        raise ValueError(f"{path}: {problem}")
    if file_format == "parquet":
        part = read_parquet(path)
    elif file_format == "libsvm":
        part = read_libsvm(path)
    else:
        part = read_delimited(path, file_format, header)
    return replace(part, checksum=_sha256(path))


def header_problem(file_format: str, header: bool | None) -> str | None:
    """Why ``header`` cannot be given for ``file_format`` files (None: it can)."""
    if header is None or file_format in WITH_OR_WITHOUT_HEADER:
        return None
    if file_format in WITHOUT_HEADER and header is False:
        return None
    if file_format == "parquet":
        return "a Parquet file names its columns; remove 'header'"
    return (
        f"{file_format} files have no header line by definition (header: false); "
        "for a tab-separated file with a header use file_format: tsv"
    )


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
