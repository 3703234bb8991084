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


def read_part(path: str, file_format: str) -> RawPart:
    """Read one raw logs file of one of ``FILE_FORMATS``, with its sha256.

    Raises:
        UnreadableLogsError: the file cannot be read at all (the message names
            the file, and the line where there is one).
    """
    if file_format == "parquet":
        part = read_parquet(path)
    elif file_format == "libsvm":
        part = read_libsvm(path)
    else:
        part = read_delimited(path, file_format)
    return replace(part, checksum=_sha256(path))


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
