"""The Kedro dataset of MovieLens raw logs: the three RecBole files, joined, each
rating given its leak-free history and split by time (``conf/movielens``).

The preparation is ``ctrflow.preprocessing.movielens``; this adapter reads the
files as text and hands ingestion the same ``RawLogs`` as any raw-logs entry, so
the ``train`` pipeline is the same in every environment and only the catalog
entry ``raw_logs`` says where the rows come from.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import polars as pl
from kedro.io import AbstractDataset, DatasetError

from ctrflow.ingestion.raw_logs import SPLITS, RawLogs
from ctrflow.preprocessing.movielens import (
    MovieLensParams,
    movielens_impressions,
    split_by_time,
)

logger = logging.getLogger(__name__)
_FILES = ("ratings", "users", "items")
# RecBole atomic files: tab separated, no quoting, every column read as text
_READ_ARGS: dict[str, Any] = {
    "separator": "\t",
    "quote_char": None,
    "infer_schema": False,
}


class MovieLensLogsDataset(AbstractDataset[None, RawLogs]):
    """MovieLens ratings as raw impression logs with ``train``/``valid``/``test``
    parts (read by ingestion as Parquet would be; ``ingestion.split: given``).

    Example catalog entry::

        raw_logs:
          type: ctrflow.datasets.MovieLensLogsDataset
          ratings: ${shared_data:}/movielens_100k/ml-100k.inter.gz
          users: ${shared_data:}/movielens_100k/ml-100k.user.gz
          items: ${shared_data:}/movielens_100k/ml-100k.item.gz
          options: {positive_rating: 4, max_history: 50}

    Args:
        ratings: ``ml-100k.inter`` (``user_id``, ``item_id``, ``rating``,
            ``timestamp``), plain or gzip.
        users: ``ml-100k.user`` (``age``, ``gender``, ``occupation``, ``zip_code``).
        items: ``ml-100k.item`` (``release_year``, ``class``).
        options: label threshold, history length, split fractions, zip prefix
            (``ctrflow.preprocessing.movielens.MovieLensParams``; checked here,
            so a wrong key fails when the catalog builds this entry).
        metadata: Kedro metadata (kedro-viz).

    Raises:
        pydantic.ValidationError: ``options`` has an unknown key or a bad value.
    """

    def __init__(
        self,
        ratings: str,
        users: str,
        items: str,
        options: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._paths = dict(zip(_FILES, (ratings, users, items), strict=True))
        self._params = MovieLensParams(**(options or {}))
        self.metadata = metadata

    def load(self) -> RawLogs:
        """Read the three files and build the impressions, split by time.

        Returns:
            Raw logs with ``train``, ``valid`` and ``test`` parts (typed frames);
            the sha256 of each table's CSV text is the fingerprint's checksum.

        Raises:
            DatasetError: a file is missing (the message names it).
        """
        tables = {name: _read_recbole(Path(path)) for name, path in self._paths.items()}
        return movielens_raw_logs(
            tables["ratings"], tables["users"], tables["items"], self._params
        )

    def save(self, data: None) -> None:
        raise DatasetError("MovieLensLogsDataset is read-only")

    def _exists(self) -> bool:
        return all(Path(path).is_file() for path in self._paths.values())

    def _describe(self) -> dict[str, Any]:
        return {**self._paths, "options": self._params.model_dump()}


def movielens_raw_logs(
    ratings: pl.DataFrame,
    users: pl.DataFrame,
    items: pl.DataFrame,
    params: MovieLensParams,
) -> RawLogs:
    """Impressions with a leak-free history, split by a global time cut.

    Args:
        ratings: ``ml-100k.inter`` as read (strings).
        users: ``ml-100k.user``.
        items: ``ml-100k.item``.
        params: label threshold, history length, split fractions.

    Returns:
        Raw logs with ``train``, ``valid`` and ``test`` parts (typed frames,
        without the timestamp); the sha256 of each input table's CSV text is
        the fingerprint's checksum.
    """
    impressions = movielens_impressions(ratings, users, items, params)
    parts = dict(zip(SPLITS, split_by_time(impressions, params), strict=True))
    for name, part in parts.items():
        logger.info(
            "movielens %s: %d rows, %s to %s, positive rate %.3f",
            name, part.height, part["timestamp"].min(), part["timestamp"].max(),
            part["label"].mean(),
        )  # fmt: skip
    inputs = {"ratings": ratings, "users": users, "items": items}
    return RawLogs(
        frames={name: part.drop("timestamp") for name, part in parts.items()},
        sources={name: f"movielens_ratings ({name} by time)" for name in parts},
        checksums={
            name: hashlib.sha256(frame.write_csv().encode()).hexdigest()
            for name, frame in inputs.items()
        },
        file_format="parquet",
    )


def _read_recbole(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise DatasetError(
            f"MovieLens file {path} not found (the catalog's raw_logs entry; set "
            "CTRFLOW_SHARED_DATA to the folder holding movielens_100k/)"
        )
    return pl.read_csv(path, **_READ_ARGS)
